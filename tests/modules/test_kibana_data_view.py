"""kibana_data_view, run with ansible-playbook against the Kibana stand-in (tests/standins/kibana_standin.py): TLS
with a CA of the test, basic auth, kbn-xsrf required on writes, and every request recorded by the stand-in, so
that the tests count the writes. The stand-in is not Kibana; against the real product these tests are not run
here."""
from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request

import pytest

from es_standin import REPO, StandinError, free_ports, read_text, standin_pki
from module_runner import run_task as run_play

STANDIN = os.path.join(REPO, 'tests', 'standins', 'kibana_standin.py')
PASSWORD = 'stand-in-S3cret-kibana'
WRONG_PASSWORD = 'wrong-S3cret'
VIEWS = [{'id': 'mlops-model-churn-logs', 'name': 'Model churn logs', 'title': 'logs-mlops.churn-default'},
         {'id': 'mlops-model-fraud-logs', 'name': 'Model fraud logs', 'title': 'logs-mlops.fraud-default'},
         {'id': 'mlops-all-models', 'title': 'logs-mlops.*-*', 'time_field': 'event.created'}]
ONE = '/api/data_views/data_view'


def start_kibana_standin(tmpdir, users):
    """Start the Kibana stand-in on a free port with a CA and server certificate of the test; returns an object with
    url, ca, pki, calls(), log(), stop()."""
    tmpdir = str(tmpdir)
    pki = standin_pki(tmpdir)
    files = dict((name, os.path.join(tmpdir, name)) for name in ('users.json', 'calls.jsonl', 'standin.log'))
    with open(files['users.json'], 'w', encoding='utf-8') as handle:
        json.dump(users, handle)
    port = free_ports(1)[0]
    log = open(files['standin.log'], 'a', encoding='utf-8')  # pylint: disable=consider-using-with
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, STANDIN, '--listen', '127.0.0.1:%d' % port, '--cert', pki['server_cert'], '--key',
         pki['server_key'], '--users', files['users.json'], '--calls', files['calls.jsonl']],
        stdout=log, stderr=subprocess.STDOUT)

    def stop():
        process.terminate()
        process.wait(timeout=10)
        log.close()

    deadline = time.monotonic() + 20
    while 'listening on' not in read_text(files['standin.log']):
        if process.poll() is not None or time.monotonic() > deadline:
            stop()
            raise StandinError('the Kibana stand-in did not start: %s' % read_text(files['standin.log']))
        time.sleep(0.05)
    return types.SimpleNamespace(
        url='https://127.0.0.1:%d' % port, ca=pki['ca'], pki=pki, stop=stop, log=lambda: read_text(files['standin.log']),
        calls=lambda: [json.loads(line) for line in read_text(files['calls.jsonl']).splitlines()])


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    running = start_kibana_standin(tmp_path_factory.mktemp('kibana-standin'), {'elastic': PASSWORD})
    yield running
    running.stop()


def call(server, method, path, body=None, xsrf=True, password=PASSWORD):
    """One call to the stand-in as elastic, with kbn-xsrf unless told, recorded like any other; (status, answer)."""
    headers = {'Authorization': 'Basic ' + base64.b64encode(('elastic:%s' % password).encode()).decode()}
    if xsrf:
        headers['kbn-xsrf'] = 'test'
    if body is not None:
        headers['Content-Type'] = 'application/json'
    request = urllib.request.Request(server.url + path, method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=server.ca), timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b'null')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'null')


@pytest.fixture
def standin(server):
    """The module's stand-in, emptied of data views, with a mark in its calls from where this test's calls start."""
    for view in call(server, 'GET', '/api/data_views')[1]['data_view']:
        assert call(server, 'DELETE', '%s/%s' % (ONE, view['id']))[0] == 200
    start = len(server.calls())
    server.new_calls = lambda: server.calls()[start:]
    return server


def connection(standin, **extra):
    return dict({'url': standin.url, 'ca_path': standin.ca, 'url_username': 'elastic', 'url_password': PASSWORD}, **extra)


def writes(calls):
    return [(c['method'], c['path']) for c in calls if c['method'] != 'GET']


