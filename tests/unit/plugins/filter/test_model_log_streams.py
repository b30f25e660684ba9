"""model_log_streams, model_ilm_policies, model_index_templates: the logging plane of the models in Elasticsearch."""
from __future__ import annotations

import fnmatch
import json

import pytest

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.mlops.observability.plugins.filter.model_inventory import model_inventory
from ansible_collections.mlops.observability.plugins.filter.model_log_streams import (
    FilterModule, model_ilm_policies, model_index_templates, model_log_reader_roles, model_log_streams)

FILTERS = (model_log_streams, model_ilm_policies, model_index_templates)
STATE = dict(type='str', default='present', choices=['present', 'absent'])
# the options of the two modules that take the filters' output, as agreed for them
POLICIES_OPTION = dict(type='list', elements='dict', required=True, options=dict(
    name=dict(type='str', required=True), phases=dict(type='dict'), meta=dict(type='dict'), state=STATE))
TEMPLATES_OPTION = dict(type='list', elements='dict', required=True, options=dict(
    name=dict(type='str', required=True), index_patterns=dict(type='list', elements='str'), priority=dict(type='int'),
    data_stream=dict(type='bool'), composed_of=dict(type='list', elements='str'),
    ignore_missing_component_templates=dict(type='list', elements='str'), lifecycle_policy=dict(type='str'),
    settings=dict(type='dict'), mappings=dict(type='dict'), meta=dict(type='dict'), state=STATE))
# what Elasticsearch refuses in an index name (besides upper case)
INDEX_FORBIDDEN = '\\/*?"<>| ,#:'


def inventory(*models):
    """The models as model_inventory returns them, from one host."""
    entries = [dict(dict(name=name, version='1', port=9464 + index), **extra) for index, (name, extra) in enumerate(models)]
    return model_inventory({'h1': {'models': entries}}, ['h1'])


def test_each_model_gets_its_own_stream_policy_and_template_sorted_by_model():
    assert model_log_streams(inventory(('fraud', {}), ('churn-a', {})), 'prod') == [
        {'model': 'churn-a', 'data_stream': 'logs-mlops.churn_a-prod', 'dataset': 'mlops.churn_a', 'namespace': 'prod',
         'policy': 'mlops-model-churn-a-logs', 'template': 'mlops-model-churn-a-logs'},
        {'model': 'fraud', 'data_stream': 'logs-mlops.fraud-prod', 'dataset': 'mlops.fraud', 'namespace': 'prod',
         'policy': 'mlops-model-fraud-logs', 'template': 'mlops-model-fraud-logs'}]
    assert model_log_streams(inventory(('fraud', {})))[0]['data_stream'] == 'logs-mlops.fraud-default'
    assert model_log_streams([]) == model_ilm_policies([]) == model_index_templates([]) == []


@pytest.mark.parametrize('name, namespace', [('a', 'default'), ('a-' + 'b' * 61, 'x' * 100), ('m' + '-_' * 31, 'prod.eu_1')])
def test_the_data_stream_follows_the_elastic_naming_scheme(name, namespace):
    stream = model_log_streams([{'name': name}], namespace)[0]
    kind, dataset, space = stream['data_stream'].split('-')
    assert (kind, dataset, space) == ('logs', stream['dataset'], namespace)
    assert len(dataset) <= 100 and len(space) <= 100 and len(stream['data_stream'].encode()) <= 255
    assert stream['data_stream'] == stream['data_stream'].lower()
    assert not set(stream['data_stream']) & set(INDEX_FORBIDDEN)


@pytest.mark.parametrize('models', [
    [{'name': 'churn-a'}, {'name': 'churn_a'}],
    [{'name': 'churn_a'}, {'name': 'fraud'}, {'name': 'churn-a'}],
])
@pytest.mark.parametrize('filter_', FILTERS)
def test_two_models_on_one_dataset_are_refused_naming_both(filter_, models):
    with pytest.raises(AnsibleFilterError) as caught:
        filter_(models)
    assert 'models churn-a and churn_a: all would log to the data stream logs-mlops.churn_a-default' in str(caught.value)
    assert 'rename all but one' in str(caught.value)
    assert str(caught.value).startswith(filter_.__name__ + ': nothing to apply: ')


@pytest.mark.parametrize('filter_', FILTERS)
def test_a_model_given_twice_is_refused(filter_):
    with pytest.raises(AnsibleFilterError, match='model churn: given more than once; give each model once'):
        filter_([{'name': 'churn'}, {'name': 'churn'}])


@pytest.mark.parametrize('namespace', ['Prod', 'my-env', 'a b', 'a:b', 'a*b', 'a/b', 'a\\b', 'a?b', 'a"b', 'a<b', 'a>b', 'a|b',
                                       'a,b', 'a#b', '', 'x' * 101, None, 5])
