"""The Filebeat stand-in (tests/standins/filebeat_standin.py) and its package.

Layer 2 of docs on vendor software (stand-in): nothing here runs Filebeat. These tests show what the stand-in checks
and serves, so that the filebeat role's tests can rely on it. The .deb is built and read with dpkg-deb, never
installed; systemd-analyze checks its unit.
"""
from __future__ import annotations

import http.client
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

from es_standin import REPO, free_ports, read_text, standin_pki
from test_elasticsearch_standin_package import unit_directives

STANDINS = os.path.join(REPO, 'tests', 'standins')
STANDIN = os.path.join(STANDINS, 'filebeat_standin.py')
BUILD = os.path.join(STANDINS, 'build-elastic-debs.sh')


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, **kwargs)


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    return standin_pki(tmp_path_factory.mktemp('fb-pki'))


def good_config(pki, port):
    """A config like the filebeat role's: TLS to Logstash, inputs from inputs.d reloaded every second, the HTTP
    endpoint on localhost; nested and dotted keys mixed."""
    return {'filebeat': {'config': {'inputs': {'enabled': True, 'path': '${path.config}/inputs.d/*.yml',
                                               'reload.enabled': True, 'reload.period': '1s'}},
                         'inputs': [{'type': 'filestream', 'id': 'system-logs', 'paths': ['LOGS/*.log'],
                                     'prospector.scanner.check_interval': '5s'}]},
            'output.logstash': {'hosts': ['127.0.0.1:5044', 'ls2.example.invalid:5044'], 'loadbalance': True,
                                'ssl': {'enabled': True, 'certificate_authorities': [pki['ca']],
                                        'certificate': pki['client_cert'], 'key': pki['client_key'],
                                        'verification_mode': 'full', 'supported_protocols': ['TLSv1.2', 'TLSv1.3']}},
            'http.enabled': True, 'http.host': 'localhost', 'http.port': port, 'name': 'fb-standin-test',
            'fields': {'env': 'test'}, 'processors': [{'add_host_metadata': None}], 'logging.level': 'info'}


MODELS_INPUT = [{'type': 'filestream', 'id': 'models', 'paths': ['LOGS/models/*.json'], 'fields_under_root': True,
                 'parsers': [{'ndjson': {'target': '', 'overwrite_keys': True, 'add_error_key': True,
                                         'expand_keys': True, 'message_key': 'msg'}}],
                 'close': {'on_state_change': {'inactive': '5m'}}, 'clean_removed': True}]


def write_conf(base, pki, port, change=None):
    """base/filebeat.yml and base/inputs.d/models.yml; change(config, inputs) may edit both. Returns base."""
    (base / 'inputs.d').mkdir(parents=True, exist_ok=True)
    (base / 'logs' / 'models').mkdir(parents=True, exist_ok=True)
    config, inputs = good_config(pki, port), json.loads(json.dumps(MODELS_INPUT))
    if change:
        change(config, inputs)
    logs = str(base / 'logs')
    (base / 'filebeat.yml').write_text(yaml.safe_dump(config).replace('LOGS', logs))
    (base / 'inputs.d' / 'models.yml').write_text(yaml.safe_dump(inputs).replace('LOGS', logs))
    return base


def filebeat(base, *args):
    """The stand-in with the paths of the unit pointed at base; returns (exit code, stdout, stderr)."""
    out = run([sys.executable, STANDIN, '-c', 'filebeat.yml', '--path.home', str(base), '--path.config', str(base),
               '--path.data', str(base / 'data'), '--path.logs', str(base / 'logs')] + list(args))
    return out.returncode, out.stdout, out.stderr


# ---------------------------------------------------------------- test config

def test_standin_test_config_accepts_the_good_config(tmp_path, pki):
    code, out, err = filebeat(write_conf(tmp_path, pki, 5066), 'test', 'config')
    assert (code, out) == (0, 'Config OK\n'), err
    assert err and all('stand-in' in line for line in err.splitlines())
    assert not (tmp_path / 'data').exists()  # test config writes nothing


def both_outputs(config, inputs):
    config['output.elasticsearch'] = {'hosts': ['https://127.0.0.1:9200']}


