"""The Elasticsearch stand-in (tests/standins/elasticsearch_standin.py), over real HTTPS with urllib.

Layer 2 of docs on vendor software: these tests show what the stand-in does, so that module and role tests can rely
on it. Nothing here runs against Elasticsearch itself; the replay of Elastic's ILM REST test measures how close the
stand-in's answers are.

The helpers that start it are in es_standin.py.
"""
from __future__ import annotations

import base64
import json
import os
import re
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from es_standin import read_text, standin_pki, start_standin

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
REPLAY = os.path.join(REPO, 'tests', 'standins', 'replay_rest_test.py')
REFERENCE_TEST = os.path.normpath(os.path.join(REPO, '..', 'shared', 'reference', 'elasticsearch', 'rest-api-spec', 'test',
                                               'ilm', '10_basic.yml'))
USERS = {'elastic': {'password': 'elastic-file-pw', 'roles': ['superuser']},
         'reader': {'password': 'reader-file-pw', 'roles': ['viewer']}}
SUMMARY = re.compile(r'^stand-in replay of (.+): (\d+) passed, (\d+) failed, (\d+) unsupported of (\d+) tests$')


def call(standin, method, path, body=None, user='elastic', password=None, context=None, headers_out=None):
    """One HTTPS call; returns (status, parsed body), and fills headers_out with the response headers if given.
    Basic auth unless user is None."""
    headers = {}
    if user:
        secret = USERS[user]['password'] if password is None else password
        headers['Authorization'] = 'Basic ' + base64.b64encode(('%s:%s' % (user, secret)).encode()).decode()
    data = None
    if body is not None:
        data, headers['Content-Type'] = json.dumps(body).encode(), 'application/json'
    request = urllib.request.Request(standin.url + path, data=data, method=method, headers=headers)
    context = context or ssl.create_default_context(cafile=standin.ca)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            status, headers, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        status, headers, data = err.code, err.headers, err.read()
    if headers_out is not None:
        headers_out.update(headers)
    return status, json.loads(data or b'null')


def reason(body):
    return body['error']['root_cause'][0]['reason']


@pytest.fixture(scope='session')
def standin(tmp_path_factory):
    running = start_standin(tmp_path_factory.mktemp('es-standin'), USERS)
    yield running
    running.stop()


def test_standin_says_it_is_a_stand_in(standin):
    status, body = call(standin, 'GET', '/')
    assert status == 200
    assert 'stand-in' in body['tagline'] and 'not Elasticsearch' in body['tagline']
    assert body['version']['number'] == '9.1.0' and body['name'] == 'standin-node-1'
    with open('/proc/%d/comm' % standin.process.pid, encoding='utf-8') as handle:
        assert handle.read().strip() == 'es-stand-in'
    lines = standin.log().splitlines()
    assert lines and all('stand-in' in line for line in lines), lines


def test_standin_without_or_with_wrong_credentials_answers_401_and_records_it(standin):
    headers = {}
    status, body = call(standin, 'GET', '/_cluster/health', user=None, headers_out=headers)
    assert status == 401
    assert headers['WWW-Authenticate'].startswith('Basic realm="security"')
    assert body['status'] == 401 and body['error']['type'] == 'security_exception'
    assert reason(body) == 'missing authentication credentials for REST request [/_cluster/health]'
    status, body = call(standin, 'GET', '/_cluster/health', password='not-the-password')
    assert status == 401 and 'unable to authenticate user [elastic]' in reason(body)
    recorded = [c for c in standin.calls() if c['path'] == '/_cluster/health'][-2:]
    assert [(c['status'], c['user'], c['method']) for c in recorded] == [(401, None, 'GET')] * 2


def test_standin_refuses_a_client_that_trusts_another_ca(standin):
    context = ssl.create_default_context(cafile=standin.pki['other_ca'])
    with pytest.raises(urllib.error.URLError) as caught:
        call(standin, 'GET', '/', context=context)
    assert isinstance(caught.value.reason, ssl.SSLCertVerificationError)


