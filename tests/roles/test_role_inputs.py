"""Bad role input fails with a clear message before any task changes anything.

One ansible-playbook run (connection local, for real, not --check) includes each role with bad
variables inside a block/rescue; the json callback gives every task result, so each case is checked
for: it failed, its message names the field (and the model), and no task of it reported a change.
The same run has good input pass common's checks. Paths the roles would create point into a tmp
dir; the path-traversal case aims at a tmp "victim" dir whose owner and mode must not change.
A second run renders the unit template and systemd-analyze checks that ExecStart arguments survive.
Secrets: every role's argument spec is read, and secret-looking options must be no_log.
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
USERS = [{'name': 'scraper', 'password': 'not-a-real-secret'}]


def run_playbook(work, text):
    """Run a playbook on localhost with the json callback; returns (rc, parsed output, raw stdout)."""
    (work / 'play.yml').write_text(text)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.cache', 'collections'),
               ANSIBLE_STDOUT_CALLBACK='json', ANSIBLE_FORCE_COLOR='False', ANSIBLE_NOCOLOR='True')
    out = subprocess.run([ANSIBLE_PLAYBOOK, '-i', 'localhost,', '-e', 'ansible_python_interpreter=' + sys.executable,
                          str(work / 'play.yml')], cwd=REPO, env=env, capture_output=True, text=True, check=False,
                         timeout=300)
    try:
        data = json.loads(out.stdout)
    except ValueError:
        pytest.fail('ansible-playbook did not print json:\n%s\n%s' % (out.stdout[-3000:], out.stderr[-3000:]))
    return out.returncode, data, out.stdout


def messages(result):
    """Every msg in a task result, its loop items included."""
    found = [str(result['msg'])] if 'msg' in result else []
    for item in result.get('results', []):
        found.extend(messages(item))
    return found


# Each case: (id, role, tasks_from or None, vars as YAML text, words the failure message must contain).
# {tmp}, {victim_name} and {users} are filled in; vars are YAML text, so the folded scalars are parsed as
# users write them (with their trailing newline).
CASES = [
    ('listen_address_trailing_newline', 'node_exporter', None, """
        node_exporter_web_listen_address: >
          0.0.0.0:9100
        node_exporter_basic_auth_users: {users}
        node_exporter_tls_cert_file: "{tmp}/tls/host.crt"
        node_exporter_tls_key_file: "{tmp}/tls/host.key"
        mlops_observability_cache_dir: "{tmp}/cache"
        """, ['node_exporter_web_listen_address', r'0.0.0.0:9100\n']),
    ('listen_port_out_of_range', 'node_exporter', None, """
        node_exporter_web_listen_address: "0.0.0.0:65536"
        node_exporter_basic_auth_users: {users}
        mlops_observability_cache_dir: "{tmp}/cache"
        """, ['node_exporter_web_listen_address', '65536', 'from 1 to 65535']),
    ('model_name_path_traversal', 'model_service', None, """
        model_service_models:
          - {{name: "{victim_name}", version: "1.0", port: 9464, framework: sklearn, serve: true}}
        model_service_basic_auth_users: {users}
        """, ["model '{victim_name}'", 'name: must match']),
    ('model_name_trailing_newline', 'model_service', None, """
        model_service_models:
          - name: >
              churn
            version: "1.0"
            port: 9464
        model_service_log_dir: "{tmp}/log/mlops-models"
        """, [r"model 'churn\n'", 'name: must match']),
    ('model_serve_not_bool', 'model_service', None, """
        model_service_models:
          - {{name: churn, version: "1.0", port: 9464, serve: "yes"}}
        model_service_basic_auth_users: {users}
        model_service_log_dir: "{tmp}/log/mlops-models"
        """, ['model churn', "serve: 'yes' is not a boolean"]),
    ('model_serve_not_bool_spec', 'model_service', None, """
        model_service_models:
          - {{name: churn, version: "1.0", port: 9464, serve: maybe}}
        model_service_basic_auth_users: {users}
        model_service_log_dir: "{tmp}/log/mlops-models"
        """, ['serve', 'maybe']),
    ('model_port_out_of_range', 'model_service', None, """
        model_service_models:
          - {{name: churn, version: "1.0", port: 70000, serve: true}}
        model_service_basic_auth_users: {users}
        model_service_log_dir: "{tmp}/log/mlops-models"
        """, ['model churn', 'port: 70000']),
    ('model_log_retention_zero', 'model_service', None, """
        model_service_models:
          - {{name: churn, version: "1.0", port: 9464, log_retention_days: 0}}
        model_service_log_dir: "{tmp}/log/mlops-models"
