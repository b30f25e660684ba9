"""elasticsearch_user and elasticsearch_role, run with ansible-playbook against the Elasticsearch stand-in
(tests/standins): TLS with a CA of the test, basic auth, and every request recorded by the stand-in, so that the
tests count the writes and see who logged in. The stand-in is not Elasticsearch; against the real product these
tests are not run here."""
from __future__ import annotations

import pytest

from es_standin import StandinError, read_text, request, start_standin

PASSWORD = 'stand-in-S3cret-elastic'
READER_PASSWORD = 'reader-S3cret-file'
WRITER_PASSWORD = 'writer-S3cret-first'
CHURN_PASSWORD = 'churn-S3cret-first'
KIBANA_PASSWORD = 'kibana-S3cret-first'
NEW_PASSWORD = 'rotated-S3cret-second'
THEIR_PASSWORD = 'theirs-S3cret'
WRONG_PASSWORD = 'wrong-S3cret'
SHORT_PASSWORD = 'tiny5'
SECRETS = (PASSWORD, READER_PASSWORD, WRITER_PASSWORD, CHURN_PASSWORD, KIBANA_PASSWORD, NEW_PASSWORD, THEIR_PASSWORD,
           WRONG_PASSWORD, SHORT_PASSWORD)
RESERVED = ('elastic', 'kibana_system', 'logstash_system', 'beats_system', 'apm_system', 'remote_monitoring_user')

WRITER_ROLE = {'name': 'mlops_logs_writer', 'cluster': ['monitor'],
               'indices': [{'names': ['logs-mlops.*-*'], 'privileges': ['create_doc', 'auto_configure']}]}
CHURN_ROLE = {'name': 'mlops_churn_reader', 'metadata': {'model': 'churn'},
              'indices': [{'names': ['logs-mlops.churn-*'], 'privileges': ['read', 'view_index_metadata'],
                           'query': '{"term": {"labels.env": "prod"}}',
                           'field_security': {'grant': ['@timestamp', 'message', 'labels.*'], 'except': []}}]}
WRITER = {'name': 'mlops_logstash', 'password': WRITER_PASSWORD, 'roles': ['mlops_logs_writer'],
          'full_name': 'Logstash writer of the model logs'}
CHURN = {'name': 'mlops_churn_reader', 'password': CHURN_PASSWORD, 'roles': ['mlops_churn_reader'],
         'metadata': {'model': 'churn'}}
KIBANA = {'name': 'kibana_system', 'password': KIBANA_PASSWORD}


@pytest.fixture
def standin(tmp_path):
    server = start_standin(tmp_path, {'elastic': {'password': PASSWORD, 'roles': ['superuser']},
                                      'reader': {'password': READER_PASSWORD, 'roles': ['viewer']}})
    yield server
    server.stop()


def connection(standin, **extra):
    return dict({'url': standin.url, 'ca_path': standin.ca, 'url_username': 'elastic', 'url_password': PASSWORD}, **extra)


def writes(calls):
    return [(c['method'], c['path']) for c in calls if c['method'] not in ('GET', 'HEAD')]


def logins(calls):
    """Who logged in with GET /_security/_authenticate (None: refused), in order."""
    return [c['user'] for c in calls if c['path'] == '/_security/_authenticate']


@pytest.fixture
def run(run_task, standin):
    """run_task, and no password in what the play printed (result, diff, warnings, errors), nor in the paths,
    queries and other fields of the requests that the stand-in recorded (it hides the password fields itself)."""
    def checked(module, args, **kwargs):
        result = run_task(module, args, **kwargs)
        seen = result['_stdout'] + result['_stderr'] + read_text(standin.files['calls.jsonl'])
        assert not [secret for secret in SECRETS if secret in seen], result
        return result
    return checked


def can_log_in(standin, user, password):
    try:
        return request(standin, (user, password), 'GET', '/_security/_authenticate')['username'] == user
    except StandinError as error:
        assert 'HTTP 401' in str(error)
        return False


