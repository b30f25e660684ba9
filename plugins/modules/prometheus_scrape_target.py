#!/usr/bin/python
# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: prometheus_scrape_target
short_description: Manage per-model Prometheus file_sd target files
version_added: 0.1.0
description:
  - Writes one C(file_sd) file per model, C(<directory>/<name>.yml), holding the model's targets and labels.
    Prometheus picks the files up by itself (the prometheus role's C(models) job reads this directory).
  - Handles many models in one call. Every model is checked first; on any error nothing is written.
  - Files are written atomically (temporary file and rename). Removing a model (O(models[].state=absent), or
    O(exclusive) for a model left out) does not delete its file; the file is rewritten to hold one target group
    with an empty list of targets, because after a reload Prometheus 2.x updates a scrape pool only when
    its discovery reports a target group, and would keep scraping the removed model's targets (seen with
    Prometheus 2.42). A removed model that has no file gets none.
author: mlops.observability maintainers (@mlops-observability)
extends_documentation_fragment:
  - mlops.observability.model_files
options:
  directory:
    description: Directory of the target files.
    type: path
    required: true
  models:
    description: The models to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Model name, lower case letters, digits, V(-) and V(_); it is also the file name.
        type: str
        required: true
      version:
        description: Model version, the C(model_version) label. Required when O(models[].state=present).
        type: str
      targets:
        description:
          - C(host:port) (or C([ipv6]:port)) endpoints of the model's metrics, with a port from 1 to 65535, each given once.
          - Required when O(models[].state=present).
        type: list
        elements: str
      framework:
        description:
          - Framework label, one of V(sklearn), V(pytorch), V(keras), V(tensorflow), V(xgboost), V(onnx), V(other).
          - Checked by the module so that the error names the model.
        type: str
        default: other
      env:
        description: Environment label, for example V(prod).
        type: str
      team:
        description: Owning team label.
        type: str
      labels:
        description:
          - More labels; names must be valid Prometheus label names.
          - Reserved names are refused - V(job) and V(instance) (Prometheus sets them; the model alerts select on
            V(job)), names starting with V(__), and the labels that have their own option (V(model), V(model_version),
            V(framework), V(env), V(team)).
          - Values must be strings. Numbers are written as their text (quote a value such as V('1.10') to keep it as
            written); null, booleans, lists and mappings are refused.
        type: dict
        default: {}
      state:
        description:
          - V(present) writes the model's targets and labels.
          - V(absent) empties the model's file, which keeps one target group without targets; the file is not deleted.
        type: str
        choices: [present, absent]
        default: present
seealso:
  - module: mlops.observability.prometheus_alert_rule
"""

EXAMPLES = r"""
- name: Register two models' scrape targets on a Prometheus server
  mlops.observability.prometheus_scrape_target:
    directory: /etc/prometheus/file_sd/models
    models:
      - name: churn
        version: 2.3.1
        framework: sklearn
        env: prod
        team: growth
        targets: ["model-1.example.com:8443", "model-2.example.com:8443"]
      - name: fraud
        version: "7"
        framework: pytorch
        targets: ["fraud-1.example.com:8443"]
        labels:
          region: eu

- name: Remove a model's targets
  mlops.observability.prometheus_scrape_target:
    directory: /etc/prometheus/file_sd/models
    models:
      - name: churn
        state: absent
"""

RETURN = r"""
changed_models:
  description: Names of the models whose file was created or changed (a removed model's file is emptied).
  returned: always
  type: list
  elements: str
  sample: [churn]
files:
  description: Paths of the files that were (or in check mode would be) written or emptied.
  returned: always
  type: list
  elements: str
  sample: [/etc/prometheus/file_sd/models/churn.yml]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mlops.observability.plugins.module_utils.managed_files import (
    apply_changes, check_inputs, exit_with, file_argument_spec, header, plan_changes, render_yaml)
from ansible_collections.mlops.observability.plugins.module_utils.model_fields import check_models, check_target_model, models_option


MARK = 'managed by mlops.observability.prometheus_scrape_target:'


def target_file(model):
    labels = dict((k, str(v)) for k, v in (model.get('labels') or {}).items())
    labels.update(model=model['name'], model_version=str(model['version']),
                  framework=model.get('framework') or 'other')
    for field in ('env', 'team'):
        if model.get(field):
            labels[field] = model[field]
    return render_yaml([dict(targets=[str(t) for t in model['targets']], labels=labels)], MARK, 'model %s' % model['name'])


def emptied_file(name):
    return header(MARK, 'model %s (removed)' % name) + '[{"targets": []}]\n'


def main():
    module = AnsibleModule(argument_spec=dict(
        file_argument_spec(group='prometheus'),
        models=models_option(dict(
            version=dict(type='str'),
            targets=dict(type='list', elements='str'),
            framework=dict(type='str', default='other'),
            env=dict(type='str'),
            team=dict(type='str'),
            labels=dict(type='dict', default={}),
        )),
    ), supports_check_mode=True)
    check_inputs(module, check_models(module.params['models'], check_target_model), 'the prometheus role creates it')

    wanted = dict((m['name'], target_file(m) if m['state'] == 'present' else None) for m in module.params['models'])
    # A removed model's file keeps one target group with no target, it is not deleted nor left without
    # groups: after a reload, Prometheus 2.x syncs a scrape pool only if its discovery sent a group, and
    # would otherwise keep scraping the removed targets (seen with 2.42).
    changes = plan_changes(module, wanted, MARK, 'model', '%s.yml', removed=emptied_file)
    apply_changes(module, changes)  # not in check mode
    exit_with(module, changes, 'changed_models')


if __name__ == '__main__':
    main()
