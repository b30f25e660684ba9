"""The ML alert library, run by the real promtool: each rule has a firing and a non-firing case, and
each rate-based rule a sparse-traffic and a flapping case.

Annotations are removed before the test (they are prose with templated values); expressions,
durations and labels are tested as generated.
"""
from __future__ import annotations

import subprocess

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_alert_rules import model_alert_rules

MODEL = {'name': 'demo', 'thresholds': {'p99_latency_seconds': 0.3, 'no_predictions_minutes': 5}}
# the thresholds of the molecule scenario, whose latency alert flapped in CI
CI_MODEL = {'name': 'ci', 'thresholds': {'p99_latency_seconds': 0.2, 'rate_window': '1m', 'pending': '10s'}}
RATE_BASED = ('ModelLatencyP99High', 'ModelErrorRatioHigh', 'ModelThroughputDropped')


def labels(severity, model='demo', **extra):
    return dict(extra, model=model, severity=severity)


def case(name, series, alert, *checks, interval='1m'):
    """A promtool test group; checks are (eval_time, expected alerts) pairs."""
    return {'name': '%s: %s' % (alert, name), 'interval': interval,
            'input_series': [{'series': s, 'values': v} for s, v in series],
            'alert_rule_test': [{'eval_time': eval_time, 'alertname': alert, 'exp_alerts': [{'exp_labels': e} for e in expected]}
                                for eval_time, expected in checks]}


def counter(*phases):
    """Values of a counter from 0: phases of (steps, increase each step)."""
    values, total = [0], 0
    for steps, increase in phases:
        for dummy in range(steps):
            total += increase
            values.append(total)
    return ' '.join('%g' % v for v in values)


BUCKETS = ('0.1', '0.5', '1', '+Inf')


def histogram(*phases, model='demo'):
    """Latency histogram: phases of (steps, observations each step, the bucket they fall in)."""
    series = [('model_prediction_latency_seconds_bucket{model="%s", le="%s"}' % (model, le),
               counter(*[(steps, n if BUCKETS.index(le) >= BUCKETS.index(bucket) else 0) for steps, n, bucket in phases]))
              for le in BUCKETS]
    return series + [('model_prediction_latency_seconds_count{model="%s"}' % model, counter(*[(steps, n) for steps, n, dummy in phases]))]


def outcomes(predictions, errors):
    """Prediction and error counters, each given as phases of (minutes, increase a minute)."""
    return [('model_predictions_total{model="demo", model_version="1", outcome="yes"}', counter(*predictions)),
            ('model_prediction_errors_total{model="demo", model_version="1", error_type="ValueError"}', counter(*errors))]


def predictions(*phases):
    return [('model_predictions_total{model="demo", outcome="yes"}', counter(*phases))]


