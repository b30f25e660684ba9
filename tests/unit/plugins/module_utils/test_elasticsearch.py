"""module_utils.elasticsearch: the ILM policy checks, the normal forms of what Elasticsearch returns and the
comparison the elasticsearch_* modules share (the modules themselves run against the stand-in in tests/modules)."""
from __future__ import annotations

import pytest

from ansible_collections.mlops.observability.plugins.module_utils.elasticsearch import (
    duration_nanos, item_problems, name_problems, nested_settings, normal_phases, policy_problems, removals, same,
    with_owner)

RETENTION = {'hot': {'actions': {'rollover': {'max_age': '1d', 'max_primary_shard_size': '50gb'}}},
             'delete': {'min_age': '30d', 'actions': {'delete': {}}}}


def test_a_retention_policy_passes():
    assert policy_problems(RETENTION) == []


@pytest.mark.parametrize('text,nanos', [('0ms', 0), ('30d', 30 * 86400 * 10 ** 9), ('12h', 12 * 3600 * 10 ** 9),
                                        ('10s', 10 ** 10), ('5micros', 5000), ('7nanos', 7)])
def test_durations(text, nanos):
    assert duration_nanos(text) == nanos


@pytest.mark.parametrize('text', ['30', '30 d', '1.5d', '-1d', 'd', '30D', 30, None, '30days'])
def test_not_durations(text):
    assert duration_nanos(text) is None


@pytest.mark.parametrize('phases,expected', [
    ({'hot': {'actions': {'delete': {}}}}, "phases.hot.actions: 'delete' is not allowed in the hot phase; allowed in: delete"),
    ({'warm': {'actions': {'rollover': {'max_age': '1d'}}}}, "'rollover' is not allowed in the warm phase; allowed in: hot"),
    ({'cold': {'actions': {'freeze': {}}}}, "'freeze' is not allowed in the cold phase; no such ILM action"),
    ({'summer': {}}, "phases: 'summer' is not a phase"),
    ({'warm': {'min_age': '10d'}, 'delete': {'min_age': '5d', 'actions': {'delete': {}}}},
     'phases.delete.min_age: 5d is earlier than the warm phase (10d)'),
    ({'delete': {'min_age': '30 days', 'actions': {'delete': {}}}}, "phases.delete.min_age: '30 days' is not a duration"),
    ({'hot': {'actions': {'forcemerge': {'max_num_segments': 1}}}}, 'phases.hot.actions: forcemerge needs a rollover'),
    ({'hot': {'actions': {'rollover': {}}}}, 'rollover: needs at least one max_* condition'),
    ({'hot': {'actions': {'rollover': {'max_age': 'tomorrow'}}}}, "max_age: 'tomorrow' is not a duration"),
    ({'hot': {'actions': {'rollover': {'max_size': '50 gigs'}}}}, "max_size: '50 gigs' is not a byte size"),
    ({'hot': {'actions': {'rollover': {'max_age': '1d', 'colour': 'red'}}}}, "unknown option 'colour'"),
    ({'warm': {'actions': {'forcemerge': {}}}}, 'phases.warm.actions.forcemerge: max_num_segments is required'),
    ({'frozen': {'actions': {}}}, 'the frozen phase needs a searchable_snapshot action'),
    ({'warm': {'actions': {'shrink': {'number_of_shards': 1, 'max_primary_shard_size': '1gb'}}}}, 'not both'),
    ({'warm': {'actions': {'set_priority': {'priority': True}}}}, 'priority: True is not a whole number'),
    ({'warm': {'actions': {'migrate': {'enabled': 'yes'}}}}, "enabled: 'yes' is not a boolean"),
    ({'delete': {'actions': [], 'min_age': '1d'}}, 'phases.delete.actions: must be a mapping'),
    ({'delete': {'min_age': '1d', 'actions': {}, 'colour': 1}}, 'phases.delete: must be a mapping with min_age and actions'),
    ({}, 'phases: give at least one phase'),
    (None, 'phases: give at least one phase'),
])
def test_policy_problems_name_the_place_and_the_rule(phases, expected):
    problems = policy_problems(phases)
    assert any(expected in problem for problem in problems), problems


