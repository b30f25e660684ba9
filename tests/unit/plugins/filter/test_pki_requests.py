"""pki_requests: the checks of the pki role's certificate requests and the paths of what each installs."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.pki_requests import (
    pki_request_files, pki_request_problems)

BASE = '/etc/mlops-observability/tls'


def test_good_requests_have_no_problem():
    requests = [{'service': 'logstash', 'owner': 'logstash', 'group': 'logstash', 'formats': ['pem', 'pkcs8'],
                 'notify': ['logstash tls'], 'sans': ['DNS:logs.example.test', 'IP:192.0.2.7']},
                {'service': 'es.node-1', 'formats': ['pkcs12'], 'pkcs12_password': 'S3cret'},
                {'service': 'web'}]
    assert pki_request_problems(requests) == []


def test_each_format_adds_its_own_path_and_pem_is_the_default():
    files = pki_request_files([{'service': 'logstash', 'formats': ['pem', 'pkcs8']},
                               {'service': 'es', 'formats': ['pkcs12'], 'pkcs12_password': 'x'},
                               {'service': 'web'}], BASE + '/')
    assert files['logstash'] == {'dir': BASE + '/logstash', 'ca_file': BASE + '/logstash/ca.crt',
                                 'cert_file': BASE + '/logstash/logstash.crt', 'key_file': BASE + '/logstash/logstash.key',
                                 'pkcs8_file': BASE + '/logstash/logstash.pkcs8.key'}
    assert files['es'] == {'dir': BASE + '/es', 'ca_file': BASE + '/es/ca.crt', 'cert_file': BASE + '/es/es.crt',
                           'pkcs12_file': BASE + '/es/es.p12'}
    assert sorted(files['web']) == ['ca_file', 'cert_file', 'dir', 'key_file']


def test_no_request_gives_no_path():
    assert pki_request_files([], BASE) == {}


@pytest.mark.parametrize('requests, expected', [
    ([{'service': '../etc'}], 'pki_requests[0] (../etc): service must be lower-case letters'),
    ([{'service': 'Web'}], 'service must be lower-case'),
    ([{'service': 'web\n'}], 'service must be lower-case'),
    ([{}], 'pki_requests[0] (None): service must be'),
    ([{'service': 'web'}, {'service': 'web'}], 'pki_requests[1] (web): the service is requested twice'),
    ([{'service': 'web', 'group': 'no such'}], "group 'no such' is not a user or group name"),
    ([{'service': 'web', 'owner': 7}], 'owner 7 is not a user or group name'),
    ([{'service': 'web', 'formats': ['der']}], "formats must be a non-empty list of pem, pkcs8, pkcs12, got ['der']"),
    ([{'service': 'web', 'formats': []}], 'formats must be a non-empty list'),
    ([{'service': 'web', 'formats': 'pem'}], "got 'pem'"),
    ([{'service': 'web', 'formats': ['pkcs12']}], 'the pkcs12 format needs pkcs12_password (from the vault)'),
    ([{'service': 'web', 'formats': ['pkcs12'], 'pkcs12_password': ''}], 'needs pkcs12_password'),
    ([{'service': 'web', 'sans': ['metrics.example.test']}], "sans ['metrics.example.test'] are not DNS:name or IP:address"),
    (['web'], 'pki_requests[0]: a dict is expected'),
    ({'service': 'web'}, 'pki_requests: a list of requests is expected, got dict'),
])
def test_each_bad_request_is_named(requests, expected):
    problems = pki_request_problems(requests)
    assert len(problems) == 1 and expected in problems[0], problems


def test_every_problem_is_reported_at_once_and_the_paths_refuse_them():
    requests = [{'service': 'Web'}, {'service': 'es', 'formats': ['pkcs12']}]
    assert len(pki_request_problems(requests)) == 2
    with pytest.raises(AnsibleFilterError, match='service must be lower-case.*; .*needs pkcs12_password'):
        pki_request_files(requests, BASE)