def test_standin_with_client_ca_needs_a_client_certificate(tmp_path):
    (tmp_path / 'pki').mkdir()
    running = start_standin(tmp_path, USERS, ['--client-ca', standin_pki(tmp_path / 'pki')['ca']])
    try:
        with pytest.raises((urllib.error.URLError, ssl.SSLError, ConnectionError)):
            call(running, 'GET', '/')
        context = ssl.create_default_context(cafile=running.ca)
        context.load_cert_chain(running.pki['client_cert'], running.pki['client_key'])
        assert call(running, 'GET', '/', context=context)[0] == 200
    finally:
        running.stop()


def test_standin_cluster_health_and_wait_for_nodes(standin):
    status, body = call(standin, 'GET', '/_cluster/health?wait_for_status=yellow&timeout=5s&wait_for_nodes=%3E%3D1')
    assert status == 200 and body['status'] == 'green' and body['number_of_nodes'] == 1 and body['cluster_name'] == 'standin-tests'
    status, body = call(standin, 'GET', '/_cluster/health?wait_for_nodes=3&timeout=1s')
    assert status == 408 and body['timed_out'] is True


def test_standin_policy_put_twice_gives_version_2(standin):
    policy = {'policy': {'phases': {'hot': {'actions': {'rollover': {'max_age': '1d'}}}}}}
    for attempt in (1, 2):  # the same body twice: Elasticsearch counts every PUT
        assert call(standin, 'PUT', '/_ilm/policy/standin-twice', policy)[1] == {'acknowledged': True}
    status, body = call(standin, 'GET', '/_ilm/policy/standin-twice')
    assert status == 200 and body['standin-twice']['version'] == 2
    assert isinstance(body['standin-twice']['modified_date'], int) and 'modified_date_string' not in body['standin-twice']
    assert body['standin-twice']['in_use_by'] == {'indices': [], 'data_streams': [], 'composable_templates': []}
    human = call(standin, 'GET', '/_ilm/policy/standin-twice?human=true')[1]['standin-twice']
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', human['modified_date_string'])
    puts = [c for c in standin.calls() if c['method'] == 'PUT' and c['path'] == '/_ilm/policy/standin-twice']
    assert len(puts) == 2 and puts[0]['body'] == policy


def test_standin_policy_read_back_like_elasticsearch(standin):
    policy = {'phases': {'warm': {'actions': {'forcemerge': {'max_num_segments': 1}}},
                         'delete': {'min_age': '30d', 'actions': {'delete': {}}}}}
    assert call(standin, 'PUT', '/_ilm/policy/standin-norm', {'policy': policy})[0] == 200
    phases = call(standin, 'GET', '/_ilm/policy/standin-norm')[1]['standin-norm']['policy']['phases']
    assert phases['warm'] == {'min_age': '0ms', 'actions': {'forcemerge': {'max_num_segments': 1}}}
    assert phases['delete'] == {'min_age': '30d', 'actions': {'delete': {'delete_searchable_snapshot': True}}}


INVALID_POLICIES = {
    'unknown phase': ({'lukewarm': {'actions': {}}}, 'does not support phase [lukewarm]'),
    'action not allowed in phase': ({'warm': {'actions': {'rollover': {'max_age': '1d'}}}}, 'invalid action [rollover] defined in phase [warm]'),
    'hot forcemerge without rollover': ({'hot': {'actions': {'forcemerge': {'max_num_segments': 1}}}}, 'without an accompanying [rollover]'),
    'frozen without searchable_snapshot': ({'frozen': {'actions': {}}}, 'a searchable snapshot action is required in the frozen phase'),
    'min_age unit': ({'warm': {'min_age': '10y', 'actions': {}}}, 'unit is missing or unrecognized'),
    'decreasing min_age': ({'warm': {'min_age': '10d', 'actions': {}}, 'cold': {'min_age': '5d', 'actions': {}}},
                           'run the cold phase (min_age: 5d) before the warm phase (min_age: 10d)'),
    'rollover without max condition': ({'hot': {'actions': {'rollover': {'min_docs': 1}}}}, 'max_* rollover condition'),
    'forcemerge without max_num_segments': ({'warm': {'actions': {'forcemerge': {}}}}, '[max_num_segments] is missing'),
}