def stored(standin):
    """Every data view in the stand-in: {id: (title, name, time field)}, read one by one."""
    views = {}
    for entry in call(standin, 'GET', '/api/data_views')[1]['data_view']:
        view = call(standin, 'GET', '%s/%s' % (ONE, entry['id']))[1]['data_view']
        views[entry['id']] = (view['title'], view['name'], view.get('timeFieldName'))
    return views


@pytest.fixture
def run(run_task):
    def checked(args, **kwargs):
        result = run_task('kibana_data_view', args, **kwargs)
        assert PASSWORD not in result['_stdout'] + result['_stderr']
        return result
    return checked


def test_standin_creates_several_data_views_and_a_rerun_writes_nothing(run, standin):
    first = run(connection(standin, data_views=VIEWS))
    assert first['changed'] is True and first.get('failed') is not True, first
    assert first['changed_data_views'] == sorted(view['id'] for view in VIEWS)
    assert first['write_requests'] == 3 and first['removed_data_views'] == []
    calls = standin.new_calls()
    assert writes(calls) == [('POST', ONE)] * 3
    assert all(c['xsrf'] and c['user'] == 'elastic' and c['status'] == 200 for c in calls)
    assert stored(standin) == {
        'mlops-model-churn-logs': ('logs-mlops.churn-default', 'Model churn logs', '@timestamp'),
        'mlops-model-fraud-logs': ('logs-mlops.fraud-default', 'Model fraud logs', '@timestamp'),
        'mlops-all-models': ('logs-mlops.*-*', 'logs-mlops.*-*', 'event.created')}

    before = len(standin.new_calls())
    second = run(connection(standin, data_views=VIEWS), diff=True)
    assert second['changed'] is False and second['write_requests'] == 0, second
    assert second['changed_data_views'] == second['removed_data_views'] == []
    assert second['diff'] == {'before': {}, 'after': {}}
    rerun = standin.new_calls()[before:]
    assert writes(rerun) == [] and len(rerun) == 4  # the list, then each of the three


@pytest.mark.parametrize('key, value, sent', [
    ('time_field', 'event.ingested', {'timeFieldName': 'event.ingested'}),
    ('title', 'logs-mlops.fraud-prod', {'title': 'logs-mlops.fraud-prod'}),
    ('name', 'Fraud model', {'name': 'Fraud model'}),
])
def test_standin_one_changed_data_view_is_one_partial_update(run, standin, key, value, sent):
    assert run(connection(standin, data_views=VIEWS))['write_requests'] == 3
    changed = [dict(view, **{key: value}) if view['id'] == 'mlops-model-fraud-logs' else view for view in VIEWS]
    before = len(standin.new_calls())
    result = run(connection(standin, data_views=changed), diff=True)
    assert result['changed'] is True and result['changed_data_views'] == ['mlops-model-fraud-logs'], result
    assert result['write_requests'] == 1
    calls = [c for c in standin.new_calls()[before:] if c['method'] != 'GET']
    assert [(c['method'], c['path'], c['body']) for c in calls] == [
        ('POST', ONE + '/mlops-model-fraud-logs', {'data_view': sent})]
    attribute = {'time_field': 'timeFieldName'}.get(key, key)
    assert result['diff']['after']['mlops-model-fraud-logs'][attribute] == value
    assert result['diff']['before']['mlops-model-fraud-logs'][attribute] != value
    assert list(result['diff']['after']) == ['mlops-model-fraud-logs']
    assert stored(standin)['mlops-model-fraud-logs'][('title', 'name', 'time_field').index(key)] == value


