"""prometheus_scrape_target and prometheus_alert_rule, run for real by ansible on this machine
(real files, the real promtool)."""
from __future__ import annotations

import json
import os
import pwd
import grp
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
import yaml

from ansible_collections.mlops.observability.plugins.filter.model_alert_rules import model_alert_rules

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def model(name, **extra):
    return dict(dict(name=name, version='1.0', framework='sklearn', targets=['%s-host:8443' % name], env='test'), **extra)


def targets_args(directory, models):
    return dict(directory=str(directory), models=models, owner=ME, group=MY_GROUP)


def test_bulk_write_then_idempotent(tmp_path, run_module):
    models = [model('churn', team='growth', labels={'region': 'eu'}), model('fraud', framework='pytorch')]
    first = run_module('prometheus_scrape_target', targets_args(tmp_path, models))
    assert first['changed'] and first['changed_models'] == ['churn', 'fraud']
    content = yaml.safe_load((tmp_path / 'churn.yml').read_text())
    assert content == [{'targets': ['churn-host:8443'],
                        'labels': {'model': 'churn', 'model_version': '1.0', 'framework': 'sklearn',
                                   'env': 'test', 'team': 'growth', 'region': 'eu'}}]
    assert oct((tmp_path / 'churn.yml').stat().st_mode & 0o777) == '0o640'
    second = run_module('prometheus_scrape_target', targets_args(tmp_path, models))
    assert not second['changed'] and second['changed_models'] == []


def test_the_result_names_the_models_by_count_not_by_echo(tmp_path, run_module):
    models = [model('m%03d' % i) for i in range(50)]
    result = run_module('prometheus_scrape_target', targets_args(tmp_path, models))
    assert result['invocation']['module_args']['models'] == '50 models (not echoed)'
    assert result['invocation']['module_args']['directory'] == str(tmp_path)
    assert 'm049-host' not in json.dumps(result['invocation'])


def test_check_mode_and_diff_change_nothing(tmp_path, run_module):
    run_module('prometheus_scrape_target', targets_args(tmp_path, [model('churn')]))
    before = (tmp_path / 'churn.yml').read_text()
    result = run_module('prometheus_scrape_target', targets_args(tmp_path, [model('churn', version='2.0')]), check=True, diff=True)
    assert result['changed'] and '"model_version": "2.0"' in result['diff'][0]['after']
    assert (tmp_path / 'churn.yml').read_text() == before


