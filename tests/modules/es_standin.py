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
