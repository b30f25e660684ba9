"""Shared fixtures: the real promtool, and a way to run the collection's modules with ansible."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


@pytest.fixture(scope='session')
def promtool():
    path = os.path.join(REPO, '.cache', 'bin', 'promtool')
    if not os.access(path, os.X_OK):
        path = shutil.which('promtool')
    if not path:
        pytest.fail('promtool is missing: run tests/get-promtool.sh (make units does)')
    return path


PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    a: "{{ lookup('ansible.builtin.file', args_file) | from_json }}"
  tasks:
    - name: Run the module
      mlops.observability.%s:
        directory: "{{ a.directory }}"
        models: "{{ a.models }}"
        owner: "{{ a.owner | default(omit) }}"
        group: "{{ a.group | default(omit) }}"
        exclusive: "{{ a.exclusive | default(omit) }}"
        mode: "{{ a.mode | default(omit) }}"
"""


@pytest.fixture
def run_module(promtool, tmp_path_factory):
    """Run a module of the collection on localhost with ansible-playbook; returns the task result.

    The arguments come through a lookup, so that Prometheus templates in them ({{ $labels }}) stay
    data, as they do when they come from the model_alert_rules filter in a play.
    """
    work = tmp_path_factory.mktemp('play')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.cache', 'collections'),
               ANSIBLE_STDOUT_CALLBACK='json',
               PATH=os.path.dirname(promtool) + os.pathsep + os.environ.get('PATH', ''))

    def run(module, args, check=False, diff=False):
        (work / 'args.json').write_text(json.dumps(args))
        (work / 'play.yml').write_text(PLAYBOOK % module)
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
               '-e', 'args_file=%s' % (work / 'args.json'), '-e', 'ansible_python_interpreter=' + sys.executable,
               str(work / 'play.yml')]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        data = json.loads(out.stdout)
        return data['plays'][0]['tasks'][0]['hosts']['localhost']
    return run


TASK_PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    a: "{{ lookup('ansible.builtin.file', args_file) | from_json }}"
  tasks:
    - name: Run the module
      mlops.observability.%s: "{{ a }}"
"""


@pytest.fixture
def run_task(tmp_path_factory):
    """Run one module of the collection on localhost with the given arguments (any module); returns the task
    result, with the play's stdout and stderr under _stdout and _stderr."""
    work = tmp_path_factory.mktemp('task')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.cache', 'collections'),
               ANSIBLE_STDOUT_CALLBACK='json')

    def run(module, args, check=False, diff=False):
        (work / 'args.json').write_text(json.dumps(args))
        (work / 'play.yml').write_text(TASK_PLAYBOOK % module)
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
               '-e', 'args_file=%s' % (work / 'args.json'), '-e', 'ansible_python_interpreter=' + sys.executable,
               str(work / 'play.yml')] + (['--check'] if check else []) + (['--diff'] if diff else [])
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        result = json.loads(out.stdout)['plays'][0]['tasks'][0]['hosts']['localhost']
        return dict(result, _stdout=out.stdout, _stderr=out.stderr)
    return run