@pytest.mark.parametrize('case', sorted(INVALID_POLICIES))
def test_standin_rejects_invalid_policy(standin, case):
    phases, expected = INVALID_POLICIES[case]
    status, body = call(standin, 'PUT', '/_ilm/policy/standin-invalid', {'policy': {'phases': phases}})
    assert status == 400 and body['status'] == 400, body
    assert expected in reason(body)
    assert call(standin, 'GET', '/_ilm/policy/standin-invalid')[0] == 404


def test_standin_index_template_read_back_like_elasticsearch(standin):
    template = {'index_patterns': ['standin-norm-*'], 'priority': 300, 'data_stream': {},
                'template': {'settings': {'index.lifecycle.name': 'p', 'number_of_shards': 1, 'index': {'codec': 'best_compression'}}}}
    assert call(standin, 'PUT', '/_index_template/standin-norm', template)[0] == 200
    status, body = call(standin, 'GET', '/_index_template/standin-norm')
    assert status == 200
    assert body == {'index_templates': [{'name': 'standin-norm', 'index_template': {
        'index_patterns': ['standin-norm-*'], 'priority': 300, 'composed_of': [],
        'data_stream': {'hidden': False, 'allow_custom_routing': False},
        'template': {'settings': {'index': {'lifecycle': {'name': 'p'}, 'number_of_shards': '1', 'codec': 'best_compression'}}}}}]}
    builtin = call(standin, 'GET', '/_index_template/logs')[1]['index_templates'][0]['index_template']
    assert builtin['index_patterns'] == ['logs-*-*'] and builtin['priority'] == 100 and builtin['_meta']['managed'] is True
    assert call(standin, 'GET', '/_index_template/standin-absent')[0] == 404
    missing = dict(template, index_patterns=['standin-comp-*'], priority=301, composed_of=['standin-no-such-component'])
    status, body = call(standin, 'PUT', '/_index_template/standin-comp', missing)
    assert status == 400 and 'standin-no-such-component' in reason(body)
    missing['ignore_missing_component_templates'] = ['standin-no-such-component']
    assert call(standin, 'PUT', '/_index_template/standin-comp', missing)[0] == 200


def test_standin_refuses_same_priority_overlapping_templates(standin):
    assert call(standin, 'PUT', '/_index_template/standin-ovl-a', {'index_patterns': ['standin-ovl-*'], 'priority': 500})[0] == 200
    status, body = call(standin, 'PUT', '/_index_template/standin-ovl-b', {'index_patterns': ['standin-ovl-app-*'], 'priority': 500})
    assert status == 400 and '[standin-ovl-a]' in reason(body) and 'same priority [500]' in reason(body)
    assert call(standin, 'PUT', '/_index_template/standin-ovl-b', {'index_patterns': ['standin-ovl-app-*'], 'priority': 501})[0] == 200
    status, body = call(standin, 'PUT', '/_index_template/standin-logs', {'index_patterns': ['logs-standin-*'], 'priority': 100})
    assert status == 400 and '[logs]' in reason(body)


