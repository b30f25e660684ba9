"""The Logstash stand-in (tests/standins/logstash_standin.py), its keystore tool and its package.

Layer 2 of docs on vendor software (stand-in): nothing here runs Logstash. These tests show what the stand-in checks
and serves, so that the logstash role's tests can rely on it. The .deb is built and read with dpkg-deb, never
installed; systemd-analyze checks its unit.
"""
from __future__ import annotations

import base64
import configparser
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from es_standin import read_text, standin_pki

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
STANDINS = os.path.join(REPO, 'tests', 'standins')
STANDIN = os.path.join(STANDINS, 'logstash_standin.py')
KEYSTORE = os.path.join(STANDINS, 'logstash-keystore')
BUILD_DEBS = os.path.join(STANDINS, 'build-elastic-debs.sh')
API_PASSWORD = 'Api-Passw0rd-standin'

# A pipeline like the logstash role's: TLS JSON-lines over TCP, routing with translate and mutate, conditionals whose
# strings and regexps hold braces and quotes, and a data stream output whose password is a keystore reference.
GOOD = r'''# the models' lines { a brace in a comment
input {
  tcp {
    id => "json-lines"
    port => 5514
    host => "0.0.0.0"
    codec => json_lines { target => "[doc]" }
    ssl_enabled => true
    ssl_certificate => "CERT"
    ssl_key => "KEY"
    ssl_certificate_authorities => ["CA"]
    ssl_client_authentication => "required"
  }
}
filter {
  if [ml][model][name] == "a}b" and [message] =~ /^\{"ml"/ {
    drop { }
  } else if [ml][model][name] in ["x", 'y'] and ![data_stream] {
    translate {
      source => "[ml][model][name]"
      target => "[data_stream][dataset]"
      dictionary => { "m1" => "ml.m1" 'm2' => "ml.m2" }
      fallback => "ml.unrouted"
      override => true
    }
  } else {
    mutate { replace => { "[data_stream][type]" => "logs" } add_tag => ["routed"] }
  }
}
output {
  elasticsearch {
    hosts => ["https://127.0.0.1:9200"]
    data_stream => "true"
    user => "writer"
    password => "${ES_WRITER_PW}"
    data_stream_namespace => "${LS_NAMESPACE:default}"
    ssl_enabled => true
    ssl_certificate_authorities => ["CA"]
    ssl_verification_mode => "full"
  }
}
'''
BEATS = '''input {
  beats {
    port => 5044
    ssl_enabled => true
    ssl_certificate => "CERT"
    ssl_key => "KEY"
  }
}
output { stdout { codec => rubydebug } }
'''


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, **kwargs)


def keystore(settings, *args, stdin=''):
    return run([sys.executable, KEYSTORE, '--path.settings', str(settings)] + list(args), input=stdin)


def check(settings, *args, env=None):
    """logstash -t; returns (exit code, stdout + stderr)."""
    out = run([sys.executable, STANDIN, '--path.settings', str(settings), '-t'] + list(args), env=env)
    return out.returncode, out.stdout + out.stderr


