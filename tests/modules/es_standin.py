"""Start the Elasticsearch stand-in (tests/standins/elasticsearch_standin.py) for a test: a throwaway CA and
server certificate, a free port, and the stand-in's users, calls and state files in a temporary directory.
Used by the stand-in's own tests, the module tests and benchmarks/elasticsearch_modules.py. The stand-in is
not Elasticsearch."""
from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
STANDIN = os.path.join(REPO, 'tests', 'standins', 'elasticsearch_standin.py')


class StandinError(Exception):
    pass


def _write_pem(path, data):
    with open(path, 'wb') as handle:
        handle.write(data)
    return str(path)


def _issue(common_name, key, issuer=None, issuer_key=None, ca=False, server=False):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                                      key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                      encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName('localhost'), x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def standin_pki(tmpdir):
    """A throwaway CA, a server certificate for 127.0.0.1/localhost, a client certificate, and an unrelated CA."""
    tmpdir = str(tmpdir)
    paths = {}
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue('stand-in test CA', ca_key, ca=True)
    other_key = ec.generate_private_key(ec.SECP256R1())
    for name, cert in (('ca', ca), ('other_ca', _issue('unrelated test CA', other_key, ca=True))):
        paths[name] = _write_pem(os.path.join(tmpdir, name + '.pem'), cert.public_bytes(serialization.Encoding.PEM))
    for name, server in (('server', True), ('client', False)):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue('localhost' if server else 'stand-in test client', key, ca, ca_key, server=server)
        paths[name + '_cert'] = _write_pem(os.path.join(tmpdir, name + '.pem'), cert.public_bytes(serialization.Encoding.PEM))
        paths[name + '_key'] = _write_pem(os.path.join(tmpdir, name + '.key'), key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def read_text(path):
    if not os.path.exists(path):
        return ''
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def start_standin(tmpdir, users, extra_args=()):
    """Start the stand-in with the files in tmpdir (PKI made once, state and calls kept, so a second start is a
    restart); returns an object with url, ca, pki, files, calls(), log(), stop()."""
    tmpdir = str(tmpdir)
    files = {name: os.path.join(tmpdir, name) for name in ('users.json', 'calls.jsonl', 'state.json', 'standin.log')}
    pki_dir = os.path.join(tmpdir, 'pki')
    if not os.path.isdir(pki_dir):
        os.makedirs(pki_dir)
        standin_pki(pki_dir)
    pki = {name: os.path.join(pki_dir, file) for name, file in (
        ('ca', 'ca.pem'), ('other_ca', 'other_ca.pem'), ('server_cert', 'server.pem'), ('server_key', 'server.key'),
        ('client_cert', 'client.pem'), ('client_key', 'client.key'))}
    with open(files['users.json'], 'w', encoding='utf-8') as handle:
        json.dump(users, handle)
    port = _free_port()
    started_lines = read_text(files['standin.log']).count('listening on')
    log = open(files['standin.log'], 'a', encoding='utf-8')  # pylint: disable=consider-using-with
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, STANDIN, '--listen', '127.0.0.1:%d' % port, '--cert', pki['server_cert'], '--key', pki['server_key'],
         '--users', files['users.json'], '--calls', files['calls.jsonl'], '--state', files['state.json'],
         '--node-name', 'standin-node-1', '--cluster-name', 'standin-tests'] + list(extra_args),
        stdout=log, stderr=subprocess.STDOUT)

    def calls():
        return [json.loads(line) for line in read_text(files['calls.jsonl']).splitlines()]

    def stop():
        process.terminate()
        process.wait(timeout=10)
        log.close()

    deadline = time.monotonic() + 20
    while read_text(files['standin.log']).count('listening on') == started_lines:
        if process.poll() is not None or time.monotonic() > deadline:
            stop()
            raise StandinError('the stand-in did not start: %s' % read_text(files['standin.log']))
        time.sleep(0.05)
    running = types.SimpleNamespace(url='https://127.0.0.1:%d' % port, ca=pki['ca'], pki=pki, files=files, process=process,
                                    calls=calls, log=lambda: read_text(files['standin.log']), stop=stop)
    superuser = next((name, user['password']) for name, user in users.items() if 'superuser' in user.get('roles', ()))
    running.request = lambda method, path, body=None: request(running, superuser, method, path, body)
    running.get = lambda path: running.request('GET', path)
    running.put = lambda path, body: running.request('PUT', path, body)
    return running