def test_standin_policy_in_use_by_a_data_stream_cannot_be_deleted(standin):
    policy = {'policy': {'phases': {'hot': {'actions': {'rollover': {'max_age': '1d'}}}}}}
    assert call(standin, 'PUT', '/_ilm/policy/standin-inuse', policy)[0] == 200
    template = {'index_patterns': ['standin-inuse-*'], 'priority': 600, 'data_stream': {},
                'template': {'settings': {'index.lifecycle.name': 'standin-inuse'}}}
    assert call(standin, 'PUT', '/_index_template/standin-inuse', template)[0] == 200
    status, doc = call(standin, 'POST', '/standin-inuse-app/_doc', {'@timestamp': '2025-01-01T00:00:00Z', 'message': 'one'})
    assert status == 201 and doc['result'] == 'created' and doc['_index'].startswith('.ds-standin-inuse-app-')
    assert call(standin, 'GET', '/standin-inuse-app/_count')[1]['count'] == 1
    stream = call(standin, 'GET', '/_data_stream/standin-inuse-app')[1]['data_streams'][0]
    assert (stream['template'], stream['ilm_policy'], stream['status']) == ('standin-inuse', 'standin-inuse', 'GREEN')
    in_use = call(standin, 'GET', '/_ilm/policy/standin-inuse')[1]['standin-inuse']['in_use_by']
    assert in_use == {'indices': [doc['_index']], 'data_streams': ['standin-inuse-app'], 'composable_templates': ['standin-inuse']}
    status, body = call(standin, 'DELETE', '/_ilm/policy/standin-inuse')
    assert status == 400 and body['error']['root_cause'][0]['type'] == 'illegal_argument_exception'
    assert reason(body) == 'Cannot delete policy [standin-inuse]. It is in use by one or more indices: [%s]' % doc['_index']
    assert call(standin, 'DELETE', '/_index_template/standin-inuse')[0] == 400
    assert call(standin, 'DELETE', '/_data_stream/standin-inuse-app')[0] == 200
    assert call(standin, 'GET', '/_data_stream/standin-inuse-app')[0] == 404
    assert call(standin, 'DELETE', '/_ilm/policy/standin-inuse')[0] == 200
    status, body = call(standin, 'PUT', '/_data_stream/standin-plain', None)
    assert status == 400 and 'data stream' in reason(body)


def test_standin_cluster_settings_flat_and_nested(standin):
    body = {'persistent': {'cluster.routing.allocation.enable': 'primaries', 'cluster': {'max_shards_per_node': 2000}}}
    assert call(standin, 'PUT', '/_cluster/settings', body)[0] == 200
    assert call(standin, 'GET', '/_cluster/settings')[1]['persistent'] == {
        'cluster': {'routing': {'allocation': {'enable': 'primaries'}}, 'max_shards_per_node': '2000'}}
    flat = call(standin, 'GET', '/_cluster/settings?flat_settings=true')[1]['persistent']
    assert flat == {'cluster.routing.allocation.enable': 'primaries', 'cluster.max_shards_per_node': '2000'}
    assert call(standin, 'PUT', '/_cluster/settings', {'persistent': {'cluster.routing.allocation.enable': None,
                                                                      'cluster.max_shards_per_node': None}})[0] == 200
    assert call(standin, 'GET', '/_cluster/settings')[1] == {'persistent': {}, 'transient': {}}


def test_standin_non_superuser_may_only_read(standin):
    assert call(standin, 'GET', '/_ilm/policy', user='reader')[0] == 200
    status, body = call(standin, 'PUT', '/_ilm/policy/standin-reader', {'policy': {'phases': {}}}, user='reader')
    assert status == 403 and body['error']['type'] == 'security_exception'
    assert re.match(r'action \[cluster:admin/ilm/put\] is unauthorized for user \[reader\]', reason(body))
    assert call(standin, 'PUT', '/_security/user/elastic/_password', {'password': 'not-allowed'}, user='reader')[0] == 403
    assert [(c['status'], c['user']) for c in standin.calls()[-2:]] == [(403, 'reader')] * 2