def test_standin_exclusive_removes_only_our_data_views(run, standin):
    theirs = [{'id': 'sales-view', 'title': 'sales-*'}, {'id': 'mlops_lookalike', 'title': 'lookalike-*'},
              {'title': 'no-id-*', 'name': 'Kibana chose the id'}]
    for view in theirs:
        assert call(standin, 'POST', ONE, {'data_view': view})[0] == 200
    assert run(connection(standin, data_views=VIEWS))['write_requests'] == 3
    kept = VIEWS[:1]
    not_exclusive = run(connection(standin, data_views=kept))
    assert not_exclusive['changed'] is False and not_exclusive['removed_data_views'] == []
    before = len(standin.new_calls())
    result = run(connection(standin, data_views=kept, exclusive=True))
    assert result['changed'] is True and result['removed_data_views'] == ['mlops-all-models', 'mlops-model-fraud-logs']
    assert writes(standin.new_calls()[before:]) == [('DELETE', ONE + '/mlops-all-models'),
                                                    ('DELETE', ONE + '/mlops-model-fraud-logs')]
    left = stored(standin)
    assert sorted(title for title, _name, _field in left.values()) == [
        'logs-mlops.churn-default', 'lookalike-*', 'no-id-*', 'sales-*']
    # with another prefix, nothing of the first is ours
    other = run(connection(standin, data_views=[{'id': 'team-a-view', 'title': 'team-a-*'}], owned_prefix='team-a-',
                           exclusive=True))
    assert other['removed_data_views'] == [] and other['changed_data_views'] == ['team-a-view']
    assert len(stored(standin)) == 5


def test_standin_check_mode_writes_nothing_and_reports_the_diff(run, standin):
    assert run(connection(standin, data_views=VIEWS[:2]))['write_requests'] == 2
    wanted = [dict(VIEWS[0], time_field='ts'), VIEWS[2]]
    before = len(standin.new_calls())
    result = run(connection(standin, data_views=wanted, exclusive=True), check=True, diff=True)
    assert result['changed'] is True and result['write_requests'] == 3, result
    assert result['changed_data_views'] == ['mlops-all-models', 'mlops-model-churn-logs']
    assert result['removed_data_views'] == ['mlops-model-fraud-logs']
    assert writes(standin.new_calls()[before:]) == []
    assert result['diff'] == {
        'before': {'mlops-model-churn-logs': {'title': 'logs-mlops.churn-default', 'name': 'Model churn logs',
                                              'timeFieldName': '@timestamp'},
                   'mlops-model-fraud-logs': {'title': 'logs-mlops.fraud-default', 'name': 'Model fraud logs'}},
        'after': {'mlops-model-churn-logs': {'title': 'logs-mlops.churn-default', 'name': 'Model churn logs',
                                             'timeFieldName': 'ts'},
                  'mlops-all-models': {'title': 'logs-mlops.*-*', 'name': 'logs-mlops.*-*',
                                       'timeFieldName': 'event.created'}}}
    assert sorted(stored(standin)) == ['mlops-model-churn-logs', 'mlops-model-fraud-logs']
    assert stored(standin)['mlops-model-churn-logs'][2] == '@timestamp'


@pytest.mark.parametrize('views, problem', [
    ([VIEWS[0], {'id': 'mlops-a/b', 'title': 'x-*'}], 'data_views[1] mlops-a/b: id: use 1 to 200 letters, digits'),
    ([VIEWS[0], {'id': 'mlops-empty', 'title': ' '}], 'data_views[1] mlops-empty: title: required'),
    ([VIEWS[0], {'id': 'mlops-no-title'}], 'data_views[1] mlops-no-title: title: required'),
    ([VIEWS[0], dict(VIEWS[1], id=VIEWS[0]['id'])], 'data_views[1] mlops-model-churn-logs: id: given twice'),
    ([VIEWS[0], {'id': 'their-view', 'state': 'absent'}], "data_views[1] their-view: id: must start with owned_prefix 'mlops-'"),
    ([VIEWS[0], dict(VIEWS[1], name='Model churn logs')],
     "data_views[1] mlops-model-fraud-logs: name: 'Model churn logs' is also the name of data_views[0]"),
    ([VIEWS[0], {'id': 'mlops-x', 'title': 'x-*', 'time_field': ''}], 'data_views[1] mlops-x: time_field: must not be empty'),
])
def test_standin_bad_items_fail_before_any_request(run, standin, views, problem):
    result = run(connection(standin, data_views=views))
    assert result['failed'] is True
    assert result['msg'].startswith('invalid data_views, nothing changed: ') and problem in result['msg'], result['msg']
    assert standin.new_calls() == []


def test_standin_every_problem_is_reported_at_once(run, standin):
    result = run(connection(standin, data_views=[{'id': 'bad id', 'title': ''}, {'id': 'bad id', 'title': 'a'}]))
    assert len(result['problems']) == 4, result['problems']
    assert standin.new_calls() == []