def line_of(text, needle):
    return text[:text.index(needle)].count('\n') + 1


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp('ls-pki')
    paths = standin_pki(folder)
    key = ec.generate_private_key(ec.SECP256R1())  # an EC key in OpenSSL's own format: BEGIN EC PRIVATE KEY
    paths['ec_key'] = str(folder / 'server-ec.key')
    with open(paths['ec_key'], 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    return paths


def config(pki, text=GOOD, key=None):
    return text.replace('"CERT"', '"%s"' % pki['server_cert']).replace('"KEY"', '"%s"' % (key or pki['server_key'])) \
        .replace('"CA"', '"%s"' % pki['ca'])


@pytest.fixture
def settings(tmp_path, pki):
    """A settings folder with a keystore that has ES_WRITER_PW, and the good pipeline in good.conf."""
    assert keystore(tmp_path, 'add', 'ES_WRITER_PW', stdin='writer-pw\n').returncode == 0
    (tmp_path / 'good.conf').write_text(config(pki))
    return tmp_path


# ---------------------------------------------------------------- -t: the config check

def test_standin_check_accepts_the_good_config(settings):
    code, out = check(settings, '-f', str(settings / 'good.conf'))
    assert code == 0 and 'Configuration OK' in out, out
    lines = out.splitlines()
    assert lines and all('stand-in' in line for line in lines)


def test_standin_check_accepts_a_document_id_outside_data_stream_mode(settings):
    # the logstash role's output: a data stream named by index, create with the line's hash as _id
    (settings / 'once.conf').write_text((settings / 'good.conf').read_text().replace('data_stream => "true"', '''data_stream => "false"
    index => "%{[data_stream][type]}-%{[data_stream][dataset]}-%{[data_stream][namespace]}"
    action => "create"
    document_id => "%{[@metadata][hash]}"
    manage_template => false
    ilm_enabled => "false"''').replace('data_stream_namespace => "${LS_NAMESPACE:default}"', ''))
    code, out = check(settings, '-f', str(settings / 'once.conf'))
    assert code == 0 and 'Configuration OK' in out, out


def test_standin_check_resolves_from_the_environment_too(settings):
    os.remove(settings / 'logstash.keystore')
    code, out = check(settings, '-f', str(settings / 'good.conf'), env=dict(os.environ, ES_WRITER_PW='from-env'))
    assert code == 0 and 'Configuration OK' in out, out


@pytest.mark.parametrize('change, message', [
    (lambda t: t[:t.rindex('}')], 'unbalanced braces'),
    (lambda t: t + '}\n', 'found "}" (unbalanced braces?)'),
    (lambda t: t.replace('translate {', 'translator {'), 'line %d: unknown filter plugin "translator"' % line_of(GOOD, 'translate {')),
    (lambda t: t.replace('ssl_client_authentication', 'ssl_verify'),
     'line %d: unknown setting "ssl_verify" for input plugin "tcp"' % line_of(GOOD, 'ssl_client_authentication')),
    (lambda t: t.replace('port => 5514', 'port => "five"'), 'tcp port: expected a number, found "five"'),
    (lambda t: t.replace('ssl_enabled => true\n    ssl_certificate =>', 'ssl_enabled => "yes"\n    ssl_certificate =>', 1),
     'ssl_enabled: expected a boolean'),
    (lambda t: t.replace('${ES_WRITER_PW}', '${ES_OTHER_PW}'), 'cannot resolve ${ES_OTHER_PW}'),
    (lambda t: t + 'output { stdout { codec => "json } }\n', 'line %d: an unterminated string' % (GOOD.count('\n') + 1)),
    (lambda t: t.replace('data_stream => "true"', 'data_stream => "true"\n    document_id => "%{[@metadata][id]}"'),
     'invalid data stream configuration: document_id (not with data_stream => true)'),
    (lambda t: t.replace('data_stream => "true"', 'data_stream => "true"\n    action => "index"'),
     'invalid data stream configuration: action (not with data_stream => true)'),
], ids=['missing-brace', 'extra-brace', 'unknown-plugin', 'unknown-tcp-option', 'port-not-a-number', 'boolean',
        'missing-variable', 'unterminated-string', 'document-id-in-data-stream-mode', 'action-in-data-stream-mode'])
def test_standin_check_refuses_a_bad_config(settings, change, message):
    (settings / 'bad.conf').write_text(change((settings / 'good.conf').read_text()))
    code, out = check(settings, '-f', str(settings / 'bad.conf'))
    assert code == 1 and message in out and 'Configuration OK' not in out, out
    assert str(settings / 'bad.conf') in out  # the file is named


def test_standin_check_without_f_checks_every_pipeline_of_pipelines_yml(settings):
    (settings / 'other.conf').write_text('input { pipeline { address => "x" } }\noutput { pipeline { }\n}\n')
    (settings / 'pipelines.yml').write_text(yaml.safe_dump([
        {'pipeline.id': 'models', 'path.config': str(settings / 'good.conf')},
        {'pipeline.id': 'other', 'path.config': str(settings / 'other*.conf')}]))
    code, out = check(settings)
    assert code == 1 and 'other.conf: line 2: output plugin "pipeline" misses the required setting "send_to"' in out, out
    code, out = check(settings, '-f', str(settings / 'good.conf'))  # -f: pipelines.yml is ignored
    assert code == 0, out
    (settings / 'other.conf').write_text('input { pipeline { address => "x" } }\noutput { pipeline { send_to => ["y"] } }\n')
    code, out = check(settings)
    assert code == 0 and 'pipelines models,other' in out, out


def test_standin_version_says_it_is_not_logstash():
    out = run([sys.executable, STANDIN, '--version'])
    assert out.returncode == 0 and out.stdout == 'logstash 9.1.0 (stand-in; not Logstash)\n'


# ---------------------------------------------------------------- service mode

def node_files(base, pki, port, beats_key=None, changes=None):
    """A settings folder: logstash.yml (nested and dotted keys, basic auth with a keystore reference, a port range),
    pipelines.yml with models (persisted queue, DLQ) and replay (DLQ off), and the keystore."""
    base.mkdir(exist_ok=True)
    for folder in ('data', 'logs', 'conf.d'):
        (base / folder).mkdir(exist_ok=True)
    (base / 'conf.d' / 'models.conf').write_text(config(pki) + config(pki, BEATS, beats_key))
    (base / 'conf.d' / 'replay.conf').write_text(
        'input { dead_letter_queue { path => "%s" pipeline_id => "models" commit_offsets => true } }\n'
        'output { elasticsearch { hosts => ["https://127.0.0.1:9200"] ssl_certificate_authorities => "%s" } }\n'
        % (base / 'data' / 'dead_letter_queue', pki['ca']))
    settings = {'path': {'data': str(base / 'data'), 'logs': str(base / 'logs')}, 'api.http.host': '127.0.0.1',
                'api.http.port': '%d-%d' % (port, port + 5), 'api': {'auth': {'type': 'basic', 'basic': {
                    'username': 'monitor', 'password': '${API_PW}'}}},
                'dead_letter_queue.enable': True, 'pipeline.batch.size': 250, 'node.name': 'ls-standin-1'}
    settings.update(changes or {})
    (base / 'logstash.yml').write_text(yaml.safe_dump(settings))
    (base / 'pipelines.yml').write_text(yaml.safe_dump([
        {'pipeline.id': 'models', 'path.config': str(base / 'conf.d' / 'models.conf'), 'queue.type': 'persisted'},
        {'pipeline.id': 'replay', 'path.config': str(base / 'conf.d' / 'replay*.conf'), 'dead_letter_queue.enable': False}]))
    if not (base / 'logstash.keystore').exists():
        assert keystore(base, 'add', 'ES_WRITER_PW', 'API_PW', stdin='writer-pw\n%s\n' % API_PASSWORD).returncode == 0
    return base


def start(base, wait_for='API listening'):
    """Run the stand-in on base (a settings folder); returns once wait_for is logged, or once it has exited."""
    log_path = base / 'stdout.log'
    log = open(log_path, 'a', encoding='utf-8')  # pylint: disable=consider-using-with
    process = subprocess.Popen([sys.executable, STANDIN, '--path.settings', str(base)], stdout=log,  # pylint: disable=consider-using-with
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while wait_for not in read_text(log_path) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    settings = yaml.safe_load((base / 'logstash.yml').read_text())
    port = int(str(settings.get('api.http.port', 9600)).split('-', maxsplit=1)[0])
    return types.SimpleNamespace(process=process, base=base, url='http://127.0.0.1:%d' % port, log=lambda: read_text(log_path),
                                 close=log.close)


def stop(node, sig=signal.SIGTERM):
    if node.process.poll() is None:
        node.process.send_signal(sig)
    code = node.process.wait(timeout=10)
    node.close()
    return code


def wait_for_log(node, text, count=1):
    deadline = time.monotonic() + 10
    while node.log().count(text) < count:
        assert time.monotonic() < deadline, node.log()
        time.sleep(0.05)


def api(node, path, credentials=('monitor', API_PASSWORD)):
    """(status, body, headers) of GET path."""
    headers = {}
    if credentials:
        headers['Authorization'] = 'Basic ' + base64.b64encode(('%s:%s' % credentials).encode()).decode()
    try:
        with urllib.request.urlopen(urllib.request.Request(node.url + path, headers=headers), timeout=10) as answer:
            return answer.status, json.loads(answer.read()), answer.headers
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), err.headers


@pytest.fixture(scope='module')
def node(tmp_path_factory, pki):
    running = start(node_files(tmp_path_factory.mktemp('ls-node') / 'settings', pki, free_port()))
    assert running.process.poll() is None, running.log()
    yield running
    stop(running)


def test_standin_service_answers_the_api_and_says_it_is_a_stand_in(node):
    status, body, headers = api(node, '/')
    assert status == 200, body
    assert (body['version'], body['status'], body['build_flavor'], body['name']) == ('9.1.0', 'green', 'stand-in', 'ls-standin-1')
    assert body['snapshot'] is False and body['http_address'] == node.url[len('http://'):]
    assert body['id'] == (node.base / 'data' / 'uuid').read_text().strip()  # the node id kept in path.data
    assert body['pipeline']['batch_size'] == 250 and body['pipeline']['batch_delay'] == 50
    assert 'stand-in' in headers['Server']
    with open('/proc/%d/comm' % node.process.pid, encoding='utf-8') as handle:
        assert handle.read().strip() == 'ls-stand-in'
    lines = node.log().splitlines()
    assert lines and all('stand-in' in line for line in lines), lines
    assert 'API listening' in (node.base / 'logs' / 'logstash-plain.log').read_text()


def test_standin_service_basic_auth_refuses_missing_or_wrong_credentials(node):
    for credentials in (None, ('monitor', 'wrong-password'), ('other', API_PASSWORD)):
        status, body, headers = api(node, '/_node/pipelines', credentials)
        assert status == 401 and 'stand-in' in body['error'] and headers['WWW-Authenticate'].startswith('Basic')
        assert 'pipelines' not in body


def test_standin_service_lists_the_pipelines_of_pipelines_yml(node):
    status, body = api(node, '/_node/pipelines')[:2]
    assert status == 200 and list(body['pipelines']) == ['models', 'replay'] and body['status'] == 'green'
    models, replay = body['pipelines']['models'], body['pipelines']['replay']
    text = (node.base / 'conf.d' / 'models.conf').read_text()
    assert models['hash'] == hashlib.sha256(text.encode()).hexdigest() and models['hash'] != replay['hash']
    assert (models['batch_size'], models['config_reload_automatic'], models['dead_letter_queue_enabled']) == (250, False, True)
    assert models['dead_letter_queue_path'] == str(node.base / 'data' / 'dead_letter_queue' / 'models')
    assert replay['dead_letter_queue_enabled'] is False and 'dead_letter_queue_path' not in replay
    status, one = api(node, '/_node/pipelines/replay')[:2]
    assert status == 200 and one['pipelines'] == {'replay': replay}
    for path in ('/_node/pipelines/nope', '/_node/stats', '/_cluster/health'):
        status, body = api(node, path)[:2]
        assert status == 404 and 'stand-in' in body['error'], path


def test_standin_service_creates_the_queue_and_dead_letter_queue_folders(node):
    data = node.base / 'data'
    assert (data / 'queue' / 'models').is_dir() and not (data / 'queue' / 'replay').exists()  # queue.type per pipeline
    assert (data / 'dead_letter_queue' / 'models').is_dir() and not (data / 'dead_letter_queue' / 'replay').exists()


def test_standin_service_sighup_reloads_and_keeps_the_pipelines_when_broken(tmp_path, pki):
    node = start(node_files(tmp_path / 'settings', pki, free_port(), changes={'api.auth.type': 'none'}))
    try:
        before = api(node, '/_node/pipelines', None)[1]['pipelines']
        models = node.base / 'conf.d' / 'models.conf'
        changed = models.read_text() + 'filter { mutate { add_tag => ["reloaded"] } }\n'
        models.write_text(changed)
        node.process.send_signal(signal.SIGHUP)
        wait_for_log(node, 'stand-in: pipelines reloaded: models,replay')
        after = api(node, '/_node/pipelines', None)[1]['pipelines']
        assert after['models']['hash'] == hashlib.sha256(changed.encode()).hexdigest() != before['models']['hash']
        assert after['models']['ephemeral_id'] != before['models']['ephemeral_id']
        assert after['replay'] == before['replay']  # unchanged: the same pipeline
        models.write_text(changed + 'filter { mutate { add_tag => ["broken"] }\n')
        node.process.send_signal(signal.SIGHUP)
        wait_for_log(node, 'reload refused, the running pipelines are kept')
        assert 'models.conf: at the end of the config' in node.log()
        assert api(node, '/_node/pipelines', None)[1]['pipelines'] == after
    finally:
        code = stop(node)
    assert code == 0 and 'stopped on SIGTERM; exit 0' in node.log()


@pytest.mark.parametrize('case', ['beats-ec-key', 'missing-certificate', 'missing-es-ca', 'api-ssl', 'missing-api-password'])
def test_standin_service_refuses_to_start(tmp_path, pki, case):
    base = node_files(tmp_path / 'settings', pki, free_port(), beats_key=pki['ec_key'] if case == 'beats-ec-key' else None,
                      changes={'api.ssl.enabled': True} if case == 'api-ssl' else None)
    models = base / 'conf.d' / 'models.conf'
    if case == 'missing-certificate':
        models.write_text(models.read_text().replace(pki['server_cert'], str(tmp_path / 'gone.pem'), 1))
    if case == 'missing-es-ca':
        (base / 'conf.d' / 'replay.conf').write_text((base / 'conf.d' / 'replay.conf').read_text().replace(pki['ca'], '/nonexistent/ca.pem'))
    if case == 'missing-api-password':
        assert keystore(base, 'remove', 'API_PW').returncode == 0
    node = start(base)
    assert node.process.wait(timeout=20) == 1, node.log()
    node.close()
    expected = {'beats-ec-key': "ssl_key %s is not a PKCS#8 key (BEGIN PRIVATE KEY): Logstash's beats input needs PKCS#8" % pki['ec_key'],
                'missing-certificate': 'cannot read %s: No such file or directory' % (tmp_path / 'gone.pem'),
                'missing-es-ca': 'output elasticsearch ssl_certificate_authorities: cannot read /nonexistent/ca.pem',
                'api-ssl': 'stand-in: api.ssl not supported',
                'missing-api-password': 'cannot resolve ${API_PW}'}[case]
    assert expected in node.log() and 'API listening' not in node.log(), node.log()
    assert not (base / 'data' / 'queue').exists()  # refused before any pipeline folder


# ---------------------------------------------------------------- the keystore tool

def test_standin_keystore_add_list_remove_keeps_owner_and_mode(tmp_path):
    path = tmp_path / 'logstash.keystore'
    out = keystore(tmp_path, 'add', 'ES_PW', 'api.password_2', stdin='first value\nsecond\n')
    assert out.returncode == 0 and 'keystore created' in out.stdout, out.stderr
    assert oct(path.stat().st_mode & 0o777) == '0o600'
    assert keystore(tmp_path, 'list').stdout == 'ES_PW\napi.password_2\n'
    document = json.loads(path.read_text())
    assert 'stand-in' in document and 'first value' not in path.read_text()
    assert base64.b64decode(document['settings']['ES_PW']) == b'first value'  # the newline is not kept
    os.chown(path, 4321, 4322)
    os.chmod(path, 0o640)
    assert keystore(tmp_path, 'add', 'Z', stdin='z\n').returncode == 0
    assert (path.stat().st_uid, path.stat().st_gid, oct(path.stat().st_mode & 0o777)) == (4321, 4322, '0o640')
    assert keystore(tmp_path, 'remove', 'api.password_2').returncode == 0
    assert keystore(tmp_path, 'list').stdout.split() == ['ES_PW', 'Z']
    assert [p.name for p in tmp_path.iterdir()] == ['logstash.keystore']  # no temporary file left


def test_standin_keystore_refuses_what_logstash_keystore_refuses(tmp_path):
    assert keystore(tmp_path, 'list').returncode == 1  # no keystore yet
    assert keystore(tmp_path, 'create').returncode == 0 and keystore(tmp_path, 'list').stdout == ''
    assert keystore(tmp_path, 'add', 'ES_PW', stdin='one\n').returncode == 0
    out = keystore(tmp_path, 'add', 'ES_PW', stdin='two\n')
    assert out.returncode == 1 and 'remove it first' in out.stderr
    out = keystore(tmp_path, 'add', 'bad-name', stdin='x\n')
    assert out.returncode == 1 and 'letters, digits, _ and . only' in out.stderr
    assert keystore(tmp_path, 'remove', 'MISSING').returncode == 1
    assert keystore(tmp_path, 'create').returncode == 1  # exists already
    assert keystore(tmp_path, 'show', 'ES_PW').returncode != 0  # no show command, as in Logstash's tool
    assert keystore(tmp_path, 'list').stdout == 'ES_PW\n'
    document = json.loads((tmp_path / 'logstash.keystore').read_text())
    assert base64.b64decode(document['settings']['ES_PW']) == b'one'


# ---------------------------------------------------------------- the package

@pytest.fixture(scope='module')
def package(tmp_path_factory):
    work = tmp_path_factory.mktemp('ls-standin-deb')
    out = run(['bash', BUILD_DEBS, str(work / 'debs'), '9.1.0', 'logstash'])
    assert out.returncode == 0, out.stderr
    assert sorted(os.listdir(work / 'debs')) == ['logstash_9.1.0_all.deb']  # only the package asked for
    deb = work / 'debs' / 'logstash_9.1.0_all.deb'
    assert run(['dpkg-deb', '-x', str(deb), str(work / 'tree')]).returncode == 0
    assert run(['dpkg-deb', '-e', str(deb), str(work / 'control')]).returncode == 0
    return types.SimpleNamespace(deb=deb, tree=work / 'tree', control=work / 'control')


def test_standin_logstash_package_control_fields_and_conffiles(package):
    out = run(['dpkg-deb', '-f', str(package.deb), 'Package', 'Version', 'Architecture', 'Depends', 'Description']).stdout
    fields = dict(line.split(': ', 1) for line in out.splitlines() if ': ' in line)
    assert (fields['Package'], fields['Version'], fields['Architecture']) == ('logstash', '1:9.1.0-1', 'all')
    assert sorted(d.strip() for d in fields['Depends'].split(',')) == ['adduser', 'python3', 'python3-yaml']
    assert fields['Description'] == 'stand-in for Logstash, for tests of mlops.observability; not Logstash'
    assert (package.control / 'conffiles').read_text().split() == ['/etc/logstash/' + name for name in (
        'logstash.yml', 'pipelines.yml', 'jvm.options', 'log4j2.properties', 'startup.options')]


def test_standin_logstash_package_files_and_defaults(package):
    listing = {}
    for line in run(['dpkg-deb', '-c', str(package.deb)]).stdout.splitlines():
        fields = line.split(None, 5)
        listing[fields[5].lstrip('.').rstrip('/') or '/'] = fields[0]
    expected = {'/usr/share/logstash/bin/logstash': '-rwxr-xr-x', '/usr/share/logstash/bin/logstash-keystore': '-rwxr-xr-x',
                '/usr/share/logstash/standin/logstash_standin.py': '-rw-r--r--',
                '/usr/share/logstash/standin/logstash-keystore': '-rw-r--r--', '/etc/logstash/conf.d': 'drwxr-xr-x',
                '/usr/lib/systemd/system/logstash.service': '-rw-r--r--', '/var/lib/logstash': 'drwxr-xr-x',
                '/var/log/logstash': 'drwxr-xr-x'}
    assert {path: listing.get(path) for path in expected} == expected
    assert not [path for path in listing if path.startswith('/etc/logstash/conf.d/')]  # empty
    assert not [path for path in listing if '__pycache__' in path or path.endswith('.pyc')]
    etc = package.tree / 'etc' / 'logstash'
    assert yaml.safe_load((etc / 'logstash.yml').read_text()) == {'path.data': '/var/lib/logstash', 'path.logs': '/var/log/logstash'}
    assert yaml.safe_load((etc / 'pipelines.yml').read_text()) == [{'pipeline.id': 'main', 'path.config': '/etc/logstash/conf.d/*.conf'}]
    assert 'read by nothing' in (etc / 'startup.options').read_text()
    with open(STANDIN, 'rb') as handle:
        assert (package.tree / 'usr/share/logstash/standin/logstash_standin.py').read_bytes() == handle.read()


def test_standin_logstash_package_unit(package, tmp_path):
    text = (package.tree / 'usr/lib/systemd/system/logstash.service').read_text()
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str
    parser.read_string(text)
    assert dict(parser['Service']) == {
        'Type': 'simple', 'User': 'logstash', 'Group': 'logstash', 'EnvironmentFile': '-/etc/default/logstash',
        'ExecStart': '/usr/share/logstash/bin/logstash "--path.settings" "/etc/logstash"', 'Restart': 'always',
        'WorkingDirectory': '/', 'Nice': '19', 'LimitNOFILE': '16384', 'TimeoutStopSec': 'infinity'}  # no ExecReload
    assert parser['Install']['WantedBy'] == 'multi-user.target' and 'stand-in' in parser['Unit']['Description']
    unit = tmp_path / 'logstash.service'  # systemd's own check, ExecStart pointed at the extracted tree
    unit.write_text(text.replace('/usr/share/logstash/bin/logstash', str(package.tree / 'usr/share/logstash/bin/logstash')))
    out = run(['systemd-analyze', 'verify', str(unit)])
    assert out.returncode == 0 and out.stderr.strip() == '', out.stderr


def test_standin_logstash_package_commands_and_scripts(package, tmp_path, pki):
    home = package.tree / 'usr/share/logstash'
    out = run([str(home / 'bin/logstash'), '--version'])
    assert out.returncode == 0 and out.stdout == 'logstash 9.1.0 (stand-in; not Logstash)\n'
    assert run([str(home / 'bin/logstash-keystore'), '--path.settings', str(tmp_path), 'add', 'ES_WRITER_PW'],
               input='pw\n').returncode == 0
    (tmp_path / 'pipeline.conf').write_text(config(pki))
    out = run([str(home / 'bin/logstash'), '--path.settings', str(tmp_path), '--config.test_and_exit',
               '--path.config', str(tmp_path / 'pipeline.conf')])
    assert out.returncode == 0 and 'Configuration OK' in out.stdout, out.stdout + out.stderr
    assert not list(home.rglob('__pycache__'))  # python3 -B
    scripts = {name: (package.control / name).read_text() for name in ('postinst', 'prerm', 'postrm')}
    for name in scripts:
        assert run(['sh', '-n', str(package.control / name)]).returncode == 0, name
    assert re.search(r'adduser --system .*--home /usr/share/logstash --no-create-home --shell /usr/sbin/nologin logstash',
                     scripts['postinst'])
    assert 'chown logstash:logstash /var/lib/logstash /var/log/logstash' in scripts['postinst']
    assert 'daemon-reload' in scripts['postinst']
    assert not re.search(r'systemctl[^\n]*\b(start|enable|restart)\b|deb-systemd-(invoke|helper)', scripts['postinst'])
    assert re.search(r'"\$1" = remove .*\n.*systemctl [^\n]*stop logstash\.service', scripts['prerm'])
    assert re.search(r'"\$1" = purge .*\n\s*rm -rf /var/lib/logstash /var/log/logstash\n', scripts['postrm'])


def test_standin_logstash_package_beside_elasticsearch_and_other_version(tmp_path):
    out = run(['bash', BUILD_DEBS, str(tmp_path), '8.19.3', 'elasticsearch', 'logstash'])
    assert out.returncode == 0, out.stderr
    assert sorted(os.listdir(tmp_path)) == ['elasticsearch_8.19.3_all.deb', 'logstash_8.19.3_all.deb']
    assert run(['dpkg-deb', '-f', str(tmp_path / 'logstash_8.19.3_all.deb'), 'Version']).stdout.strip() == '1:8.19.3-1'
    assert run(['dpkg-deb', '-f', str(tmp_path / 'elasticsearch_8.19.3_all.deb'), 'Version']).stdout.strip() == '8.19.3'
    assert run(['dpkg-deb', '-x', str(tmp_path / 'logstash_8.19.3_all.deb'), str(tmp_path / 'tree')]).returncode == 0
    out = run([str(tmp_path / 'tree/usr/share/logstash/bin/logstash'), '--version'])
    assert out.stdout == 'logstash 8.19.3 (stand-in; not Logstash)\n'
    out = run(['bash', BUILD_DEBS, str(tmp_path / 'none'), '9.1.0', 'metricbeat'])
    assert out.returncode == 2 and "unknown package 'metricbeat'" in out.stderr