def test_standin_users_and_roles(standin):
    role = {'cluster': ['monitor'], 'indices': [{'names': 'logs-*', 'privileges': ['read']}]}
    assert call(standin, 'PUT', '/_security/role/standin_reader', role)[1] == {'role': {'created': True}}
    assert call(standin, 'PUT', '/_security/role/standin_reader', role)[1] == {'role': {'created': False}}
    stored = call(standin, 'GET', '/_security/role/standin_reader')[1]['standin_reader']
    assert stored['indices'] == [{'names': ['logs-*'], 'privileges': ['read'], 'allow_restricted_indices': False}]
    assert stored['run_as'] == [] and stored['transient_metadata'] == {'enabled': True}
    status, body = call(standin, 'PUT', '/_security/user/kibana_system', {'password': 'whatever1', 'roles': []})
    assert status == 400 and 'user [kibana_system] is reserved and only the password can be changed' in reason(body)
    user = {'password': 'standin-user-pw', 'roles': ['standin_reader'], 'full_name': 'Stand-in User'}
    assert call(standin, 'PUT', '/_security/user/standin_user', user)[1] == {'created': True}
    got = call(standin, 'GET', '/_security/user/standin_user')[1]['standin_user']
    assert got['roles'] == ['standin_reader'] and got['full_name'] == 'Stand-in User' and 'password' not in json.dumps(got)
    me = call(standin, 'GET', '/_security/_authenticate')[1]
    assert me['username'] == 'elastic' and me['roles'] == ['superuser'] and me['authentication_realm']['type'] == 'reserved'
    status, body = call(standin, 'GET', '/_security/user/standin_absent')
    assert (status, body) == (404, {})
    assert call(standin, 'DELETE', '/_security/user/standin_user')[1] == {'found': True}
    assert call(standin, 'DELETE', '/_security/user/standin_user')[0] == 404


def test_standin_index_privileges_decide_document_writes_and_counts(standin):
    writer = {'indices': [{'names': ['logs-mlops.*-*'], 'privileges': ['create_doc']}]}
    reader = {'indices': [{'names': ['logs-mlops.churn-*'], 'privileges': ['read']}]}
    for name, role in (('standin_writer', writer), ('standin_churn_reader', reader)):
        assert call(standin, 'PUT', '/_security/role/' + name, role)[0] == 200
        assert call(standin, 'PUT', '/_security/user/' + name, {'password': name + '-pw', 'roles': [name]})[0] == 200
    doc = {'@timestamp': '2026-11-28T00:00:00Z', 'message': 'one prediction'}

    def as_user(name, method, path, body=None):
        return call(standin, method, path, body, user=name, password=name + '-pw')
    assert as_user('standin_writer', 'POST', '/logs-mlops.churn-default/_doc', doc)[0] == 201
    status, body = as_user('standin_writer', 'POST', '/logs-nginx.access-default/_doc', doc)
    assert status == 403 and 'is unauthorized for user [standin_writer]' in reason(body)
    assert as_user('standin_writer', 'GET', '/logs-mlops.churn-default/_count')[0] == 403
    assert as_user('standin_churn_reader', 'GET', '/logs-mlops.churn-default/_count')[1]['count'] == 1
    assert as_user('standin_churn_reader', 'GET', '/logs-mlops.fraud-default/_count')[0] == 403
    assert as_user('standin_churn_reader', 'POST', '/logs-mlops.churn-default/_doc', doc)[0] == 403
    assert as_user('standin_churn_reader', 'GET', '/_ilm/policy')[0] == 200  # the stand-in lets any user read the rest


def test_standin_unsupported_request(standin):
    status, body = call(standin, 'GET', '/_cat/indices')
    assert status == 400 and reason(body) == 'stand-in: unsupported request GET /_cat/indices'
    assert standin.calls()[-1]['path'] == '/_cat/indices' and standin.calls()[-1]['status'] == 400


