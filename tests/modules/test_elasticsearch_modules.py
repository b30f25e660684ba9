"""The Elasticsearch modules, run with ansible-playbook against the Elasticsearch stand-in (tests/standins):
TLS with a CA of the test, basic auth, and every request recorded by the stand-in, so that the tests count
the writes. The stand-in is not Elasticsearch; the same behaviour against Elastic's documented answers is in
test_elasticsearch_contract.py, and against the real product it is not run here."""
from __future__ import annotations

import pytest

from ansible_collections.mlops.observability.plugins.filter.model_log_streams import (
    model_ilm_policies, model_index_templates)
from es_standin import start_standin

PASSWORD = 'stand-in-S3cret-elastic'
MODELS = [{'name': 'churn'}, {'name': 'fraud-v2', 'elasticsearch_retention_days': 7}, {'name': 'ltv'}]


@pytest.fixture
def standin(tmp_path):
    server = start_standin(tmp_path, {'elastic': {'password': PASSWORD, 'roles': ['superuser']},
                                      'reader': {'password': 'reader-pass-1', 'roles': ['viewer']}})
    yield server
    server.stop()


def connection(standin, **extra):
    return dict({'url': standin.url, 'ca_path': standin.ca, 'url_username': 'elastic', 'url_password': PASSWORD}, **extra)


def writes(calls):
    return [(c['method'], c['path']) for c in calls if c['method'] not in ('GET', 'HEAD')]


def no_secret(result):
    assert PASSWORD not in result['_stdout'] + result['_stderr']


def test_standin_policies_are_written_once_and_an_unchanged_rerun_makes_no_write(run_task, standin):
    args = connection(standin, policies=model_ilm_policies(MODELS))
    first = run_task('elasticsearch_ilm_policy', args)
    assert first['changed'] and first['write_requests'] == 3, first
    assert sorted(writes(standin.calls())) == [('PUT', '/_ilm/policy/mlops-model-%s-logs' % m) for m in ('churn', 'fraud-v2', 'ltv')]
    # every call came over TLS with the elastic user's credentials (the stand-in refuses anything else)
    assert {c['user'] for c in standin.calls()} == {'elastic'}
    before = len(standin.calls())
    second = run_task('elasticsearch_ilm_policy', args)
    assert not second['changed'] and second['write_requests'] == 0, second
    assert writes(standin.calls()[before:]) == []
    changed = [dict(m, elasticsearch_retention_days=90) if m['name'] == 'ltv' else m for m in MODELS]
    third = run_task('elasticsearch_ilm_policy', connection(standin, policies=model_ilm_policies(changed)), diff=True)
    assert third['changed_policies'] == ['mlops-model-ltv-logs'] and third['write_requests'] == 1, third
    assert writes(standin.calls()[before:]) == [('PUT', '/_ilm/policy/mlops-model-ltv-logs')]
    assert third['diff']['before']['mlops-model-ltv-logs']['phases']['delete']['min_age'] == '30d'
    assert third['diff']['after']['mlops-model-ltv-logs']['phases']['delete']['min_age'] == '90d'
    versions = dict((name, body['version']) for name, body in standin.get('/_ilm/policy').items())
    assert versions['mlops-model-ltv-logs'] == 2 and versions['mlops-model-churn-logs'] == 1
    for result in (first, second, third):
        no_secret(result)
        assert result['invocation']['module_args']['policies'] == '3 policies (not echoed)'


def test_standin_check_mode_reads_and_writes_nothing(run_task, standin):
    result = run_task('elasticsearch_ilm_policy', connection(standin, policies=model_ilm_policies(MODELS)), check=True, diff=True)
    assert result['changed'] and len(result['changed_policies']) == 3 and result['write_requests'] == 3
    assert set(result['diff']['after']) == set(result['changed_policies']) and result['diff']['before'] == {}
    assert writes(standin.calls()) == [] and [c['method'] for c in standin.calls()] == ['GET']
    assert 'mlops-model-churn-logs' not in standin.get('/_ilm/policy')