def second_id(config, inputs):
    inputs.append(dict(inputs[0], paths=['/tmp/other/*.log']))  # the same id "models", in the same file


def id_of_inline(config, inputs):
    inputs[0]['id'] = 'system-logs'  # the id of the input of filebeat.inputs


@pytest.mark.parametrize('change, message', [
    (lambda c, i: c.update({'filebeat.prospectors': []}), 'unknown setting "filebeat.prospectors"'),
    (lambda c, i: c['output.logstash']['ssl'].update({'verify': 'full'}), 'output.logstash: unknown setting "ssl.verify"'),
    (lambda c, i: c['output.logstash'].update({'ttl': 'soon'}), 'output.logstash ttl: "soon" is not a duration'),
    (lambda c, i: c['output.logstash'].update({'hosts': ['ls1:port']}), 'output.logstash hosts: "ls1:port" is not host:port'),
    (both_outputs, 'exactly one output must be enabled, found output.elasticsearch, output.logstash'),
    (lambda c, i: c.pop('output.logstash'), 'exactly one output must be enabled, found none'),
    (lambda c, i: i[0].update({'type': 'log'}), 'input type "log": the stand-in supports filestream only'),
    (lambda c, i: i[0].pop('id'), 'models.yml: input 1: a filestream input needs an id'),
    (second_id, 'models.yml: input 2: filestream input id "models" is already used by'),
    (id_of_inline, 'filestream input id "system-logs" is already used by filebeat.inputs: input 1'),
    (lambda c, i: i[0].update({'scan_frequency': '10s'}), 'unknown setting "scan_frequency" for a filestream input'),
    (lambda c, i: i[0]['parsers'][0]['ndjson'].update({'keys_under_root': True}), 'unknown setting "keys_under_root" for the ndjson parser'),
    (lambda c, i: i[0].update({'paths': []}), 'paths must be a non-empty list of strings'),
    (lambda c, i: c['filebeat']['config']['inputs'].update({'reload.period': 'often'}), 'reload.period: "often" is not a duration'),
], ids=['unknown-top-level-key', 'unknown-logstash-key', 'bad-duration', 'bad-host', 'two-outputs', 'no-output',
        'log-input', 'no-id', 'same-id-twice', 'same-id-across-files', 'unknown-input-key', 'unknown-parser-key',
        'no-paths', 'bad-reload-period'])
def test_standin_test_config_refuses_a_bad_config(tmp_path, pki, change, message):
    code, out, err = filebeat(write_conf(tmp_path, pki, 5066, change), 'test', 'config')
    assert code == 1 and message in err and 'Config OK' not in out, err
    assert 'Exiting: error loading config file' in err and all('stand-in' in line for line in err.splitlines())


def test_standin_test_config_strict_perms(tmp_path, pki):
    base = write_conf(tmp_path, pki, 5066)
    config = base / 'filebeat.yml'
    os.chmod(config, 0o666)
    code, out, err = filebeat(base, 'test', 'config')
    assert code == 1 and 'config file ("%s") can only be writable by the owner but the permissions are "-rw-rw-rw-"' % config in err
    assert "chmod go-w %s" % config in err and out == ''
    for flag in ('--strict.perms=false', '-strict.perms=false'):  # Go's flags take one dash or two
        assert filebeat(base, 'test', 'config', flag)[:2] == (0, 'Config OK\n')
    os.chmod(config, 0o600)
    os.chmod(base / 'inputs.d' / 'models.yml', 0o620)  # the files of the inputs directory are checked too
    code, out, err = filebeat(base, 'test', 'config')
    assert code == 1 and 'models.yml") can only be writable by the owner but the permissions are "-rw--w----"' in err
    os.chmod(base / 'inputs.d' / 'models.yml', 0o644)
    if os.geteuid() == 0:  # owned by neither root nor the user running it
        os.chown(config, 4321, 4321)
        code, out, err = filebeat(base, 'test', 'config')
        assert code == 1 and 'must be owned by the user identifier (uid=0) or root' in err
    assert filebeat(base, 'test', 'config', '--strict.perms=maybe')[0] == 1


