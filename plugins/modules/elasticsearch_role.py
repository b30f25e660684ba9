#!/usr/bin/python
# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticsearch_role
short_description: Manage many Elasticsearch security roles in one call
version_added: 0.1.0
description:
  - Creates, updates and removes roles of the Elasticsearch native role store through the security API, many per
    call, such as a writer role for Logstash and a read-only role per model.
  - Every role of the call is checked before the first request, and the roles Elasticsearch marks as reserved
    right after the read, so that nothing is half-applied.
  - Reads all roles with one request, compares each wanted role with the one in the cluster, and writes only the
    roles that differ, one C(PUT) each. The comparison knows the form Elasticsearch returns (empty lists,
    C(allow_restricted_indices) V(false), a document level security query as JSON text), so an unchanged role
    causes no write request.
  - "A role is written whole: keys the module does not manage (C(global), C(remote_indices), C(remote_cluster),
    C(description)) are removed from a role the module writes, and a role that has them counts as changed."
  - Every role written carries C(metadata.managed_by=mlops.observability). O(exclusive) removes only roles with
    this mark. Reserved (built-in) roles, such as C(superuser) or C(viewer), are never written nor removed.
  - Elasticsearch removes a role that users still have; such users keep the name of the missing role.
author: mlops.observability maintainers (@mlops-observability)
extends_documentation_fragment:
  - mlops.observability.api_connection