def test_standin_roles_and_users_are_created_and_an_unchanged_rerun_only_reads(run, standin):
    roles = connection(standin, roles=[WRITER_ROLE, CHURN_ROLE])
    users = connection(standin, users=[WRITER, CHURN, KIBANA])
    first_roles = run('elasticsearch_role', roles)
    first_users = run('elasticsearch_user', users, diff=True)
    assert first_roles['changed_roles'] == ['mlops_churn_reader', 'mlops_logs_writer'], first_roles
    assert first_users['changed_users'] == ['mlops_churn_reader', 'mlops_logstash'], first_users
    assert first_users['passwords_changed'] == ['kibana_system', 'mlops_churn_reader', 'mlops_logstash']
    assert first_roles['write_requests'] == 2 and first_users['write_requests'] == 3
    assert first_users['kept_in_use'] == [] and first_users['removed_users'] == []
    assert writes(standin.calls()) == [('PUT', '/_security/role/mlops_churn_reader'), ('PUT', '/_security/role/mlops_logs_writer'),
                                       ('PUT', '/_security/user/mlops_churn_reader'), ('PUT', '/_security/user/mlops_logstash'),
                                       ('PUT', '/_security/user/kibana_system/_password')]
    # a new user's password goes with its creation; kibana_system (no password yet) was refused, then set
    assert logins(standin.calls()) == [None]
    assert first_users['diff']['after']['mlops_logstash']['password'] == '(changed)'
    assert first_users['diff']['after']['kibana_system'] == dict(first_users['diff']['before']['kibana_system'], password='(changed)')
    assert first_users['invocation']['module_args']['users'] == '3 users (not echoed)'
    for user, password in (('mlops_logstash', WRITER_PASSWORD), ('mlops_churn_reader', CHURN_PASSWORD), ('kibana_system', KIBANA_PASSWORD)):
        assert can_log_in(standin, user, password)
    stored = standin.get('/_security/user/mlops_logstash')['mlops_logstash']
    assert stored['roles'] == ['mlops_logs_writer'] and stored['metadata'] == {'managed_by': 'mlops.observability'}
    assert stored['full_name'] == 'Logstash writer of the model logs' and stored['enabled'] is True
    assert standin.get('/_security/role/mlops_churn_reader')['mlops_churn_reader']['metadata'] == {
        'model': 'churn', 'managed_by': 'mlops.observability'}

    before = len(standin.calls())
    second_roles = run('elasticsearch_role', roles)
    second_users = run('elasticsearch_user', users)
    assert not second_roles['changed'] and second_roles['write_requests'] == 0, second_roles
    assert not second_users['changed'] and second_users['write_requests'] == 0, second_users
    assert second_users['passwords_changed'] == [] and second_users['changed_users'] == []
    again = standin.calls()[before:]
    assert {c['method'] for c in again} == {'GET'}
    assert sorted(logins(again)) == ['kibana_system', 'mlops_churn_reader', 'mlops_logstash']
    assert [c['path'] for c in again if c['user'] == 'elastic'] == ['/_security/role', '/_security/user']


def test_standin_a_changed_password_is_changed_once_then_left_alone(run, standin):
    run('elasticsearch_user', connection(standin, users=[WRITER]))
    assert can_log_in(standin, 'mlops_logstash', WRITER_PASSWORD)
    before = len(standin.calls())
    rotated = connection(standin, users=[dict(WRITER, password=NEW_PASSWORD)])
    first = run('elasticsearch_user', rotated, diff=True)
    assert first['changed'] and first['passwords_changed'] == ['mlops_logstash'] and first['changed_users'] == [], first
    assert first['write_requests'] == 1
    assert writes(standin.calls()[before:]) == [('PUT', '/_security/user/mlops_logstash/_password')]
    assert first['diff']['before']['mlops_logstash']['roles'] == ['mlops_logs_writer']
    assert 'password' not in first['diff']['before']['mlops_logstash']
    assert first['diff']['after']['mlops_logstash'] == dict(first['diff']['before']['mlops_logstash'], password='(changed)')
    assert can_log_in(standin, 'mlops_logstash', NEW_PASSWORD) and not can_log_in(standin, 'mlops_logstash', WRITER_PASSWORD)
    before = len(standin.calls())
    second = run('elasticsearch_user', rotated)
    assert not second['changed'] and second['passwords_changed'] == [] and second['write_requests'] == 0, second
    assert writes(standin.calls()[before:]) == [] and logins(standin.calls()[before:]) == ['mlops_logstash']


