"""The Elasticsearch stand-in as its package runs it: config mode, the transport port, the keystore tool, the
.deb and the signed APT repository of tests/standins/.

Layer 2 of docs on vendor software (stand-in): nothing here runs Elasticsearch. The .deb is only built and read
here (dpkg-deb), never installed; the molecule scenario installs it. The APT checks run apt-get with a
configuration of their own (APT_CONFIG), so the system's sources, keyrings, lists and caches are not read or
touched.
"""
from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid

import pytest
import yaml

from es_standin import STANDIN, api_call, free_ports, keystore_tool, node_pki, read_text, start_config_node

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
STANDINS = os.path.join(REPO, 'tests', 'standins')
BUILD_DEBS = os.path.join(STANDINS, 'build-elastic-debs.sh')
BUILD_REPO = os.path.join(STANDINS, 'build-apt-repo.sh')
BOOTSTRAP = 'bootstrap-pw-standin'
NODES = ('node-1', 'node-2', 'node-3')


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, **kwargs)


# ---------------------------------------------------------------- config mode: a cluster of three stand-ins

def node_config(base, name, pki_entry, ca, http_port, transport_port, seeds, mode='full'):
    """Write base/name/config/elasticsearch.yml (nested and dotted keys mixed, relative PEM paths) and a keystore with
    bootstrap.password; returns the config path."""
    conf = os.path.join(base, name, 'config')
    os.makedirs(os.path.join(conf, 'certs'), exist_ok=True)
    os.makedirs(os.path.join(conf, 'jvm.options.d'), exist_ok=True)
    for source, target in ((pki_entry['cert'], 'node.pem'), (pki_entry['key'], 'node.key'), (ca, 'ca.pem')):
        shutil.copy(source, os.path.join(conf, 'certs', target))
    with open(os.path.join(conf, 'jvm.options.d', 'heap.options'), 'w', encoding='utf-8') as handle:
        handle.write('# heap\n-Xms1g\n-Xmx1g\n')
    tls = {'enabled': True, 'key': 'certs/node.key', 'certificate': 'certs/node.pem', 'certificate_authorities': ['certs/ca.pem']}
    settings = {
        'cluster': {'name': 'standin-cluster'}, 'node.name': name, 'node': {'roles': ['master', 'data', 'ingest']},
        'network.host': '127.0.0.1', 'http.port': http_port, 'transport.port': transport_port,
        'discovery.seed_hosts': ['127.0.0.1:%d' % port for port in seeds], 'cluster.initial_master_nodes': list(NODES),
        'path': {'data': os.path.join(base, name, 'data'), 'logs': os.path.join(base, name, 'logs')},
        'action.destructive_requires_name': True,  # not read by the stand-in: ignored
        'xpack': {'security': {'enabled': True, 'http.ssl': tls,
                               'transport.ssl': dict(tls, verification_mode=mode, client_authentication='required')}}}
    for folder in ('data', 'logs'):
        os.makedirs(os.path.join(base, name, folder), exist_ok=True)
    path = os.path.join(conf, 'elasticsearch.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(settings, handle)
    if not os.path.exists(os.path.join(conf, 'elasticsearch.keystore')):
        assert keystore_tool(conf, 'create').returncode == 0
        assert keystore_tool(conf, 'add', '-x', 'bootstrap.password', stdin=BOOTSTRAP + '\n').returncode == 0
    return path


class Node:
    def __init__(self, base, name, http_port, transport_port, config, ca):
        self.base, self.name, self.ca, self.config = base, name, ca, config
        self.url, self.transport_port = 'https://127.0.0.1:%d' % http_port, transport_port
        self.log_path = os.path.join(base, name, 'stdout.log')
        self.running = None

    def start(self, env=None, extra_args=()):
        self.running = start_config_node(self.config, self.log_path, env=env, extra_args=extra_args)
        return self

    def stop(self):
        return self.running.stop()

    def log(self):
        return read_text(self.log_path)

    def api(self, method, path, password, body=None, user='elastic'):
        return api_call(self.url, self.ca, (user, password), method, path, body)


@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    base = str(tmp_path_factory.mktemp('es-standin-cluster'))
    os.makedirs(os.path.join(base, 'pki'))
    pki = node_pki(os.path.join(base, 'pki'), NODES)
    ports = free_ports(6)
    http_ports, transport_ports = ports[:3], ports[3:]
    nodes = {name: Node(base, name, http_ports[i], transport_ports[i],
                        node_config(base, name, pki[name], pki['ca'], http_ports[i], transport_ports[i], transport_ports), pki['ca'])
             for i, name in enumerate(NODES)}
    # systemd's notify socket, once with an abstract name and once with a path
    sockets, env = {}, {}
    for name, address in (('node-1', '@standin-notify-%s' % uuid.uuid4().hex), ('node-2', os.path.join(base, 'notify.sock'))):
        sockets[name] = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sockets[name].bind('\0' + address[1:] if address.startswith('@') else address)
        sockets[name].settimeout(10)
        env[name] = {'NOTIFY_SOCKET': address}
    for name, node in nodes.items():
        node.start(env=env.get(name, {'NOTIFY_SOCKET': ''}), extra_args=['-p', os.path.join(base, name + '.pid')])
    state = {'nodes': nodes, 'pki': pki, 'base': base, 'password': BOOTSTRAP, 'notify': {}}
    for name, sock in sockets.items():
        state['notify'][name] = sock.recv(4096).decode()
        sock.close()
    yield state
    for node in nodes.values():
        if node.running and node.running.process.poll() is None:
            node.stop()


def health(node, password, query=''):
    """(status, body, seconds it took) of GET /_cluster/health."""
    start = time.monotonic()
    status, body = node.api('GET', '/_cluster/health' + query, password)
    return status, body, time.monotonic() - start


def health_now(node, password, query=''):
    return health(node, password, query)[:2]


def test_standin_config_mode_three_nodes_are_one_cluster(cluster):
    nodes, password = cluster['nodes'], cluster['password']
    for node in nodes.values():
        status, body = health_now(node, password, '?wait_for_nodes=3&wait_for_status=green&timeout=20s')
        assert status == 200, body
        assert (body['number_of_nodes'], body['status'], body['timed_out'], body['cluster_name']) == (3, 'green', False, 'standin-cluster')
    listed = [nodes[name].api('GET', '/_cat/nodes?format=json', password)[1] for name in NODES]
    assert all(sorted(entry['name'] for entry in nodes_list) == list(NODES) for nodes_list in listed), listed
    masters = {entry['name'] for nodes_list in listed for entry in nodes_list if entry['master'] == '*'}
    assert len(masters) == 1 and all(sum(e['master'] == '*' for e in nodes_list) == 1 for nodes_list in listed)
    assert {entry['node.role'] for entry in listed[0]} == {'dim'} and {entry['ip'] for entry in listed[0]} == {'127.0.0.1'}
    status, local = nodes['node-2'].api('GET', '/_nodes/_local', password)
    (node_id, info), = local['nodes'].items()
    assert status == 200 and info['name'] == 'node-2' and info['roles'] == ['data', 'ingest', 'master'] and info['version'] == '9.1.0'
    roots = [nodes[name].api('GET', '/', password)[1] for name in NODES]
    assert len({root['cluster_uuid'] for root in roots}) == 1  # one cluster state
    assert {root['name'] for root in roots} == set(NODES) and node_id


def test_standin_config_mode_tells_systemd_ready(cluster):
    assert cluster['notify']['node-1'].startswith('READY=1')  # abstract socket name (@...)
    assert cluster['notify']['node-2'].startswith('READY=1')  # socket path
    assert 'told systemd READY=1' in cluster['nodes']['node-1'].log()
    assert 'told systemd READY=1' not in cluster['nodes']['node-3'].log()  # no NOTIFY_SOCKET there


def test_standin_config_mode_uses_the_paths_of_the_config(cluster):
    node, base = cluster['nodes']['node-1'], cluster['base']
    assert node.api('GET', '/_cluster/settings', cluster['password'])[0] == 200
    calls = [json.loads(line) for line in read_text(os.path.join(base, 'node-1', 'logs', 'standin-calls.jsonl')).splitlines()]
    assert calls and calls[-1]['path'] == '/_cluster/settings' and calls[-1]['node'] == 'node-1' and calls[-1]['user'] == 'elastic'
    state = json.loads(read_text(os.path.join(base, 'node-1', 'data', 'standin-state.json')))
    assert 'not Elasticsearch data' in state['note']
    assert read_text(os.path.join(base, 'node-1.pid')).strip() == str(node.running.process.pid)
    log = node.log()
    assert 'cluster.initial_master_nodes [node-1,node-2,node-3]' in log
    assert 'jvm.options.d/heap.options: -Xms1g -Xmx1g' in log and 'keystore entries [bootstrap.password,keystore.seed]' in log
    lines = log.splitlines()
    assert lines and all('stand-in' in line for line in lines), lines
    assert BOOTSTRAP not in log


def test_standin_config_mode_node_down_then_back(cluster):
    nodes, password, base = cluster['nodes'], cluster['password'], cluster['base']
    assert nodes['node-3'].stop() == 0  # SIGTERM: a clean exit
    assert re.search(r'stopped on SIGTERM; exit 0$', nodes['node-3'].log().strip())
    assert not os.path.exists(os.path.join(base, 'node-3.pid'))
    status, body = health_now(nodes['node-1'], password)
    assert (status, body['number_of_nodes'], body['status']) == (200, 2, 'yellow')
    assert sorted(e['name'] for e in nodes['node-2'].api('GET', '/_cat/nodes?format=json', password)[1]) == ['node-1', 'node-2']
    status, body, waited = health(nodes['node-1'], password, '?wait_for_nodes=3&timeout=2s')
    assert (status, body['timed_out'], body['number_of_nodes']) == (408, True, 2) and waited >= 1.9
    status, body, waited = health(nodes['node-2'], password, '?wait_for_status=green&timeout=1s')
    assert (status, body['timed_out'], body['status']) == (408, True, 'yellow') and waited >= 0.9
    # a health call that waits, while node-3 comes back 1.5 s later: the call sees it and answers 200
    restart = threading.Timer(1.5, nodes['node-3'].start, kwargs={'extra_args': ['-p', os.path.join(base, 'node-3.pid')]})
    restart.start()
    try:
        status, body, waited = health(nodes['node-1'], password, '?wait_for_nodes=%3E%3D3&wait_for_status=green&timeout=30s')
    finally:
        restart.join()
    assert (status, body['number_of_nodes'], body['status'], body['timed_out']) == (200, 3, 'green', False)
    assert 1.4 <= waited < 30


def test_standin_config_mode_shares_the_cluster_state(cluster):
    nodes, password = cluster['nodes'], cluster['password']
    policy = {'policy': {'phases': {'delete': {'min_age': '9d', 'actions': {'delete': {}}}}}}
    assert nodes['node-2'].api('PUT', '/_ilm/policy/standin-shared', password, policy)[0] == 200
    assert nodes['node-1'].api('PUT', '/_cluster/settings', password,
                               {'persistent': {'cluster.routing.allocation.enable': 'primaries'}})[0] == 200
    for name in NODES:
        assert nodes[name].api('GET', '/_ilm/policy/standin-shared', password)[1]['standin-shared']['version'] == 1
        assert nodes[name].api('GET', '/_cluster/settings?flat_settings=true', password)[1]['persistent'] == {
            'cluster.routing.allocation.enable': 'primaries'}
    # a node that was down during a change takes the newer state when it comes back
    assert nodes['node-3'].stop() == 0
    assert nodes['node-1'].api('PUT', '/_cluster/settings', password,
                               {'persistent': {'cluster.routing.allocation.enable': None}})[0] == 200
    nodes['node-3'].start()  # its own state file still has the setting
    assert nodes['node-3'].api('GET', '/_cluster/settings', password)[1]['persistent'] == {}


def test_standin_config_mode_bootstrap_password_until_elastic_password_is_set(cluster):
    nodes = cluster['nodes']
    assert all(nodes[name].api('GET', '/_security/_authenticate', BOOTSTRAP)[0] == 200 for name in NODES)
    new = 'elastic-pw-from-the-api'
    assert nodes['node-1'].api('PUT', '/_security/user/elastic/_password', BOOTSTRAP, {'password': new}) == (200, {})
    cluster['password'] = new
    for name in NODES:  # the security state is the cluster's: every node knows the new password
        assert nodes[name].api('GET', '/', BOOTSTRAP)[0] == 401
        assert nodes[name].api('GET', '/_security/_authenticate', new)[1]['username'] == 'elastic'
    assert nodes['node-2'].stop() == 0
    nodes['node-2'].start()  # the keystore still has bootstrap.password; the state wins
    assert nodes['node-2'].api('GET', '/', BOOTSTRAP)[0] == 401 and nodes['node-2'].api('GET', '/', new)[0] == 200
    for name in NODES:
        assert new not in nodes[name].log() and new not in read_text(os.path.join(cluster['base'], name, 'data', 'standin-state.json'))


def transport_handshake(port, cert=None, key=None, ca=None):
    """Dial a transport port as a node would; the parsed answer line."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca)
    if cert:
        context.load_cert_chain(cert, key)
    with socket.create_connection(('127.0.0.1', port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname='127.0.0.1') as tls:
            tls.sendall(json.dumps({'type': 'handshake', 'cluster_name': 'standin-cluster', 'from': 'test'}).encode() + b'\n')
            return json.loads(tls.makefile('rb').readline() or b'null')


def refused(port, cert, key, ca):
    """True when the transport port refuses this client: a TLS error, or the connection closed without an answer."""
    try:
        return transport_handshake(port, cert, key, ca) is None
    except (ssl.SSLError, ConnectionError):
        return True


def test_standin_transport_needs_a_client_certificate_of_its_ca(cluster):
    pki, node = cluster['pki'], cluster['nodes']['node-1']
    answer = transport_handshake(node.transport_port, pki['node-2']['cert'], pki['node-2']['key'], pki['ca'])
    assert answer['name'] == 'node-1' and answer['roles'] == ['data', 'ingest', 'master']
    assert not refused(node.transport_port, pki['node-2']['cert'], pki['node-2']['key'], pki['ca'])
    assert refused(node.transport_port, pki['foreign']['cert'], pki['foreign']['key'], pki['ca'])
    assert refused(node.transport_port, None, None, pki['ca'])
    assert len(re.findall(r'transport: connection from 127\.0\.0\.1 refused', node.log())) >= 2


def test_standin_transport_full_verification_checks_the_name_of_the_peer(tmp_path):
    pki = node_pki(tmp_path, ['node-a', 'node-c'])
    ports = free_ports(6)
    # node-b's certificate names elsewhere.invalid only: node-a (full) does not count it, node-c (certificate) does
    b = Node(str(tmp_path), 'node-b', ports[1], ports[4], node_config(str(tmp_path), 'node-b', pki['mismatch'], pki['ca'], ports[1], ports[4], []), pki['ca'])
    a = Node(str(tmp_path), 'node-a', ports[0], ports[3],
             node_config(str(tmp_path), 'node-a', pki['node-a'], pki['ca'], ports[0], ports[3], [ports[4]]), pki['ca'])
    c = Node(str(tmp_path), 'node-c', ports[2], ports[5],
             node_config(str(tmp_path), 'node-c', pki['node-c'], pki['ca'], ports[2], ports[5], [ports[4]], mode='certificate'), pki['ca'])
    started = []
    try:
        for node in (b, a, c):
            started.append(node.start())
        status, body = health_now(a, BOOTSTRAP, '?wait_for_nodes=2&timeout=1s')
        assert (status, body['number_of_nodes'], body['status']) == (408, 1, 'red')
        assert re.search(r'seed host 127\.0\.0\.1:%d does not answer: .*(IP address mismatch|certificate verify failed)' % ports[4], a.log())
        status, body = health_now(c, BOOTSTRAP, '?wait_for_nodes=2&timeout=5s')
        assert (status, body['number_of_nodes'], body['status']) == (200, 2, 'green')
    finally:
        for node in started:
            node.stop()


def test_standin_config_mode_fails_on_purpose(tmp_path):
    pki = node_pki(tmp_path, ['node-f'])
    http_port, transport_port = free_ports(2)
    config = node_config(str(tmp_path), 'node-f', pki['node-f'], pki['ca'], http_port, transport_port, [])
    out = run([sys.executable, STANDIN, '--config', config], env=dict(os.environ, ES_STANDIN_FAIL_START='1'))
    assert out.returncode == 1
    assert 'stand-in: failing on purpose (ES_STANDIN_FAIL_START)' in out.stdout
    assert 'listening on' not in out.stdout + out.stderr


@pytest.mark.parametrize('change, message', [
    (lambda security: security.update(enabled=False), 'xpack.security.enabled must be true'),
    (lambda security: security['http.ssl'].update(enabled=False), 'xpack.security.http.ssl.enabled must be true'),
    (lambda security: security['transport.ssl'].pop('key'), 'xpack.security.transport.ssl.key missing'),
])
def test_standin_config_mode_refuses_what_it_cannot_serve(tmp_path, change, message):
    pki = node_pki(tmp_path, ['node-r'])
    http_port, transport_port = free_ports(2)
    config = node_config(str(tmp_path), 'node-r', pki['node-r'], pki['ca'], http_port, transport_port, [])
    with open(config, encoding='utf-8') as handle:
        settings = yaml.safe_load(handle)
    change(settings['xpack']['security'])
    with open(config, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(settings, handle)
    out = run([sys.executable, STANDIN, '--config', config])
    assert out.returncode == 1 and message in out.stderr and 'stand-in' in out.stderr


# ---------------------------------------------------------------- the keystore tool

def test_standin_keystore_tool_round_trip_keeps_owner_and_mode(tmp_path):
    conf = tmp_path / 'conf'
    conf.mkdir()
    path = conf / 'elasticsearch.keystore'
    out = keystore_tool(conf, '--help')
    assert out.returncode == 0 and 'stand-in' in out.stdout
    assert keystore_tool(conf, 'list').returncode != 0  # no keystore yet
    assert keystore_tool(conf, 'create').returncode == 0
    assert path.stat().st_mode & 0o777 == 0o660
    assert keystore_tool(conf, 'list').stdout.split() == ['keystore.seed']
    assert keystore_tool(conf, 'add', '-x', 'bootstrap.password', stdin='first-value\nnot read\n').returncode == 0
    assert keystore_tool(conf, 'show', 'bootstrap.password').stdout == 'first-value\n'
    os.chmod(path, 0o640)
    os.chown(path, 1, 2)  # another owner and group: a rewrite keeps them
    refused = keystore_tool(conf, 'add', '-x', 'bootstrap.password', stdin='second-value\n')
    assert refused.returncode == 1 and 'already exists' in refused.stderr
    assert keystore_tool(conf, 'show', 'bootstrap.password').stdout == 'first-value\n'
    assert keystore_tool(conf, 'add', '--stdin', '--force', 'bootstrap.password', stdin='second-value\n').returncode == 0
    assert keystore_tool(conf, 'add', '-x', 'xpack.security.http.ssl.keystore.secure_password', stdin='x\n').returncode == 0
    assert keystore_tool(conf, 'remove', 'xpack.security.http.ssl.keystore.secure_password').returncode == 0
    assert keystore_tool(conf, 'remove', 'xpack.security.http.ssl.keystore.secure_password').returncode == 1
    stat = path.stat()
    assert (stat.st_mode & 0o7777, stat.st_uid, stat.st_gid) == (0o640, 1, 2)
    assert keystore_tool(conf, 'list').stdout.split() == ['bootstrap.password', 'keystore.seed']
    assert keystore_tool(conf, 'show', 'bootstrap.password').stdout == 'second-value\n'
    document = json.loads(path.read_text())
    assert 'stand-in' in document and 'second-value' not in path.read_text()  # base64, as promised: not plain text
    out = keystore_tool(conf, 'has-passwd')
    assert out.returncode == 1 and 'keystore is not password-protected' in out.stderr
    assert [p.name for p in conf.iterdir()] == ['elasticsearch.keystore']  # no temporary file left


# ---------------------------------------------------------------- the package and the APT repository

@pytest.fixture(scope='module')
def package(tmp_path_factory):
    work = tmp_path_factory.mktemp('es-standin-deb')
    out = run(['bash', BUILD_DEBS, str(work / 'debs')])
    assert out.returncode == 0, out.stderr
    deb = work / 'debs' / 'elasticsearch_9.1.0_all.deb'
    tree, control = work / 'tree', work / 'control'
    assert run(['dpkg-deb', '-x', str(deb), str(tree)]).returncode == 0
    assert run(['dpkg-deb', '-e', str(deb), str(control)]).returncode == 0
    return {'work': work, 'deb': deb, 'tree': tree, 'control': control}


def test_standin_package_control_fields(package):
    fields = dict(line.split(': ', 1) for line in run(['dpkg-deb', '-f', str(package['deb']), 'Package', 'Version', 'Architecture',
                                                       'Depends', 'Description']).stdout.splitlines() if ': ' in line)
    assert (fields['Package'], fields['Version'], fields['Architecture']) == ('elasticsearch', '9.1.0', 'all')
    assert sorted(d.strip() for d in fields['Depends'].split(',')) == ['adduser', 'python3', 'python3-yaml']
    assert fields['Description'] == 'stand-in for Elasticsearch, for tests of mlops.observability; not Elasticsearch'
    assert (package['control'] / 'conffiles').read_text().split() == [
        '/etc/elasticsearch/elasticsearch.yml', '/etc/elasticsearch/jvm.options', '/etc/default/elasticsearch']


def test_standin_package_files_and_modes(package):
    listing = {}
    for line in run(['dpkg-deb', '-c', str(package['deb'])]).stdout.splitlines():
        fields = line.split(None, 5)  # mode, owner/group, size, date, time, path
        listing[fields[5].lstrip('.').rstrip('/') or '/'] = (fields[0], fields[1])
    expected = {
        '/usr/share/elasticsearch/bin/elasticsearch': '-rwxr-xr-x', '/usr/share/elasticsearch/bin/elasticsearch-keystore': '-rwxr-xr-x',
        '/usr/share/elasticsearch/bin/systemd-entrypoint': '-rwxr-xr-x',
        '/usr/share/elasticsearch/standin/elasticsearch_standin.py': '-rw-r--r--',
        '/usr/share/elasticsearch/standin/elasticsearch-keystore': '-rw-r--r--',
        '/etc/elasticsearch': 'drwxr-s---', '/etc/elasticsearch/jvm.options.d': 'drwxr-s---',
        '/etc/elasticsearch/elasticsearch.yml': '-rw-rw----', '/etc/elasticsearch/jvm.options': '-rw-rw----',
        '/etc/default/elasticsearch': '-rw-r--r--', '/usr/lib/systemd/system/elasticsearch.service': '-rw-r--r--',
        '/var/lib/elasticsearch': 'drwxr-s---', '/var/log/elasticsearch': 'drwxr-s---'}
    assert {path: listing.get(path, ('missing',))[0] for path in expected} == expected
    assert {owner for mode, owner in listing.values()} == {'root/root'}  # the postinst gives the elasticsearch group
    assert not [path for path in listing if '__pycache__' in path or path.endswith('.pyc')]
    with open(os.path.join(STANDINS, 'elasticsearch_standin.py'), 'rb') as handle:
        assert (package['tree'] / 'usr/share/elasticsearch/standin/elasticsearch_standin.py').read_bytes() == handle.read()
    default_config = yaml.safe_load((package['tree'] / 'etc/elasticsearch/elasticsearch.yml').read_text())
    assert default_config == {'path.data': '/var/lib/elasticsearch', 'path.logs': '/var/log/elasticsearch'}


def unit_directives(text):
    """[(section, key, value)] of a systemd unit, keeping repeated keys (configparser would merge them)."""
    section, found = None, []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('['):
            section = line.strip('[]')
        elif line and not line.startswith('#'):
            key, value = line.split('=', 1)
            found.append((section, key, value))
    return found


def test_standin_package_unit_like_the_vendor_unit(package, tmp_path):
    text = (package['tree'] / 'usr/lib/systemd/system/elasticsearch.service').read_text()
    service = {(key, value) for section, key, value in unit_directives(text) if section == 'Service'}
    for directive in ('Type=notify', 'User=elasticsearch', 'Group=elasticsearch', 'Environment=ES_HOME=/usr/share/elasticsearch',
                      'Environment=ES_PATH_CONF=/etc/elasticsearch', 'Environment=PID_DIR=/run/elasticsearch',
                      'EnvironmentFile=-/etc/default/elasticsearch', 'WorkingDirectory=/usr/share/elasticsearch',
                      'ExecStart=/usr/share/elasticsearch/bin/systemd-entrypoint -p ${PID_DIR}/elasticsearch.pid --quiet',
                      'RuntimeDirectory=elasticsearch', 'LimitNOFILE=65535', 'LimitNPROC=4096', 'LimitAS=infinity',
                      'LimitFSIZE=infinity', 'TimeoutStopSec=0', 'KillSignal=SIGTERM', 'KillMode=process', 'SendSIGKILL=no',
                      'SuccessExitStatus=143', 'TimeoutStartSec=900'):
        assert tuple(directive.split('=', 1)) in service, directive
    assert 'from memory' in text and 'stand-in' in text
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string(text)
    assert parser['Install']['WantedBy'] == 'multi-user.target'
    # systemd's own check, with ExecStart pointed at the extracted tree (nothing is installed on this machine)
    entrypoint = str(package['tree'] / 'usr/share/elasticsearch/bin/systemd-entrypoint')
    unit = tmp_path / 'elasticsearch.service'
    unit.write_text(text.replace('/usr/share/elasticsearch/bin/systemd-entrypoint', entrypoint))
    out = run(['systemd-analyze', 'verify', str(unit)])
    assert out.returncode == 0 and out.stderr.strip() == '', out.stderr


def test_standin_package_commands_and_scripts(package, tmp_path):
    home = package['tree'] / 'usr/share/elasticsearch'
    env = dict(os.environ, ES_HOME=str(home), ES_PATH_CONF=str(tmp_path))
    out = run(['sh', str(home / 'bin/elasticsearch'), '--version'], env=env)
    assert out.returncode == 0 and out.stdout.startswith('Version: 9.1.0 (stand-in)')
    assert run(['sh', str(home / 'bin/elasticsearch-keystore'), 'create'], env=env).returncode == 0
    assert run(['sh', str(home / 'bin/elasticsearch-keystore'), 'list'], env=env).stdout.split() == ['keystore.seed']
    assert not list(home.rglob('__pycache__'))  # python3 -B: nothing written beside the packaged files
    # bin/elasticsearch starts the stand-in on $ES_PATH_CONF/elasticsearch.yml; here it has no security: refused
    (tmp_path / 'elasticsearch.yml').write_text('path.data: %s\n' % tmp_path)
    out = run(['sh', str(home / 'bin/elasticsearch'), '-p', str(tmp_path / 'pid'), '--quiet'], env=env)
    assert out.returncode == 1 and 'xpack.security.enabled must be true' in out.stderr
    scripts = {name: (package['control'] / name).read_text() for name in ('postinst', 'prerm', 'postrm')}
    for name in scripts:
        assert run(['sh', '-n', str(package['control'] / name)]).returncode == 0, name
    postinst = scripts['postinst']
    assert re.search(r'adduser --system .*--home /nonexistent --no-create-home --shell /usr/sbin/nologin', postinst)
    assert 'elasticsearch-keystore create' in postinst and 'chmod 0660 /etc/elasticsearch/elasticsearch.keystore' in postinst
    assert 'daemon-reload' in postinst and 'security auto-configuration skipped' in postinst
    assert not re.search(r'systemctl[^\n]*\b(start|enable|restart)\b|deb-systemd-(invoke|helper)', postinst)
    assert re.search(r'"\$1" = remove .*\n.*systemctl [^\n]*stop elasticsearch\.service', scripts['prerm'])


def test_standin_package_other_version(tmp_path):
    out = run(['bash', BUILD_DEBS, str(tmp_path), '8.19.3'])
    assert out.returncode == 0, out.stderr
    deb = tmp_path / 'elasticsearch_8.19.3_all.deb'
    assert run(['dpkg-deb', '-f', str(deb), 'Version']).stdout.strip() == '8.19.3'


def isolated_apt(work, source_line):
    """An APT configuration that reads only its own sources file and keys, and writes only under work; APT_CONFIG
    replaces the system's apt.conf and apt.conf.d, so no system hook runs either."""
    for folder in ('parts', 'sources.d', 'trusted.d', 'prefs.d', 'state/lists/partial', 'cache/archives/partial', 'log'):
        (work / folder).mkdir(parents=True, exist_ok=True)
    (work / 'sources.list').write_text(source_line + '\n')
    (work / 'apt.conf').write_text(''.join('%s "%s";\n' % item for item in (
        ('Dir::Etc::Main', '/dev/null'), ('Dir::Etc::Parts', work / 'parts'), ('Dir::Etc::sourcelist', work / 'sources.list'),
        ('Dir::Etc::sourceparts', work / 'sources.d'), ('Dir::Etc::trusted', work / 'none.gpg'),
        ('Dir::Etc::trustedparts', work / 'trusted.d'), ('Dir::Etc::preferences', work / 'none.pref'),
        ('Dir::Etc::preferencesparts', work / 'prefs.d'), ('Dir::State', work / 'state'), ('Dir::State::lists', work / 'state/lists'),
        ('Dir::State::status', '/var/lib/dpkg/status'), ('Dir::Cache', work / 'cache'), ('Dir::Log', work / 'log'),
        ('APT::Sandbox::User', 'root'))))
    return dict(os.environ, APT_CONFIG=str(work / 'apt.conf'), LC_ALL='C')


def test_standin_apt_repository_is_read_only_with_signed_by(package, tmp_path):
    out = run(['bash', BUILD_REPO, str(package['deb'].parent), str(tmp_path / 'apt')])
    assert out.returncode == 0, out.stderr
    repo, key = tmp_path / 'apt' / 'repo', tmp_path / 'apt' / 'repo-key.gpg'
    assert (tmp_path / 'apt' / 'repo-key.asc').read_text().startswith('-----BEGIN PGP PUBLIC KEY BLOCK-----')
    assert run(['gpgv', '--keyring', str(key), str(repo / 'dists/stable/InRelease')]).returncode == 0
    assert run(['gpgv', '--keyring', str(key), str(repo / 'dists/stable/Release.gpg'), str(repo / 'dists/stable/Release')]).returncode == 0
    system = {path: os.stat(path).st_mtime_ns for path in ('/var/lib/apt/lists', '/var/cache/apt')}
    # Elastic's documented form: deb [signed-by=KEYRING] <base> stable main
    signed = isolated_apt(tmp_path / 'signed', 'deb [signed-by=%s] file://%s stable main' % (key, repo))
    out = run(['apt-get', 'update'], env=signed)
    assert out.returncode == 0 and 'stable InRelease' in out.stdout, out.stdout + out.stderr
    assert 'Candidate: 9.1.0' in run(['apt-cache', 'policy', 'elasticsearch'], env=signed).stdout
    (tmp_path / 'download').mkdir()
    assert run(['apt-get', 'download', 'elasticsearch'], env=signed, cwd=str(tmp_path / 'download')).returncode == 0
    downloaded = (tmp_path / 'download' / 'elasticsearch_9.1.0_all.deb').read_bytes()
    assert hashlib.sha256(downloaded).digest() == hashlib.sha256(package['deb'].read_bytes()).digest()
    unsigned = isolated_apt(tmp_path / 'unsigned', 'deb file://%s stable main' % repo)
    out = run(['apt-get', 'update'], env=unsigned)
    assert out.returncode != 0 and 'NO_PUBKEY' in out.stdout + out.stderr and 'is not signed' in out.stderr
    assert 'Candidate: 9.1.0' not in run(['apt-cache', 'policy', 'elasticsearch'], env=unsigned).stdout
    assert {path: os.stat(path).st_mtime_ns for path in system} == system