options:
  roles:
    description: The roles to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Role name; printable ASCII, no space, comma, double quote, asterisk, backslash, C(<), C(|), C(>), slash,
            question mark, C(#), colon or C(%), and not starting with C(_), C(-) or C(+). Not a reserved role.
        type: str
        required: true
      cluster:
        description: Cluster privileges, such as V(monitor).
        type: list
        elements: str
        default: []
      indices:
        description: Privileges on indices and data streams.
        type: list
        elements: dict
        default: []
        suboptions:
          names:
            description: Index, alias or data stream names or patterns, such as V(logs-mlops.*-*).
            type: list
            elements: str
            required: true
          privileges:
            description: Index privileges, such as V(read) or V(create_doc).
            type: list
            elements: str
            required: true
          field_security:
            description:
              - Field level security, a mapping of C(grant) and C(except), each a list of field names or patterns.
            type: dict
          query:
            description:
              - Document level security, a search query as a mapping or as its JSON text; only matching documents
                can be read.
            type: raw
          allow_restricted_indices:
            description: Whether O(roles[].indices[].names) also cover restricted indices, such as C(.security).
            type: bool
            default: false
      applications:
        description: Application privileges, such as those of Kibana.
        type: list
        elements: dict
        default: []
        suboptions:
          application:
            description: Application name, such as C(kibana-.kibana).
            type: str
            required: true
          privileges:
            description: Application privileges.
            type: list
            elements: str
            required: true
          resources:
            description: Resources the privileges apply to, such as V(*).
            type: list
            elements: str
            required: true
      run_as:
        description: Users the holders of this role may act as.
        type: list
        elements: str
        default: []
      metadata:
        description: Metadata of the role; keys must not start with C(_). The module adds C(managed_by).
        type: dict
        default: {}
      state:
        description:
          - V(present) creates or updates the role.
          - V(absent) removes it, whoever created it.
        type: str
        choices: [present, absent]
        default: present
  exclusive:
    description:
      - Also remove every role marked as created by this collection that O(roles) does not name, as if it had
        O(roles[].state=absent).
    type: bool
    default: false
notes:
  - Needs the cluster privilege C(manage_security).
  - Supports check mode and diff mode. In both, the module reads; in check mode it writes nothing.
  - Roles defined in C(roles.yml) files or by other role providers are not managed.
  - A role with field or document level security is disabled by Elasticsearch when the license does not cover
    these features; the module warns when it reads such a role that it manages.
seealso:
  - module: mlops.observability.elasticsearch_user
  - name: Create or update roles API
    description: Add and update roles in the native role store.
    link: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-security-put-role
"""

EXAMPLES = r"""
# The connection options, given once for every Elasticsearch module of the block
- name: The roles of the model logs
  module_defaults:
    group/mlops.observability.elasticsearch:
      url: https://es1.example.com:9200
      ca_path: /etc/mlops-observability/tls/ca.crt
      url_username: elastic
      url_password: "{{ vault_elastic_password }}"
  block:
    - name: A role for Logstash, which writes the models' logs into their data streams
      mlops.observability.elasticsearch_role:
        roles:
          - name: mlops_logs_writer
            cluster: [monitor]
            indices:
              - names: ["logs-mlops.*-*"]
                privileges: [create_doc, auto_configure]
            metadata:
              purpose: Logstash output of the model logs

    - name: A read-only role per model on the model's data streams; the roles of dropped models go
      mlops.observability.elasticsearch_role:
        roles:
          - name: mlops_churn_reader
            indices:
              - names: ["logs-mlops.churn-*"]
                privileges: [read, view_index_metadata]
            metadata:
              model: churn
          - name: mlops_fraud_v2_reader
            indices:
              - names: ["logs-mlops.fraud_v2-*"]
                privileges: [read, view_index_metadata]
                query:
                  term:
                    labels.env: prod
            metadata:
              model: fraud-v2
        exclusive: true
"""

RETURN = r"""
changed_roles:
  description: Names of the roles created or updated (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [mlops_logs_writer]
removed_roles:
  description: Names of the roles removed (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [mlops_old_reader]
kept_in_use:
  description: Always empty; Elasticsearch removes a role whoever has it. Kept for the same result as the other
    Elasticsearch modules.
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
    fail_on, item_problems, manage, parsed_query, read_role, reconcile, reserved, role_index_entry, security_current,
    security_problems, with_owner)

# the keys of a role that the module compares: its own, and those it removes (a PUT replaces the whole role);
# transient_metadata is Elasticsearch's own (enabled false when the license lacks a feature of the role)
FIELDS = ('cluster', 'indices', 'applications', 'run_as', 'metadata', 'global', 'remote_indices', 'remote_cluster',
          'description')


def role_problems(role):
    problems = security_problems(role)
    for index, entry in enumerate(role['indices']):
        where = 'indices[%d]' % index
        problems.extend('%s.%s: give at least one' % (where, key) for key in ('names', 'privileges') if not entry[key])
        grants = entry['field_security']
        if grants is not None and (set(grants) - {'grant', 'except'} or not all(
                isinstance(grants.get(key, []), list) for key in ('grant', 'except'))):
            problems.append('%s.field_security: must be a mapping of grant and except, each a list of field names' % where)
        if entry['query'] is not None and parsed_query(entry['query']) is None:
            problems.append('%s.query: must be a search query, as a mapping or as its JSON text' % where)
    for index, entry in enumerate(role['applications']):
        problems.extend('applications[%d].%s: give at least one' % (index, key)
                        for key in ('privileges', 'resources') if not entry[key])
    return problems


def role_body(role):
    body = dict((key, role[key]) for key in ('cluster', 'applications', 'run_as') if role[key])
    if role['indices']:
        body['indices'] = [role_index_entry(entry) for entry in role['indices']]
    body['metadata'] = with_owner(role['metadata'])
    return body


def run(module, client, roles, found):
    fail_on(module, 'roles', ['roles[%d] %s: a reserved (built-in) role; the module never writes nor removes it' % (
        index, role['name']) for index, role in enumerate(roles) if reserved(found.get(role['name']))])
    current = dict((name, (read_role(body), mine)) for name, (body, mine) in security_current(found, FIELDS).items())
    wanted = dict((r['name'], role_body(r)) for r in roles if r['state'] == 'present')
    for name in sorted(set(wanted) & set(found)):
        meta = found[name].get('transient_metadata') or {}
        if meta.get('enabled') is False:
            module.warn('roles: Elasticsearch has disabled role %s (features not in the license: %s)' % (
                name, ', '.join(meta.get('unlicensed_features') or ['not named'])))
    return reconcile(module, client, '/_security/role/%s', current, wanted, roles)


def main():
    manage('roles', '/_security/role', lambda roles: item_problems(roles, 'roles', role_problems, lower=False), run,
           cluster=dict(type='list', elements='str', default=[]),
           indices=dict(type='list', elements='dict', default=[], options=dict(
               names=dict(type='list', elements='str', required=True),
               privileges=dict(type='list', elements='str', required=True),
               field_security=dict(type='dict'),
               query=dict(type='raw'),
               allow_restricted_indices=dict(type='bool', default=False),
           )),
           applications=dict(type='list', elements='dict', default=[], options=dict(
               application=dict(type='str', required=True),
               privileges=dict(type='list', elements='str', required=True),
               resources=dict(type='list', elements='str', required=True),
           )),
           run_as=dict(type='list', elements='str', default=[]),
           metadata=dict(type='dict', default={}))


if __name__ == '__main__':
    main()
