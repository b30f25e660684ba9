#!/usr/bin/python
# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: kibana_data_view
short_description: Manage Kibana data views, many per call, writing only those that differ
version_added: 0.1.0
description:
  - Creates, updates and removes Kibana data views (formerly index patterns) through Kibana's data views API
    (C(/api/data_views)), in the default space.
  - "Every item is checked before the first request: a bad, duplicate or foreign id, an empty title or a name used
    twice fails the module, naming the item, and nothing is sent."
  - The module reads the list of data views once (C(GET /api/data_views)), and the data views it names that exist
    one by one, since the list lacks their time field. It then writes only the data views that differ, one request
    each; an unchanged data view causes no write request.
  - A new data view is created with its id (C(POST /api/data_views/data_view)); a changed one gets a partial update
    of the attributes that differ (C(POST /api/data_views/data_view/<id>)), so that what Kibana keeps beside them,
    such as field formats, stays.
  - "Ownership is read from Kibana's answer alone: a data view is this collection's when its id starts with
    O(owned_prefix). The module writes and removes only such data views, so O(exclusive) never removes another."
author: mlops.observability maintainers (@mlops-observability)
extends_documentation_fragment:
  - mlops.observability.api_connection
options:
  data_views:
    description: The data views to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description:
          - Id of the data view, which Kibana keeps across updates and uses in links.
          - Letters, digits, C(.), C(_) and C(-), starting with O(owned_prefix); at most 200 characters.
        type: str
        required: true
      title:
        description:
          - The index pattern the data view searches, such as V(logs-mlops.churn-*) or a data stream name; several
            patterns are separated by commas.
          - Required when O(data_views[].state=present).
        type: str
      name:
        description:
          - Name shown in Kibana. Defaults to O(data_views[].title).
          - Kibana refuses two data views of one name (the title stands for a missing name), so two items must not
            have the same name either.
        type: str
      time_field:
        description: Field holding the time of each document, which Discover sorts and filters on.
        type: str
        default: '@timestamp'
      state:
        description:
          - V(present) creates or updates the data view.
          - V(absent) removes it.
        type: str
        choices: [present, absent]
        default: present
  owned_prefix:
    description:
      - Id prefix of the data views of this collection. Every id in O(data_views) must start with it, and
        O(exclusive) removes only data views whose id starts with it.
      - Letters, digits, C(.), C(_) and C(-), not empty.
    type: str
    default: mlops-
  exclusive:
    description:
      - Also remove every data view whose id starts with O(owned_prefix) and that O(data_views) does not name, as if
        it had O(data_views[].state=absent).
    type: bool
    default: false
notes:
  - Needs the Kibana privilege to manage data views (feature C(Data View Management), C(all)).
  - Writes carry the header C(kbn-xsrf), which Kibana requires.
  - Supports check mode and diff mode. In both, the module reads; in check mode it writes nothing.
  - A data view in another Kibana space is not seen; to manage one, add the space to O(url) as
    C(https://kibana.example.com:5601/s/<space>).
seealso:
  - name: Data views API
    description: Kibana's API to list, create, update and delete data views.
    link: https://www.elastic.co/docs/api/doc/kibana/group/endpoint-data-views
"""

EXAMPLES = r"""
# The connection options, given once for every Kibana module of the block
- name: The data views of the model logs
  module_defaults:
    group/mlops.observability.kibana:
      url: https://kibana.example.com:5601
      ca_path: /etc/mlops-observability/tls/ca.crt
      url_username: elastic
      url_password: "{{ vault_elastic_password }}"
  block:
    - name: One data view per model's data stream; those of dropped models go
      mlops.observability.kibana_data_view:
        data_views: "{{ hostvars | mlops.observability.model_inventory(groups['model_hosts'])
          | mlops.observability.model_data_views('prod') }}"
        exclusive: true

    - name: A data view over the logs of every model, with its own name and time field
      mlops.observability.kibana_data_view:
        data_views:
          - id: mlops-all-models-logs
            title: logs-mlops.*-*
            name: All model logs
            time_field: event.created
          - id: mlops-old-view
            state: absent