def test_standin_state_survives_restart(tmp_path):
    first = start_standin(tmp_path, USERS)
    try:
        policy = {'policy': {'phases': {'delete': {'min_age': '7d', 'actions': {'delete': {}}}}}}
        for attempt in (1, 2):
            assert call(first, 'PUT', '/_ilm/policy/standin-restart', policy)[0] == 200
        assert call(first, 'PUT', '/_security/user/standin_svc', {'password': 'svc-first-pw', 'roles': ['viewer']})[0] == 200
        assert call(first, 'PUT', '/_cluster/settings', {'persistent': {'cluster.routing.allocation.enable': 'primaries'},
                                                         'transient': {'cluster.info.update.interval': '1m'}})[0] == 200
    finally:
        first.stop()
    second = start_standin(tmp_path, USERS)
    try:
        assert call(second, 'GET', '/_ilm/policy/standin-restart')[1]['standin-restart']['version'] == 2
        me = call(second, 'GET', '/_security/_authenticate', user='standin_svc', password='svc-first-pw')
        assert me[0] == 200 and me[1]['username'] == 'standin_svc'
        settings = call(second, 'GET', '/_cluster/settings?flat_settings=true')[1]
        assert settings == {'persistent': {'cluster.routing.allocation.enable': 'primaries'}, 'transient': {}}
        assert {c['node'] for c in second.calls()} == {'standin-node-1'}
    finally:
        second.stop()


def test_standin_hides_passwords_in_calls_and_keeps_none_in_state(tmp_path):
    secrets = ['svc-secret-one', 'svc-secret-two', 'elastic-secret-three', 'reader-secret-four']
    running = start_standin(tmp_path, USERS)
    try:
        assert call(running, 'PUT', '/_security/user/standin_svc', {'password': secrets[0], 'roles': ['viewer']})[0] == 200
        assert call(running, 'POST', '/_security/user/standin_svc/_password', {'password': secrets[1]})[0] == 200
        assert call(running, 'PUT', '/_security/user/elastic/_password', {'password': secrets[2]})[0] == 200
        assert call(running, 'GET', '/', password=secrets[2])[0] == 200
        assert call(running, 'GET', '/')[0] == 401  # the users-file password no longer works
        assert call(running, 'PUT', '/_security/user/_password', {'password': secrets[3]}, user='reader')[0] == 200
        assert call(running, 'GET', '/_security/_authenticate', user='reader', password=secrets[3])[0] == 200
        assert call(running, 'GET', '/_security/_authenticate', user='standin_svc', password=secrets[1])[0] == 200
    finally:
        running.stop()
    password_bodies = [c['body'] for c in running.calls() if c['body'] and 'password' in c['body']]
    assert len(password_bodies) == 4 and all(body['password'] == '<hidden>' for body in password_bodies)
    for name in ('calls.jsonl', 'state.json', 'standin.log'):
        text = read_text(running.files[name])
        assert not [s for s in secrets + [u['password'] for u in USERS.values()] if s in text], name
    assert 'sha256$' in read_text(running.files['state.json'])


def test_standin_replay_of_the_reference_ilm_rest_test(standin):
    if not os.path.exists(REFERENCE_TEST):
        pytest.skip('the reference REST test is not here: %s' % REFERENCE_TEST)
    out = subprocess.run([sys.executable, REPLAY, REFERENCE_TEST, '--url', standin.url, '--ca', standin.ca, '--user', 'elastic',
                          '--password', USERS['elastic']['password']], capture_output=True, text=True, timeout=120, check=False)
    print(out.stdout)
    assert out.returncode == 0, out.stderr
    summary = SUMMARY.match(out.stdout.strip().splitlines()[-1])
    assert summary, out.stdout
    passed, failed, unsupported, total = (int(n) for n in summary.groups()[1:])
    assert total > 0 and passed + failed + unsupported == total
    assert failed == 0 and passed > 0, out.stdout
    assert call(standin, 'GET', '/_ilm/policy/my_timeseries*')[1] == {}  # the replay removed what it created