def test_standin_a_disabled_users_password_goes_with_the_put_that_enables_it(run, standin):
    run('elasticsearch_user', connection(standin, users=[dict(WRITER, enabled=False)]))
    assert not can_log_in(standin, 'mlops_logstash', WRITER_PASSWORD)
    before = len(standin.calls())
    still = run('elasticsearch_user', connection(standin, users=[dict(WRITER, enabled=False, password=NEW_PASSWORD)]))
    assert not still['changed'] and still['write_requests'] == 0, still
    assert not [w for w in still.get('warnings', []) if 'password' in w]  # the user stays disabled: nothing to say
    assert logins(standin.calls()[before:]) == []  # a disabled user cannot log in: nothing to check
    enabled = run('elasticsearch_user', connection(standin, users=[dict(WRITER, password=NEW_PASSWORD)]))
    assert enabled['changed_users'] == ['mlops_logstash'] and enabled['passwords_changed'] == ['mlops_logstash'], enabled
    assert enabled['write_requests'] == 1
    assert writes(standin.calls()[before:]) == [('PUT', '/_security/user/mlops_logstash')]
    assert can_log_in(standin, 'mlops_logstash', NEW_PASSWORD)


def test_standin_the_elastic_password_changes_last_and_the_next_run_needs_the_new_one(run, standin):
    users = [{'name': 'elastic', 'password': NEW_PASSWORD}, KIBANA, WRITER]
    first = run('elasticsearch_user', connection(standin, users=users))
    assert first['passwords_changed'] == ['elastic', 'kibana_system', 'mlops_logstash'], first
    assert first['changed_users'] == ['mlops_logstash'] and first['write_requests'] == 3
    # the module's own user last: every request before it still logs in with the old password
    assert writes(standin.calls()) == [('PUT', '/_security/user/mlops_logstash'), ('PUT', '/_security/user/kibana_system/_password'),
                                       ('PUT', '/_security/user/elastic/_password')]
    assert all(c['status'] == 200 for c in standin.calls() if c['user'] == 'elastic')
    assert can_log_in(standin, 'elastic', NEW_PASSWORD) and not can_log_in(standin, 'elastic', PASSWORD)
    old = run('elasticsearch_user', connection(standin, users=users, retries=0))
    assert old['failed'] and "HTTP 401 from GET" in old['msg'] and "refused the credentials of user 'elastic'" in old['msg'], old
    before = len(standin.calls())
    new = run('elasticsearch_user', connection(standin, users=users, url_password=NEW_PASSWORD))
    assert not new['changed'] and new['write_requests'] == 0, new
    assert writes(standin.calls()[before:]) == []


@pytest.mark.parametrize('user,message', [
    (dict(KIBANA, roles=['superuser']), 'users[1] kibana_system: roles: a reserved user takes only password'),
    ({'name': 'logstash_system', 'password': KIBANA_PASSWORD, 'enabled': False, 'full_name': 'x'},
     'users[1] logstash_system: full_name, enabled: a reserved user takes only password'),
    ({'name': 'beats_system'}, 'users[1] beats_system: password: required; it is the only option of a reserved user'),
    ({'name': 'elastic', 'state': 'absent'}, 'users[1] elastic: state: a reserved user is never removed'),
    (dict(WRITER, password=SHORT_PASSWORD), 'users[1] mlops_logstash: password: shorter than 6 characters'),
    (dict(WRITER, metadata={'_owner': 'me'}), "users[1] mlops_logstash: metadata: key '_owner': keys starting with _ are reserved"),
])
def test_standin_bad_users_fail_before_any_request(run, standin, user, message):
    result = run('elasticsearch_user', connection(standin, users=[CHURN, user]))
    assert result['failed'] and message in result['msg'] and 'nothing changed' in result['msg'], result
    assert standin.calls() == []


def test_standin_a_new_user_without_password_fails_before_any_write(run, standin):
    # reader exists (users file): it may be updated without a password; mlops_nopass does not
    users = [WRITER, {'name': 'reader', 'roles': ['viewer']}, {'name': 'mlops_nopass', 'roles': ['viewer']}]
    result = run('elasticsearch_user', connection(standin, users=users))
    assert result['failed'] and result['msg'] == 'invalid users, nothing changed: users[2] mlops_nopass: password: required to create the user', result
    assert [(c['method'], c['path']) for c in standin.calls()] == [('GET', '/_security/user')]


def roles_not_reserved(standin):
    return {name for name, role in standin.get('/_security/role').items() if not role['metadata'].get('_reserved')}


