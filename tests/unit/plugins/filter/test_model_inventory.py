"""model_inventory: the checks a play runs on the inventory before anything changes."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_inventory import (
    model_entry_problems, model_inventory, model_scrape_targets)


def entry(name='churn', **extra):
    return dict(dict(name=name, version='1', port=9464, framework='sklearn', serve=True), **extra)


def test_one_model_on_two_hosts_merges_targets():
    same = dict(thresholds={'error_ratio': 0.1}, log_retention_days=30)
    hostvars = {'h1': {'models': [entry(**same)]}, 'h2': {'models': [entry(faults={'latency_seconds': 0.5}, serve=False, **same)]}}
    models = model_inventory(hostvars, ['h1', 'h2'])
    assert models == [{'name': 'churn', 'version': '1', 'framework': 'sklearn', 'targets': ['h1:9464', 'h2:9464'],
                       'thresholds': {'error_ratio': 0.1}, 'log_retention_days': 30}]


def test_hosts_with_an_empty_model_list_give_nothing():
    assert model_inventory({'h1': {'models': []}}, ['h1']) == []


def test_a_host_without_models_is_refused():
    with pytest.raises(AnsibleFilterError, match='host h2: models: not set; write models: \\[\\] to run no model there'):
        model_inventory({'h1': {'models': []}, 'h2': {}}, ['h1', 'h2'])


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
    ([entry(threshold={'error_ratio': 0.1})], 'host h1: model churn: threshold: unknown key; known are name, version, port'),
    ([entry(log_retention_day=7)], 'host h1: model churn: log_retention_day: unknown key; known are'),
    ([entry(lables={'tier': 'gold'})], 'host h1: model churn: lables: unknown key; known are'),
    ([entry(state='absent')], 'host h1: model churn: state: unknown key; known are'),
    ([entry(thresholds={'p99_latency_seconds': 0})], 'host h1: model churn: thresholds.p99_latency_seconds: must be a number above 0, not 0'),
    ([entry(thresholds={'p99_latency_seconds': float('inf')})], 'host h1: model churn: thresholds.p99_latency_seconds: must be a number above 0, not inf'),
    ([entry(thresholds={'p99_latency_seconds': 'inf'})], "host h1: model churn: thresholds.p99_latency_seconds: must be a number above 0, not 'inf'"),
    ([entry(thresholds={'error_ratio': 1})], 'host h1: model churn: thresholds.error_ratio: must be a number between 0 and 1, both excluded, not 1'),
    ([entry(thresholds={'error_ratio': float('nan')})], 'host h1: model churn: thresholds.error_ratio: must be a number between 0 and 1, both excluded, '
                                                        'not nan'),
    ([entry(thresholds={'throughput_drop_ratio': 0})], 'host h1: model churn: thresholds.throughput_drop_ratio: must be a number between 0 and 1'),
    ([entry(thresholds={'throughput_drop_ratio': 1.5})], 'host h1: model churn: thresholds.throughput_drop_ratio: must be a number between 0 and 1'),
    ([entry(thresholds={'drift_score': -0.2})], 'host h1: model churn: thresholds.drift_score: must be a number above 0, not -0.2'),
    ([entry(thresholds={'drift_score': float('nan')})], 'host h1: model churn: thresholds.drift_score: must be a number above 0, not nan'),
    ([entry(thresholds={'no_predictions_minutes': float('inf')})], 'host h1: model churn: thresholds.no_predictions_minutes: must be a number above 0'),
    ([entry(thresholds={'no_predictions_minutes': 0})], 'host h1: model churn: thresholds.no_predictions_minutes: must be a number above 0'),
    ([entry(thresholds={'no_predictions_minutes': 10081})], 'host h1: model churn: thresholds.no_predictions_minutes: must be a number above 0 and at most '
                                                            '10080 (a week), not 10081'),
    ([entry(thresholds='p99_latency_seconds: 0.3')], "host h1: model churn: thresholds: must be a mapping such as {p99_latency_seconds: 0.3}, not 'p99"),
    ([entry(thresholds=[{'p99_latency_seconds': 0.3}])], 'host h1: model churn: thresholds: must be a mapping such as {p99_latency_seconds: 0.3}, not ['),
    ([entry(labels={'job': 'x'})], "host h1: model churn: labels: 'job' is reserved"),
    ([entry(labels={'instance': 'x'})], "host h1: model churn: labels: 'instance' is reserved"),
    ([entry(labels={'__address__': 'x'})], "host h1: model churn: labels: '__address__' is not a valid label name"),
    ([entry(labels={'model': 'x'})], "host h1: model churn: labels: 'model' is set by its own option"),
    ([entry(), entry('fraud')], 'host h1: model fraud: port: 9464 is also the port of model churn'),
    ([entry(serve='no')], "host h1: model churn: serve: 'no' is not a boolean; write true or false"),
    ([entry(version=1.1)], 'host h1: model churn: version: 1.1 is a number, which YAML may have changed (1.10 reads as 1.1): quote it'),
    ([entry(labels={'tier': None})], 'host h1: model churn: labels: tier: None is not a string'),
    ([entry(labels={'tier': {'a': 'b'}})], "host h1: model churn: labels: tier: {'a': 'b'} is not a string"),
    ([entry(labels={'tier': ['a']})], "host h1: model churn: labels: tier: ['a'] is not a string"),
    ([entry(port=0)], 'host h1: model churn: port: 0 is not a port from 1 to 65535'),
    ([entry(port=True)], 'host h1: model churn: port: True is not a port from 1 to 65535'),
    ([entry(port='9464')], "host h1: model churn: port: '9464' is not a port from 1 to 65535"),
    ([entry(log_retention_days=3651)], 'host h1: model churn: log_retention_days: 3651 is not a whole number of days from 1 to 3650'),
    ([entry(elasticsearch_retention_days=0)], 'host h1: model churn: elasticsearch_retention_days: 0 is not a whole number of days from 1 to 3650'),
    ([entry(elasticsearch_retention_days='30')], "host h1: model churn: elasticsearch_retention_days: '30' is not a whole number of days"),
    ([entry(elasticsearch_retention_days=True)], 'host h1: model churn: elasticsearch_retention_days: True is not a whole number of days'),
    ([entry(elasticsearch_retention_days=30.0)], 'host h1: model churn: elasticsearch_retention_days: 30.0 is not a whole number of days'),
    ([entry(elasticsearch_retention_days=3651)], 'host h1: model churn: elasticsearch_retention_days: 3651 is not a whole number of days'),
    ([entry(elasticsearch_retention_days=None)], 'host h1: model churn: elasticsearch_retention_days: None is not a whole number of days'),
    ([entry('churn\n')], "host h1: model 'churn\\n': name: must match"),
    (None, 'host h1: models: must be a list, not None'),
    ('churn', "host h1: models: must be a list, not 'churn'"),
])
def test_bad_input_names_host_model_and_field(models, message):
    with pytest.raises(AnsibleFilterError, match='nothing changed') as caught:
        model_inventory({'h1': {'models': models}}, ['h1'])
    assert message in str(caught.value)


def test_every_problem_is_in_one_error():
    with pytest.raises(AnsibleFilterError) as caught:
        model_inventory({'h1': {'models': [entry(version=1.1, serve='no', thresholds={'error_ratio': 2, 'drift_score': 0})]},
                         'h2': {}}, ['h1', 'h2'])
    for message in ('host h1: model churn: version: 1.1', 'host h1: model churn: serve:', 'host h1: model churn: thresholds.error_ratio:',
                    'host h1: model churn: thresholds.drift_score:', 'host h2: models: not set'):
        assert message in str(caught.value)


def test_conflicting_versions_across_hosts():
    with pytest.raises(AnsibleFilterError, match="host h2: model churn: version: '2' here but '1' on host h1"):
        model_inventory({'h1': {'models': [entry()]}, 'h2': {'models': [entry(version='2')]}}, ['h1', 'h2'])


@pytest.mark.parametrize('first, second, message', [
    ({'thresholds': {'error_ratio': 0.1}}, {'thresholds': {'error_ratio': 0.2}},
     "host h2: model churn: thresholds: {'error_ratio': 0.2} here but {'error_ratio': 0.1} on host h1"),
    ({'thresholds': {'error_ratio': 0.1}}, {}, "host h2: model churn: thresholds: not set here but {'error_ratio': 0.1} on host h1"),
    ({'labels': {'tier': 'gold'}}, {'labels': {'tier': 'silver'}}, 'host h2: model churn: labels:'),
    ({'env': 'prod'}, {'env': 'staging'}, "host h2: model churn: env: 'staging' here but 'prod' on host h1"),
    ({'team': 'a'}, {'team': 'b'}, "host h2: model churn: team: 'b' here but 'a' on host h1"),
    ({'log_retention_days': 30}, {'log_retention_days': 7}, 'host h2: model churn: log_retention_days: 7 here but 30 on host h1'),
    ({'elasticsearch_retention_days': 30}, {'elasticsearch_retention_days': 90},
     'host h2: model churn: elasticsearch_retention_days: 90 here but 30 on host h1'),
    ({'elasticsearch_retention_days': 30}, {}, 'host h2: model churn: elasticsearch_retention_days: not set here but 30 on host h1'),
])
def test_hosts_that_differ_on_a_model_are_named(first, second, message):
    with pytest.raises(AnsibleFilterError) as caught:
        model_inventory({'h1': {'models': [entry(**first)]}, 'h2': {'models': [entry(**second)]}}, ['h1', 'h2'])
    assert message in str(caught.value)


def test_the_scrape_target_view_drops_what_only_the_inventory_has():
    same = dict(thresholds={'error_ratio': 0.1}, log_retention_days=30, labels={'tier': 'gold'}, env='prod')
    models = model_inventory({'h1': {'models': [entry(**same)]}}, ['h1'])
    assert model_scrape_targets(models) == [{'name': 'churn', 'targets': ['h1:9464'], 'version': '1', 'framework': 'sklearn',
                                             'env': 'prod', 'labels': {'tier': 'gold'}}]


@pytest.mark.parametrize('bad', ['churn', [['churn']], None])
def test_the_scrape_target_view_refuses_what_is_not_a_model_list(bad):
    with pytest.raises(AnsibleFilterError, match='expects the list of models'):
        model_scrape_targets(bad)


def test_one_host_list_gets_the_same_checks_as_the_inventory():
    entries = [entry(), entry(name='fraud', port=9464, serve='no')]
    problems = model_entry_problems(entries)
    # the same words as model_inventory, without the host
    assert "model fraud: serve: 'no' is not a boolean; write true or false, unquoted" in problems
    assert 'model fraud: port: 9464 is also the port of model churn' in problems
    with pytest.raises(AnsibleFilterError) as error:
        model_inventory({'h1': {'models': entries}}, ['h1'])
    assert all('host h1: ' + problem in str(error.value) for problem in problems)
    assert model_entry_problems([entry()]) == []
    assert model_entry_problems('churn') == ["models: must be a list, not 'churn'"]


@pytest.mark.parametrize('days', [1, 30, 3650])
def test_the_elasticsearch_retention_is_kept_apart_from_the_host_one(days):
    same = dict(log_retention_days=14, elasticsearch_retention_days=days)
    models = model_inventory({'h1': {'models': [entry(**same)]}, 'h2': {'models': [entry(**same)]}}, ['h1', 'h2'])
    assert [(m['log_retention_days'], m['elasticsearch_retention_days'], m['targets']) for m in models] == [(14, days, ['h1:9464', 'h2:9464'])]
    # the scrape targets do not carry it, the entry check of one host checks it the same way
    assert 'elasticsearch_retention_days' not in model_scrape_targets(models)[0]
    assert model_entry_problems([entry(**same)]) == []
    assert model_entry_problems([entry(elasticsearch_retention_days=0)]) == [
        'model churn: elasticsearch_retention_days: 0 is not a whole number of days from 1 to 3650']


def test_no_default_retention_is_added_by_the_inventory():
    assert 'elasticsearch_retention_days' not in model_inventory({'h1': {'models': [entry()]}}, ['h1'])[0]