""", ['model churn', 'log_retention_days: 0']),
    ('model_elasticsearch_retention_text', 'model_service', None, """
        model_service_models:
          - {{name: churn, version: "1.0", port: 9464, elasticsearch_retention_days: "30"}}
        model_service_log_dir: "{tmp}/log/mlops-models"
        """, ['model churn', "elasticsearch_retention_days: '30' is not a whole number"]),
    ('model_service_user_without_password', 'model_service', None, """
        model_service_models:
          - {{name: churn, version: "1.0", port: 9464, serve: true}}
        model_service_basic_auth_users: [{{name: prometheus, password: ""}}]
        model_service_tls_cert_file: "{tmp}/tls/host.crt"
        model_service_tls_key_file: "{tmp}/tls/host.key"
        model_service_tls_group: mlops-tls
        model_service_log_dir: "{tmp}/log/mlops-models"
        """, ['model_service: every listener requires basic auth', "users without a password: ['prometheus']"]),
    ('model_service_log_dir_empty', 'model_service', None, """
        model_service_models:
          - {{name: churn, version: "1.0", port: 9464, serve: true}}
        model_service_basic_auth_users: {users}
        model_service_tls_cert_file: "{tmp}/tls/host.crt"
        model_service_tls_key_file: "{tmp}/tls/host.key"
        model_service_tls_group: mlops-tls
        """, ['model_service_log_dir: empty', 'run the model_logs role first']),
    ('model_service_helper_src_missing', 'model_service', None, """
        model_service_models:
          - {{name: churn, version: "1.0", port: 9464, serve: true}}
        model_service_basic_auth_users: {users}
        model_service_tls_cert_file: "{tmp}/tls/host.crt"
        model_service_tls_key_file: "{tmp}/tls/host.key"
        model_service_tls_group: mlops-tls
        model_service_log_dir: "{tmp}/log/mlops-models"
        model_service_helper_src: "{tmp}/no-helper"
        """, ['model_service_helper_src', 'no-helper', 'has no pyproject.toml']),
    ('model_logs_name_path_traversal', 'model_logs', None, """
        model_logs_models:
          - {{name: "{victim_name}", version: "1.0", port: 9464}}
        """, ["model '{victim_name}'", 'name: must match']),
    ('model_logs_name_trailing_newline', 'model_logs', None, """
        model_logs_models:
          - name: >
              churn
        model_logs_dir: "{tmp}/log/mlops-models"
        """, [r"model 'churn\n'", 'name: must match']),
    ('model_logs_entry_retention_zero', 'model_logs', None, """
        model_logs_models:
          - {{name: churn, log_retention_days: 0}}
        model_logs_dir: "{tmp}/log/mlops-models"
        """, ['model churn', 'log_retention_days: 0']),
    ('model_logs_settings', 'model_logs', None, """
        model_logs_models:
          - {{name: churn}}
        model_logs_dir: "{tmp}/log/../victim"
        model_logs_group: Mlops Logs
        model_logs_owner: >
          mlops-model
        model_logs_retention_days: 3651
        """, ['/log/../victim" must be an absolute path without spaces or ..', 'model_logs_group: "Mlops Logs"',
              r'model_logs_owner: "mlops-model\n"', 'model_logs_retention_days: 3651', 'from 1 to 3650']),
    ('umask_decimal', 'common', 'preflight', """
        {common}
        __common_umask: 640
        """, ['__common_umask: 640', 'quoted octal string']),
    ('umask_world_writable', 'common', 'preflight', """
        {common}
        __common_umask: "0000"
        """, ['__common_umask: "0000"']),
    ('cert_lifetime_negative', 'pki', None, """
        pki_dir: "{tmp}/pki"
        pki_cert_days: -1
        """, ['pki_cert_days: -1', 'at least 1']),
    ('cert_renew_not_below_lifetime', 'pki', None, """
        pki_dir: "{tmp}/pki"
        pki_cert_days: 30
        pki_renew_days: 30
        """, ['pki_renew_days: 30', 'less than pki_cert_days']),
    ('prometheus_scrape_user_without_password', 'prometheus', None, """
        prometheus_basic_auth_users: {users}
        prometheus_self_scrape_user: {{name: prometheus, password: ""}}
        prometheus_node_exporter_scrape_user: {{name: prometheus, password: not-a-real-secret}}
        prometheus_alertmanager_user: {{name: "", password: not-a-real-secret}}
        prometheus_model_scrape_user: {{name: prometheus, password: not-a-real-secret}}
        """, ['prometheus_self_scrape_user', 'prometheus_alertmanager_user', 'non-empty password']),
    ('alertmanager_listen_port_out_of_range', 'alertmanager', None, """
        alertmanager_web_listen_address: "0.0.0.0:99999"
        alertmanager_basic_auth_users: {users}
        alertmanager_tls_cert_file: "{tmp}/tls/host.crt"
        alertmanager_tls_key_file: "{tmp}/tls/host.key"
        mlops_observability_cache_dir: "{tmp}/cache"
        """, ['alertmanager_web_listen_address', '99999']),
]
# Good input must pass the same checks: common's preflight changes nothing, so it runs to its end.
GOOD_CASES = [
    ('good_listen_address_and_umask', 'common', 'preflight', """
        {common}
        __common_web_listen_address: "[::1]:9100"
        __common_umask: "027"
        __common_flags: ["--web.listen-address=[::1]:9100", "--with space"]
        """),
]

COMMON_VARS = """
        __common_name: mlopstest
        __common_description: input check test
        __common_documentation: https://example.invalid/
        __common_restart_handler: Restart nothing
        __common_install_method: archive
        __common_version: 1.0.0
        __common_archive_base_url: https://example.invalid/releases
        __common_web_listen_address: "127.0.0.1:9999"
        __common_basic_auth_users: {users}
        __common_tls_cert_file: "{tmp}/tls/host.crt"
        __common_tls_key_file: "{tmp}/tls/host.key"
        __common_web_config_dir: "{tmp}/etc/mlopstest"
        __common_cache_dir: "{tmp}/cache"
        __common_flags: []
