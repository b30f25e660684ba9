#!/usr/bin/python
# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticsearch_index_template
short_description: Manage many Elasticsearch composable index templates in one call
version_added: 0.1.0
description:
  - Creates, updates and removes composable index templates (C(_index_template)) through the Elasticsearch API,
    many per call, such as one template per model that binds the model's data stream to its ILM policy.
  - Every template of the call is checked before the first request.
  - Reads all templates with one request, compares each wanted template with the one in the cluster, and writes
    only the ones that differ, one C(PUT) each. The comparison uses the form Elasticsearch returns (settings
    nested under C(index), values as strings, data stream defaults), so an unchanged template causes no write
    request.
  - Every template written carries C(_meta.managed_by=mlops.observability). O(exclusive) removes only templates
    with this mark, and never one that a data stream still uses; such a template is kept with a warning and
    removed by a later run once its data streams are gone. Data is never deleted.
  - "Elasticsearch ships a C(logs) template for C(logs-*-*) at priority 100. A template for a narrower pattern,
    such as C(logs-mlops.churn-*), at a higher O(templates[].priority) wins for those data streams only; other
    C(logs-*) data keeps the built-in template. Two templates with overlapping patterns may not share a priority."
author: mlops.observability maintainers (@mlops-observability)
extends_documentation_fragment:
  - mlops.observability.api_connection