CASES = [
    case('fires', [('up{job="models", model="demo", instance="a:1"}', '0x10'), ('up{job="models", model="demo", instance="b:1"}', '1x10')],
         'ModelTargetDown', ('5m', [labels('critical', job='models', instance='a:1')])),
    case('quiet', [('up{job="models", model="demo", instance="a:1"}', '0x10')], 'ModelTargetDown', ('1m', [])),

    case('fires', histogram((30, 10, '1')), 'ModelLatencyP99High', ('15m', [labels('warning')])),
    case('quiet', histogram((30, 10, '0.1')), 'ModelLatencyP99High', ('15m', [])),
    case('sparse traffic: 2 slow requests a minute do not fire', histogram((30, 2, '1')), 'ModelLatencyP99High', ('20m', [])),
    case('sparse traffic: after the requests stop it fires on for keep_firing_for, then resolves',
         histogram((15, 10, '1'), (15, 0, '1')), 'ModelLatencyP99High',
         ('14m', [labels('warning')]), ('22m', [labels('warning')]), ('26m', [])),
    case('flapping: two minutes of fast requests between slow ones keep it firing',
         histogram((15, 10, '1'), (6, 10, '0.1'), (15, 10, '1')), 'ModelLatencyP99High',
         ('19m', [labels('warning')]), ('20m', [labels('warning')]), ('21m30s', [labels('warning')]), ('24m', [labels('warning')])),
    case('flapping: with the CI thresholds, two evaluations below 0.2s keep it firing',
         histogram((20, 10, '0.5'), (5, 10, '0.1'), (20, 10, '0.5'), model='ci'), 'ModelLatencyP99High',
         ('5m45s', [labels('warning', model='ci')]), ('6m', [labels('warning', model='ci')]),
         ('6m15s', [labels('warning', model='ci')]), ('6m30s', [labels('warning', model='ci')]), interval='15s'),

    case('fires', outcomes([(20, 10)], [(20, 1)]), 'ModelErrorRatioHigh', ('15m', [labels('critical')])),
    case('quiet', outcomes([(20, 10)], [(20, 0)]), 'ModelErrorRatioHigh', ('15m', [])),
    case('sparse traffic: one failure of two requests a minute does not fire',
         outcomes([(30, 1)], [(30, 1)]), 'ModelErrorRatioHigh', ('20m', [])),
    case('sparse traffic: after the requests stop it fires on for keep_firing_for, then resolves',
         outcomes([(15, 10), (15, 0)], [(15, 1), (15, 0)]), 'ModelErrorRatioHigh',
         ('14m', [labels('critical')]), ('22m', [labels('critical')]), ('26m', [])),
    case('flapping: five minutes without errors, which empty the window for a minute, keep it firing',
         outcomes([(36, 10)], [(15, 3), (5, 0), (16, 3)]), 'ModelErrorRatioHigh',
         ('19m', [labels('critical')]), ('20m', [labels('critical')]), ('20m30s', [labels('critical')]), ('24m', [labels('critical')])),

    case('fires', predictions((60, 60), (60, 6)), 'ModelThroughputDropped', ('115m', [labels('warning')])),
    case('quiet', predictions((120, 60)), 'ModelThroughputDropped', ('115m', [])),
    case('sparse traffic: 2 requests a minute the hour before, then none, do not fire',
         predictions((60, 2), (60, 0)), 'ModelThroughputDropped', ('115m', [])),
    case('flapping: one burst of requests keeps it firing', predictions((60, 60), (39, 6), (1, 400), (20, 6)),
         'ModelThroughputDropped',
         ('99m', [labels('warning')]), ('100m', [labels('warning')]), ('102m', [labels('warning')]), ('104m', [labels('warning')])),

    case('fires', [('model_input_drift_score{model="demo", model_version="1", feature="age"}', '0.5x30')], 'ModelInputDriftHigh',
         ('20m', [labels('warning', feature='age')])),
    case('quiet', [('model_input_drift_score{model="demo", model_version="1", feature="age"}', '0.1x30')], 'ModelInputDriftHigh',
         ('20m', [])),
    case('fires', [('model_last_prediction_timestamp_seconds{model="demo", model_version="1"}', '0x20')], 'ModelNoPredictions',
         ('10m', [labels('warning')])),
    case('quiet', [('model_last_prediction_timestamp_seconds{model="demo", model_version="1"}', '0+60x20')], 'ModelNoPredictions',
         ('10m', [])),
    case('fires', [('model_info{model="demo", model_version="1", framework="sklearn"}', '1x40'),
                   ('model_info{model="demo", model_version="2", framework="sklearn"}', '_x20 1x20')],
         'ModelVersionChanged', ('25m', [labels('info', model_version='2')]), ('38m', [])),
    case('quiet', [('model_info{model="demo", model_version="1", framework="sklearn"}', '1x40')], 'ModelVersionChanged', ('25m', [])),
]


def kinds(alert):
    """What the cases of an alert show: fires, quiet, sparse traffic, flapping."""
    found = set()
    for group in CASES:
        for test in group['alert_rule_test']:
            if test['alertname'] == alert:
                found.add('fires' if test['exp_alerts'] else 'quiet')
                found.add(group['name'].split(': ')[1])
    return found


def test_every_rule_has_a_firing_and_a_quiet_case_and_rate_rules_sparse_and_flapping_ones():
    alerts = [r['alert'] for r in model_alert_rules(MODEL)['groups'][0]['rules']]
    for alert in alerts:
        wanted = {'fires', 'quiet'} | ({'sparse traffic', 'flapping'} if alert in RATE_BASED else set())
        assert wanted <= kinds(alert), alert
    assert {r['alert'] for r in model_alert_rules(MODEL)['groups'][0]['rules'] if 'keep_firing_for' in r} == set(RATE_BASED)


def rule_file(tmp_path, *models, annotations=True):
    groups = [group for model in models for group in model_alert_rules(model)['groups']]
    for group in groups:
        for rule in group['rules']:
            if not annotations:
                rule.pop('annotations')
    (tmp_path / 'rules.yml').write_text(yaml.safe_dump({'groups': groups}))