"""


def case_vars(text, tmp, victim_name):
    fill = dict(tmp=tmp, victim_name=victim_name, users=json.dumps(USERS))
    fill['common'] = textwrap.indent(textwrap.dedent(COMMON_VARS).format(**fill).strip(), ' ' * 8).lstrip()
    return textwrap.dedent(text.format(**fill)).strip()


@pytest.fixture(scope='module')
def bad_input_run(tmp_path_factory):
    """Run every case in one play; returns {case id: [(task name, result)]}, the stats and the victim."""
    work = tmp_path_factory.mktemp('inputs')
    tmp = str(work)
    # the traversal target: /etc/mlops-model/<name> and /var/log/mlops-models/<name> both resolve to it
    victim = work / 'victim'
    victim.mkdir(mode=0o700)
    os.chmod(victim, 0o700)
    victim_name = '../../..' + str(victim)
    before = os.stat(victim)
    tasks = []
    for case_id, role, tasks_from, text in [c[:4] for c in CASES + GOOD_CASES]:
        variables = yaml.safe_load(case_vars(text, tmp, victim_name))
        include = {'name': 'mlops.observability.' + role}
        if tasks_from:
            include['tasks_from'] = tasks_from
        tasks.append({'name': 'CASE ' + case_id, 'ansible.builtin.debug': {'msg': case_id}})
        tasks.append({'name': 'Include %s' % role,
                      'block': [{'name': 'Include ' + role, 'ansible.builtin.include_role': include,
                                 'vars': variables}],
                      'rescue': [{'name': 'Failed', 'ansible.builtin.debug': {'msg': 'failed'}}]})
    # facts as a play has them (the roles' later tasks read the architecture and addresses)
    play = [{'name': 'Bad role input', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': True,
             'gather_subset': ['min', 'network'], 'tasks': tasks}]
    rc, data, raw = run_playbook(work, yaml.safe_dump(play, sort_keys=False, width=1000))
    by_case, current = {}, None
    for task in data['plays'][0]['tasks']:
        name = task['task']['name']
        if name.startswith('CASE '):
            current = name[len('CASE '):]
            by_case[current] = []
        elif current:
            by_case[current].append((name, task['hosts'].get('localhost', {})))
    return dict(rc=rc, cases=by_case, stats=data['stats'], victim=victim, before=before, tmp=work, raw=raw)


def test_the_play_changed_nothing(bad_input_run):
    stats = bad_input_run['stats']['localhost']
    assert bad_input_run['rc'] == 0, 'every failure is rescued, so the play itself succeeds'
    assert stats['changed'] == 0, stats
    assert stats['failures'] == 0 and stats['rescued'] == len(CASES), stats


@pytest.mark.parametrize('case_id, words', [(c[0], c[4]) for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_fails_first_naming_the_field(bad_input_run, case_id, words):
    results = bad_input_run['cases'][case_id]
    failed = [(name, r) for name, r in results if r.get('failed')]
    assert failed, 'the role accepted the bad input: %s' % [name for name, dummy in results]
    changed = [name for name, r in results if r.get('changed')]
    assert not changed, 'tasks changed something before the input check failed: %s' % changed
    text = ' '.join(messages(failed[0][1]))
    victim_name = '../../..' + str(bad_input_run['victim'])
    for word in words:
        word = word.format(victim_name=victim_name)
        assert word in text, 'message of %r lacks %r: %s' % (failed[0][0], word, text)


@pytest.mark.parametrize('case_id', [c[0] for c in GOOD_CASES])
def test_good_input_passes_the_checks(bad_input_run, case_id):
    results = bad_input_run['cases'][case_id]
    assert [name for name, r in results if r.get('failed')] == []
    assert any(name.endswith('Check the input before anything changes, mlopstest') for name, r in results)


def test_path_traversal_did_not_touch_the_target(bad_input_run):
    victim, before = bad_input_run['victim'], bad_input_run['before']
    after = os.stat(victim)
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == \
        (before.st_uid, before.st_gid, stat.S_IMODE(before.st_mode))
    assert os.listdir(victim) == []


def test_no_path_was_created(bad_input_run):
    # every path the roles would create for the bad cases points into the tmp dir
    for path in ('pki', 'log', 'etc', 'cache', 'tls'):
        assert not (bad_input_run['tmp'] / path).exists(), path


# ---- model_logs' output is what model_service reads, not model_logs' internals ----

def test_model_service_reads_the_model_logs_output(tmp_path):
    """The outputs entry point sets model_logs_paths, changing nothing; model_service's log directory comes from it."""
    play = textwrap.dedent("""
        - hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: The output of model_logs only
              ansible.builtin.include_role:
                name: mlops.observability.model_logs
                tasks_from: outputs
              vars:
                model_logs_dir: logs/relative
                model_logs_group: shippers
                model_logs_owner: someone
            - name: Show the output
              ansible.builtin.debug:
                var: model_logs_paths
            - name: Model service with its defaults
              block:
                - name: Include model_service
                  ansible.builtin.include_role:
                    name: mlops.observability.model_service
                  vars:
                    model_service_models: [{name: churn, version: "1.0", port: 9464, serve: true}]
                    model_service_basic_auth_users: %s
                    model_service_tls_cert_file: %s/host.crt
                    model_service_tls_key_file: %s/host.key
                    model_service_tls_group: mlops-tls
              rescue:
                - name: Failed
                  ansible.builtin.debug:
                    msg: failed
        """) % (json.dumps(USERS), tmp_path, tmp_path)
    rc, data, raw = run_playbook(tmp_path, play)
    assert rc == 0, raw[-3000:]
    results = [(t['task']['name'], t['hosts'].get('localhost', {})) for t in data['plays'][0]['tasks']]
    shown = [r for name, r in results if name == 'Show the output']
    assert shown[0]['model_logs_paths'] == {'dir': 'logs/relative', 'group': 'shippers', 'owner': 'someone'}
    failed = [r for name, r in results if r.get('failed')]
    assert len(failed) == 1, results
    text = ' '.join(messages(failed[0]))
    assert 'model_service_log_dir: "logs/relative" must be an absolute path' in text, text
    assert 'model_logs_paths.owner: "someone"' in text, text
    assert data['stats']['localhost']['changed'] == 0, data['stats']