def test_standin_exclusive_removes_only_owned_unused_policies_and_keeps_those_in_use(run_task, standin):
    standin.put('/_ilm/policy/theirs', {'policy': {'phases': {'delete': {'min_age': '1d', 'actions': {'delete': {}}}}}})
    run_task('elasticsearch_ilm_policy', connection(standin, policies=model_ilm_policies(MODELS)))
    run_task('elasticsearch_index_template', connection(standin, templates=model_index_templates(MODELS)))
    standin.put('/_data_stream/logs-mlops.churn-default', None)  # churn has data: its policy and template stay
    kept = [m for m in MODELS if m['name'] == 'fraud-v2']
    before = len(standin.calls())
    templates = run_task('elasticsearch_index_template', connection(standin, templates=model_index_templates(kept), exclusive=True))
    policies = run_task('elasticsearch_ilm_policy', connection(standin, policies=model_ilm_policies(kept), exclusive=True))
    assert templates['removed_templates'] == ['mlops-model-ltv-logs'] and templates['kept_in_use'] == ['mlops-model-churn-logs']
    assert policies['removed_policies'] == ['mlops-model-ltv-logs'] and policies['kept_in_use'] == ['mlops-model-churn-logs']
    assert any('logs-mlops.churn-default' in w for w in templates['warnings']), templates
    assert sorted(writes(standin.calls()[before:])) == [('DELETE', '/_ilm/policy/mlops-model-ltv-logs'),
                                                        ('DELETE', '/_index_template/mlops-model-ltv-logs')]
    assert set(standin.get('/_ilm/policy')) >= {'theirs', 'logs', 'mlops-model-churn-logs', 'mlops-model-fraud-v2-logs'}
    assert standin.get('/_data_stream/logs-mlops.churn-default')['data_streams'][0]['ilm_policy'] == 'mlops-model-churn-logs'


def test_standin_templates_win_over_the_builtin_logs_template_and_rerun_without_writes(run_task, standin):
    args = connection(standin, templates=model_index_templates(MODELS))
    first = run_task('elasticsearch_index_template', args)
    assert first['write_requests'] == 3, first
    before = len(standin.calls())
    second = run_task('elasticsearch_index_template', args)
    assert not second['changed'] and writes(standin.calls()[before:]) == [], second
    standin.put('/_data_stream/logs-mlops.fraud_v2-default', None)
    standin.put('/_data_stream/logs-nginx.access-default', None)
    streams = dict((s, standin.get('/_data_stream/' + s)['data_streams'][0])
                   for s in ('logs-mlops.fraud_v2-default', 'logs-nginx.access-default'))
    assert streams['logs-mlops.fraud_v2-default']['template'] == 'mlops-model-fraud-v2-logs'
    assert streams['logs-mlops.fraud_v2-default']['ilm_policy'] == 'mlops-model-fraud-v2-logs'
    assert streams['logs-nginx.access-default']['template'] == 'logs'  # other logs-* data keeps the built-in template
    third = run_task('elasticsearch_index_template', connection(standin, templates=model_index_templates(MODELS, priority=250)))
    assert third['write_requests'] == 3


@pytest.mark.parametrize('phases,message', [
    ({'hot': {'actions': {'delete': {}}}}, "'delete' is not allowed in the hot phase"),
    ({'warm': {'min_age': '10d'}, 'delete': {'min_age': '5d', 'actions': {'delete': {}}}}, 'min_age: 5d is earlier than the warm phase'),
    ({'delete': {'min_age': 'ten days', 'actions': {'delete': {}}}}, "'ten days' is not a duration"),
])
def test_standin_bad_policies_fail_before_any_request(run_task, standin, phases, message):
    good = model_ilm_policies(MODELS)
    result = run_task('elasticsearch_ilm_policy', connection(standin, policies=good + [{'name': 'bad', 'phases': phases}]))
    assert result['failed'] and message in result['msg'] and 'nothing changed' in result['msg'], result
    assert standin.calls() == []


@pytest.mark.parametrize('change,message', [
    ({'url_password': 'wrong-password'}, "refused the credentials of user 'elastic'"),
    ({'url_username': 'reader', 'url_password': 'reader-pass-1'}, "HTTP 403 from PUT"),
    ({'ca_path': None}, 'TLS certificate check failed'),
    ({'url': 'https://127.0.0.1:1'}, 'connection refused by 127.0.0.1:1'),
])
def test_standin_connection_errors_are_clear(run_task, standin, change, message):
    args = dict(connection(standin, policies=model_ilm_policies(MODELS), retries=0), **change)
    result = run_task('elasticsearch_ilm_policy', dict((k, v) for k, v in args.items() if v is not None))
    assert result['failed'] and message in result['msg'], result
    assert 'wrong-password' not in result['_stdout'] and PASSWORD not in result['_stdout']
    assert writes([c for c in standin.calls() if c['status'] < 300]) == []