def test_rules_pass_promtool_unit_tests(tmp_path, promtool):
    rule_file(tmp_path, MODEL, CI_MODEL, annotations=False)
    (tmp_path / 'tests.yml').write_text(yaml.safe_dump({'rule_files': ['rules.yml'], 'evaluation_interval': '15s', 'tests': CASES}))
    out = subprocess.run([promtool, 'test', 'rules', 'tests.yml'], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize('thresholds', [
    {}, MODEL['thresholds'], CI_MODEL['thresholds'],
    {'keep_firing_for': '0s', 'min_request_rate': 0.00001, 'rate_window': '1h30m', 'error_ratio': 1e-3},
    {'keep_firing_for': '90s', 'pending': '0s', 'no_predictions_minutes': 10080, 'p99_latency_seconds': 2},
])
def test_generated_rules_with_annotations_pass_promtool_check(tmp_path, promtool, thresholds):
    rule_file(tmp_path, {'name': 'demo', 'thresholds': thresholds})
    out = subprocess.run([promtool, 'check', 'rules', 'rules.yml'], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'SUCCESS: 7 rules found' in out.stdout


def rules_of(thresholds):
    return {r['alert']: r for r in model_alert_rules({'name': 'm', 'thresholds': thresholds})['groups'][0]['rules']}


def test_thresholds_override_the_defaults():
    rules = rules_of({'error_ratio': 0.2})
    assert ' > 0.2 and on (model) ' in rules['ModelErrorRatioHigh']['expr']
    assert ' > 0.5 and on (model) ' in rules['ModelLatencyP99High']['expr']
    assert all(rules[a]['expr'].endswith(' >= 0.05') for a in RATE_BASED)
    assert rules_of({'min_request_rate': 1})['ModelLatencyP99High']['expr'].endswith(' >= 1')


def test_keep_firing_for_is_the_rate_window_unless_set_and_0s_turns_it_off():
    assert {rules_of({})[a]['keep_firing_for'] for a in RATE_BASED} == {'5m'}
    assert {rules_of({'rate_window': '1m'})[a]['keep_firing_for'] for a in RATE_BASED} == {'1m'}
    assert {rules_of({'keep_firing_for': '2m'})[a]['keep_firing_for'] for a in RATE_BASED} == {'2m'}
    assert not [r for r in rules_of({'keep_firing_for': '0s'}).values() if 'keep_firing_for' in r]
    assert 'keep_firing_for' not in rules_of({})['ModelTargetDown']


def test_rate_based_rules_wait_at_least_the_rate_window_unless_pending_is_set():
    assert [rules_of({})[a]['for'] for a in RATE_BASED] == ['5m', '5m', '10m']
    assert [rules_of({'rate_window': '15m'})[a]['for'] for a in RATE_BASED] == ['15m', '15m', '15m']
    assert [rules_of({'rate_window': '1h', 'pending': '30s'})[a]['for'] for a in RATE_BASED] == ['30s', '30s', '30s']


@pytest.mark.parametrize('model, message', [
    ({'name': 'm', 'thresholds': {'latency': 1}}, 'unknown latency'),
    ({'name': 'm', 'thresholds': {'error_ratio': 'high'}}, 'thresholds.error_ratio'),
    ({'thresholds': {}}, 'needs a name'),
    ({'name': 'm', 'thresholds': {'keep_firing_for': '5 minutes'}}, 'model m: thresholds.keep_firing_for: must be a Prometheus duration'),
    ({'name': 'm', 'thresholds': {'rate_window': '5m\n'}}, 'model m: thresholds.rate_window: must be a Prometheus duration'),
    ({'name': 'm', 'thresholds': {'rate_window': '0s'}}, 'model m: thresholds.rate_window: must be a Prometheus duration such as 5m or 1h30m, above 0'),
    ({'name': 'm', 'thresholds': {'min_request_rate': 0}}, 'model m: thresholds.min_request_rate: must be a number above 0, not 0'),
    ({'name': 'm', 'thresholds': {'min_request_rate': -1, 'drift_score': 0}},
     'model m: thresholds.min_request_rate: must be a number above 0, not -1; model m: thresholds.drift_score: must be a number above 0'),
])
def test_bad_thresholds_name_the_model_and_field(model, message):
    with pytest.raises(AnsibleFilterError, match=message):
        model_alert_rules(model)