"""

RETURN = r"""
changed_data_views:
  description: Ids of the data views created or updated (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [mlops-model-churn-logs]
removed_data_views:
  description: Ids of the data views removed (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [mlops-model-old-logs]
write_requests:
  description: Number of write requests (C(POST) and C(DELETE)) made, or in check mode that would be made.
  returned: always
  type: int
  sample: 1
diff:
  description:
    - In diff mode, the changed and removed data views by id, each with C(title), C(name) and C(timeFieldName)
      before (as read; a removed one without C(timeFieldName), which the list lacks) and after.
  returned: when diff mode is on
  type: dict
  sample:
    before: {mlops-model-churn-logs: {title: logs-mlops.churn-default, name: Model churn logs, timeFieldName: ts}}
    after: {mlops-model-churn-logs: {title: logs-mlops.churn-default, name: Model churn logs, timeFieldName: '@timestamp'}}
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mlops.observability.plugins.module_utils.api_client import (
    API_CONNECTION_MUTUALLY_EXCLUSIVE, API_CONNECTION_REQUIRED_TOGETHER, ApiClient, ApiError, api_argument_spec,
    compare, fail_api_error)
from ansible_collections.mlops.observability.plugins.module_utils.elasticsearch import fail_on

LIST_PATH = '/api/data_views'
ONE_PATH = '/api/data_views/data_view'
# an id goes into the URL path as it is
ID_RE = re.compile(r'[A-Za-z0-9._-]{1,200}')
# Kibana's attribute of each item option that the module compares and writes
ATTRIBUTES = (('title', 'title'), ('name', 'name'), ('time_field', 'timeFieldName'))

DATA_VIEWS_OPTION = dict(type='list', elements='dict', required=True, options=dict(
    id=dict(type='str', required=True),
    title=dict(type='str'),
    name=dict(type='str'),
    time_field=dict(type='str', default='@timestamp'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
))


def item_problems(views, prefix):
    """Every problem of the items, each naming the item, so that the module fails before its first request."""
    if not ID_RE.fullmatch(prefix or ''):
        return ['owned_prefix: %r must be letters, digits, ., _ or -, and not empty' % (prefix,)]
    problems, ids, names = [], set(), {}
    for index, view in enumerate(views):
        label = 'data_views[%d] %s' % (index, view['id'])
        if not ID_RE.fullmatch(view['id']):
            problems.append('%s: id: use 1 to 200 letters, digits, ., _ or -' % label)
        elif not view['id'].startswith(prefix):
            problems.append('%s: id: must start with owned_prefix %r; the module writes and removes only its own data '
                            'views' % (label, prefix))
        if view['id'] in ids:
            problems.append('%s: id: given twice' % label)
        ids.add(view['id'])
        if view['state'] != 'present':
            continue
        if not (view['title'] or '').strip():
            problems.append('%s: title: required, the index pattern the data view searches' % label)
            continue
        name = view['name'] or view['title']
        if name in names:
            problems.append('%s: name: %r is also the name of data_views[%d]; Kibana refuses two data views of one name'
                            % (label, name, names[name]))
        names.setdefault(name, index)
        if not view['time_field']:
            problems.append('%s: time_field: must not be empty' % label)
    return problems


def wanted_body(view):
    return {'title': view['title'], 'name': view['name'] or view['title'], 'timeFieldName': view['time_field']}


def read_one(client, view_id):
    """The compared attributes of one data view, or None when it is gone."""
    answer = client.get('%s/%s' % (ONE_PATH, view_id), allow_missing=True)
    body = (answer or {}).get('data_view') if isinstance(answer, dict) else None
    if not isinstance(body, dict):
        return None
    return dict((key, body[key]) for name, key in ATTRIBUTES if key in body)


def run(module, client):
    views, prefix = module.params['data_views'], module.params['owned_prefix']
    listed = (client.get(LIST_PATH) or {}).get('data_view') or []
    found = dict((view['id'], view) for view in listed if isinstance(view, dict) and isinstance(view.get('id'), str))
    wanted = dict((view['id'], wanted_body(view)) for view in views if view['state'] == 'present')
    named = set(view['id'] for view in views)
    gone = [view['id'] for view in views if view['state'] == 'absent' and view['id'] in found]
    if module.params['exclusive']:
        gone.extend(view_id for view_id in found if view_id.startswith(prefix) and view_id not in named)
    diff = {'before': {}, 'after': {}}
    updates = {}
    for view_id in sorted(wanted):
        before = read_one(client, view_id) if view_id in found else None
        changed, part = compare(before, wanted[view_id])
        if changed:
            updates[view_id] = None if before is None else part['after']
            if before is not None:
                diff['before'][view_id] = before
            diff['after'][view_id] = wanted[view_id]
    gone = sorted(set(gone))
    for view_id in gone:
        diff['before'][view_id] = dict((key, found[view_id][key]) for key in ('title', 'name') if key in found[view_id])
    if not module.check_mode:
        for view_id, update in sorted(updates.items()):
            if update is None:
                client.post(ONE_PATH, {'data_view': dict(wanted[view_id], id=view_id)})
            else:
                client.post('%s/%s' % (ONE_PATH, view_id), {'data_view': update})
        for view_id in gone:
            client.delete('%s/%s' % (ONE_PATH, view_id), allow_missing=True)
    result = dict(changed=bool(updates or gone), changed_data_views=sorted(updates), removed_data_views=gone,
                  write_requests=len(updates) + len(gone))
    if module._diff:
        result['diff'] = diff
    return result


def main():
    module = AnsibleModule(argument_spec=api_argument_spec(data_views=DATA_VIEWS_OPTION,
                                                           owned_prefix=dict(type='str', default='mlops-'),
                                                           exclusive=dict(type='bool', default=False)),
                           mutually_exclusive=API_CONNECTION_MUTUALLY_EXCLUSIVE,
                           required_together=API_CONNECTION_REQUIRED_TOGETHER, supports_check_mode=True)
    fail_on(module, 'data_views', item_problems(module.params['data_views'], module.params['owned_prefix']))
    try:
        result = run(module, ApiClient.from_module(module, headers={'kbn-xsrf': 'mlops.observability'}))
    except ApiError as error:
        fail_api_error(module, error)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
