"""model_data_views: one Kibana data view per model's log data stream, as kibana_data_view takes them."""
from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.mlops.observability.plugins.filter.model_data_views import FilterModule, model_data_views
from ansible_collections.mlops.observability.plugins.filter.model_inventory import model_inventory
from ansible_collections.mlops.observability.plugins.filter.model_log_streams import model_log_streams
from ansible_collections.mlops.observability.plugins.modules.kibana_data_view import DATA_VIEWS_OPTION, item_problems


def inventory(*names):
    """The models as model_inventory returns them, from one host."""
    return model_inventory({'h1': {'models': [dict(name=name, version='1', port=9464 + index)
                                              for index, name in enumerate(names)]}}, ['h1'])


def test_each_model_gets_a_data_view_over_its_own_stream_sorted_by_model():
    assert model_data_views(inventory('fraud', 'churn-a'), 'prod') == [
        {'id': 'mlops-model-churn-a-logs', 'name': 'Model churn-a logs', 'title': 'logs-mlops.churn_a-prod'},
        {'id': 'mlops-model-fraud-logs', 'name': 'Model fraud logs', 'title': 'logs-mlops.fraud-prod'}]
    assert model_data_views([{'name': 'ltv'}])[0]['title'] == 'logs-mlops.ltv-default'
    assert model_data_views([]) == []


@pytest.mark.parametrize('namespace', ['default', 'prod', 'eu_1'])
def test_the_title_is_the_stream_of_model_log_streams(namespace):
    models = inventory('churn-a', 'churn', 'fraud')
    assert [view['title'] for view in model_data_views(models, namespace)] == [
        stream['data_stream'] for stream in model_log_streams(models, namespace)]


@pytest.mark.parametrize('models, namespace, message', [
    ([{'name': 'churn-a'}, {'name': 'churn_a'}], 'default', 'models churn-a and churn_a: all would log to the data stream'),
    ([{'name': 'churn'}, {'name': 'churn'}], 'default', 'model churn: given more than once'),
    ([{'name': 'Churn'}], 'default', "model 'Churn': name: must match"),
    ([{'name': 'churn'}], 'my-env', "namespace: 'my-env' must be lower case"),
    ('churn', 'default', 'expects the list of models that model_inventory returns, not a str'),
])
def test_bad_input_is_refused_as_model_log_streams_refuses_it(models, namespace, message):
    with pytest.raises(AnsibleFilterError) as caught:
        model_data_views(models, namespace)
    assert str(caught.value).startswith('model_data_views: ') and message in str(caught.value)


def test_the_output_fits_the_module_option_and_passes_its_checks():
    output = model_data_views(inventory('churn-a', 'fraud', 'm' + '-_' * 31), 'prod')
    result = ArgumentSpecValidator({'data_views': DATA_VIEWS_OPTION}).validate({'data_views': json.loads(json.dumps(output))})
    assert result.error_messages == []
    taken = result.validated_parameters['data_views']
    assert [dict((key, view[key]) for key in ('id', 'name', 'title')) for view in taken] == output
    assert all(view['state'] == 'present' and view['time_field'] == '@timestamp' for view in taken)
    assert item_problems(taken, 'mlops-') == []


def test_the_filter_is_exported():
    assert FilterModule().filters() == {'model_data_views': model_data_views}
