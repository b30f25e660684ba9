#!/usr/bin/python
# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: prometheus_alert_rule
short_description: Manage per-model Prometheus alert rule files, checked by promtool
version_added: 0.1.0
description:
  - Writes one rule file per model, C(<directory>/model_<name>.yml), holding the model's rule groups.
  - Handles many models in one call. Every model is checked first, then every new file is written to a private
    temporary directory and checked with one C(promtool check rules) run; only when all pass are the files
    written next to their destination and moved into place (atomic rename). On any error nothing is replaced.
    In check mode promtool checks the rules too, and nothing is written in O(directory).
  - Removing a model (O(models[].state=absent), or O(exclusive) for a model left out) deletes its file.
  - Returns RV(reload_needed), so that a play reloads Prometheus once, whatever the number of models.
  - The rule groups can come from the ML alert library, the filter P(mlops.observability.model_alert_rules#filter).
author: mlops.observability maintainers (@mlops-observability)
extends_documentation_fragment:
  - mlops.observability.model_files
options:
  directory:
    description: Directory of the rule files (the prometheus role's C(prometheus_rules_dir)).
    type: path
    required: true
  models:
    description: The models to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Model name, lower case letters, digits, V(-) and V(_).
        type: str
        required: true
      groups:
        description:
          - Prometheus rule groups, each a mapping with C(name) and a list of C(rules). Required when O(models[].state=present).
          - A group that is not a mapping fails the run with an error naming the model.
        type: list
        elements: raw
      state:
        description: Whether the model's rule file exists.
        type: str
        choices: [present, absent]
        default: present
  promtool:
    description: Path of promtool on the host.
    type: path
    default: promtool
requirements:
  - promtool on the target host
seealso:
  - module: mlops.observability.prometheus_scrape_target
"""

EXAMPLES = r"""
- name: Install the ML alert library for every model, then reload once
  mlops.observability.prometheus_alert_rule:
    directory: /etc/prometheus/rules
    models: "{{ models | map('mlops.observability.model_alert_rules') | list }}"
  register: rules

- name: Reload Prometheus once
  ansible.builtin.systemd_service:
    name: prometheus
    state: reloaded
  when: rules.reload_needed

- name: Hand-written rules for one model
  mlops.observability.prometheus_alert_rule:
    directory: /etc/prometheus/rules
    models:
      - name: churn
        groups:
          - name: churn-business
            rules:
              - alert: ChurnScoreShift
                expr: avg(model_prediction_value_sum{model="churn"}) > 0.8
                for: 30m
                labels: {severity: warning, model: churn}
"""

RETURN = r"""
reload_needed:
  description: Whether a rule file changed, so Prometheus must reload.
  returned: always
  type: bool
changed_models:
  description: Names of the models whose rule file was created, changed or removed.
  returned: always
  type: list
  elements: str
files:
  description: Paths of the files that were (or in check mode would be) written or removed.
  returned: always
  type: list
  elements: str
promtool_output:
  description: What promtool printed, when it rejected the rules.
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mlops.observability.plugins.module_utils.managed_files import (
    apply_changes, check_inputs, exit_with, file_argument_spec, plan_changes, render_yaml, write_private)
from ansible_collections.mlops.observability.plugins.module_utils.model_fields import check_models, check_rule_model, models_option


MARK = 'managed by mlops.observability.prometheus_alert_rule:'


def main():
    module = AnsibleModule(argument_spec=dict(
        file_argument_spec(group='prometheus'),
        models=models_option(dict(groups=dict(type='list', elements='raw'))),
        promtool=dict(type='path', default='promtool'),
    ), supports_check_mode=True)
    check_inputs(module, check_models(module.params['models'], check_rule_model), 'the prometheus role creates it')

    wanted = dict((m['name'], render_yaml({'groups': m['groups']}, MARK, 'model %s' % m['name'])
                   if m['state'] == 'present' else None) for m in module.params['models'])
    changes = plan_changes(module, wanted, MARK, 'model', 'model_%s.yml')

    writes = [c for c in changes if c[3] is not None]
    if writes:
        # checked in a private directory: nothing appears in the rules directory before promtool passed,
        # and nothing at all in check mode
        promtool = module.get_bin_path(module.params['promtool'], required=True)
        staged = dict((name, write_private(module, 'model_%s.yml' % name, after)) for name, path, before, after in writes)
        rc, out, err = module.run_command([promtool, 'check', 'rules'] + [staged[c[0]] for c in writes])
        if rc != 0:
            output = out + err
            for name, tmp in staged.items():
                output = output.replace(tmp, 'model %s' % name)
            module.fail_json(msg='promtool rejected the rules, nothing changed: ' + output.strip(),
                             promtool_output=output)
    apply_changes(module, changes)  # not in check mode
    exit_with(module, changes, 'changed_models', reload_needed=bool(changes))


if __name__ == '__main__':
    main()
