"""model_inventory: the checks a play runs on the inventory before anything changes."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_inventory import model_inventory


def entry(name='churn', **extra):
    return dict(dict(name=name, version='1', port=9464, framework='sklearn', serve=True), **extra)


def test_one_model_on_two_hosts_merges_targets():
    hostvars = {'h1': {'models': [entry(thresholds={'error_ratio': 0.1}, log_retention_days=30)]}, 'h2': {'models': [entry()]}}
    models = model_inventory(hostvars, ['h1', 'h2'])
    assert models == [{'name': 'churn', 'version': '1', 'framework': 'sklearn', 'targets': ['h1:9464', 'h2:9464'],
                       'thresholds': {'error_ratio': 0.1}, 'log_retention_days': 30}]


def test_hosts_without_models_give_nothing():
    assert model_inventory({'h1': {}}, ['h1']) == []


@pytest.mark.parametrize('models, message', [
    ([entry(), entry()], 'host h1: model churn: name: given twice'),
    ([entry(port=70000)], 'host h1: model churn: port: 70000 is not a port'),
    ([entry(framework='sparkml')], "host h1: model churn: framework: 'sparkml' is unknown"),
    ([entry(labels={'9lives': 'x'})], "host h1: model churn: labels: '9lives' is not a valid label name"),
    ([entry(thresholds={'p99': 1})], 'host h1: model churn: thresholds: unknown p99'),
    ([entry(version=None)], 'host h1: model churn: version: required'),
    ([entry(log_retention_days='2w')], "host h1: model churn: log_retention_days: '2w' is not a whole number"),
    ([entry(log_retention_days=0)], 'host h1: model churn: log_retention_days: 0 is not a whole number'),
    ([entry(thresholds={'rate_window': '5 minutes'})], 'host h1: model churn: thresholds.rate_window'),
])
def test_bad_input_names_host_model_and_field(models, message):
    with pytest.raises(AnsibleFilterError, match='nothing changed') as caught:
        model_inventory({'h1': {'models': models}}, ['h1'])
    assert message in str(caught.value)


def test_conflicting_versions_across_hosts():
    with pytest.raises(AnsibleFilterError, match='model churn: version: 2 here but 1 on another host'):
        model_inventory({'h1': {'models': [entry()]}, 'h2': {'models': [entry(version='2')]}}, ['h1', 'h2'])
