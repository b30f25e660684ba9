"""The Kibana stand-in as its package runs it: config mode (kibana.yml and the keystore beside it), the keystore
tool, and the kibana .deb of tests/standins/build-elastic-debs.sh.

Layer 2 of docs on vendor software (stand-in): nothing here runs Kibana. The .deb is only built and read here
(dpkg-deb), never installed."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import ssl
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request

import pytest
import yaml

from es_standin import REPO, StandinError, free_ports, read_text, standin_pki
from test_elasticsearch_standin_package import unit_directives

STANDINS = os.path.join(REPO, 'tests', 'standins')
STANDIN = os.path.join(STANDINS, 'kibana_standin.py')
KEYSTORE_TOOL = os.path.join(STANDINS, 'kibana-keystore')
BUILD = os.path.join(STANDINS, 'build-elastic-debs.sh')
PASSWORD = 'stand-in-S3cret-kibana-admin'
KEYS = [secrets.token_hex(16) for number in range(3)]  # three different 32-character keys
SECURITY_KEY, SAVED_OBJECTS_KEY = 'xpack.security.encryptionKey', 'xpack.encryptedSavedObjects.encryptionKey'
VIEWS = '/api/data_views'


def run(cmd, timeout=120, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)


def keystore(conf, *args, stdin=None):
    return run([sys.executable, KEYSTORE_TOOL] + list(args), input=stdin, env=dict(os.environ, KBN_PATH_CONF=str(conf)))


def kibana_conf(base, pki, port, changes=None, keys=None):
    """base/conf (KBN_PATH_CONF) with kibana.yml, server.* nested and the rest dotted, changed by changes (None
    removes a key), standin-users.json and, with keys, a keystore made by the keystore tool; path.data base/data.
    Returns the path of kibana.yml."""
    conf, data = base / 'conf', base / 'data'
    conf.mkdir(parents=True, exist_ok=True)
    data.mkdir(exist_ok=True)
    flat = {'server.host': '127.0.0.1', 'server.port': port, 'server.name': 'kibana-%s' % base.name,
            'server.publicBaseUrl': 'https://kibana.example.invalid', 'server.ssl.enabled': True,
            'server.ssl.certificate': pki['server_cert'], 'server.ssl.key': pki['server_key'],
            'elasticsearch.hosts': ['https://127.0.0.1:9'],  # never contacted: nothing listens there
            'elasticsearch.ssl.certificateAuthorities': [pki['ca']], 'elasticsearch.ssl.verificationMode': 'full',
            'elasticsearch.username': 'kibana_system', 'elasticsearch.password': 'kibana-system-pw',
            SECURITY_KEY: KEYS[0], SAVED_OBJECTS_KEY: KEYS[1], 'path.data': str(data), 'logging.root.level': 'info'}
    flat.update(changes or {})
    document = {key: value for key, value in flat.items() if value is not None and not key.startswith('server.')}
    document['server'] = {key[7:]: value for key, value in flat.items() if value is not None and key.startswith('server.')}
    (conf / 'kibana.yml').write_text(yaml.safe_dump(document))
    (conf / 'standin-users.json').write_text(json.dumps({'admin': PASSWORD}))
    if keys is not None:
        assert keystore(conf, 'create').returncode == 0
        for name, value in keys.items():
            assert keystore(conf, 'add', '--stdin', name, stdin=value + '\n').returncode == 0
    return conf / 'kibana.yml'


def start(config):
    """Start the stand-in in config mode; waits for its "listening on" line. Returns url, process, log(), stop()."""
    log_path = str(config.parent.parent / 'standin.log')
    started = read_text(log_path).count('listening on')
    log = open(log_path, 'a', encoding='utf-8')  # pylint: disable=consider-using-with
    process = subprocess.Popen([sys.executable, STANDIN, '--config', str(config)], stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with

    def stop():
        if process.poll() is None:
            process.terminate()
        code = process.wait(timeout=15)
        log.close()
        return code

    deadline = time.monotonic() + 20
    while read_text(log_path).count('listening on') == started:
        if process.poll() is not None or time.monotonic() > deadline:
            stop()
            raise StandinError('the Kibana stand-in did not start: %s' % read_text(log_path))
        time.sleep(0.05)
    port = yaml.safe_load(config.read_text())['server']['port']
    return types.SimpleNamespace(url='https://127.0.0.1:%d' % port, process=process, stop=stop, log=lambda: read_text(log_path))


def call(kibana, ca, method, path, body=None, password=PASSWORD, auth=True):
    headers = {'kbn-xsrf': 'test', 'Content-Type': 'application/json'}
    if auth:
        headers['Authorization'] = 'Basic ' + base64.b64encode(('admin:%s' % password).encode()).decode()
    request = urllib.request.Request(kibana.url + path, method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca), timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b'null')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'null')


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    return standin_pki(tmp_path_factory.mktemp('kibana-pki'))


def test_standin_kibana_config_mode_status_over_tls_with_auth(tmp_path, pki):
    config = kibana_conf(tmp_path / 'a', pki, free_ports(1)[0])
    kibana = start(config)
    try:
        status, body = call(kibana, pki['ca'], 'GET', '/api/status')
        assert status == 200 and body['name'] == 'kibana-a' and body['status']['overall']['level'] == 'available'
        assert body['version'] == {'number': '9.1.0', 'build_flavor': 'stand-in'}
        assert body['uuid'] == (tmp_path / 'a/data/uuid').read_text().strip()
        assert call(kibana, pki['ca'], 'GET', '/api/status', auth=False)[0] == 401
        assert call(kibana, pki['ca'], 'GET', '/api/status', password='wrong')[0] == 401
        with pytest.raises(urllib.error.URLError):  # a CA that did not sign the server certificate: refused
            urllib.request.urlopen(kibana.url + '/api/status', context=ssl.create_default_context(cafile=pki['other_ca']), timeout=10)
        with open('/proc/%d/comm' % kibana.process.pid, encoding='utf-8') as handle:
            assert handle.read().strip() == 'kbn-stand-in'
    finally:
        assert kibana.stop() == 0
    calls = [json.loads(line) for line in (tmp_path / 'a/data/standin-calls.jsonl').read_text().splitlines()]
    assert [(c['path'], c['user'], c['status']) for c in calls] == [
        ('/api/status', 'admin', 200), ('/api/status', None, 401), ('/api/status', None, 401)]
    lines = kibana.log().splitlines()
    assert all('stand-in' in line for line in lines) and lines[-1].endswith('stopped on SIGTERM; exit 0')
    assert 'server.publicBaseUrl: https://kibana.example.invalid' in kibana.log()
    assert 'warning: xpack.reporting.encryptionKey is not set' in kibana.log()
    assert 'never contacted' in kibana.log() and PASSWORD not in kibana.log() and KEYS[0] not in kibana.log()


def test_standin_kibana_encryption_key_digests_and_keystore_overrides_kibana_yml(tmp_path, pki):
    ports = free_ports(3)
    same = kibana_conf(tmp_path / 'a', pki, ports[0])
    # b: kibana.yml has a 31-character key and another name; the keystore's values win, so it starts
    overridden = kibana_conf(tmp_path / 'b', pki, ports[1], {SECURITY_KEY: 'k' * 31, 'server.name': 'from-yml'},
                             keys={SECURITY_KEY: KEYS[0], 'server.name': 'from-keystore'})
    # c: another security key, and a service account token instead of a user
    token = {SECURITY_KEY: KEYS[2], 'elasticsearch.username': None, 'elasticsearch.password': None,
             'elasticsearch.serviceAccountToken': 'AAEAAWVsYXN0aWMva2liYW5h'}
    other = kibana_conf(tmp_path / 'c', pki, ports[2], token)
    running = [start(config) for config in (same, overridden, other)]
    try:
        digests = [call(kibana, pki['ca'], 'GET', '/api/standin/encryption_keys')[1] for kibana in running]
        assert call(running[1], pki['ca'], 'GET', '/api/status')[1]['name'] == 'from-keystore'
    finally:
        assert [kibana.stop() for kibana in running] == [0, 0, 0]
    sha = [hashlib.sha256(key.encode()).hexdigest() for key in KEYS]
    assert digests[0] == {SECURITY_KEY: sha[0], SAVED_OBJECTS_KEY: sha[1], 'xpack.reporting.encryptionKey': None}
    assert digests[1] == digests[0]
    assert digests[2][SECURITY_KEY] == sha[2] != digests[0][SECURITY_KEY]
    assert digests[2][SAVED_OBJECTS_KEY] == digests[0][SAVED_OBJECTS_KEY]
    assert 'keystore entries [server.name,xpack.security.encryptionKey]' in running[1].log()


@pytest.mark.parametrize('changes, keys, message', [
    ({SECURITY_KEY: 'k' * 31}, None, 'xpack.security.encryptionKey must be at least 32 characters long (it has 31)'),
    ({'xpack.reporting.encryptionKey': 'r' * 31}, None, 'xpack.reporting.encryptionKey must be at least 32 characters'),
    ({'elasticsearch.hosts': ['http://127.0.0.1:9200']}, None, 'elasticsearch.hosts: [http://127.0.0.1:9200] is not https://'),
    ({'elasticsearch.hosts': None}, None, 'elasticsearch.hosts: [http://localhost:9200] is not https://'),
    ({'elasticsearch.username': 'elastic'}, None, 'elasticsearch.username: [elastic] is refused'),
    ({}, {'elasticsearch.username': 'elastic'}, 'use kibana_system'),
    ({'elasticsearch.username': None, 'elasticsearch.password': None}, None, 'or elasticsearch.serviceAccountToken, are required'),
    ({'server.ssl.enabled': False}, None, 'server.ssl.enabled must be true'),
    ({'elasticsearch.ssl.verificationMode': 'none'}, None, 'elasticsearch.ssl.verificationMode: [none] refused'),
    ({'elasticsearch.ssl.certificateAuthorities': ['/nonexistent/ca.pem']}, None,
     'elasticsearch.ssl.certificateAuthorities: cannot read /nonexistent/ca.pem'),
])
def test_standin_kibana_config_mode_refuses_what_it_cannot_serve(tmp_path, pki, changes, keys, message):
    config = kibana_conf(tmp_path, pki, free_ports(1)[0], changes, keys)
    out = run([sys.executable, STANDIN, '--config', str(config)], timeout=20)  # a stand-in that starts: TimeoutExpired
    assert out.returncode == 1 and message in out.stdout, out.stdout + out.stderr
    assert 'listening on' not in out.stdout and all('stand-in' in line for line in out.stdout.splitlines())


def test_standin_kibana_data_views_survive_a_restart(tmp_path, pki):
    config = kibana_conf(tmp_path, pki, free_ports(1)[0])
    kibana = start(config)
    try:
        uuid = call(kibana, pki['ca'], 'GET', '/api/status')[1]['uuid']
        for view_id, title in (('churn', 'logs-churn-*'), ('fraud', 'logs-fraud-*')):
            assert call(kibana, pki['ca'], 'POST', VIEWS + '/data_view', {'data_view': {'id': view_id, 'title': title}})[0] == 200
        assert call(kibana, pki['ca'], 'POST', VIEWS + '/data_view/fraud', {'data_view': {'name': 'Fraud'}})[0] == 200
        before = [call(kibana, pki['ca'], 'GET', VIEWS + '/data_view/' + view_id)[1] for view_id in ('churn', 'fraud')]
    finally:
        assert kibana.stop() == 0
    assert 'Kibana keeps them in Elasticsearch' in (tmp_path / 'data/standin-data-views.json').read_text()
    kibana = start(config)
    try:
        assert '2 data views' in kibana.log().splitlines()[-1]
        after = [call(kibana, pki['ca'], 'GET', VIEWS + '/data_view/' + view_id)[1] for view_id in ('churn', 'fraud')]
        assert after == before and after[1]['data_view']['name'] == 'Fraud'
        assert call(kibana, pki['ca'], 'POST', VIEWS + '/data_view', {'data_view': {'title': 'logs-churn-*'}})[0] == 409
        status, created = call(kibana, pki['ca'], 'POST', VIEWS + '/data_view', {'data_view': {'title': 'logs-new-*'}})
        assert status == 200 and created['data_view']['version'] not in [view['data_view']['version'] for view in before]
        assert call(kibana, pki['ca'], 'GET', '/api/status')[1]['uuid'] == uuid
    finally:
        assert kibana.stop() == 0
    calls = [json.loads(line) for line in (tmp_path / 'data/standin-calls.jsonl').read_text().splitlines()]
    assert [c['status'] for c in calls] == [200] * 8 + [409, 200, 200]  # both runs, in one file


def test_standin_kibana_keystore_tool(tmp_path):
    conf = tmp_path / 'conf'
    conf.mkdir()
    os.chown(conf, 0, 2)
    os.chmod(conf, 0o2770)  # setgid, like /etc/kibana of the package: a new keystore takes the directory's group
    path = conf / 'kibana.keystore'
    assert 'stand-in' in keystore(conf, '--help').stdout
    assert keystore(conf, 'show', 'x').returncode == 2  # no show command
    missing = keystore(conf, 'add', '--stdin', 'elasticsearch.password', stdin='pw\n')
    assert missing.returncode == 1 and 'Kibana keystore not found' in missing.stderr
    assert keystore(conf, 'create').returncode == 0
    assert (path.stat().st_mode & 0o7777, path.stat().st_gid) == (0o660, 2)
    assert keystore(conf, 'list').stdout == '' and keystore(conf, 'create').returncode == 1  # no terminal to ask
    assert keystore(conf, 'add', '--stdin', 'elasticsearch.password', stdin='first-value\nnot read\n').returncode == 0
    os.chown(path, 1, 2)
    os.chmod(path, 0o640)
    refused = keystore(conf, 'add', '--stdin', 'elasticsearch.password', stdin='second-value\n')
    assert refused.returncode == 1 and 'already exists' in refused.stderr
    assert keystore(conf, 'add', '--stdin', '-f', 'elasticsearch.password', stdin='second-value\n').returncode == 0
    assert keystore(conf, 'add', '--stdin', '--force', SECURITY_KEY, stdin=KEYS[0] + '\n').returncode == 0
    assert keystore(conf, 'remove', SECURITY_KEY).returncode == 0 and keystore(conf, 'remove', SECURITY_KEY).returncode == 1
    stat = path.stat()
    assert (stat.st_mode & 0o7777, stat.st_uid, stat.st_gid) == (0o640, 1, 2)
    assert keystore(conf, 'list').stdout.split() == ['elasticsearch.password']
    text = path.read_text()
    assert 'stand-in' in json.loads(text) and 'second-value' not in text
    assert base64.b64decode(json.loads(text)['settings']['elasticsearch.password']) == b'second-value'
    assert [p.name for p in conf.iterdir()] == ['kibana.keystore']  # no temporary file left


# ---------------------------------------------------------------- the package, built and read (not installed)

@pytest.fixture(scope='module')
def package(tmp_path_factory):
    work = tmp_path_factory.mktemp('kibana-standin-deb')
    out = run(['bash', BUILD, str(work / 'debs'), '9.1.0', 'kibana'])
    assert out.returncode == 0, out.stderr
    deb = work / 'debs' / 'kibana_9.1.0_all.deb'
    assert run(['dpkg-deb', '-x', str(deb), str(work / 'tree')]).returncode == 0
    assert run(['dpkg-deb', '-e', str(deb), str(work / 'control')]).returncode == 0
    return types.SimpleNamespace(deb=deb, tree=work / 'tree', control=work / 'control')


def test_standin_kibana_package_control_and_files(package):
    fields = dict(line.split(': ', 1) for line in run(['dpkg-deb', '-f', str(package.deb), 'Package', 'Version',
                                                       'Architecture', 'Depends', 'Description']).stdout.splitlines() if ': ' in line)
    assert (fields['Package'], fields['Version'], fields['Architecture']) == ('kibana', '9.1.0', 'all')
    assert sorted(d.strip() for d in fields['Depends'].split(',')) == ['adduser', 'python3', 'python3-yaml']
    assert fields['Description'] == 'stand-in for Kibana, for tests of mlops.observability; not Kibana'
    assert (package.control / 'conffiles').read_text().split() == [
        '/etc/kibana/kibana.yml', '/etc/kibana/node.options', '/etc/default/kibana']
    listing = {}
    for line in run(['dpkg-deb', '-c', str(package.deb)]).stdout.splitlines():
        fields = line.split(None, 5)
        listing[fields[5].lstrip('.').rstrip('/')] = (fields[0], fields[1])
    expected = {'/usr/share/kibana/bin/kibana': '-rwxr-xr-x', '/usr/share/kibana/bin/kibana-keystore': '-rwxr-xr-x',
                '/usr/share/kibana/standin/kibana_standin.py': '-rw-r--r--', '/usr/share/kibana/standin/kibana-keystore': '-rw-r--r--',
                '/etc/kibana': 'drwxr-s---', '/etc/kibana/kibana.yml': '-rw-rw----', '/etc/kibana/node.options': '-rw-rw----',
                '/etc/default/kibana': '-rw-r--r--', '/usr/lib/systemd/system/kibana.service': '-rw-r--r--',
                '/var/lib/kibana': 'drwxr-s---', '/var/log/kibana': 'drwxr-s---'}
    assert {path: listing.get(path, ('missing',))[0] for path in expected} == expected
    assert {owner for mode, owner in listing.values()} == {'root/root'}  # the postinst gives the kibana group
    with open(STANDIN, 'rb') as handle:
        assert (package.tree / 'usr/share/kibana/standin/kibana_standin.py').read_bytes() == handle.read()
    assert yaml.safe_load((package.tree / 'etc/kibana/kibana.yml').read_text()) == {'path.data': '/var/lib/kibana'}


def test_standin_kibana_package_unit(package, tmp_path):
    text = (package.tree / 'usr/lib/systemd/system/kibana.service').read_text()
    service = {'%s=%s' % (key, value) for section, key, value in unit_directives(text) if section == 'Service'}
    assert service == {'Type=simple', 'User=kibana', 'Group=kibana', 'Environment=KBN_HOME=/usr/share/kibana',
                       'Environment=KBN_PATH_CONF=/etc/kibana', 'EnvironmentFile=-/etc/default/kibana',
                       'ExecStart=/usr/share/kibana/bin/kibana', 'Restart=on-failure', 'RestartSec=3', 'StartLimitBurst=3',
                       'StartLimitInterval=60', 'WorkingDirectory=/usr/share/kibana', 'StandardOutput=journal',
                       'StandardError=inherit'}
    assert ('Install', 'WantedBy', 'multi-user.target') in unit_directives(text) and 'stand-in' in text
    unit = tmp_path / 'kibana.service'  # systemd's own check, ExecStart pointed at the extracted tree
    unit.write_text(text.replace('/usr/share/kibana/bin/kibana', str(package.tree / 'usr/share/kibana/bin/kibana')))
    out = run(['systemd-analyze', 'verify', str(unit)])
    assert out.returncode == 0 and out.stderr.strip() == '', out.stderr


def test_standin_kibana_package_commands_and_scripts(package, tmp_path):
    home = package.tree / 'usr/share/kibana'
    env = dict(os.environ, KBN_HOME=str(home), KBN_PATH_CONF=str(tmp_path))
    assert run(['sh', str(home / 'bin/kibana'), '--version'], env=env).stdout == '9.1.0 (stand-in; not Kibana)\n'
    assert run(['sh', str(home / 'bin/kibana-keystore'), 'create'], env=env).returncode == 0
    assert (tmp_path / 'kibana.keystore').exists()
    (tmp_path / 'kibana.yml').write_text('path.data: %s\n' % tmp_path)  # no TLS: bin/kibana runs the stand-in, refused
    out = run(['sh', str(home / 'bin/kibana')], env=env)
    assert out.returncode == 1 and 'server.ssl.enabled must be true' in out.stdout
    assert not list(home.rglob('__pycache__'))  # python3 -B: nothing written beside the packaged files
    scripts = {name: (package.control / name).read_text() for name in ('postinst', 'prerm', 'postrm')}
    for name in scripts:
        assert run(['sh', '-n', str(package.control / name)]).returncode == 0, name
    postinst = scripts['postinst']
    assert re.search(r'addgroup --system --quiet kibana\n', postinst)
    assert re.search(r'adduser --system .*--ingroup kibana .*--no-create-home --shell /usr/sbin/nologin kibana', postinst)
    assert 'chown kibana:kibana /var/lib/kibana /var/log/kibana' in postinst and 'daemon-reload' in postinst
    assert 'keystore' not in postinst  # as the vendor's .deb: no keystore is created
    assert not re.search(r'systemctl[^\n]*\b(start|enable|restart)\b|deb-systemd-(invoke|helper)', postinst)
    other = run(['bash', BUILD, str(tmp_path / 'other'), '8.19.3', 'kibana'])
    assert other.returncode == 0, other.stderr
    assert run(['dpkg-deb', '-f', str(tmp_path / 'other/kibana_8.19.3_all.deb'), 'Version']).stdout.strip() == '8.19.3'
