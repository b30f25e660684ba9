# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApiClient against a real HTTPS server on 127.0.0.1, with a CA and certificates made by openssl at test time."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from ansible.module_utils import basic
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.mlops.observability.plugins.doc_fragments.api_connection import ModuleDocFragment
from ansible_collections.mlops.observability.plugins.module_utils.api_client import (
    API_CONNECTION_MUTUALLY_EXCLUSIVE, API_CONNECTION_REQUIRED_TOGETHER, API_CONNECTION_SPEC,
    ApiClient, ApiError, api_argument_spec, compare, fail_api_error)

FAST = 0.05  # retry_delay of the tests: waits of 0.05, 0.1, 0.2 s


def openssl(*args):
    subprocess.run(('openssl',) + args, check=True, capture_output=True)


def make_cert(directory, name, subject, ca=None, extensions=()):
    """name.pem and name.key: a P-256 certificate, self-signed or signed by ca (a name made before)."""
    cmd = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
           '-subj', '/CN=%s' % subject, '-keyout', str(directory / (name + '.key')), '-out', str(directory / (name + '.pem'))]
    if ca:
        cmd += ['-CA', str(directory / (ca + '.pem')), '-CAkey', str(directory / (ca + '.key'))]
    for extension in extensions:
        cmd += ['-addext', extension]
    openssl(*cmd)
    return str(directory / (name + '.pem')), str(directory / (name + '.key'))


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp('pki')
    ca_ext = ('basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign')
    leaf = 'basicConstraints=CA:FALSE'
    files = {}
    files['ca'] = make_cert(directory, 'ca', 'test CA', extensions=ca_ext)[0]
    files['other_ca'] = make_cert(directory, 'other_ca', 'another CA', extensions=ca_ext)[0]
    files['server'] = make_cert(directory, 'server', '127.0.0.1', 'ca', (leaf, 'subjectAltName=IP:127.0.0.1'))
    files['client'] = make_cert(directory, 'client', 'monitoring', 'ca', (leaf, 'extendedKeyUsage=clientAuth'))
    return files


class Handler(BaseHTTPRequestHandler):
    """Records each request, then gives the server's next answer: (status, JSON body[, delay]) or a function of the hit."""

    def log_message(self, *args):
        pass

    def answer(self):
        server = self.server
        length = int(self.headers.get('Content-Length') or 0)
        hit = dict(method=self.command, path=self.path, headers=dict(self.headers), body=self.rfile.read(length))
        with server.lock:
            server.hits.append(hit)
            answer = server.answers.pop(0) if len(server.answers) > 1 else server.answers[0]
        if callable(answer):
            answer = answer(hit)
        status, body, delay = (tuple(answer) + (0,))[:3]
        if delay:
            server.stopping.wait(delay)
        data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b''
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = answer


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, port, context, answers):
        super().__init__(('127.0.0.1', port), Handler)
        self.context = context
        self.answers = list(answers)
        self.hits = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.url = 'https://127.0.0.1:%d' % self.server_address[1]

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's thread, so a client that fails it blocks no other.
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except OSError:
            return
        try:
            super().finish_request(request, client_address)
        except OSError:
            pass
        finally:
            request.close()


@pytest.fixture
def serve(pki):
    """serve(answers, port=0, client_ca=None) starts a server; all are stopped at the end of the test."""
    servers = []

    def start(answers, port=0, client_ca=None):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*pki['server'])
        if client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(client_ca)
        server = TLSServer(port, context, answers)
        servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True).start()
        return server

    yield start
    for server in servers:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def client(server_or_url, pki, **options):
    url = getattr(server_or_url, 'url', server_or_url)
    options.setdefault('ca_path', pki['ca'])
    options.setdefault('retry_delay', FAST)
    return ApiClient(url, **options)


def test_good_ca_gives_status_and_parsed_json(serve, pki):
    server = serve([(200, {'cluster_name': 'ml', 'status': 'green'})])
    status, body = client(server, pki).request('GET', '/_cluster/health', query={'level': 'cluster'})
    assert (status, body) == (200, {'cluster_name': 'ml', 'status': 'green'})
    assert server.hits[0]['path'] == '/_cluster/health?level=cluster'
    assert server.hits[0]['headers']['Accept'] == 'application/json'
    assert 'Authorization' not in server.hits[0]['headers']