def test_standin_check_mode_reads_and_writes_nothing(run, standin):
    run('elasticsearch_user', connection(standin, users=[WRITER]))
    before = len(standin.calls())
    roles = run('elasticsearch_role', connection(standin, roles=[WRITER_ROLE, CHURN_ROLE]), check=True, diff=True)
    users = run('elasticsearch_user', connection(standin, users=[dict(WRITER, password=NEW_PASSWORD), CHURN, KIBANA]),
                check=True, diff=True)
    assert roles['changed'] and roles['changed_roles'] == ['mlops_churn_reader', 'mlops_logs_writer'] and roles['write_requests'] == 2
    assert roles['diff']['before'] == {} and set(roles['diff']['after']) == {'mlops_churn_reader', 'mlops_logs_writer'}
    assert users['changed_users'] == ['mlops_churn_reader'] and users['write_requests'] == 3, users
    assert users['passwords_changed'] == ['kibana_system', 'mlops_churn_reader', 'mlops_logstash']
    assert {c['method'] for c in standin.calls()[before:]} == {'GET'}
    assert roles_not_reserved(standin) == set()
    assert 'mlops_churn_reader' not in standin.get('/_security/user')
    assert can_log_in(standin, 'mlops_logstash', WRITER_PASSWORD)


def test_standin_exclusive_removes_only_owned_users_and_roles_and_never_reserved_ones(run, standin):
    run('elasticsearch_role', connection(standin, roles=[WRITER_ROLE, CHURN_ROLE]))
    run('elasticsearch_user', connection(standin, users=[WRITER, CHURN, KIBANA]))
    standin.put('/_security/role/theirs_role', {'cluster': ['monitor']})
    standin.put('/_security/user/theirs_user', {'password': THEIR_PASSWORD, 'roles': ['theirs_role']})
    before = len(standin.calls())
    roles = run('elasticsearch_role', connection(standin, roles=[WRITER_ROLE], exclusive=True))
    users = run('elasticsearch_user', connection(standin, users=[WRITER], exclusive=True))
    assert roles['removed_roles'] == ['mlops_churn_reader'] and roles['changed_roles'] == [], roles
    assert users['removed_users'] == ['mlops_churn_reader'] and users['changed_users'] == [], users
    assert roles['write_requests'] == 1 and users['write_requests'] == 1
    assert writes(standin.calls()[before:]) == [('DELETE', '/_security/role/mlops_churn_reader'),
                                                ('DELETE', '/_security/user/mlops_churn_reader')]
    assert set(standin.get('/_security/user')) == set(RESERVED) | {'reader', 'theirs_user', 'mlops_logstash'}
    assert roles_not_reserved(standin) == {'theirs_role', 'mlops_logs_writer'}
    assert 'superuser' in standin.get('/_security/role'), 'a reserved role is never removed'
    # kibana_system was named before, and its password set: a reserved user is still never removed
    assert can_log_in(standin, 'kibana_system', KIBANA_PASSWORD)


def test_standin_roles_compare_in_the_form_elasticsearch_returns(run, standin):
    role = {'name': 'mlops_kibana_reader', 'cluster': ['monitor'], 'run_as': ['mlops_logstash'],
            'applications': [{'application': 'kibana-.kibana', 'privileges': ['feature_discover.read'], 'resources': ['*']}],
            'indices': [{'names': ['logs-mlops.*-*'], 'privileges': ['read'], 'query': {'term': {'labels.env': 'prod'}}},
                        {'names': ['.kibana*'], 'privileges': ['read'], 'allow_restricted_indices': True}]}
    first = run('elasticsearch_role', connection(standin, roles=[role, CHURN_ROLE]))
    assert first['write_requests'] == 2, first
    stored = standin.get('/_security/role/mlops_kibana_reader')['mlops_kibana_reader']
    assert stored['indices'][0]['allow_restricted_indices'] is False and stored['transient_metadata'] == {'enabled': True}
    before = len(standin.calls())
    second = run('elasticsearch_role', connection(standin, roles=[role, CHURN_ROLE]))
    assert not second['changed'] and writes(standin.calls()[before:]) == [], second
    changed = dict(role, indices=[dict(role['indices'][0], privileges=['read', 'view_index_metadata']), role['indices'][1]])
    third = run('elasticsearch_role', connection(standin, roles=[changed, CHURN_ROLE]), diff=True)
    assert third['changed_roles'] == ['mlops_kibana_reader'] and third['write_requests'] == 1, third
    assert third['diff']['before']['mlops_kibana_reader']['indices'][0]['privileges'] == ['read']
    assert third['diff']['after']['mlops_kibana_reader']['indices'][0]['privileges'] == ['read', 'view_index_metadata']
    # a key the module does not manage, set by someone else, is removed by the next run
    standin.put('/_security/role/mlops_churn_reader', dict(standin.get('/_security/role/mlops_churn_reader')['mlops_churn_reader'],
                                                           description='added by hand'))
    fourth = run('elasticsearch_role', connection(standin, roles=[changed, CHURN_ROLE]))
    assert fourth['changed_roles'] == ['mlops_churn_reader'], fourth
    assert 'description' not in standin.get('/_security/role/mlops_churn_reader')['mlops_churn_reader']


