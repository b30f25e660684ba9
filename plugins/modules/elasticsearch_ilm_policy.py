#!/usr/bin/python
# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticsearch_ilm_policy
short_description: Manage many Elasticsearch index lifecycle (ILM) policies in one call
version_added: 0.1.0
description:
  - Creates, updates and removes ILM policies through the Elasticsearch API, many per call, such as one
    retention policy per model.
  - Every policy of the call is checked before the first request - phase names, the actions each phase allows
    and their options, durations, and C(min_age) that does not decrease from one phase to the next - so that
    nothing is half-applied.
  - Reads all policies with one request, compares each wanted policy with the one in the cluster, and writes
    only the ones that differ, one C(PUT) each. Elasticsearch raises a policy's version on every C(PUT), so an
    unchanged policy causes no write request.
  - The comparison knows the defaults Elasticsearch fills in (C(min_age) V(0ms), C(delete_searchable_snapshot)
    V(true), C(migrate.enabled) V(true)), so a policy given without them is not rewritten on every run.
  - Every policy written carries C(_meta.managed_by=mlops.observability). O(exclusive) removes only policies with
    this mark, and never one that an index or data stream still uses; such a policy is kept with a warning and
    removed by a later run once nothing uses it.
author: mlops.observability maintainers (@mlops-observability)
extends_documentation_fragment:
  - mlops.observability.api_connection
options:
  policies:
    description: The policies to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Policy name; no space, comma, double quote, asterisk, backslash, C(<), C(|), C(>), slash,
            question mark, C(#) or colon, and not starting with C(_), C(-) or C(+).
        type: str
        required: true
      phases:
        description:
          - The C(phases) of the policy, as the Elasticsearch API takes them - a mapping of phase (V(hot), V(warm),
            V(cold), V(frozen), V(delete)) to C(min_age) and C(actions).
          - Required when O(policies[].state=present).
        type: dict
      meta:
        description:
          - More keys for the policy's C(_meta). The module adds C(managed_by).
        type: dict
        default: {}
      state:
        description:
          - V(present) creates or updates the policy.
          - V(absent) removes it, whoever created it, unless an index or data stream uses it.
        type: str
        choices: [present, absent]
        default: present
  exclusive:
    description:
      - Also remove every policy marked as created by this collection that O(policies) does not name, as if it had
        O(policies[].state=absent).
    type: bool
    default: false
notes:
  - Needs the cluster privilege C(manage_ilm).
  - Supports check mode and diff mode. In both, the module reads; in check mode it writes nothing.
seealso:
  - module: mlops.observability.elasticsearch_index_template
  - name: ILM policy API
    description: Create or update a lifecycle policy.
    link: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-ilm-put-lifecycle
"""

EXAMPLES = r"""
# The connection options, given once for every Elasticsearch module of the block
- name: The models' ILM policies
  module_defaults:
    group/mlops.observability.elasticsearch:
      url: https://es1.example.com:9200
      ca_path: /etc/mlops-observability/tls/ca.crt
      url_username: elastic
      url_password: "{{ vault_elastic_password }}"
  block:
    - name: Keep the churn model's prediction logs 30 days
      mlops.observability.elasticsearch_ilm_policy:
        policies:
          - name: mlops-model-churn-logs
            meta:
              model: churn
            phases:
              hot:
                actions:
                  rollover:
                    max_age: 1d
                    max_primary_shard_size: 50gb
              delete:
                min_age: 30d
                actions:
                  delete: {}

    - name: One policy per model of the inventory; the policies of dropped models go
      mlops.observability.elasticsearch_ilm_policy:
        policies: "{{ hostvars | mlops.observability.model_inventory(groups['model_hosts']) | mlops.observability.model_ilm_policies }}"
        exclusive: true
"""

RETURN = r"""
changed_policies:
  description: Names of the policies created or updated (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [mlops-model-churn-logs]
removed_policies:
  description: Names of the policies removed (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [mlops-model-old-logs]
kept_in_use:
  description: Names of the policies to remove that an index or data stream still uses, and which were kept.
  returned: always
  type: list
  elements: str
  sample: []
write_requests:
  description: Number of write requests (C(PUT) and C(DELETE)) made, or in check mode that would be made.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.mlops.observability.plugins.module_utils.elasticsearch import (
    item_problems, manage, normal_phases, owned, policy_problems, reconcile, with_owner)


def run(module, client, policies, found):
    current = {}
    for name, item in found.items():
        policy = dict((key, value) for key, value in (item.get('policy') or {}).items() if key in ('phases', '_meta'))
        current[name] = (policy, owned(policy.get('_meta')))
    wanted = dict((p['name'], {'phases': normal_phases(p['phases']), '_meta': with_owner(p['meta'])})
                  for p in policies if p['state'] == 'present')

    def in_use(names):
        """Elasticsearch refuses to delete a policy that an index uses; a template naming it does not count."""
        uses = dict((name, found[name].get('in_use_by') or {}) for name in names)
        return dict((name, '; '.join('%s %s' % (kind, ', '.join(use[kind])) for kind in ('indices', 'data_streams')
                                     if use.get(kind))) for name, use in uses.items())

    return reconcile(module, client, '/_ilm/policy/%s', current, wanted, policies, in_use, envelope='policy')


def main():
    manage('policies', '/_ilm/policy',
           lambda policies: item_problems(policies, 'policies', lambda p: policy_problems(p.get('phases')), lower=False),
           run, phases=dict(type='dict'), meta=dict(type='dict', default={}))


if __name__ == '__main__':
    main()