def test_json_sent_with_put_post_delete_and_empty_answer_is_none(serve, pki):
    server = serve([(201, {'created': True}), (200, {'result': 'ok'}), (200, None)])
    api = client(server, pki)
    assert api.put('/role/readers', {'cluster': ['monitor'], 'n': 1}) == {'created': True}
    assert api.post('api/dashboards/db', {'dashboard': {'title': 'Models'}}) == {'result': 'ok'}
    assert api.delete('/role/readers') is None
    assert [(hit['method'], hit['path']) for hit in server.hits] == [
        ('PUT', '/role/readers'), ('POST', '/api/dashboards/db'), ('DELETE', '/role/readers')]
    assert json.loads(server.hits[0]['body']) == {'cluster': ['monitor'], 'n': 1}
    assert server.hits[0]['headers']['Content-Type'] == 'application/json'
    assert server.hits[2]['body'] == b''


def test_url_path_prefix_is_kept(serve, pki):
    server = serve([(200, {})])
    client(server.url + '/kibana/', pki).get('/api/status')
    assert server.hits[0]['path'] == '/kibana/api/status'


def test_answer_that_is_not_json_is_an_error(serve, pki):
    server = serve([(200, b'<html>proxy login</html>')])
    with pytest.raises(ApiError, match='not JSON: <html>proxy login'):
        client(server, pki).get('/')


def test_wrong_ca_names_ca_path(serve, pki):
    server = serve([(200, {})])
    with pytest.raises(ApiError) as caught:
        client(server, pki, ca_path=pki['other_ca']).get('/')
    message = caught.value.msg
    assert 'the CA in ca_path %s does not match' % pki['other_ca'] in message
    assert '127.0.0.1:%d' % server.server_address[1] in message
    assert server.hits == []


def test_system_trust_store_does_not_know_the_test_ca(serve, pki):
    server = serve([(200, {})])
    with pytest.raises(ApiError, match='set ca_path to the CA file'):
        client(server, pki, ca_path=None).get('/')


def test_certificate_for_another_host_name(serve, pki):
    server = serve([(200, {})])
    with pytest.raises(ApiError, match='not issued for the host name in url'):
        client('https://localhost:%d' % server.server_address[1], pki).get('/')


def test_validate_certs_false_accepts_an_unknown_ca(serve, pki):
    server = serve([(200, {'ok': True})])
    assert client(server, pki, ca_path=pki['other_ca'], validate_certs=False).get('/') == {'ok': True}


def test_client_certificate(serve, pki):
    server = serve([(200, {'ok': True})], client_ca=pki['ca'])
    cert, key = pki['client']
    assert client(server, pki, client_cert=cert, client_key=key).get('/') == {'ok': True}
    with pytest.raises(ApiError, match='127.0.0.1:%d' % server.server_address[1]):
        client(server, pki).get('/')
    assert len(server.hits) == 1


def test_missing_ca_file_is_reported_before_any_request(pki, tmp_path):
    with pytest.raises(ApiError, match='ca_path %s: no such file' % (tmp_path / 'nope.pem')):
        client('https://127.0.0.1:1', pki, ca_path=str(tmp_path / 'nope.pem'))


def test_client_key_of_another_certificate_is_reported_before_any_request(pki):
    with pytest.raises(ApiError, match='cannot load the TLS files .*client_cert .*server.pem, client_key .*client.key'):
        client('https://127.0.0.1:1', pki, client_cert=pki['server'][0], client_key=pki['client'][1])


def test_basic_auth_and_401_names_user_not_password(serve, pki):
    expected = 'Basic ' + base64.b64encode(b'elastic:s3cret-Pa55').decode()
    server = serve([lambda hit: (200, {'username': 'elastic'}) if hit['headers'].get('Authorization') == expected
                    else (401, {'error': {'reason': 'unable to authenticate user [elastic]'}, 'status': 401})])
    good = client(server, pki, url_username='elastic', url_password='s3cret-Pa55')
    assert good.get('/_security/_authenticate') == {'username': 'elastic'}
    with pytest.raises(ApiError) as caught:
        client(server, pki, url_username='elastic', url_password='wrong-Pa55', retries=3).get('/_security/_authenticate')
    assert caught.value.status == 401
    assert "refused the credentials of user 'elastic'" in caught.value.msg
    assert 'Pa55' not in caught.value.msg
    assert [hit['headers']['Authorization'] for hit in server.hits] == [
        expected, 'Basic ' + base64.b64encode(b'elastic:wrong-Pa55').decode()]  # a 401 is not retried


def test_api_key_header(serve, pki):
    server = serve([(200, {})])
    client(server, pki, api_key='VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==').get('/')
    assert server.hits[0]['headers']['Authorization'] == 'ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=='


def test_bearer_token_header_and_401(serve, pki):
    server = serve([(200, {}), (401, {'message': 'invalid API key'})])
    api = client(server, pki, token='glsa_abc123')
    api.get('/api/org')
    with pytest.raises(ApiError, match='refused the token') as caught:
        api.get('/api/org')
    assert 'glsa_abc123' not in caught.value.msg
    assert [hit['headers']['Authorization'] for hit in server.hits] == ['Bearer glsa_abc123'] * 2


