"""module_utils.elasticsearch, the part of elasticsearch_user and elasticsearch_role: the checks of a name and of
metadata, reserved objects and ownership, and the form in which Elasticsearch returns a role (the modules
themselves run against the stand-in in tests/modules)."""
from __future__ import annotations

import pytest

from ansible_collections.mlops.observability.plugins.module_utils.elasticsearch import (
    parsed_query, read_role, reserved, role_index_entry, same, security_current, security_problems)

# A role as the get roles API documents it: the query as JSON text, allow_restricted_indices and the empty
# lists filled in, transient_metadata added.
READ = {'cluster': ['monitor'], 'run_as': [], 'applications': [], 'metadata': {'managed_by': 'mlops.observability'},
        'transient_metadata': {'enabled': True},
        'indices': [{'names': ['logs-mlops.churn-*'], 'privileges': ['read'], 'allow_restricted_indices': False,
                     'field_security': {'grant': ['message']}, 'query': '{"term": {"labels.env": "prod"}}'}]}


def test_security_problems_name_and_metadata():
    assert security_problems({'name': 'mlops_logstash', 'metadata': {'model': 'churn'}}) == []
    assert security_problems({'name': 'Mlops.Reader@team', 'metadata': None}) == []
    assert security_problems({'name': 'r\u00f4le'}) == ["name: 'r\u00f4le': use printable ASCII characters other than %"]
    assert security_problems({'name': '50%'}) == ["name: '50%': use printable ASCII characters other than %"]
    assert security_problems({'name': 'tab\there'}) != []
    assert security_problems({'name': 'u', 'metadata': {'_reserved': True, 'ok': 1, '_b': 2}}) == [
        "metadata: key '_b': keys starting with _ are reserved by Elasticsearch",
        "metadata: key '_reserved': keys starting with _ are reserved by Elasticsearch"]


@pytest.mark.parametrize('body,expected', [
    ({'metadata': {'_reserved': True}}, True),
    ({'metadata': {'_reserved': 'true'}}, False),
    ({'metadata': {}}, False),
    ({'metadata': None}, False),
    ({}, False),
    (None, False),
])
def test_reserved(body, expected):
    assert reserved(body) is expected


def test_security_current_keeps_the_compared_keys_and_never_owns_a_reserved_object():
    found = {'mine': {'username': 'mine', 'roles': ['r'], 'metadata': {'managed_by': 'mlops.observability'}, 'enabled': True},
             'theirs': {'username': 'theirs', 'roles': [], 'metadata': {}, 'enabled': True},
             'odd': {'username': 'odd', 'roles': [], 'metadata': {'_reserved': True, 'managed_by': 'mlops.observability'}}}
    assert security_current(found, ('roles', 'metadata', 'enabled')) == {
        'mine': ({'roles': ['r'], 'metadata': {'managed_by': 'mlops.observability'}, 'enabled': True}, True),
        'theirs': ({'roles': [], 'metadata': {}, 'enabled': True}, False),
        'odd': ({'roles': [], 'metadata': {'_reserved': True, 'managed_by': 'mlops.observability'}}, False)}


@pytest.mark.parametrize('query,expected', [
    ({'term': {'a': 1}}, {'term': {'a': 1}}),
    ('{"term": {"a": 1}}', {'term': {'a': 1}}),
    ('{"term": ', None),
    ('[1]', None),
    (['term'], None),
    (None, None),
])
def test_parsed_query(query, expected):
    assert parsed_query(query) == expected


def test_a_wanted_role_is_the_same_as_elasticsearch_returns_it():
    entry = {'names': ['logs-mlops.churn-*'], 'privileges': ['read'], 'allow_restricted_indices': False,
             'field_security': {'grant': ['message'], 'except': []}, 'query': '{"term": {"labels.env": "prod"}}'}
    wanted = {'cluster': ['monitor'], 'metadata': {'managed_by': 'mlops.observability'}, 'indices': [role_index_entry(entry)]}
    read = read_role(READ)
    assert read['indices'][0]['query'] == {'term': {'labels.env': 'prod'}}
    assert same(wanted, dict((k, v) for k, v in read.items() if k != 'transient_metadata'))
    # the query as a mapping is the same as its text; another query is not
    entry_as_mapping = dict(entry, query={'term': {'labels.env': 'prod'}})
    assert role_index_entry(entry_as_mapping) == role_index_entry(entry)
    other = dict(wanted, indices=[role_index_entry(dict(entry, query={'term': {'labels.env': 'test'}}))])
    assert not same(other, read)
    # an except that is given stays; options left out (None) are dropped
    kept = role_index_entry(dict(entry, field_security={'grant': ['*'], 'except': ['secret']}, query=None))
    assert kept == {'names': ['logs-mlops.churn-*'], 'privileges': ['read'], 'allow_restricted_indices': False,
                    'field_security': {'grant': ['*'], 'except': ['secret']}}
    assert entry['field_security'] == {'grant': ['message'], 'except': []}  # the input is not changed


def test_read_role_leaves_a_role_without_query_as_it_is():
    role = {'cluster': [], 'indices': [{'names': ['a'], 'privileges': ['read']}], 'metadata': {}}
    assert read_role(role) == role
    assert read_role({'cluster': ['all']}) == {'cluster': ['all']}
    odd = {'indices': [{'names': ['a'], 'privileges': ['read'], 'query': 'not json'}]}
    assert read_role(odd) == odd