def test_standin_version_and_unknown_commands():
    out = run([sys.executable, STANDIN, 'version'])
    assert out.returncode == 0 and out.stdout == 'filebeat version 9.1.0 (stand-in; not Filebeat)\n'
    out = run([sys.executable, STANDIN, 'test', 'output'])
    assert out.returncode == 1 and 'stand-in' in out.stderr and 'unknown command "test output"' in out.stderr


# ---------------------------------------------------------------- run mode

def start(base):
    """The stand-in in run mode on base; returns once it serves, or once it has exited."""
    log_path = base / 'stdout.log'
    started = read_text(log_path).count('listening on')  # a restart appends to the same log
    log = open(log_path, 'a', encoding='utf-8')  # pylint: disable=consider-using-with
    process = subprocess.Popen([sys.executable, STANDIN, '-c', str(base / 'filebeat.yml'), '--path.config', str(base),  # pylint: disable=consider-using-with
                                '--path.data', str(base / 'data'), '--environment', 'systemd'], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while read_text(log_path).count('listening on') == started and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    config = yaml.safe_load((base / 'filebeat.yml').read_text())
    sock = config['http.host'][len('unix://'):] if config['http.host'].startswith('unix://') else None
    return types.SimpleNamespace(process=process, url='http://localhost:%d' % config['http.port'], socket=sock,
                                 log=lambda: read_text(log_path), close=log.close)


def stop(beat, sig=signal.SIGTERM):
    """Its exit code after sig; None when it did not end within 10 s (then it is killed)."""
    if beat.process.poll() is None:
        beat.process.send_signal(sig)
    try:
        code = beat.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        beat.process.kill()
        beat.process.wait()
        code = None
    beat.close()
    return code


class UnixConnection(http.client.HTTPConnection):
    """HTTP over the unix socket at path (Filebeat's http.host: unix:///path)."""

    def __init__(self, path):
        super().__init__('localhost', timeout=10)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)