def test_403_names_the_missing_privilege(serve, pki):
    reason = ('action [cluster:admin/xpack/security/role/put] is unauthorized for user [monitor], this action is '
              'granted by the cluster privileges [manage_security,all]')
    server = serve([(403, {'error': {'type': 'security_exception', 'reason': reason}, 'status': 403})])
    with pytest.raises(ApiError) as caught:
        client(server, pki, url_username='monitor', url_password='pw', retries=2).put('/_security/role/r', {})
    assert caught.value.status == 403
    assert "user 'monitor' lacks a privilege" in caught.value.msg
    assert 'cluster privileges [manage_security,all]' in caught.value.msg
    assert len(server.hits) == 1


def test_404_on_get_can_mean_missing(serve, pki):
    server = serve([(404, {'found': False})])
    api = client(server, pki)
    assert api.get('/_security/role/nope', allow_missing=True) is None
    assert api.request('DELETE', '/_security/role/nope', allow_missing=True) == (404, None)
    with pytest.raises(ApiError, match='HTTP 404 from GET https://127.0.0.1:[0-9]+/_security/role/nope: not found') as caught:
        api.get('/_security/role/nope')
    assert caught.value.status == 404 and caught.value.body == {'found': False}
    assert len(server.hits) == 3


def test_409_message(serve, pki):
    server = serve([(409, {'statusCode': 409, 'error': 'Conflict', 'message': 'Saved object [index-pattern/ml] conflict'})])
    with pytest.raises(ApiError) as caught:
        client(server, pki).post('/api/saved_objects/index-pattern/ml', {'attributes': {}})
    assert caught.value.status == 409
    assert 'conflict with the current state' in caught.value.msg
    assert 'Saved object [index-pattern/ml] conflict' in caught.value.msg
    assert len(server.hits) == 1


def test_503_twice_then_200_succeeds_after_retries(serve, pki):
    server = serve([(503, {'message': 'starting'}), (503, {'message': 'starting'}), (200, {'status': 'green'})])
    assert client(server, pki).get('/_cluster/health') == {'status': 'green'}
    assert len(server.hits) == 3


def test_503_always_fails_after_retries_plus_one_hits(serve, pki):
    server = serve([(503, {'message': 'Kibana server is not ready yet'})])
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        client(server, pki).get('/api/status')
    elapsed = time.monotonic() - started
    assert len(server.hits) == 1 + API_CONNECTION_SPEC['retries']['default'] == 4
    assert caught.value.status == 503
    assert 'still after 4 attempts' in caught.value.msg and 'Kibana server is not ready yet' in caught.value.msg
    assert elapsed >= FAST * (1 + 2 + 4)  # the backoff waits did happen


def test_refused_connection_names_host_port_and_is_retried(pki):
    port = free_port()
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        client('https://127.0.0.1:%d' % port, pki, retries=2, retry_delay=0.1).get('/')
    elapsed = time.monotonic() - started
    assert 'connection refused by 127.0.0.1:%d after 3 attempts' % port in caught.value.msg
    assert caught.value.status is None
    assert elapsed >= 0.1 + 0.2


def test_refused_then_listening_succeeds(serve, pki):
    port = free_port()
    timer = threading.Timer(0.2, serve, args=([(200, {'up': True})],), kwargs=dict(port=port))
    timer.start()
    try:
        assert client('https://127.0.0.1:%d' % port, pki, retries=4, retry_delay=0.1).get('/') == {'up': True}
    finally:
        timer.join()


def test_slow_server_times_out_and_is_not_retried(serve, pki):
    server = serve([(200, {}, 5)])
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        client(server, pki, timeout=1).get('/_cluster/health')
    elapsed = time.monotonic() - started
    assert caught.value.msg.startswith('timeout: 127.0.0.1:%d gave no answer within 1 s' % server.server_address[1])
    assert 0.9 <= elapsed < 3
    assert len(server.hits) == 1


@pytest.mark.parametrize('options, message', [
    (dict(url='ftp://es1:9200'), 'not an http:// or https:// URL'),
    (dict(url='https://elastic:pw@es1:9200'), 'must not hold credentials'),
    (dict(url='https://es1', url_username='u', url_password='p', token='t'), 'mutually exclusive'),
    (dict(url='https://es1', api_key='k', token='t'), 'mutually exclusive'),
    (dict(url='https://es1', url_username='u'), 'go together'),
])
def test_bad_options(options, message):
    with pytest.raises(ApiError, match=message) as caught:
        ApiClient(**options)
    assert 'pw' not in caught.value.msg