# ---- secrets are no_log in every role's argument spec ----

SECRET_NAME = re.compile(r'password|passphrase|secret|token|basic_auth_users|private_?key|key_content|api_key|routing_key',
                         re.I)
SPEC_FILES = sorted(glob.glob(os.path.join(REPO, 'roles', '*', 'meta', 'argument_specs.yml')))


def secret_options_without_no_log(options, where):
    missing = []
    for name, spec in (options or {}).items():
        if SECRET_NAME.search(name) and not spec.get('no_log'):
            missing.append('%s.%s' % (where, name))
        missing.extend(secret_options_without_no_log(spec.get('options'), '%s.%s' % (where, name)))
    return missing


@pytest.mark.parametrize('path', SPEC_FILES, ids=[p.split(os.sep)[-3] for p in SPEC_FILES])
def test_secret_options_are_no_log(path):
    with open(path, encoding='utf-8') as handle:
        specs = yaml.safe_load(handle)['argument_specs']
    missing = [m for entry, spec in specs.items() for m in secret_options_without_no_log(spec.get('options'), entry)]
    assert not missing, 'secret options without no_log: true in %s: %s' % (os.path.relpath(path, REPO), missing)


def test_model_service_users_are_no_log():
    with open(os.path.join(REPO, 'roles', 'model_service', 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    assert options['model_service_basic_auth_users']['no_log'] is True


# ---- ExecStart arguments survive systemd's parser ----

NASTY_FLAGS = [
    '--web.listen-address=0.0.0.0:9100\n',           # a folded scalar's trailing newline
    '--web.config.file=/etc/x/web.yml',
    '--with space',
    'a "quoted" word',
    "it's",
    'new\nline\r\tand tab',
    'dollar $HOME ${HOME} $$',
    'percent %n %% %',
    'back\\slash\\',
    '',
    '--last',
]


def decode_command_line(line):
    """systemd's dump prints argv shell-quoted with C escapes in double quotes; undo that."""
    escapes = {'n': '\n', 't': '\t', 'r': '\r', 'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v'}
    argv = []
    for quoted, bare in re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', line):
        word = quoted if quoted or not bare else bare
        argv.append(re.sub(r'\\(.)', lambda m: escapes.get(m.group(1), m.group(1)), word))
    return argv


def test_exec_start_arguments_are_quoted(tmp_path):
    analyze = shutil.which('systemd-analyze')
    if not analyze:
        pytest.skip('systemd-analyze is missing: the ExecStart quoting is not checked here')
    unit = tmp_path / 'mlops-quoting-test.service'
    args = {'dir': str(tmp_path), 'flags': NASTY_FLAGS}
    (tmp_path / 'args.json').write_text(json.dumps(args))
    play = textwrap.dedent("""
        - hosts: localhost
          connection: local
          gather_facts: false
          vars:
            a: "{{ lookup('ansible.builtin.file', '%s') | from_json }}"
          tasks:
            - name: Write the unit with the common role's unit entry point
              ansible.builtin.include_role:
                name: mlops.observability.common
                tasks_from: unit
              vars:
                __common_name: mlops-quoting-test
                __common_unit_dir: "{{ a.dir }}"
                __common_restart_handler: Restart nothing
                __common_user: root
                __common_description: quoting test 100%%
                __common_documentation: https://example.invalid/
                __common_binary: /bin/echo
                __common_flags: "{{ a.flags }}"
                __common_web_config: false
          handlers:
            - name: Restart nothing
              ansible.builtin.debug:
                msg: the unit changed
        """) % (tmp_path / 'args.json')
    rc, data, raw = run_playbook(tmp_path, play)
    assert rc == 0, raw[-3000:]
    # verify exits 0 even on "Unknown key ... ignoring" (what a split ExecStart gives): read its warnings
    out = subprocess.run([analyze, 'verify', str(unit)], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stderr.splitlines() if unit.name in line]
    assert not warnings, warnings
    out = subprocess.run([analyze, 'verify', str(unit)], capture_output=True, text=True, check=False,
                         env=dict(os.environ, SYSTEMD_LOG_LEVEL='debug'))
    # the debug log dumps the loaded unit: "Command Line:" shows the argv systemd parsed
    section = (out.stdout + out.stderr).split('-> Unit mlops-quoting-test.service:', 1)
    assert len(section) == 2, 'systemd-analyze did not dump the unit:\n' + out.stdout[-2000:] + out.stderr[-2000:]
    line = re.search(r'Command Line: (.*)', section[1]).group(1)
    argv = decode_command_line(line)
    # $$ stays in the stored argv and becomes $ when systemd expands the environment at start
    assert [a.replace('$$', '$') for a in argv] == ['/bin/echo'] + NASTY_FLAGS


# ---- the models play: a misspelt model_hosts group must not remove every model ----

def test_models_play_refuses_a_missing_model_hosts_group(tmp_path):
    # pki_cert_days -1: should the check ever let the run go on, the next play's pki role stops at its own
    # input check instead of changing this machine
    inventory = {'all': {'hosts': {'localhost': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                                                 'pki_cert_days': -1}},
                         'children': {'prometheus': {'hosts': {'localhost': {}}},
                                      'model_host': {'hosts': {'localhost': {'models': []}}}}}}
    (tmp_path / 'inventory.yml').write_text(yaml.safe_dump(inventory))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.cache', 'collections'),
               ANSIBLE_STDOUT_CALLBACK='json', ANSIBLE_FORCE_COLOR='False', ANSIBLE_NOCOLOR='True')
    out = subprocess.run([ANSIBLE_PLAYBOOK, '-i', str(tmp_path / 'inventory.yml'),
                          os.path.join(REPO, 'playbooks', 'models.yml')],
                         cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=300)
    data = json.loads(out.stdout)
    assert out.returncode != 0
    assert data['stats']['localhost']['changed'] == 0
    ran = [task['task']['name'] for play in data['plays'] for task in play['tasks']]
    failed = [task['hosts']['localhost'] for play in data['plays'] for task in play['tasks']
              if task['hosts'].get('localhost', {}).get('failed')]
    assert len(failed) == 1 and 'has no group model_hosts' in failed[0]['msg'], failed
    assert not any('Register' in name or 'Install' in name for name in ran), ran