options:
  templates:
    description: The templates to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Template name; lower case; no space, comma, double quote, asterisk, backslash, C(<), C(|), C(>), slash,
            question mark, C(#) or colon, and not starting with C(_), C(-) or C(+).
        type: str
        required: true
      index_patterns:
        description: Index or data stream name patterns the template applies to. Required when O(templates[].state=present).
        type: list
        elements: str
      priority:
        description: Priority among templates whose patterns match; the highest wins. Required when O(templates[].state=present).
        type: int
      data_stream:
        description: Matching names become data streams (needed for C(logs-*) streams).
        type: bool
        default: false
      composed_of:
        description: Component templates merged in, in order, before the template's own settings and mappings.
        type: list
        elements: str
        default: []
      ignore_missing_component_templates:
        description: Names of O(templates[].composed_of) that may be missing in the cluster.
        type: list
        elements: str
        default: []
      lifecycle_policy:
        description: ILM policy of the matching indices, set as the C(index.lifecycle.name) setting.
        type: str
      settings:
        description: Index settings, dotted (C(index.number_of_replicas)) or nested; the C(index.) prefix may be left out.
        type: dict
        default: {}
      mappings:
        description: Index mappings.
        type: dict
      meta:
        description: More keys for the template's C(_meta). The module adds C(managed_by).
        type: dict
        default: {}
      state:
        description:
          - V(present) creates or updates the template.
          - V(absent) removes it, whoever created it, unless a data stream uses it.
        type: str
        choices: [present, absent]
        default: present
  exclusive:
    description:
      - Also remove every template marked as created by this collection that O(templates) does not name, as if it
        had O(templates[].state=absent).
    type: bool
    default: false
notes:
  - Needs the cluster privilege C(manage_index_templates) (and C(monitor) to see which data streams use a template
    to be removed).
  - Supports check mode and diff mode. In both, the module reads; in check mode it writes nothing.
seealso:
  - module: mlops.observability.elasticsearch_ilm_policy
  - name: Index template API
    description: Create or update an index template.
    link: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-indices-put-index-template
"""

EXAMPLES = r"""
# The connection options, given once for every Elasticsearch module of the block
- name: The models' index templates
  module_defaults:
    group/mlops.observability.elasticsearch:
      url: https://es1.example.com:9200
      ca_path: /etc/mlops-observability/tls/ca.crt
      url_username: elastic
      url_password: "{{ vault_elastic_password }}"
  block:
    - name: The churn model's log data stream uses its own retention policy
      mlops.observability.elasticsearch_index_template:
        templates:
          - name: mlops-model-churn-logs
            index_patterns: ["logs-mlops.churn-*"]
            priority: 200
            data_stream: true
            composed_of: [logs@mappings, logs@settings, ecs@mappings]
            lifecycle_policy: mlops-model-churn-logs

    - name: One template per model of the inventory; the templates of dropped models go
      mlops.observability.elasticsearch_index_template:
        templates: "{{ hostvars | mlops.observability.model_inventory(groups['model_hosts']) | mlops.observability.model_index_templates }}"
        exclusive: true
"""

RETURN = r"""
changed_templates:
  description: Names of the templates created or updated (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [mlops-model-churn-logs]
removed_templates:
  description: Names of the templates removed (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: []
kept_in_use:
  description: Names of the templates to remove that a data stream still uses, and which were kept.
  returned: always
  type: list
  elements: str
  sample: [mlops-model-old-logs]
write_requests:
  description: Number of write requests (C(PUT) and C(DELETE)) made, or in check mode that would be made.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.mlops.observability.plugins.module_utils.elasticsearch import (
    item_problems, manage, nested_settings, owned, reconcile, with_owner)

# the keys of a template that the module manages; others that Elasticsearch returns (dates) are left out
MANAGED = ('index_patterns', 'priority', 'composed_of', 'ignore_missing_component_templates', 'data_stream',
           'template', '_meta')


def template_problems(template):
    problems = []
    patterns = template.get('index_patterns')
    if not patterns or not all(isinstance(p, str) and p for p in patterns):
        problems.append('index_patterns: give at least one pattern')
    if template.get('priority') is None or template['priority'] < 0:
        problems.append('priority: give a whole number of 0 or more')
    missing_ok = set(template['ignore_missing_component_templates'])
    problems.extend('ignore_missing_component_templates: %r is not in composed_of' % name
                    for name in sorted(missing_ok - set(template['composed_of'])))
    if template.get('lifecycle_policy') is not None and not template['lifecycle_policy']:
        problems.append('lifecycle_policy: empty; leave it out for no policy')
    return problems


def wanted_body(template):
    """The body to PUT, in the form Elasticsearch returns it, so that it compares with what GET gives."""
    settings = dict(template['settings'])
    if template.get('lifecycle_policy'):
        settings['index.lifecycle.name'] = template['lifecycle_policy']
    inner = {}
    if settings:
        inner['settings'] = nested_settings(settings)
    if template.get('mappings'):
        inner['mappings'] = template['mappings']
    body = {'index_patterns': template['index_patterns'], 'priority': template['priority'],
            'composed_of': template['composed_of'], '_meta': with_owner(template['meta'])}
    if inner:
        body['template'] = inner
    if template['ignore_missing_component_templates']:
        body['ignore_missing_component_templates'] = template['ignore_missing_component_templates']
    if template['data_stream']:
        body['data_stream'] = {}
    return body


def run(module, client, templates, found):
    current = {}
    for item in found.get('index_templates', []):
        body = dict((key, value) for key, value in item['index_template'].items() if key in MANAGED)
        current[item['name']] = (body, owned(body.get('_meta')))
    wanted = dict((t['name'], wanted_body(t)) for t in templates if t['state'] == 'present')

    def in_use(names):
        """Elasticsearch refuses to delete a template that a data stream uses."""
        streams = (client.get('/_data_stream') or {}).get('data_streams', [])
        return dict((name, 'data streams ' + ', '.join(sorted(s['name'] for s in streams if s.get('template') == name)))
                    for name in names if any(s.get('template') == name for s in streams))

    return reconcile(module, client, '/_index_template/%s', current, wanted, templates, in_use)


def main():
    manage('templates', '/_index_template', lambda templates: item_problems(templates, 'templates', template_problems), run,
           index_patterns=dict(type='list', elements='str'),
           priority=dict(type='int'),
           data_stream=dict(type='bool', default=False),
           composed_of=dict(type='list', elements='str', default=[]),
           ignore_missing_component_templates=dict(type='list', elements='str', default=[]),
           lifecycle_policy=dict(type='str'),
           settings=dict(type='dict', default={}),
           mappings=dict(type='dict'),
           meta=dict(type='dict', default={}))


if __name__ == '__main__':
    main()