def test_spec_lists_work_in_the_argument_validator():
    validator = ArgumentSpecValidator(API_CONNECTION_SPEC, mutually_exclusive=API_CONNECTION_MUTUALLY_EXCLUSIVE,
                                      required_together=API_CONNECTION_REQUIRED_TOGETHER)
    good = validator.validate({'url': 'https://es1:9200', 'api_key': 'k'})
    assert not good.error_messages
    assert good.validated_parameters['validate_certs'] is True
    assert (good.validated_parameters['timeout'], good.validated_parameters['retries']) == (30, 3)
    assert 'mutually exclusive' in ' '.join(validator.validate({'url': 'u', 'api_key': 'k', 'token': 't'}).error_messages)
    assert 'together' in ' '.join(validator.validate({'url': 'u', 'url_username': 'u'}).error_messages)


def test_doc_fragment_documents_exactly_the_spec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    assert sorted(documented) == sorted(API_CONNECTION_SPEC)
    for name, spec in API_CONNECTION_SPEC.items():
        doc = documented[name]
        assert doc['type'] == spec['type'], name
        assert doc.get('default') == spec.get('default'), name
        assert doc.get('required', False) == spec.get('required', False), name
        text = ' '.join(doc['description'] if isinstance(doc['description'], list) else [doc['description']])
        assert ('no_log' in text) == bool(spec.get('no_log')), name


def test_api_argument_spec_copies():
    spec = api_argument_spec(name=dict(type='str', required=True))
    spec['url']['required'] = False
    assert API_CONNECTION_SPEC['url']['required'] is True and 'name' not in API_CONNECTION_SPEC


def test_module_helpers(serve, pki, monkeypatch, capsys):
    server = serve([(409, {'error': {'reason': 'version conflict'}})])
    args = dict(url=server.url, ca_path=pki['ca'], url_username='elastic', url_password='Sup3r-secret', retries=0)
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode())
    monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy', raising=False)
    module = basic.AnsibleModule(argument_spec=api_argument_spec(), mutually_exclusive=API_CONNECTION_MUTUALLY_EXCLUSIVE,
                                 required_together=API_CONNECTION_REQUIRED_TOGETHER)
    api = ApiClient.from_module(module, retry_delay=FAST)
    with pytest.raises(SystemExit) as exited:
        try:
            api.put('/x', {'a': 1})
        except ApiError as error:
            fail_api_error(module, error)
    assert exited.value.code == 1
    result = json.loads(capsys.readouterr().out)
    assert result['failed'] is True and result['status'] == 409 and 'version conflict' in result['msg']
    assert 'Sup3r-secret' not in json.dumps(result)
    assert len(server.hits) == 1


@pytest.mark.parametrize('before, wanted, changed, diff_before, diff_after', [
    (None, {'a': 1}, True, {}, {'a': 1}),
    ({'a': 1, 'extra': 'kept out'}, {'a': 1}, False, {}, {}),
    ({'a': 1, 'extra': 'x'}, {'a': 2}, True, {'a': 1}, {'a': 2}),
    ({'a': 1}, {'b': 2}, True, {}, {'b': 2}),
    ({'s': {'x': 1, 'y': 2, 'z': 3}}, {'s': {'x': 1, 'y': 5}}, True, {'s': {'y': 2}}, {'s': {'y': 5}}),
    ({'l': [{'n': 'a', 'p': ['read'], 'id': 7}]}, {'l': [{'n': 'a', 'p': ['read']}]}, False, {}, {}),
    ({'l': [{'n': 'a'}, {'n': 'b'}]}, {'l': [{'n': 'b'}, {'n': 'a'}]}, True, {'l': [{'n': 'a'}, {'n': 'b'}]},
     {'l': [{'n': 'b'}, {'n': 'a'}]}),
    ({'l': [1, 2]}, {'l': [1]}, True, {'l': [1, 2]}, {'l': [1]}),
    ({'on': 1}, {'on': True}, True, {'on': 1}, {'on': True}),
    ({'n': 1}, {'n': 1.0}, False, {}, {}),
])
def test_compare(before, wanted, changed, diff_before, diff_after):
    assert compare(before, wanted) == (changed, {'before': diff_before, 'after': diff_after})


def test_compare_diff_is_a_copy():
    before = {'s': {'x': [1]}}
    wanted = {'s': {'x': [2]}}
    diff = compare(before, wanted)[1]
    diff['after']['s']['x'].append(3)
    diff['before']['s']['x'].append(3)
    assert wanted == {'s': {'x': [2]}} and before == {'s': {'x': [1]}}