@pytest.mark.parametrize('filter_', [model_log_streams, model_index_templates])
def test_a_bad_namespace_is_refused(filter_, namespace):
    with pytest.raises(AnsibleFilterError) as caught:
        filter_([{'name': 'churn'}], namespace)
    assert '%s: nothing to apply: namespace: %r must be lower case, 1 to 100 characters' % (filter_.__name__, namespace) in str(caught.value)
    assert 'for example default or prod' in str(caught.value)


@pytest.mark.parametrize('models, message', [
    ('churn', 'expects the list of models that model_inventory returns, not a str'),
    (None, 'expects the list of models that model_inventory returns, not a NoneType'),
    ({'name': 'churn'}, 'expects the list of models that model_inventory returns, not a dict'),
    ([['churn']], "each a dict with a name; not ['churn']"),
    ([{'version': '1'}], "each a dict with a name; not {'version': '1'}"),
    ([{'name': 5}], "each a dict with a name; not {'name': 5}"),
    ([{'name': 'Churn'}], "model 'Churn': name: must match ^[a-z0-9][a-z0-9_-]{0,62}$; check the models with model_inventory"),
    ([{'name': 'churn\n'}], "model 'churn\\n': name: must match"),
])
@pytest.mark.parametrize('filter_', FILTERS)
def test_bad_input_is_refused_saying_what_is_expected(filter_, models, message):
    with pytest.raises(AnsibleFilterError) as caught:
        filter_(models)
    assert str(caught.value).startswith(filter_.__name__ + ': ')
    assert message in str(caught.value)


def test_every_problem_is_in_one_error():
    with pytest.raises(AnsibleFilterError) as caught:
        model_index_templates([{'name': 'churn-a'}, {'name': 'churn_a'}, {'name': 'Bad'}], 'Prod', 100)
    for part in ("namespace: 'Prod'", "model 'Bad': name", 'models churn-a and churn_a', 'priority: 100'):
        assert part in str(caught.value)


def retention(policy):
    return policy['phases']['delete']['min_age'], policy['meta']['retention_days']


def test_the_retention_is_the_model_s_else_the_default_days():
    models = inventory(('churn', {'elasticsearch_retention_days': 7}), ('fraud', {}), ('long', {'elasticsearch_retention_days': 3650}))
    assert [retention(policy) for policy in model_ilm_policies(models)] == [('7d', 7), ('30d', 30), ('3650d', 3650)]
    assert [retention(policy) for policy in model_ilm_policies(models, 90)] == [('7d', 7), ('90d', 90), ('3650d', 3650)]
    # the host's own buffer is another setting
    assert retention(model_ilm_policies(inventory(('churn', {'log_retention_days': 3})))[0]) == ('30d', 30)


def test_a_policy_rolls_over_then_deletes():
    policy = model_ilm_policies([{'name': 'churn-a', 'elasticsearch_retention_days': 14}], 21, '12h', '10GB')[0]
    assert policy == {'name': 'mlops-model-churn-a-logs',
                      'phases': {'hot': {'actions': {'rollover': {'max_age': '12h', 'max_primary_shard_size': '10GB'}}},
                                 'delete': {'min_age': '14d', 'actions': {'delete': {}}}},
                      'meta': {'model': 'churn-a', 'retention_days': 14}}
    assert model_ilm_policies([{'name': 'churn'}])[0]['phases']['hot']['actions']['rollover'] == {'max_age': '1d', 'max_primary_shard_size': '50gb'}


@pytest.mark.parametrize('days', [0, 3651, -1, '30', True, 30.0, None])
def test_bad_days_are_refused(days):
    with pytest.raises(AnsibleFilterError) as caught:
        model_ilm_policies([{'name': 'churn'}], default_days=days)
    assert 'model_ilm_policies: nothing to apply: default_days: %r is not a whole number of days from 1 to 3650' % (days,) in str(caught.value)
    with pytest.raises(AnsibleFilterError) as caught:
        model_ilm_policies([{'name': 'churn', 'elasticsearch_retention_days': days}])
    assert 'model churn: elasticsearch_retention_days: %r is not a whole number of days from 1 to 3650' % (days,) in str(caught.value)


@pytest.mark.parametrize('age', ['1d', '12h', '30m', '90s', '500ms', '7000micros', '10nanos'])
@pytest.mark.parametrize('size', ['50gb', '500mb', '1tb', '10GB', '1024kb', '1b', '1pb'])
def test_elasticsearch_rollover_values_are_taken(age, size):
    assert model_ilm_policies([{'name': 'churn'}], 30, age, size)[0]['phases']['hot']['actions']['rollover'] == {
        'max_age': age, 'max_primary_shard_size': size}


@pytest.mark.parametrize('age', ['1 day', '0d', '1w', '1M', 'd', '', '1.5d', '-1d', 1, None])
def test_a_bad_rollover_age_is_refused(age):
    with pytest.raises(AnsibleFilterError) as caught:
        model_ilm_policies([{'name': 'churn'}], rollover_max_age=age)
    assert 'rollover_max_age: %r is not an Elasticsearch time value above 0 such as 1d, 12h or 30m' % (age,) in str(caught.value)