def test_absent_removes_only_that_model(tmp_path, run_module):
    run_module('prometheus_scrape_target', targets_args(tmp_path, [model('churn'), model('fraud')]))
    result = run_module('prometheus_scrape_target', targets_args(tmp_path, [{'name': 'churn', 'state': 'absent'}]))
    assert result['changed_models'] == ['churn']
    assert yaml.safe_load((tmp_path / 'churn.yml').read_text()) == [{'targets': []}]  # emptied, see the module docs
    assert yaml.safe_load((tmp_path / 'fraud.yml').read_text())[0]['labels']['model'] == 'fraud'
    again = run_module('prometheus_scrape_target', targets_args(tmp_path, [{'name': 'churn', 'state': 'absent'}]))
    assert not again['changed']


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_removed_model_leaves_a_real_prometheus_reloaded_at_once(tmp_path, run_module, promtool):
    """Debian's Prometheus, reloaded right after the removal (as the models play does): the removed
    model's target must leave the target list. A file left without any target group would keep it."""
    sd, port, target = tmp_path / 'sd', _free_port(), '127.0.0.1:%d' % _free_port()
    sd.mkdir()
    (tmp_path / 'prometheus.yml').write_text(json.dumps({'global': {'scrape_interval': '1s'}, 'scrape_configs': [
        {'job_name': 'models', 'file_sd_configs': [{'files': [str(sd / '*.yml')], 'refresh_interval': '30s'}]}]}))
    run_module('prometheus_scrape_target', targets_args(sd, [model('churn', targets=[target])]))
    server = subprocess.Popen([os.path.join(os.path.dirname(promtool), 'prometheus'),
                               '--config.file=%s' % (tmp_path / 'prometheus.yml'), '--storage.tsdb.path=%s' % (tmp_path / 'data'),
                               '--web.listen-address=127.0.0.1:%d' % port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def listed():
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d/api/v1/targets' % port, timeout=2) as response:
                return [t['labels']['instance'] for t in json.load(response)['data']['activeTargets']]
        except OSError:
            return None

    def wait_for(condition, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not condition():
            time.sleep(0.5)
        return condition()

    try:
        assert wait_for(lambda: listed() == [target], 60)
        run_module('prometheus_scrape_target', targets_args(sd, [{'name': 'churn', 'state': 'absent'}]))
        server.send_signal(signal.SIGHUP)
        assert wait_for(lambda: listed() == [], 30), listed()
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize('bad, message', [
    (model('churn', framework='sparkml'), "model churn: framework: 'sparkml' is unknown"),
    (model('Churn Model'), "model 'Churn Model': name: must match"),
])
def test_bad_input_names_model_and_field_and_writes_nothing(tmp_path, run_module, bad, message):
    run_module('prometheus_scrape_target', targets_args(tmp_path, [model('fraud')]))
    before = {p: (tmp_path / p).read_text() for p in os.listdir(tmp_path)}
    result = run_module('prometheus_scrape_target', targets_args(tmp_path, [model('fraud', version='2'), bad]))
    assert result.get('failed') and message in result['msg'], result.get('msg')
    assert {p: (tmp_path / p).read_text() for p in os.listdir(tmp_path)} == before


def rules_args(directory, models):
    return dict(directory=str(directory), models=models, owner=ME, group=MY_GROUP)


def test_rules_bulk_promtool_checked_and_idempotent(tmp_path, run_module):
    models = [model_alert_rules({'name': 'm%03d' % i}) for i in range(20)]
    first = run_module('prometheus_alert_rule', rules_args(tmp_path, models))
    assert first['changed'] and first['reload_needed'] and len(first['changed_models']) == 20
    assert sorted(os.listdir(tmp_path)) == ['model_m%03d.yml' % i for i in range(20)]
    second = run_module('prometheus_alert_rule', rules_args(tmp_path, models))
    assert not second['changed'] and not second['reload_needed']


def test_broken_rule_is_refused_with_promtools_reason(tmp_path, run_module):
    good = model_alert_rules({'name': 'churn'})
    run_module('prometheus_alert_rule', rules_args(tmp_path, [good]))
    before = (tmp_path / 'model_churn.yml').read_text()
    broken = {'name': 'fraud', 'groups': [{'name': 'x', 'rules': [{'alert': 'Broken', 'expr': 'rate(up[5m]'}]}]}
    changed_good = model_alert_rules({'name': 'churn', 'thresholds': {'error_ratio': 0.5}})
    result = run_module('prometheus_alert_rule', rules_args(tmp_path, [changed_good, broken]))
    assert result.get('failed')
    assert 'model fraud' in result['msg'] and 'parse error' in result['msg'], result['msg']
    assert (tmp_path / 'model_churn.yml').read_text() == before
    assert sorted(os.listdir(tmp_path)) == ['model_churn.yml']  # no staged file left behind


def test_rules_check_mode(tmp_path, run_module):
    result = run_module('prometheus_alert_rule', rules_args(tmp_path, [model_alert_rules({'name': 'churn'})]), check=True)
    assert result['changed'] and result['reload_needed']
    assert os.listdir(tmp_path) == []


def test_exclusive_removes_dropped_models_only(tmp_path, run_module):
    run_module('prometheus_scrape_target', targets_args(tmp_path, [model('churn'), model('fraud')]))
    (tmp_path / 'handmade.yml').write_text('- targets: ["x:1"]\n')
    result = run_module('prometheus_scrape_target', dict(targets_args(tmp_path, [model('fraud')]), exclusive=True))
    assert result['changed_models'] == ['churn']
    assert yaml.safe_load((tmp_path / 'churn.yml').read_text()) == [{'targets': []}]
    assert (tmp_path / 'handmade.yml').read_text() == '- targets: ["x:1"]\n'
    assert yaml.safe_load((tmp_path / 'fraud.yml').read_text())[0]['labels']['model'] == 'fraud'
