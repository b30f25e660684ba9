"""elasticsearch_cluster: the elasticsearch role's view of its cluster from the inventory."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.elasticsearch_cluster import elasticsearch_cluster

DEFAULT = ['master', 'data', 'ingest']


def test_three_nodes_from_defaults():
    view = elasticsearch_cluster({'es1': {}, 'es2': {}, 'es3': {'elasticsearch_node_address': 'es3.lan'}},
                                 ['es1', 'es2', 'es3'], DEFAULT, 9301)
    assert view['problems'] == []
    assert view['masters'] == ['es1', 'es2', 'es3']
    assert view['seed_hosts'] == ['es1:9301', 'es2:9301', 'es3.lan:9301']
    assert view['nodes'][2] == {'name': 'es3', 'address': 'es3.lan', 'roles': DEFAULT}


def test_an_even_number_of_masters_is_refused_unless_allowed():
    hostvars = {'es1': {}, 'es2': {}, 'es3': {'elasticsearch_node_roles': ['data']}}
    problems = elasticsearch_cluster(hostvars, ['es1', 'es2', 'es3'], DEFAULT)['problems']
    assert len(problems) == 1 and problems[0].startswith('2 master-eligible nodes (es1, es2)')
    assert elasticsearch_cluster(hostvars, ['es1', 'es2', 'es3'], DEFAULT, allow_even_masters=True)['problems'] == []


@pytest.mark.parametrize('hostvars,expected', [
    ({'es1': {'elasticsearch_node_roles': ['data']}}, 'no node of the group is master-eligible'),
    ({'es1': {'elasticsearch_node_roles': ['master', 'boss']}}, 'es1: elasticsearch_node_roles: unknown boss'),
    ({'es1': {'elasticsearch_node_roles': 'master'}}, "es1: elasticsearch_node_roles: 'master' is not a list"),
])
def test_problems(hostvars, expected):
    assert any(expected in p for p in elasticsearch_cluster(hostvars, list(hostvars), DEFAULT)['problems'])


def test_two_nodes_with_one_address():
    hostvars = {'a': {'elasticsearch_node_address': 'x'}, 'b': {'elasticsearch_node_address': 'x'}, 'c': {}}
    problems = elasticsearch_cluster(hostvars, ['a', 'b', 'c'], DEFAULT)['problems']
    assert 'b: elasticsearch_node_address: x is also the address of a' in problems


def test_an_empty_group_is_an_error():
    with pytest.raises(AnsibleFilterError, match='empty or missing'):
        elasticsearch_cluster({}, [], DEFAULT)
