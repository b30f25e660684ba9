#!/usr/bin/python
# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticsearch_user
short_description: Manage many Elasticsearch native users, and the passwords of the built-in users, in one call
version_added: 0.1.0
description:
  - Creates, updates and removes users of the Elasticsearch native realm through the security API, many per call,
    such as a writer user for Logstash and a read-only user per model. Sets the passwords of the built-in
    (reserved) users, such as C(elastic) and C(kibana_system).
  - Every user of the call is checked before the first request, and the users that would be created without a
    password right after the read, so that nothing is half-applied.
  - Reads all users with one request, compares the roles, full name, email, metadata and enabled flag of each
    wanted user with the user in the cluster, and writes only the users that differ, one C(PUT) each.
  - Elasticsearch never returns a password. For a user given a O(users[].password), the module logs in as that
    user with the wanted password (C(GET /_security/_authenticate), over the same TLS settings); only when
    Elasticsearch refuses it does the module change the password. An unchanged password causes no write request.
    When the password of the user the module logs in as (O(url_username)) changes, that change is the last
    request of the call, and later calls must give the new password as O(url_password).
  - Passwords are never part of the result, the diff (which shows C(password) as V((changed))), a warning or an
    error message.
  - Every user written carries C(metadata.managed_by=mlops.observability). O(exclusive) removes only users with
    this mark; reserved users are never removed.
author: mlops.observability maintainers (@mlops-observability)
extends_documentation_fragment:
  - mlops.observability.api_connection