# ---- a drop-in over a vendor's unit takes its sandboxing from the same place as our units ----

NOT_SANDBOXING = ('#', 'ExecStart', 'Description', 'Documentation', 'User', 'Group')


def _settings(text):
    return sorted(line for line in text.splitlines() if '=' in line and not line.startswith(NOT_SANDBOXING))


def test_dropin_and_full_unit_share_the_hardening(tmp_path):
    play = textwrap.dedent("""
        - hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Write a unit and a drop-in with the common role's unit entry point
              ansible.builtin.include_role:
                name: mlops.observability.common
                tasks_from: unit
              vars:
                __common_name: vendor-test
                __common_unit_dir: "%s/{{ item }}"
                __common_unit_mode: "{{ item }}"
                __common_restart_handler: Restart nothing
                __common_binary: /bin/true
                __common_web_config: false
                __common_read_write_paths: [/var/lib/vendor-test]
                __common_hardening: {MemoryDenyWriteExecute: null, SystemCallFilter: ["@system-service"]}
              loop: [full, dropin]
          handlers:
            - name: Restart nothing
              ansible.builtin.debug:
                msg: the unit changed
        """) % tmp_path
    for mode in ('full', 'dropin'):
        (tmp_path / mode).mkdir()
    rc, data, raw = run_playbook(tmp_path, play)
    assert rc == 0, raw[-3000:]
    full = (tmp_path / 'full' / 'vendor-test.service').read_text()
    dropin = (tmp_path / 'dropin' / 'vendor-test.service.d' / 'mlops-hardening.conf').read_text()
    full_service = full.split('[Service]', 1)[1].split('[Install]', 1)[0]
    # the drop-in holds exactly the sandboxing lines of the full unit, no command of its own
    assert _settings(dropin) == [s for s in _settings(full_service) if not s.startswith(
        ('Type=', 'Restart=', 'RestartSec=', 'TimeoutStopSec='))]
    assert 'ExecStart' not in dropin and 'MemoryDenyWriteExecute' not in dropin
    assert 'SystemCallFilter=@system-service' in dropin and 'ProtectSystem=strict' in dropin
    assert 'ReadWritePaths=/var/lib/vendor-test' in dropin
    analyze = shutil.which('systemd-analyze')
    if analyze:
        # a vendor unit with the drop-in's [Service] lines appended must load without a warning
        unit = tmp_path / 'vendor-test.service'
        unit.write_text('[Unit]\nDescription=vendor\n[Service]\nExecStart=/bin/true\n' + dropin.split('[Service]', 1)[1])
        out = subprocess.run([analyze, 'verify', str(unit)], capture_output=True, text=True, check=False)
        assert out.returncode == 0 and unit.name not in out.stderr, out.stderr