def request(running, credentials, method, path, body=None):
    """One call as (user, password) that must succeed; the stand-in records it like any other."""
    headers = {'Authorization': 'Basic ' + base64.b64encode(('%s:%s' % credentials).encode()).decode()}
    data = None
    if body is not None:
        data, headers['Content-Type'] = json.dumps(body).encode(), 'application/json'
    call = urllib.request.Request(running.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, context=ssl.create_default_context(cafile=running.ca), timeout=10) as answer:
            return json.loads(answer.read() or b'null')
    except urllib.error.HTTPError as error:
        raise StandinError('%s %s: HTTP %d %s' % (method, path, error.code, error.read()[:300])) from None


# ---- config mode: nodes started from an elasticsearch.yml, as the stand-in package runs them

KEYSTORE_TOOL = os.path.join(REPO, 'tests', 'standins', 'elasticsearch-keystore')


def free_ports(count):
    """count distinct free TCP ports on 127.0.0.1 (all held open while choosing, so none repeats)."""
    sockets = [socket.socket() for number in range(count)]
    try:
        for sock in sockets:
            sock.bind(('127.0.0.1', 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def node_pki(tmpdir, names):
    """A CA and, for each name, a node certificate for TLS servers and clients (serverAuth and clientAuth, SAN
    localhost and 127.0.0.1, like the ones the pki role issues); also 'mismatch' (SAN elsewhere.invalid only, same
    CA) and 'foreign' (signed by an unrelated CA). Returns {'ca', 'other_ca', name: {'cert', 'key'}}."""
    tmpdir = str(tmpdir)
    ca_key, other_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca, other = _issue('stand-in node test CA', ca_key, ca=True), _issue('unrelated node test CA', other_key, ca=True)
    paths = {'ca': _write_pem(os.path.join(tmpdir, 'ca.pem'), ca.public_bytes(serialization.Encoding.PEM)),
             'other_ca': _write_pem(os.path.join(tmpdir, 'other_ca.pem'), other.public_bytes(serialization.Encoding.PEM))}
    local = [x509.DNSName('localhost'), x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]
    wanted = [(name, local, ca, ca_key) for name in names]
    wanted += [('mismatch', [x509.DNSName('elsewhere.invalid')], ca, ca_key), ('foreign', local, other, other_key)]
    now = datetime.datetime.now(datetime.timezone.utc)
    for name, sans, issuer, issuer_key in wanted:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                .issuer_name(issuer.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                               critical=False)
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .sign(issuer_key, hashes.SHA256()))
        paths[name] = {
            'cert': _write_pem(os.path.join(tmpdir, name + '.pem'), cert.public_bytes(serialization.Encoding.PEM)),
            'key': _write_pem(os.path.join(tmpdir, name + '.key'), key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))}
    return paths


def keystore_tool(conf_dir, *args, stdin=None):
    """Run the stand-in elasticsearch-keystore with ES_PATH_CONF=conf_dir; the CompletedProcess (text)."""
    return subprocess.run([sys.executable, KEYSTORE_TOOL] + list(args), input=stdin, capture_output=True, text=True,
                          env=dict(os.environ, ES_PATH_CONF=str(conf_dir)), timeout=30, check=False)


def start_config_node(config, log_path, env=None, extra_args=()):
    """Start the stand-in in config mode on config (an elasticsearch.yml), stdout and stderr appended to log_path;
    waits for its "listening on" line. Returns an object with process, log(), stop() (SIGTERM; the exit code)."""
    log_path = str(log_path)
    started_lines = read_text(log_path).count('listening on')
    log = open(log_path, 'a', encoding='utf-8')  # pylint: disable=consider-using-with
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, STANDIN, '--config', str(config)] + list(extra_args), stdout=log, stderr=subprocess.STDOUT,
        env=dict(os.environ, **(env or {})))

    def stop():
        if process.poll() is None:
            process.terminate()
        code = process.wait(timeout=15)
        log.close()
        return code

    deadline = time.monotonic() + 20
    while read_text(log_path).count('listening on') == started_lines:
        if process.poll() is not None or time.monotonic() > deadline:
            stop()
            raise StandinError('the stand-in did not start: %s' % read_text(log_path))
        time.sleep(0.05)
    return types.SimpleNamespace(process=process, log=lambda: read_text(log_path), stop=stop)


def api_call(url, ca, credentials, method, path, body=None, timeout=40):
    """One HTTPS call as (user, password); (status, parsed body), also for error statuses."""
    headers = {'Authorization': 'Basic ' + base64.b64encode(('%s:%s' % credentials).encode()).decode()}
    data = None
    if body is not None:
        data, headers['Content-Type'] = json.dumps(body).encode(), 'application/json'
    call = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, context=ssl.create_default_context(cafile=ca), timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b'null')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'null')
