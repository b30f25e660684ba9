"""Shared fixtures: the real promtool, and a way to run the collection's modules with ansible."""
from __future__ import annotations

import os
import shutil

import pytest

from module_runner import REPO, run_task


@pytest.fixture(scope='session')
def promtool():
    path = os.path.join(REPO, '.cache', 'bin', 'promtool')
    if not os.access(path, os.X_OK):
        path = shutil.which('promtool')
    if not path:
        pytest.fail('promtool is missing: run tests/get-promtool.sh (make units does)')
    return path


# the arguments of the Prometheus file modules, from the variable a of module_runner.PLAY
MODEL_FILE_ARGS = """
        directory: "{{ a.directory }}"
        models: "{{ a.models }}"
        owner: "{{ a.owner | default(omit) }}"
        group: "{{ a.group | default(omit) }}"
        exclusive: "{{ a.exclusive | default(omit) }}"
        mode: "{{ a.mode | default(omit) }}"
"""


@pytest.fixture
def run_module(promtool, tmp_path_factory):
    """Run a Prometheus file module of the collection on localhost with ansible-playbook, with promtool on the
    PATH; returns the task result."""
    work = tmp_path_factory.mktemp('play')
    path = os.path.dirname(promtool) + os.pathsep + os.environ.get('PATH', '')

    def run(module, args, check=False, diff=False):
        result = run_task(work, module, args, check, diff, MODEL_FILE_ARGS, {'PATH': path})
        return dict((key, value) for key, value in result.items() if key not in ('_stdout', '_stderr'))
    return run


@pytest.fixture(name='run_task')
def run_task_fixture(tmp_path_factory):
    """Run one module of the collection on localhost with the given arguments (any module); returns the task
    result, with the play's stdout and stderr under _stdout and _stderr."""
    work = tmp_path_factory.mktemp('task')

    def run(module, args, check=False, diff=False):
        return run_task(work, module, args, check, diff)
    return run
