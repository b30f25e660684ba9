"""The dashboards generated from the metric contract (filter model_dashboards): every query is valid for the real
promtool and reads only metrics of the contract; the JSON passes the SDK's own types both ways and is the same
byte for byte when generated again; a model added or removed changes exactly its own dashboard; bad input is
refused. That each query returns data from a real Prometheus is checked in the monitoring scenario
(molecule/monitoring/verify/dashboards.yml)."""
from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_dashboards import model_dashboards

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
MODELS = [{'name': 'churn', 'env': 'prod', 'thresholds': {'p99_latency_seconds': 0.3, 'rate_window': '2m'}},
          {'name': 'fraud-v2', 'version': '2'}]
# a metric name in PromQL: an identifier followed by a selector's brace (every query here selects on model)
METRIC_RE = re.compile(r'([A-Za-z_:][A-Za-z0-9_:]*)\{')


def dump(value):
    return json.dumps(value, sort_keys=True, separators=(',', ':'))


def exprs(dashboards):
    return [target['expr'] for d in dashboards for panel in d['dashboard']['panels'] for target in panel['targets']]


def panel(dashboards, uid, title_start):
    board = next(d['dashboard'] for d in dashboards if d['uid'] == uid)
    return next(p for p in board['panels'] if p['title'].startswith(title_start))


