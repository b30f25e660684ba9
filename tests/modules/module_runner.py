"""Run one module task of the collection on localhost with ansible-playbook: used by the run_task and run_module
fixtures (conftest.py) and by benchmarks/elasticsearch_modules.py.

The arguments go through a file and a lookup, so that templates in them (such as Prometheus' {{ $labels }}) stay
data, as they do when they come from a filter in a play.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
COLLECTIONS = os.path.join(REPO, '.cache', 'collections')

# %s: the module, and its arguments (by default all of them: the variable a)
PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    a: "{{ lookup('ansible.builtin.file', args_file) | from_json }}"
  tasks:
    - name: Run the module
      mlops.observability.%s: %s
"""
EVERY_ARGUMENT = '"{{ a }}"'


def run_task(work, module, args, check=False, diff=False, task_args=EVERY_ARGUMENT, env=None):
    """Run module with args (written to work/args.json, the play to work/play.yml), in check and diff mode if
    asked; task_args: the YAML of the task's arguments, from the variable a; env: more environment variables.
    Returns the task result, with the play's stdout and stderr under _stdout and _stderr; raises RuntimeError when
    the play ran no task (such as when ansible-playbook refused it)."""
    args_file, play = os.path.join(work, 'args.json'), os.path.join(work, 'play.yml')
    with open(args_file, 'w') as handle:
        json.dump(args, handle)
    with open(play, 'w') as handle:
        handle.write(PLAY % (module, task_args))
    cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
           '-e', 'args_file=%s' % args_file, '-e', 'ansible_python_interpreter=' + sys.executable,
           play] + (['--check'] if check else []) + (['--diff'] if diff else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=False,
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_STDOUT_CALLBACK='json',
                                  **(env or {})))
    try:
        result = json.loads(out.stdout)['plays'][0]['tasks'][0]['hosts']['localhost']
    except (ValueError, KeyError, IndexError):
        raise RuntimeError('ansible-playbook ran no task (exit %d):\n%s%s' % (
            out.returncode, out.stdout[-3000:], out.stderr[-2000:])) from None
    return dict(result, _stdout=out.stdout, _stderr=out.stderr)