@pytest.mark.parametrize('size', ['50 GB', '0gb', '50', '1.5gb', '50g', 'gb', '', 50, None])
def test_a_bad_rollover_size_is_refused(size):
    with pytest.raises(AnsibleFilterError) as caught:
        model_ilm_policies([{'name': 'churn'}], rollover_max_primary_shard_size=size)
    assert 'rollover_max_primary_shard_size: %r is not an Elasticsearch byte size above 0 such as 50gb or 500mb' % (size,) in str(caught.value)


def test_a_template_makes_the_model_stream_a_data_stream_with_its_policy():
    assert model_index_templates([{'name': 'churn-a'}], 'prod', 150) == [{
        'name': 'mlops-model-churn-a-logs', 'index_patterns': ['logs-mlops.churn_a-*'], 'priority': 150, 'data_stream': True,
        'composed_of': ['logs@mappings', 'logs@settings', 'ecs@mappings'],
        'ignore_missing_component_templates': ['logs@mappings', 'logs@settings', 'ecs@mappings'],
        'lifecycle_policy': 'mlops-model-churn-a-logs', 'meta': {'model': 'churn-a'}}]
    assert model_index_templates([{'name': 'churn'}])[0]['priority'] == 200


def test_the_filters_agree_on_names_and_templates_match_only_their_model_stream():
    models = inventory(('churn-a', {}), ('churn', {}), ('fraud', {}))
    streams, policies, templates = model_log_streams(models, 'prod'), model_ilm_policies(models), model_index_templates(models, 'prod')
    assert [s['policy'] for s in streams] == [p['name'] for p in policies] == [t['lifecycle_policy'] for t in templates]
    assert [s['template'] for s in streams] == [t['name'] for t in templates]
    for stream, template in zip(streams, templates):
        [pattern] = template['index_patterns']
        matched = [other['data_stream'] for other in streams if fnmatch.fnmatchcase(other['data_stream'], pattern)]
        assert matched == [stream['data_stream']]
        assert fnmatch.fnmatchcase(stream['data_stream'].replace('-prod', '-staging'), pattern)
        # the built-in template matches the stream too, at a lower priority; other logs keep it
        assert fnmatch.fnmatchcase(stream['data_stream'], 'logs-*-*') and template['priority'] > 100
        assert not fnmatch.fnmatchcase('logs-nginx.access-default', pattern)
        assert not fnmatch.fnmatchcase('logs-mlops.predictions-default', pattern)


@pytest.mark.parametrize('priority', [100, 0, -5, True, '200', 150.0, None])
def test_a_priority_that_does_not_win_over_the_built_in_template_is_refused(priority):
    with pytest.raises(AnsibleFilterError) as caught:
        model_index_templates([{'name': 'churn'}], priority=priority)
    assert ('model_index_templates: nothing to apply: priority: %r must be a whole number above 100, so that the template wins over '
            'the built-in logs-*-* template of Elasticsearch (priority 100)' % (priority,)) in str(caught.value)


def test_101_is_the_lowest_priority_taken():
    assert model_index_templates([{'name': 'churn'}], 'default', 101)[0]['priority'] == 101


@pytest.mark.parametrize('option, items', [
    (POLICIES_OPTION, lambda models: model_ilm_policies(models, 7, '12h', '10gb')),
    (TEMPLATES_OPTION, lambda models: model_index_templates(models, 'prod', 300)),
])
def test_the_output_fits_the_module_option_as_it_is(option, items):
    output = items(inventory(('churn-a', {'elasticsearch_retention_days': 90}), ('fraud', {})))
    result = ArgumentSpecValidator({'items': option}).validate({'items': json.loads(json.dumps(output))})
    assert result.error_messages == []
    # nothing converted on the way: every value given is taken as it is, of the same type
    for given, taken in zip(output, result.validated_parameters['items']):
        assert dict((key, (value, type(value))) for key, value in taken.items() if key in given) == dict(
            (key, (value, type(value))) for key, value in given.items())
        assert taken['state'] == 'present'


def test_the_four_filters_are_exported():
    assert FilterModule().filters() == {'model_log_streams': model_log_streams, 'model_ilm_policies': model_ilm_policies,
                                        'model_index_templates': model_index_templates,
                                        'model_log_reader_roles': model_log_reader_roles}


def test_reader_roles_read_only_their_models_stream():
    roles = model_log_reader_roles([{'name': 'churn-a'}, {'name': 'ltv'}], namespace='prod')
    assert [role['name'] for role in roles] == ['mlops-model-churn-a-logs-reader', 'mlops-model-ltv-logs-reader']
    assert roles[0]['indices'] == [{'names': ['logs-mlops.churn_a-prod'], 'privileges': ['read', 'view_index_metadata']}]
    with pytest.raises(AnsibleFilterError, match='namespace'):
        model_log_reader_roles([{'name': 'ltv'}], namespace='a-b')
