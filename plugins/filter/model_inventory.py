# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: model_inventory
short_description: Collect the models of the model hosts into one checked list
version_added: 0.1.0
description:
  - Reads the C(models) list of every host given, checks every entry (name, version, port,
    framework, labels, thresholds, log_retention_days) and merges the entries of one model on several hosts into one
    model whose targets are C(<host>:<port>) of each.
  - Fails with every problem at once, each naming the host, the model and the field, so that a play
    can stop before anything changes.
  - The result feeds M(mlops.observability.prometheus_scrape_target) and, through
    P(mlops.observability.model_alert_rules#filter), M(mlops.observability.prometheus_alert_rule).
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
    models: "{{ hostvars | mlops.observability.model_inventory(groups['model_hosts']) }}"
    exclusive: true
"""

RETURN = r"""
_value:
  description:
    - One dict per model with C(name), C(version), C(framework), C(env), C(team), C(labels), C(thresholds),
      C(log_retention_days) (from its first entry, when given) and C(targets) (from all).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_alert_rules import model_alert_rules
from ansible_collections.mlops.observability.plugins.module_utils.model_files import check_models, check_target_model


KEEP = ('name', 'version', 'framework', 'env', 'team', 'labels', 'targets', 'thresholds', 'log_retention_days')


def _entry_problems(entry):
    """Checks of the fields only an inventory entry has (the modules check the rest)."""
    if not isinstance(entry, dict):
        return ['model %r: must be a mapping' % (entry,)]
    problems = []
    port = entry.get('port')
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        problems.append('model %s: port: %r is not a port from 1 to 65535' % (entry.get('name'), port))
    days = entry.get('log_retention_days', 1)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        problems.append('model %s: log_retention_days: %r is not a whole number of days, at least 1' % (entry.get('name'), days))
    return problems


def model_inventory(hostvars, hosts):
    merged, errors = {}, []
    for host in hosts:
        entries = hostvars[host].get('models') or []
        if not isinstance(entries, list):
            errors.append('host %s: models: must be a list' % host)
            continue
        entry_errors = [problem for entry in entries for problem in _entry_problems(entry)]
        candidates = [dict(e, targets=['%s:%s' % (host, e.get('port'))]) for e in entries if isinstance(e, dict)]
        problems = entry_errors + check_models(candidates, check_target_model)
        for model in candidates:
            try:
                model_alert_rules(model)
            except AnsibleFilterError as error:
                problems.append(str(error))
        errors.extend('host %s: %s' % (host, p) for p in problems)
        if problems:
            continue
        for model in candidates:
            known = merged.get(model['name'])
            if known is None:
                merged[model['name']] = dict((k, v) for k, v in model.items() if k in KEEP)
            elif (known['version'], known.get('framework')) != (model['version'], model.get('framework')):
                errors.append('host %s: model %s: version: %s here but %s on another host'
                              % (host, model['name'], model['version'], known['version']))
            else:
                known['targets'] = known['targets'] + model['targets']
    if errors:
        raise AnsibleFilterError('invalid models in the inventory, nothing changed: ' + '; '.join(errors))
    return [merged[name] for name in sorted(merged)]


class FilterModule:
    def filters(self):
        return {'model_inventory': model_inventory}