def get(beat, path):
    if beat.socket:
        connection = UnixConnection(beat.socket)
        try:
            connection.request('GET', path)
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            connection.close()
    try:
        with urllib.request.urlopen(beat.url + path, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def wait_for_log(beat, text, count=1):
    deadline = time.monotonic() + 15
    while beat.log().count(text) < count:
        assert time.monotonic() < deadline and beat.process.poll() is None, beat.log()
        time.sleep(0.1)


def test_standin_run_serves_the_beat_and_its_inputs(tmp_path, pki):
    base = write_conf(tmp_path, pki, free_ports(1)[0])
    (base / 'logs' / 'models' / 'a.json').write_text('{"msg": "one"}\n')
    (base / 'logs' / 'models' / 'b.json').write_text('')
    (base / 'logs' / 'models' / 'dir.json').mkdir()  # not a file: not listed
    beat = start(base)
    try:
        assert beat.process.poll() is None, beat.log()
        status, about = get(beat, '/')
        assert status == 200 and about['stand-in'] is True and (about['beat'], about['version'], about['name']) == (
            'filebeat', '9.1.0', 'fb-standin-test')
        assert about['uuid'] == json.loads((base / 'data' / 'meta.json').read_text())['uuid']
        status, inputs = get(beat, '/inputs/')
        assert status == 200 and [(i['id'], i['input']) for i in inputs] == [('system-logs', 'filestream'), ('models', 'filestream')]
        files = {os.path.basename(f['path']): (f['size'], f['inode']) for f in inputs[1]['files']}
        stats = {name: os.stat(base / 'logs' / 'models' / name) for name in ('a.json', 'b.json')}
        assert files == {name: (info.st_size, info.st_ino) for name, info in stats.items()} and files['a.json'][0] == 15
        assert inputs[0]['files'] == [] and inputs[1]['paths'] == [str(base / 'logs' / 'models' / '*.json')]
        assert get(beat, '/stats')[0] == 404
        with open('/proc/%d/comm' % beat.process.pid, encoding='utf-8') as handle:
            assert handle.read().strip() == 'fb-stand-in'
        registry = base / 'data' / 'registry' / 'filebeat'
        assert [p.name for p in registry.iterdir()] == ['stand-in.txt']  # no registry of log lines
        assert {oct(os.stat(d).st_mode & 0o777) for d in (base / 'data', registry.parent, registry)} == {'0o750'}
        assert oct(os.stat(base / 'data' / 'meta.json').st_mode & 0o777) == '0o600'
    finally:
        code = stop(beat)
    assert code == 0 and 'stopped on SIGTERM; exit 0' in beat.log()
    lines = beat.log().splitlines()
    assert lines and all('stand-in' in line for line in lines), lines
    beat = start(base)  # a restart keeps the uuid of meta.json
    try:
        assert get(beat, '/')[1]['uuid'] == about['uuid']
    finally:
        stop(beat)


def test_standin_run_serves_on_a_unix_socket_only(tmp_path, pki):
    """http.host unix:///path, as the filebeat role sets it: no TCP port, the socket goes at the stop."""
    sock = tmp_path / 'run' / 'http.sock'
    sock.parent.mkdir()
    base = write_conf(tmp_path, pki, 5066, lambda c, i: c.update({'http.host': 'unix://%s' % sock}))
    beat = start(base)
    try:
        assert beat.process.poll() is None, beat.log()
        assert 'listening on unix://%s' % sock in beat.log()
        status, inputs = get(beat, '/inputs/')
        assert status == 200 and [i['id'] for i in inputs] == ['system-logs', 'models']
        with open('/proc/%d/net/tcp' % beat.process.pid, encoding='utf-8') as tcp, \
                open('/proc/%d/net/tcp6' % beat.process.pid, encoding='utf-8') as tcp6:
            listening = [line.split()[1] for line in tcp.read().splitlines()[1:] + tcp6.read().splitlines()[1:]
                         if line.split()[3] == '0A']
        assert not any(address.endswith(':13CA') for address in listening), listening  # 5066 is 0x13CA
    finally:
        code = stop(beat)
    assert code == 0 and not sock.exists()


def test_standin_run_reloads_the_inputs_directory(tmp_path, pki):
    base = write_conf(tmp_path, pki, free_ports(1)[0])
    beat = start(base)
    try:
        assert beat.process.poll() is None, beat.log()
        (base / 'inputs.d' / 'audit.yml').write_text(yaml.safe_dump([{'type': 'filestream', 'id': 'audit', 'paths': ['/var/log/audit/*.log']}]))
        wait_for_log(beat, 'stand-in: inputs reloaded: system-logs,audit,models')
        assert [i['id'] for i in get(beat, '/inputs/')[1]] == ['system-logs', 'audit', 'models']
        (base / 'inputs.d' / 'broken.yml').write_text('- type: filestream\n  id: [unclosed\n')
        wait_for_log(beat, 'inputs not reloaded, the previous inputs are kept')
        (base / 'inputs.d' / 'broken.yml').write_text(yaml.safe_dump([{'type': 'filestream', 'id': 'models', 'paths': ['/x']}]))
        wait_for_log(beat, 'inputs not reloaded, the previous inputs are kept', 2)
        assert 'filestream input id "models" is already used by' in beat.log()
        loose = base / 'loose.yml'  # a good input in a file that others may write: strict.perms refuses it
        loose.write_text(yaml.safe_dump([{'type': 'filestream', 'id': 'loose', 'paths': ['/x']}]))
        os.chmod(loose, 0o666)
        os.replace(loose, base / 'inputs.d' / 'broken.yml')
        wait_for_log(beat, 'inputs not reloaded, the previous inputs are kept', 3)
        assert 'broken.yml") can only be writable by the owner but the permissions are "-rw-rw-rw-"' in beat.log()
        assert [i['id'] for i in get(beat, '/inputs/')[1]] == ['system-logs', 'audit', 'models']
        (base / 'inputs.d' / 'broken.yml').unlink()
        (base / 'inputs.d' / 'audit.yml').unlink()
        wait_for_log(beat, 'stand-in: inputs reloaded: system-logs,models\n')
        assert [i['id'] for i in get(beat, '/inputs/')[1]] == ['system-logs', 'models']
    finally:
        code = stop(beat, signal.SIGHUP)  # as Filebeat, a SIGHUP stops it: there is no reload on SIGHUP
    assert code == 0 and 'stopped on SIGHUP; exit 0' in beat.log()
    assert all('stand-in' in line for line in beat.log().splitlines())


@pytest.mark.parametrize('case', ['missing-ca', 'missing-key', 'world-writable-input'])
def test_standin_run_refuses_to_start(tmp_path, pki, case):
    def change(config, inputs):
        if case == 'missing-ca':
            config['output.logstash']['ssl']['certificate_authorities'] = [str(tmp_path / 'gone-ca.pem')]
        if case == 'missing-key':
            config['output.logstash']['ssl']['key'] = 'client.key'  # relative: opened in path.config
    base = write_conf(tmp_path, pki, free_ports(1)[0], change)
    if case == 'world-writable-input':
        os.chmod(base / 'inputs.d' / 'models.yml', 0o666)
    else:  # the TLS files are checked at start only, not by test config
        assert filebeat(base, 'test', 'config')[:2] == (0, 'Config OK\n')
    beat = start(base)
    running = beat.process.poll() is None  # it started: stopped here, and the test fails
    code = stop(beat)
    assert not running and code == 1, beat.log()
    expected = {'missing-ca': 'output.logstash ssl.certificate_authorities: cannot read %s: No such file or directory'
                % (tmp_path / 'gone-ca.pem'),
                'missing-key': 'output.logstash ssl.key: cannot read %s: No such file or directory' % (tmp_path / 'client.key'),
                'world-writable-input': 'models.yml") can only be writable by the owner'}[case]
    assert expected in beat.log() and 'listening on' not in beat.log() and not (base / 'data').exists(), beat.log()


# ---------------------------------------------------------------- the package, built and read (not installed)

@pytest.fixture(scope='module')
def package(tmp_path_factory):
    work = tmp_path_factory.mktemp('fb-standin-deb')
    out = run(['bash', BUILD, str(work / 'debs'), '9.1.0', 'filebeat'])
    assert out.returncode == 0, out.stderr
    assert sorted(os.listdir(work / 'debs')) == ['filebeat_9.1.0_all.deb']  # only the package asked for
    deb = work / 'debs' / 'filebeat_9.1.0_all.deb'
    assert run(['dpkg-deb', '-x', str(deb), str(work / 'tree')]).returncode == 0
    assert run(['dpkg-deb', '-e', str(deb), str(work / 'control')]).returncode == 0
    return types.SimpleNamespace(deb=deb, tree=work / 'tree', control=work / 'control')


def test_standin_filebeat_package_control_files_and_modes(package):
    out = run(['dpkg-deb', '-f', str(package.deb), 'Package', 'Version', 'Architecture', 'Depends', 'Description']).stdout
    fields = dict(line.split(': ', 1) for line in out.splitlines() if ': ' in line)
    assert (fields['Package'], fields['Version'], fields['Architecture']) == ('filebeat', '9.1.0', 'all')
    assert [d.strip() for d in fields['Depends'].split(',')] == ['python3', 'python3-yaml']
    assert fields['Description'] == 'stand-in for Filebeat, for tests of mlops.observability; not Filebeat'
    assert (package.control / 'conffiles').read_text() == '/etc/filebeat/filebeat.yml\n'
    listing = {}
    for line in run(['dpkg-deb', '-c', str(package.deb)]).stdout.splitlines():
        fields = line.split(None, 5)
        listing[fields[5].lstrip('.').rstrip('/')] = (fields[0], fields[1])
    expected = {'/usr/share/filebeat/bin/filebeat': '-rwxr-xr-x', '/usr/bin/filebeat': '-rwxr-xr-x',
                '/usr/share/filebeat/standin/filebeat_standin.py': '-rw-r--r--', '/etc/filebeat': 'drwxr-xr-x',
                '/etc/filebeat/filebeat.yml': '-rw-------', '/etc/filebeat/inputs.d': 'drwxr-xr-x',
                '/usr/lib/systemd/system/filebeat.service': '-rw-r--r--', '/var/lib/filebeat': 'drwxr-x---',
                '/var/log/filebeat': 'drwxr-x---'}
    assert {path: listing.get(path, ('missing',))[0] for path in expected} == expected
    assert {owner for mode, owner in listing.values()} == {'root/root'}
    assert not [path for path in listing if path.startswith('/etc/filebeat/inputs.d/') or path.endswith('.pyc')]
    with open(STANDIN, 'rb') as handle:
        assert (package.tree / 'usr/share/filebeat/standin/filebeat_standin.py').read_bytes() == handle.read()


def test_standin_filebeat_package_unit(package, tmp_path):
    text = (package.tree / 'usr/lib/systemd/system/filebeat.service').read_text()
    service = {'%s=%s' % (key, value) for section, key, value in unit_directives(text) if section == 'Service'}
    assert service == {
        'Type=simple', 'Environment="GODEBUG=madvdontneed=1"', 'Environment="BEAT_LOG_OPTS="',
        'Environment="BEAT_CONFIG_OPTS=-c /etc/filebeat/filebeat.yml"',
        'Environment="BEAT_PATH_OPTS=--path.home /usr/share/filebeat --path.config /etc/filebeat '
        '--path.data /var/lib/filebeat --path.logs /var/log/filebeat"',
        'ExecStart=/usr/share/filebeat/bin/filebeat --environment systemd $BEAT_LOG_OPTS $BEAT_CONFIG_OPTS $BEAT_PATH_OPTS',
        'Restart=always'}  # no User= (root), no ExecReload
    assert ('Install', 'WantedBy', 'multi-user.target') in unit_directives(text) and 'stand-in' in text
    unit = tmp_path / 'filebeat.service'  # systemd's own check, ExecStart pointed at the extracted tree
    unit.write_text(text.replace('/usr/share/filebeat/bin/filebeat', str(package.tree / 'usr/share/filebeat/bin/filebeat')))
    out = run(['systemd-analyze', 'verify', str(unit)])
    assert out.returncode == 0 and out.stderr.strip() == '', out.stderr


def test_standin_filebeat_package_commands_and_scripts(package, tmp_path):
    wrapper = (package.tree / 'usr/share/filebeat/bin/filebeat').read_text()
    assert wrapper.splitlines()[-1] == 'exec python3 -B /usr/share/filebeat/standin/filebeat_standin.py "$@"'
    assert re.search(r'exec /usr/share/filebeat/bin/filebeat --path.home /usr/share/filebeat --path.config /etc/filebeat \\\n'
                     r'\s+--path.data /var/lib/filebeat --path.logs /var/log/filebeat "\$@"\n$',
                     (package.tree / 'usr/bin/filebeat').read_text())
    local = tmp_path / 'filebeat'  # bin/filebeat pointed at the extracted tree: the package is not installed
    local.write_text(wrapper.replace('/usr/share/filebeat/', str(package.tree / 'usr/share/filebeat') + '/'))
    out = run(['sh', str(local), 'version'])
    assert out.returncode == 0 and out.stdout == 'filebeat version 9.1.0 (stand-in; not Filebeat)\n'
    etc = package.tree / 'etc/filebeat'  # the packaged filebeat.yml, its ${path.config} and its mode 0600 pass
    out = run(['sh', str(local), 'test', 'config', '-c', 'filebeat.yml', '--path.config', str(etc)])
    assert (out.returncode, out.stdout) == (0, 'Config OK\n'), out.stderr
    assert not list(package.tree.rglob('__pycache__'))  # python3 -B
    scripts = {name: (package.control / name).read_text() for name in ('postinst', 'prerm', 'postrm')}
    for name in scripts:
        assert run(['sh', '-n', str(package.control / name)]).returncode == 0, name
    assert 'daemon-reload' in scripts['postinst'] and not re.search(r'adduser|addgroup|useradd|chown', scripts['postinst'])
    assert not re.search(r'systemctl[^\n]*\b(start|enable|restart)\b|deb-systemd-(invoke|helper)', scripts['postinst'])
    assert re.search(r'"\$1" = remove .*\n.*systemctl [^\n]*stop filebeat\.service', scripts['prerm'])
    assert re.search(r'"\$1" = purge .*\n\s*rm -rf /var/lib/filebeat /var/log/filebeat\n', scripts['postrm'])
    other = run(['bash', BUILD, str(tmp_path / 'other'), '8.19.3', 'filebeat'])
    assert other.returncode == 0, other.stderr
    assert run(['dpkg-deb', '-f', str(tmp_path / 'other/filebeat_8.19.3_all.deb'), 'Version']).stdout.strip() == '8.19.3'