def test_every_query_is_valid_promql_for_promtool(tmp_path, promtool):
    queries = sorted(set(exprs(model_dashboards(MODELS))))
    rules = {'groups': [{'name': 'dashboards', 'rules': [{'record': 'mlops:dashboard_query_%d' % i, 'expr': e}
                                                         for i, e in enumerate(queries)]}]}
    (tmp_path / 'queries.yml').write_text(yaml.safe_dump(rules))
    out = subprocess.run([promtool, 'check', 'rules', 'queries.yml'], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0 and 'SUCCESS: %d rules found' % len(queries) in out.stdout + out.stderr, out.stdout + out.stderr


def test_every_query_reads_only_metrics_of_the_contract():
    # the contract's table (docs/metric-contract.md); a histogram's series end in _bucket, _sum and _count
    with open(os.path.join(REPO, 'docs', 'metric-contract.md'), encoding='utf-8') as handle:
        documented = set(re.findall(r'^\| `([a-z_]+)` \| (?:gauge|counter|histogram)', handle.read(), re.M))
    assert len(documented) == 8
    used = {name for e in exprs(model_dashboards(MODELS)) for name in METRIC_RE.findall(e)}
    assert {re.sub(r'_(bucket|sum|count)$', '', name) for name in used} - {'ALERTS'} <= documented
    # the panels of the issue: rate, latency, errors, drift, staleness, alerts, in flight, version
    assert {'model_predictions_total', 'model_prediction_latency_seconds_bucket', 'model_prediction_errors_total',
            'model_input_drift_score', 'model_last_prediction_timestamp_seconds', 'ALERTS', 'model_requests_in_flight',
            'model_info'} == used


def test_generated_twice_byte_identical_and_the_sdk_reads_each_dashboard_back():
    first, second = model_dashboards(MODELS), model_dashboards([dict(m) for m in reversed(MODELS)])
    assert dump(first) == dump(second)
    for item in first:
        typed = Dashboard.from_json(item['dashboard'])
        assert json.loads(JSONEncoder(sort_keys=True).encode(typed)) == item['dashboard']
        assert typed.uid == item['uid'] and len(typed.uid) <= 40 and typed.schema_version >= 41


def test_adding_a_model_adds_exactly_its_dashboard_and_removing_it_removes_exactly_that():
    before = {d['uid']: dump(d) for d in model_dashboards(MODELS)}
    after = {d['uid']: dump(d) for d in model_dashboards(MODELS + [{'name': 'eta', 'env': 'prod'}])}
    assert set(after) - set(before) == {'mlops-model-eta'} and set(before) < set(after)
    assert all(after[uid] == text for uid, text in before.items())
    assert {d['uid']: dump(d) for d in model_dashboards(MODELS)} == before
    assert [d['uid'] for d in model_dashboards(MODELS)] == ['mlops-models-overview', 'mlops-model-churn', 'mlops-model-fraud-v2']
    assert [d['folder'] for d in model_dashboards(MODELS)] == ['mlops', 'mlops-prod', 'mlops-default']


def test_each_model_dashboard_draws_its_thresholds_and_uses_its_rate_window():
    dashboards = model_dashboards(MODELS)
    latency = panel(dashboards, 'mlops-model-churn', 'Latency')
    assert [s['value'] for s in latency['fieldConfig']['defaults']['thresholds']['steps']] == [None, 0.3]
    assert latency['fieldConfig']['defaults']['custom']['thresholdsStyle']['mode'] == 'line'
    assert all('[2m]' in t['expr'] for t in latency['targets'])
    # the defaults of the alert library where the model sets none
    assert [s['value'] for s in panel(dashboards, 'mlops-model-fraud-v2', 'Latency')['fieldConfig']['defaults']['thresholds']['steps']] == [None, 0.5]
    assert [s['value'] for s in panel(dashboards, 'mlops-model-fraud-v2', 'Error ratio')['fieldConfig']['defaults']['thresholds']['steps']] == [None, 0.05]
    assert [s['value'] for s in panel(dashboards, 'mlops-model-fraud-v2', 'Seconds since')['fieldConfig']['defaults']['thresholds']['steps']] == [None, 900.0]
    assert all('model="fraud-v2"' in e for e in exprs([d for d in dashboards if d['uid'] == 'mlops-model-fraud-v2']))


def test_links_between_the_overview_the_models_and_their_logs():
    dashboards = model_dashboards(MODELS, 'prom-a', 'https://kibana.example:5601/')
    overview = dashboards[0]['dashboard']
    assert overview['links'][0]['type'] == 'dashboards' and overview['links'][0]['tags'] == ['mlops-model']
    churn = dashboards[1]['dashboard']
    assert churn['links'][0]['url'] == '/d/mlops-models-overview'
    assert churn['links'][1]['url'].startswith("https://kibana.example:5601/app/discover#/?_a=(dataSource:(dataViewId:'mlops-model-churn-logs'")
    assert {p['datasource']['uid'] for d in dashboards for p in d['dashboard']['panels']} == {'prom-a'}
    assert all(len(d['dashboard']['links']) == 1 for d in model_dashboards(MODELS)[1:])  # no Kibana, no log link


def test_a_long_model_name_gets_a_stable_uid_within_40_characters():
    name = 'a' * 40 + '-b'
    uids = [d['uid'] for d in model_dashboards([{'name': name}])] + [d['uid'] for d in model_dashboards([{'name': name}])]
    assert uids[1] == uids[3] and len(uids[1]) == 40 and uids[1].startswith('mlops-model-aaaa')
    assert uids[1] != [d['uid'] for d in model_dashboards([{'name': 'a' * 40 + '-c'}])][1]


@pytest.mark.parametrize('models, kibana_url, message', [
    ([{'name': 'churn', 'thresholds': {'p99_latency_seconds': 'fast'}}], '',
     "model churn: thresholds.p99_latency_seconds: must be a number above 0, not 'fast'"),
    ([{'name': 'churn', 'thresholds': {'drift_score': 0}}], '', 'thresholds.drift_score: must be a number above 0, not 0'),
    ([{'name': 'Churn'}], '', "model 'Churn': name: must match [a-z0-9][a-z0-9_-]{0,62}"),
    ([{'name': 'churn'}], 'http://kibana:5601', "kibana_url: 'http://kibana:5601' is not an https URL"),
    ({'name': 'churn'}, '', 'give the list of models'),
], ids=['threshold-not-a-number', 'threshold-zero', 'bad-name', 'kibana-without-https', 'not-a-list'])
def test_bad_input_is_refused_with_a_clear_error(models, kibana_url, message):
    with pytest.raises(AnsibleFilterError, match=re.escape(message)):
        model_dashboards(models, 'mlops-prometheus', kibana_url)