def test_min_age_may_stay_equal_and_phases_are_checked_in_their_order_not_the_dict_order():
    phases = {'delete': {'min_age': '10d', 'actions': {'delete': {}}}, 'warm': {'min_age': '10d'}, 'hot': {}}
    assert policy_problems(phases) == []
    assert policy_problems({'delete': {'min_age': '1d'}, 'cold': {'min_age': '2d'}}) != []


def test_normal_phases_fills_what_elasticsearch_fills():
    assert normal_phases(RETENTION) == {
        'hot': {'min_age': '0ms', 'actions': {'rollover': {'max_age': '1d', 'max_primary_shard_size': '50gb'}}},
        'delete': {'min_age': '30d', 'actions': {'delete': {'delete_searchable_snapshot': True}}}}
    # an explicit value stays, the input is not changed
    phases = {'delete': {'actions': {'delete': {'delete_searchable_snapshot': False}}}}
    assert normal_phases(phases)['delete']['actions']['delete'] == {'delete_searchable_snapshot': False}
    assert phases == {'delete': {'actions': {'delete': {'delete_searchable_snapshot': False}}}}


def test_nested_settings_is_the_form_elasticsearch_returns():
    assert nested_settings({'index.lifecycle.name': 'p', 'number_of_shards': 1, 'index': {'hidden': True},
                            'codec': 'best_compression'}) == {
        'index': {'lifecycle': {'name': 'p'}, 'number_of_shards': '1', 'hidden': 'true', 'codec': 'best_compression'}}
    assert nested_settings({}) == {}


def test_same_ignores_empty_defaults_but_not_removed_values():
    wanted = {'index_patterns': ['a-*'], 'data_stream': {}, '_meta': {'x': 1}}
    read = {'index_patterns': ['a-*'], 'data_stream': {'hidden': False, 'allow_custom_routing': False},
            'composed_of': [], '_meta': {'x': 1}}
    assert same(wanted, read)
    assert not same(wanted, dict(read, data_stream={'hidden': True}))
    assert not same(wanted, dict(read, priority=5))  # a value the wanted object no longer sets
    assert not same(wanted, dict(read, _meta={'x': 1, 'y': 2}))
    assert not same(wanted, dict(read, index_patterns=['a-*', 'b-*']))
    assert not same({'n': 1}, {'n': True}) and not same({'n': True}, {'n': 1})
    assert not same({'n': 1}, {})


def test_names():
    assert name_problems('mlops-model-churn-logs') == []
    assert name_problems('Churn') == ["name: 'Churn' must be lower case"]
    assert name_problems('Churn', lower=False) == []
    assert 'must not start with' in name_problems('_x')[0]
    assert "' '" in name_problems('a b')[0] and "'*'" in name_problems('a*')[0]
    assert name_problems('x' * 256) == ['name: longer than 255 bytes']


def test_item_problems_check_every_item_and_skip_the_absent_ones():
    items = [{'name': 'a', 'state': 'present', 'phases': {}}, {'name': 'a', 'state': 'present', 'phases': RETENTION},
             {'name': 'gone', 'state': 'absent', 'phases': None}, {'name': 'B', 'state': 'absent'}]
    problems = item_problems(items, 'policies', lambda p: policy_problems(p['phases']))
    assert problems == ['policies[0] a: phases: give at least one phase of hot, warm, cold, frozen, delete',
                        'policies[1] a: name: given twice', "policies[3] B: name: 'B' must be lower case"]


def test_removals_take_only_owned_objects_in_exclusive_mode():
    current = {'mine': ({}, True), 'theirs': ({}, False), 'kept': ({}, True)}
    items = [{'name': 'kept', 'state': 'present'}, {'name': 'theirs2', 'state': 'absent'}]
    assert removals(items, current, exclusive=False) == ['theirs2']
    assert sorted(removals(items, current, exclusive=True)) == ['mine', 'theirs2']


def test_with_owner_marks_and_keeps_the_users_keys():
    assert with_owner({'model': 'churn'}) == {'model': 'churn', 'managed_by': 'mlops.observability'}
    assert with_owner(None) == {'managed_by': 'mlops.observability'}