@pytest.mark.parametrize('role,message', [
    (dict(WRITER_ROLE, indices=[{'names': [], 'privileges': ['read']}]), 'roles[1] mlops_logs_writer: indices[0].names: give at least one'),
    (dict(WRITER_ROLE, indices=[{'names': ['a'], 'privileges': ['read'], 'query': '{"term": '}]),
     'indices[0].query: must be a search query'),
    (dict(WRITER_ROLE, indices=[{'names': ['a'], 'privileges': ['read'], 'field_security': {'allow': ['x']}}]),
     'indices[0].field_security: must be a mapping of grant and except'),
    (dict(WRITER_ROLE, metadata={'_reserved': True}), "metadata: key '_reserved': keys starting with _ are reserved"),
    (dict(WRITER_ROLE, name='mlops_r\u00f4le'), "name: 'mlops_r\u00f4le': use printable ASCII characters other than %"),
])
def test_standin_bad_roles_fail_before_any_request(run, standin, role, message):
    result = run('elasticsearch_role', connection(standin, roles=[CHURN_ROLE, role]))
    assert result['failed'] and message in result['msg'] and 'nothing changed' in result['msg'], result
    assert standin.calls() == []


def test_standin_a_role_read_as_reserved_is_never_written_nor_removed(run, standin):
    """The stand-in does not list its built-in roles (see the next test); a role stored with the metadata that
    Elasticsearch gives a reserved role stands for one here, even with the ownership mark."""
    standin.put('/_security/role/builtin_like', {'cluster': ['all'], 'metadata': {'_reserved': True, 'managed_by': 'mlops.observability'}})
    before = len(standin.calls())
    named = run('elasticsearch_role', connection(standin, roles=[WRITER_ROLE, {'name': 'builtin_like', 'cluster': ['monitor']}]))
    assert named['failed'] and 'roles[1] builtin_like: a reserved (built-in) role' in named['msg'], named
    absent = run('elasticsearch_role', connection(standin, roles=[{'name': 'builtin_like', 'state': 'absent'}]))
    assert absent['failed'] and 'roles[0] builtin_like: a reserved (built-in) role' in absent['msg'], absent
    exclusive = run('elasticsearch_role', connection(standin, roles=[WRITER_ROLE], exclusive=True))
    assert exclusive['removed_roles'] == [] and exclusive['changed_roles'] == ['mlops_logs_writer'], exclusive
    assert writes(standin.calls()[before:]) == [('PUT', '/_security/role/mlops_logs_writer')]


def test_standin_naming_a_builtin_role_fails_before_any_write(run, standin):
    result = run('elasticsearch_role', connection(standin, roles=[WRITER_ROLE, {'name': 'superuser', 'cluster': ['monitor']}]))
    assert result['failed'] and 'roles[1] superuser: a reserved (built-in) role' in result['msg'], result
    assert writes(standin.calls()) == []


@pytest.mark.parametrize('module,items', [('elasticsearch_user', {'users': [WRITER]}),
                                          ('elasticsearch_role', {'roles': [WRITER_ROLE]})])
@pytest.mark.parametrize('change,messages', [
    ({'url_password': WRONG_PASSWORD}, ["HTTP 401 from GET", "refused the credentials of user 'elastic'"]),
    ({'url_username': 'reader', 'url_password': READER_PASSWORD},
     ['HTTP 403 from PUT', "user 'reader' lacks a privilege", 'is unauthorized for user [reader]']),
])
def test_standin_401_and_403_are_clear(run, standin, module, items, change, messages):
    result = run(module, dict(connection(standin, retries=0, **items), **change))
    assert result['failed'], result
    for message in messages:
        assert message in result['msg'], result['msg']
    assert writes([c for c in standin.calls() if c['status'] < 300]) == []
