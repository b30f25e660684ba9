"""Contract tests of the Elasticsearch modules against Elastic's own request and response examples.

The examples (elastic/elasticsearch-specification) and the ILM YAML REST test (elastic/elasticsearch) were
derived into contract/elasticsearch-reference.json by contract/derive.py, which names each source. A small
HTTP server here answers with those documented responses, byte for byte as derived, and records what the
modules send, which is compared with the documented requests and the REST API spec's paths. These tests say
what the modules do with the answers Elastic documents; they are not tests against Elasticsearch.
"""
from __future__ import annotations

import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.mlops.observability.plugins.module_utils.elasticsearch import (
    normal_phases, policy_problems, same)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, 'contract', 'elasticsearch-reference.json')
REFERENCE = os.path.join(HERE, '..', '..', '..', 'shared', 'reference', 'elasticsearch')

with open(FIXTURE) as handle:
    REF = json.load(handle)


class ContractServer:
    """Answers (method, path) with documented bodies; records each request as (method, path, body)."""

    def __init__(self, answers):
        self.answers, self.requests = answers, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                path = self.path.split('?')[0]
                server.requests.append((self.command, path, body))
                status, answer = server.answers.get((self.command, path), (404, {'error': {'reason': 'not in the contract'}}))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_DELETE = do_POST = handle_one

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def writes(self):
        return [r for r in self.requests if r[0] != 'GET']


@pytest.fixture
def contract_server():
    servers = []

    def start(answers):
        servers.append(ContractServer(answers))
        return servers[-1]
    yield start
    for server in servers:
        server.httpd.shutdown()


def documented(name):
    """(method, path) of a documented request line such as 'PUT _ilm/policy/my_policy'."""
    method, path = REF[name]['method_request'].split(' ', 1)
    return method, '/' + path.lstrip('/')


def in_spec(method, path):
    """True when the REST API spec has an API with this method and a path template matching path."""
    for api in REF['api_paths']['apis'].values():
        for entry in api:
            pattern = re.sub(r'\\\{[a-z_]+\\\}', '[^/]+', re.escape(entry['path']))
            if method in entry['methods'] and re.fullmatch(pattern, path):
                return True
    return False


@pytest.mark.skipif(not os.path.isdir(REFERENCE), reason='the reference folder (../shared/reference) is not beside the repository')
def test_the_fixture_is_what_derive_py_makes_of_the_reference():
    import importlib.util
    spec = importlib.util.spec_from_file_location('derive', os.path.join(HERE, 'contract', 'derive.py'))
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    assert derive.derive(REFERENCE) == REF


@pytest.mark.parametrize('case', REF['rest_test_policies']['cases'], ids=lambda c: '%s/%s' % (c['test'], c['policy']))
def test_policy_checks_refuse_exactly_what_the_rest_test_expects_refused(case):
    problems = policy_problems(case['phases'])
    assert bool(problems) == case['refused'], problems


def test_the_documented_get_answer_equals_the_documented_put_body():
    """Elastic documents PUT with "delete": {} and GET answering "delete_searchable_snapshot": true: the
    comparison must see them as one policy, or an unchanged policy would be written on every run."""
    put = REF['put_lifecycle_request']['body']['policy']['phases']
    got = REF['get_lifecycle_response']['body']['my_policy']['policy']['phases']
    assert put != got
    assert same(normal_phases(put), got)


def test_the_ilm_module_sends_the_documented_put_request(run_task, contract_server):
    method, path = documented('put_lifecycle_request')
    server = contract_server({('GET', '/_ilm/policy'): (200, {}),
                              (method, path): (200, REF['put_lifecycle_response']['body'])})
    policy = REF['put_lifecycle_request']['body']['policy']
    result = run_task('elasticsearch_ilm_policy', {'url': server.url, 'policies': [
        {'name': path.rsplit('/', 1)[1], 'phases': policy['phases'], 'meta': policy['_meta']}]})
    assert result['changed'] and result['changed_policies'] == ['my_policy'], result
    assert [r[:2] for r in server.requests] == [('GET', '/_ilm/policy'), (method, path)]
    sent = server.requests[1][2]
    expected = json.loads(json.dumps(REF['put_lifecycle_request']['body']))
    expected['policy']['_meta']['managed_by'] = 'mlops.observability'
    # the only other difference from the documented request: the documented default, written out
    expected['policy']['phases']['delete']['actions']['delete'] = {'delete_searchable_snapshot': True}
    assert sent == expected
    assert all(in_spec(request[0], request[1]) for request in server.requests)


def test_the_ilm_module_reads_the_documented_get_answer_and_writes_only_the_ownership_mark(run_task, contract_server):
    """The documented policy has no _meta: the module adds its mark with one PUT; its phases are unchanged."""
    answer = REF['get_lifecycle_response']['body']
    server = contract_server({('GET', '/_ilm/policy'): (200, answer),
                              ('PUT', '/_ilm/policy/my_policy'): (200, REF['put_lifecycle_response']['body'])})
    phases = REF['put_lifecycle_request']['body']['policy']['phases']
    result = run_task('elasticsearch_ilm_policy', {'url': server.url, 'policies': [{'name': 'my_policy', 'phases': phases}]},
                      diff=True)
    assert result['write_requests'] == 1
    assert result['diff']['before']['my_policy']['phases'] == result['diff']['after']['my_policy']['phases']
    assert 'managed_by' not in json.dumps(result['diff']['before'])


def test_the_ilm_module_deletes_with_the_documented_request(run_task, contract_server):
    method, path = documented('delete_lifecycle_request')
    answer = json.loads(json.dumps(REF['get_lifecycle_response']['body']))
    server = contract_server({('GET', '/_ilm/policy'): (200, answer),
                              (method, path): (200, REF['delete_lifecycle_response']['body'])})
    result = run_task('elasticsearch_ilm_policy', {'url': server.url, 'policies': [{'name': 'my_policy', 'state': 'absent'}]})
    assert result['removed_policies'] == ['my_policy'], result
    assert server.writes() == [(method, path, None)]
    assert in_spec(method, path)


def test_the_template_module_uses_the_spec_path(run_task, contract_server):
    server = contract_server({('GET', '/_index_template'): (200, {'index_templates': []}),
                              ('PUT', '/_index_template/mlops-model-churn-logs'): (200, {'acknowledged': True})})
    result = run_task('elasticsearch_index_template', {'url': server.url, 'templates': [
        {'name': 'mlops-model-churn-logs', 'index_patterns': ['logs-mlops.churn-*'], 'priority': 200,
         'data_stream': True, 'lifecycle_policy': 'mlops-model-churn-logs'}]})
    assert result['changed_templates'] == ['mlops-model-churn-logs'], result
    method, path, body = server.writes()[0]
    assert in_spec(method, path)
    assert body['template']['settings'] == {'index': {'lifecycle': {'name': 'mlops-model-churn-logs'}}}
