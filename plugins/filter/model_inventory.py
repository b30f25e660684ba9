# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: model_inventory
short_description: Collect the models of the model hosts into one checked list
version_added: 0.1.0
description:
  - Reads the C(models) list of every host given, checks every entry and merges the entries of one model on several
    hosts into one model whose targets are C(<host>:<port>) of each.
  - "An entry has the keys C(name), C(version) (quote it: YAML reads 1.10 as the number 1.1), C(port), C(framework),
    C(env), C(team), C(labels) (not C(job) nor C(instance), which Prometheus sets), C(serve) (a boolean), C(faults),
    C(thresholds) (see P(mlops.observability.model_alert_rules#filter)), C(log_retention_days) (days the prediction
    logs are kept on the host, 1 to 3650) and C(elasticsearch_retention_days) (days they are kept in Elasticsearch,
    1 to 3650; P(mlops.observability.model_ilm_policies#filter) uses 30 when unset); any other key is refused.
    No two models of a host share a port."
  - A model on several hosts has the same C(version), C(framework), C(env), C(team), C(labels), C(thresholds),
    C(log_retention_days) and C(elasticsearch_retention_days) on each.
  - "Every host given must set C(models); C(models: []) runs no model there."
  - Fails with every problem at once, each naming the host, the model and the field, so that a play
    can stop before anything changes.
  - The result feeds, through P(mlops.observability.model_scrape_targets#filter),
    M(mlops.observability.prometheus_scrape_target) and, through P(mlops.observability.model_alert_rules#filter),
    M(mlops.observability.prometheus_alert_rule); the prometheus role's C(models) entry point takes it whole.
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  hosts:
    description: The model hosts, for example C(groups['model_hosts']).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Every model of the inventory on every Prometheus
  mlops.observability.prometheus_scrape_target:
    directory: /etc/prometheus/file_sd/models
    models: "{{ hostvars | mlops.observability.model_inventory(groups['model_hosts']) | mlops.observability.model_scrape_targets }}"
    exclusive: true
"""

RETURN = r"""
_value:
  description:
    - One dict per model with C(name), C(version), C(framework), C(env), C(team), C(labels), C(thresholds),
      C(log_retention_days) and C(elasticsearch_retention_days) (each when given; the same on every host) and
      C(targets) (from all).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_alert_rules import threshold_problems
from ansible_collections.mlops.observability.plugins.module_utils.model_fields import check_models, check_target_model


# every key of a model entry that the collection reads (faults and serve: the model_service role)
KNOWN_KEYS = ('name', 'version', 'port', 'framework', 'env', 'team', 'labels', 'serve', 'faults', 'thresholds', 'log_retention_days',
              'elasticsearch_retention_days')
# what describes the model rather than one host's copy of it: the same on every host
SAME_ON_EVERY_HOST = ('version', 'framework', 'env', 'team', 'labels', 'thresholds', 'log_retention_days', 'elasticsearch_retention_days')
KEEP = ('name', 'targets') + SAME_ON_EVERY_HOST
# what the scrape-target module takes (the model_scrape_targets filter); the rest is for other consumers
TARGET_VIEW = ('name', 'targets', 'version', 'framework', 'env', 'team', 'labels', 'state')
MAX_RETENTION_DAYS = 3650
# on the host (model_logs role) and in Elasticsearch (model_ilm_policies filter)
RETENTION_KEYS = ('log_retention_days', 'elasticsearch_retention_days')


def days_problems(field, days):
    """['field: reason'] when days is not a whole number of days from 1 to MAX_RETENTION_DAYS, else []."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_RETENTION_DAYS:
        return ['%s: %r is not a whole number of days from 1 to %d' % (field, days, MAX_RETENTION_DAYS)]
    return []


def _entry_problems(entry):
    """Checks of what only an inventory entry has (check_target_model checks version, framework and labels)."""
    if not isinstance(entry, dict):
        return ['model %r: must be a mapping' % (entry,)]
    problems = ['%s: unknown key; known are %s' % (key, ', '.join(KNOWN_KEYS)) for key in entry if key not in KNOWN_KEYS]
    port = entry.get('port')
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        problems.append('port: %r is not a port from 1 to 65535' % (port,))
    if not isinstance(entry.get('serve', False), bool):
        problems.append('serve: %r is not a boolean; write true or false, unquoted' % (entry['serve'],))
    for key in RETENTION_KEYS:
        if key in entry:
            problems.extend(days_problems(key, entry[key]))
    problems.extend(threshold_problems(entry.get('thresholds')))
    return ['model %s: %s' % (entry.get('name'), problem) for problem in problems]


def _port_problems(entries):
    problems, owners = [], {}
    for entry in entries:
        owner = owners.setdefault(entry.get('port'), entry.get('name'))
        if owner != entry.get('name'):
            problems.append('model %s: port: %r is also the port of model %s' % (entry.get('name'), entry.get('port'), owner))
    return problems


def _host_problems(host, entries):
    """The problems of one host's models list, and its entries with their targets (<host>:<port>)."""
    if not isinstance(entries, list):
        return ['models: must be a list, not %r' % (entries,)], []
    candidates = [dict(e, targets=['%s:%s' % (host, e.get('port'))]) for e in entries if isinstance(e, dict)]
    return ([problem for entry in entries for problem in _entry_problems(entry)]
            + check_models(candidates, check_target_model) + _port_problems(candidates)), candidates


def model_entry_problems(entries):
    """The same checks for one host's list, for roles that take it without the playbook (model_service)."""
    return _host_problems('localhost', entries)[0]


def _shown(value):
    return 'not set' if value is None else repr(value)


def model_inventory(hostvars, hosts):
    merged, first_host, errors = {}, {}, []
    for host in hosts:
        if 'models' not in hostvars[host]:
            errors.append('host %s: models: not set; write models: [] to run no model there' % host)
            continue
        problems, candidates = _host_problems(host, hostvars[host]['models'])
        errors.extend('host %s: %s' % (host, p) for p in problems)
        if problems:
            continue
        for model in candidates:
            name = model['name']
            known = merged.get(name)
            if known is None:
                merged[name], first_host[name] = dict((k, v) for k, v in model.items() if k in KEEP), host
                continue
            # an empty value is the same as none
            differ = [key for key in SAME_ON_EVERY_HOST if (known.get(key) or None) != (model.get(key) or None)]
            errors.extend('host %s: model %s: %s: %s here but %s on host %s'
                          % (host, name, key, _shown(model.get(key)), _shown(known.get(key)), first_host[name]) for key in differ)
            if not differ:
                known['targets'] = known['targets'] + model['targets']
    if errors:
        raise AnsibleFilterError('invalid models in the inventory, nothing changed: ' + '; '.join(errors))
    return [merged[name] for name in sorted(merged)]


def model_scrape_targets(models):
    if not isinstance(models, list) or not all(isinstance(model, dict) for model in models):
        raise AnsibleFilterError('model_scrape_targets: expects the list of models of model_inventory')
    return [dict((key, model[key]) for key in TARGET_VIEW if key in model) for model in models]


class FilterModule:
    def filters(self):
        return {'model_inventory': model_inventory, 'model_scrape_targets': model_scrape_targets,
                'model_entry_problems': model_entry_problems}