def test_standin_tls_verification_is_on_by_default(run, standin):
    refused = standin.log().count('TLSV1_ALERT_UNKNOWN_CA')
    wrong_ca = run(connection(standin, data_views=VIEWS, ca_path=standin.pki['other_ca']))
    assert wrong_ca['failed'] is True
    assert 'TLS certificate check failed for 127.0.0.1:%s' % standin.url.rsplit(':', 1)[1] in wrong_ca['msg']
    assert 'does not match the CA that signed the server certificate' in wrong_ca['msg']
    no_ca = run(dict(connection(standin, data_views=VIEWS), ca_path=None))
    assert no_ca['failed'] is True and "no CA of the system's trust store signed" in no_ca['msg'], no_ca['msg']
    assert standin.new_calls() == []  # the handshake failed: no request reached the stand-in
    assert standin.log().count('TLSV1_ALERT_UNKNOWN_CA') == refused + 2  # the module refused the server, twice
    # the same call without verification goes through: what failed was the certificate check
    assert run(dict(connection(standin, data_views=VIEWS[:1]), ca_path=None, validate_certs=False))['write_requests'] == 1


def test_standin_wrong_password_fails_clearly(run, standin):
    result = run(connection(standin, data_views=VIEWS, url_password=WRONG_PASSWORD))
    assert result['failed'] is True and result['status'] == 401
    assert "the server refused the credentials of user 'elastic'; check url_username and url_password" in result['msg']
    assert WRONG_PASSWORD not in json.dumps(result)
    assert [(c['method'], c['path'], c['user'], c['status']) for c in standin.new_calls()] == [
        ('GET', '/api/data_views', None, 401)]


def test_standin_refuses_a_write_without_kbn_xsrf_and_a_call_without_credentials(standin):
    status, answer = call(standin, 'POST', ONE, {'data_view': {'title': 'x-*'}}, xsrf=False)
    assert (status, answer['message']) == (400, 'Request must contain a kbn-xsrf header.')
    status, answer = call(standin, 'GET', '/api/data_views', password=WRONG_PASSWORD)
    assert status == 401 and answer['statusCode'] == 401
    assert call(standin, 'GET', '/api/data_views')[1] == {'data_view': []}
    assert [(c['method'], c['status']) for c in standin.new_calls()] == [('POST', 400), ('GET', 401), ('GET', 200)]
    assert 'kibana stand-in: POST /api/data_views/data_view -> 400' in standin.log()


def test_standin_data_views_of_the_model_filter_are_created_once(standin, tmp_path):
    models = [{'name': 'churn-a'}, {'name': 'fraud'}]
    args = dict(connection(standin), models=models)
    task_args = """
        data_views: "{{ a.models | mlops.observability.model_data_views('prod') }}"
        url: "{{ a.url }}"
        ca_path: "{{ a.ca_path }}"
        url_username: "{{ a.url_username }}"
        url_password: "{{ a.url_password }}"
"""
    first = run_play(tmp_path, 'kibana_data_view', args, task_args=task_args)
    assert first['changed_data_views'] == ['mlops-model-churn-a-logs', 'mlops-model-fraud-logs'], first
    assert stored(standin)['mlops-model-churn-a-logs'] == ('logs-mlops.churn_a-prod', 'Model churn-a logs', '@timestamp')
    before = len(standin.new_calls())
    second = run_play(tmp_path, 'kibana_data_view', args, task_args=task_args)
    assert second['changed'] is False and writes(standin.new_calls()[before:]) == []


def test_standin_connection_options_come_once_from_the_kibana_action_group(standin, tmp_path):
    # module_defaults is a task keyword beside the module's arguments, as in the module's EXAMPLES
    task_args = """
        data_views: "{{ a.data_views }}"
      module_defaults:
        group/mlops.observability.kibana:
          url: "{{ a.url }}"
          ca_path: "{{ a.ca_path }}"
          url_username: "{{ a.url_username }}"
          url_password: "{{ a.url_password }}"
"""
    result = run_play(tmp_path, 'kibana_data_view', connection(standin, data_views=VIEWS[:1]), task_args=task_args)
    assert result.get('failed') is not True and result['changed_data_views'] == ['mlops-model-churn-logs'], result
    assert [c['user'] for c in standin.new_calls()] == ['elastic'] * 2
