"""The ML alert library, run by the real promtool: each rule has a firing and a non-firing case.

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


def labels(severity, **extra):
    return dict(extra, model='demo', severity=severity)


def case(series, alert, eval_time, expected):
    return {'interval': '1m',
            'input_series': [{'series': s, 'values': v} for s, v in series],
            'alert_rule_test': [{'eval_time': eval_time, 'alertname': alert,
                                 'exp_alerts': [{'exp_labels': e} for e in expected]}]}


BUCKETS = ('0.1', '0.5', '1', '+Inf')


def histogram(in_bucket):
    """Latency buckets where 10 observations a minute fall at or below the bucket in_bucket."""
    return [('model_prediction_latency_seconds_bucket{model="demo", le="%s"}' % le,
             '0+10x30' if BUCKETS.index(le) >= BUCKETS.index(in_bucket) else '0x30') for le in BUCKETS]


CASES = [
    case([('up{job="models", model="demo", instance="a:1"}', '0x10'), ('up{job="models", model="demo", instance="b:1"}', '1x10')],
         'ModelTargetDown', '5m', [labels('critical', job='models', instance='a:1')]),
    case([('up{job="models", model="demo", instance="a:1"}', '0x10')], 'ModelTargetDown', '1m', []),
    case(histogram('1'), 'ModelLatencyP99High', '15m', [labels('warning')]),
    case(histogram('0.1'), 'ModelLatencyP99High', '15m', []),
    case([('model_predictions_total{model="demo", model_version="1", outcome="yes"}', '0+10x20'),
          ('model_prediction_errors_total{model="demo", model_version="1", error_type="ValueError"}', '0+1x20')],
         'ModelErrorRatioHigh', '15m', [labels('critical')]),
    case([('model_predictions_total{model="demo", model_version="1", outcome="yes"}', '0+10x20'),
          ('model_prediction_errors_total{model="demo", model_version="1", error_type="ValueError"}', '0x20')],
         'ModelErrorRatioHigh', '15m', []),
    case([('model_predictions_total{model="demo", outcome="yes"}', '0+60x60 3600+6x60')], 'ModelThroughputDropped', '115m', [labels('warning')]),
    case([('model_predictions_total{model="demo", outcome="yes"}', '0+60x120')], 'ModelThroughputDropped', '115m', []),
    case([('model_input_drift_score{model="demo", model_version="1", feature="age"}', '0.5x30')], 'ModelInputDriftHigh', '20m',
         [labels('warning', feature='age')]),
    case([('model_input_drift_score{model="demo", model_version="1", feature="age"}', '0.1x30')], 'ModelInputDriftHigh', '20m', []),
    case([('model_last_prediction_timestamp_seconds{model="demo", model_version="1"}', '0x20')], 'ModelNoPredictions', '10m', [labels('warning')]),
    case([('model_last_prediction_timestamp_seconds{model="demo", model_version="1"}', '0+60x20')], 'ModelNoPredictions', '10m', []),
    case([('model_info{model="demo", model_version="1", framework="sklearn"}', '1x40'),
          ('model_info{model="demo", model_version="2", framework="sklearn"}', '_x20 1x20')],
         'ModelVersionChanged', '25m', [labels('info', model_version='2')]),
    case([('model_info{model="demo", model_version="1", framework="sklearn"}', '1x40')], 'ModelVersionChanged', '25m', []),
    case([('model_info{model="demo", model_version="1", framework="sklearn"}', '1x40'),
          ('model_info{model="demo", model_version="2", framework="sklearn"}', '_x20 1x20')],
         'ModelVersionChanged', '38m', []),
]


def test_every_rule_has_a_firing_and_a_quiet_case():
    alerts = {r['alert'] for r in model_alert_rules(MODEL)['groups'][0]['rules']}
    firing = {c['alert_rule_test'][0]['alertname'] for c in CASES if c['alert_rule_test'][0]['exp_alerts']}
    quiet = {c['alert_rule_test'][0]['alertname'] for c in CASES if not c['alert_rule_test'][0]['exp_alerts']}
    assert alerts == firing == quiet


def test_rules_pass_promtool_unit_tests(tmp_path, promtool):
    generated = model_alert_rules(MODEL)
    for rule in generated['groups'][0]['rules']:
        rule.pop('annotations')
    (tmp_path / 'rules.yml').write_text(yaml.safe_dump({'groups': generated['groups']}))
    (tmp_path / 'tests.yml').write_text(yaml.safe_dump({'rule_files': ['rules.yml'], 'evaluation_interval': '1m', 'tests': CASES}))
    out = subprocess.run([promtool, 'test', 'rules', 'tests.yml'], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


def test_generated_rules_with_annotations_pass_promtool_check(tmp_path, promtool):
    (tmp_path / 'rules.yml').write_text(yaml.safe_dump({'groups': model_alert_rules(MODEL)['groups']}))
    out = subprocess.run([promtool, 'check', 'rules', 'rules.yml'], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


def test_thresholds_override_the_defaults():
    rules = {r['alert']: r for r in model_alert_rules({'name': 'm', 'thresholds': {'error_ratio': 0.2}})['groups'][0]['rules']}
    assert rules['ModelErrorRatioHigh']['expr'].endswith('> 0.2')
    assert rules['ModelLatencyP99High']['expr'].endswith('> 0.5')


@pytest.mark.parametrize('model, message', [
    ({'name': 'm', 'thresholds': {'latency': 1}}, 'unknown latency'),
    ({'name': 'm', 'thresholds': {'error_ratio': 'high'}}, 'thresholds.error_ratio'),
    ({'thresholds': {}}, 'needs a name'),
])
def test_bad_thresholds_name_the_model_and_field(model, message):
    with pytest.raises(AnsibleFilterError, match=message):
        model_alert_rules(model)