options:
  users:
    description: The users to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - User name; printable ASCII, no space, comma, double quote, asterisk, backslash, C(<), C(|), C(>), slash,
            question mark, C(#), colon or C(%), and not starting with C(_), C(-) or C(+).
          - The reserved users C(elastic), C(kibana_system), C(logstash_system), C(beats_system), C(apm_system),
            C(remote_monitoring_user), and any other user Elasticsearch marks as reserved, take only
            O(users[].password).
        type: str
        required: true
      password:
        description:
          - The user's password, at least 6 characters. Required to create a user.
          - Left out, the password of an existing user is not changed.
          - A disabled user cannot log in, so its password cannot be checked; it is set when the module writes the
            user anyway (such as when it enables the user). For a disabled reserved user the module warns.
          - Not logged (C(no_log)).
        type: str
      roles:
        description:
          - Names of the user's roles. Left out, the user has no role.
          - Not for reserved users.
        type: list
        elements: str
      full_name:
        description:
          - Full name of the user. Left out, none.
          - Not for reserved users.
        type: str
      email:
        description:
          - Email address of the user. Left out, none.
          - Not for reserved users.
        type: str
      metadata:
        description:
          - Metadata of the user; keys must not start with C(_). The module adds C(managed_by).
          - Not for reserved users.
        type: dict
      enabled:
        description:
          - Whether the user can log in. Left out, V(true).
          - Not for reserved users.
        type: bool
      state:
        description:
          - V(present) creates or updates the user.
          - V(absent) removes it, whoever created it. Not for reserved users.
        type: str
        choices: [present, absent]
        default: present
  exclusive:
    description:
      - Also remove every user marked as created by this collection that O(users) does not name, as if it had
        O(users[].state=absent).
    type: bool
    default: false
notes:
  - Needs the cluster privilege C(manage_security).
  - Supports check mode and diff mode. In both, the module reads and logs in as the users whose password it checks;
    in check mode it writes nothing.
  - Users of other realms (file, LDAP, PKI) are not managed.
seealso:
  - module: mlops.observability.elasticsearch_role
  - name: Create or update users API
    description: Add and update users in the native realm.
    link: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-security-put-user
  - name: Change passwords API
    description: Change the password of a native or built-in user.
    link: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-security-change-password
"""

EXAMPLES = r"""
# A single task with its own connection options: on a new cluster, log in as elastic with its bootstrap
# password; elastic's own change is the last request, and later calls log in with the new password
- name: Set the passwords of the built-in users Kibana and the module itself log in as
  mlops.observability.elasticsearch_user:
    url: https://es1.example.com:9200
    ca_path: /etc/mlops-observability/tls/ca.crt
    url_username: elastic
    url_password: "{{ vault_elastic_bootstrap_password }}"
    users:
      - name: elastic
        password: "{{ vault_elastic_password }}"
      - name: kibana_system
        password: "{{ vault_kibana_system_password }}"

# The connection options, given once for every Elasticsearch module of the block
- name: The users of the model logs
  module_defaults:
    group/mlops.observability.elasticsearch:
      url: https://es1.example.com:9200
      ca_path: /etc/mlops-observability/tls/ca.crt
      url_username: elastic
      url_password: "{{ vault_elastic_password }}"
  block:
    - name: A user for Logstash, which writes the models' logs with the role mlops_logs_writer
      mlops.observability.elasticsearch_user:
        users:
          - name: mlops_logstash
            password: "{{ vault_mlops_logstash_password }}"
            roles: [mlops_logs_writer]
            full_name: Logstash writer of the model logs

    - name: A read-only user per model, with the model's reader role; the users of dropped models go
      mlops.observability.elasticsearch_user:
        users:
          - name: mlops_churn_reader
            password: "{{ vault_reader_passwords['churn'] }}"
            roles: [mlops_churn_reader]
            metadata:
              model: churn
          - name: mlops_fraud_v2_reader
            password: "{{ vault_reader_passwords['fraud-v2'] }}"
            roles: [mlops_fraud_v2_reader]
            metadata:
              model: fraud-v2
        exclusive: true
"""

RETURN = r"""
changed_users:
  description:
    - Names of the users created or updated (in check mode, those that would be).
    - A user whose password alone changed is in RV(passwords_changed) only.
  returned: always
  type: list
  elements: str
  sample: [mlops_logstash]
removed_users:
  description: Names of the users removed (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [mlops_old_reader]
passwords_changed:
  description:
    - Names of the users whose password was set or changed (in check mode, would be), new users included. Never
      the passwords.
  returned: always
  type: list
  elements: str
  sample: [kibana_system, mlops_logstash]
kept_in_use:
  description: Always empty; Elasticsearch removes a user whatever uses it. Kept for the same result as the other
    Elasticsearch modules.
  returned: always
  type: list
  elements: str
  sample: []
write_requests:
  description: Number of write requests (C(PUT) and C(DELETE)) made, or in check mode that would be made.
  returned: always
  type: int
  sample: 2
"""

from ansible_collections.mlops.observability.plugins.module_utils.api_client import ApiClient, ApiError
from ansible_collections.mlops.observability.plugins.module_utils.elasticsearch import (
    fail_on, item_problems, manage, reconcile, reserved, same, security_current, security_problems, with_owner)

PATH = '/_security/user/%s'
RESERVED_USERS = ('elastic', 'kibana_system', 'logstash_system', 'beats_system', 'apm_system', 'remote_monitoring_user')
# the keys of a user that the module compares, and the options a reserved user does not take
FIELDS = ('roles', 'full_name', 'email', 'metadata', 'enabled')
MIN_PASSWORD = 6
TLS_OPTIONS = ('url', 'validate_certs', 'ca_path', 'client_cert', 'client_key', 'timeout')


def user_problems(users, reserved_names, existing=None):
    """Problems of the users: before any request (existing None), and again after the read with the names of the
    users that exist and of those Elasticsearch marks as reserved. Never shows a password."""
    def check_one(user):
        problems = security_problems(user)
        password = user.get('password')
        if password is not None and len(password) < MIN_PASSWORD:
            problems.append('password: shorter than %d characters, which Elasticsearch refuses' % MIN_PASSWORD)
        if user['name'] in reserved_names:
            given = [key for key in FIELDS if user.get(key) is not None]
            if given:
                problems.append('%s: a reserved user takes only password' % ', '.join(given))
            elif password is None:
                problems.append('password: required; it is the only option of a reserved user')
        elif existing is not None and user['name'] not in existing and password is None:
            problems.append('password: required to create the user')
        return problems

    problems = item_problems(users, 'users', check_one, lower=False)
    problems.extend('users[%d] %s: state: a reserved user is never removed' % (index, user['name'])
                    for index, user in enumerate(users) if user['state'] == 'absent' and user['name'] in reserved_names)
    return problems


def user_body(user):
    body = {'roles': user['roles'] or [], 'metadata': with_owner(user['metadata']), 'enabled': user['enabled'] is not False}
    body.update((key, user[key]) for key in ('full_name', 'email') if user[key] is not None)
    return body


def password_works(module, name, password):
    """True when Elasticsearch lets user name log in with password; a second client, with the same TLS settings."""
    options = dict((key, module.params[key]) for key in TLS_OPTIONS)
    try:
        me = ApiClient(url_username=name, url_password=password, retries=0, **options).get('/_security/_authenticate')
    except ApiError as error:
        if error.status == 401:
            return False
        raise
    if (me or {}).get('username') != name:
        raise ApiError('cannot check the password of user %r: logging in as that user authenticated %r (a realm '
                       'before the native one, such as PKI with client_cert?)' % (name, (me or {}).get('username')))
    return True


class _WithPasswords:
    """The client for reconcile: the PUT of a user in passwords also sends its password, which is thus written but
    never compared nor shown in the diff."""

    def __init__(self, client, passwords):
        self.client = client
        self.passwords = dict((PATH % name, password) for name, password in passwords.items())

    def put(self, path, data):
        return self.client.put(path, dict(data, password=self.passwords[path]) if path in self.passwords else data)

    def delete(self, path, allow_missing=False):
        return self.client.delete(path, allow_missing=allow_missing)


def run(module, client, users, found):
    current = security_current(found, FIELDS)
    reserved_names = set(RESERVED_USERS) | set(name for name, body in found.items() if reserved(body))
    fail_on(module, 'users', user_problems(users, reserved_names, current))
    wanted = dict((u['name'], user_body(u)) for u in users if u['state'] == 'present' and u['name'] not in reserved_names)

    with_put, to_change = {}, []  # passwords sent with the user's PUT; passwords changed on their own
    for user in users:
        name, password = user['name'], user['password']
        if user['state'] == 'absent' or password is None:
            continue
        before = current.get(name, (None,))[0]
        disabled = before is not None and before.get('enabled') is False
        if name in wanted and (before is None or (disabled and not same(wanted[name], before))):
            with_put[name] = password
        elif disabled:  # a native user's password is sent with the PUT that enables it
            if name not in wanted:
                module.warn('users: the password of %s is not checked: Elasticsearch does not let a disabled user '
                            'log in' % name)
        elif not password_works(module, name, password):
            to_change.append((name, password))
    # the user the module logs in as last: its old password stops working with the change
    to_change.sort(key=lambda item: item[0] == module.params['url_username'])

    result = reconcile(module, _WithPasswords(client, with_put), PATH, current, wanted, users)
    if not module.check_mode:
        for name, password in to_change:
            client.put(PATH % name + '/_password', {'password': password})
    changed_passwords = sorted(set(with_put) | set(name for name, _password in to_change))
    diff = result['diff']
    for name in changed_passwords:
        before = current.get(name, ({},))[0]
        if name in current:
            diff['before'].setdefault(name, before)
        diff['after'][name] = dict(diff['after'].get(name, before), password='(changed)')
    result.update(changed=result['changed'] or bool(to_change), passwords_changed=changed_passwords,
                  write_requests=result['write_requests'] + len(to_change))
    return result


def main():
    manage('users', '/_security/user', lambda users: user_problems(users, RESERVED_USERS), run,
           password=dict(type='str', no_log=True),
           roles=dict(type='list', elements='str'),
           full_name=dict(type='str'),
           email=dict(type='str'),
           metadata=dict(type='dict'),
           enabled=dict(type='bool'))


if __name__ == '__main__':
    main()
