"""ansible-playbook (the venv's, run in this process with the arguments given) with a clock around the
controller's steps of each task, for benchmarks/onboarding_local.sh. Appends JSON lines to the file named by
BENCH_TIMINGS: from each worker process, the task's time in the worker and the time of each step; from the
main process, each task's wall time (from its start to the end of the callbacks of its result) and result.

A few clock reads per task: the steps are timed by wrapping ansible-core's methods, which are unchanged.
"""
from __future__ import annotations

import functools
import json
import os
import sys
import time

from ansible.cli.playbook import main
from ansible.executor.task_executor import TaskExecutor
from ansible.executor.task_queue_manager import TaskQueueManager
from ansible.playbook.task import Task
from ansible.plugins.action import ActionBase

STEPS = [
    (Task, 'post_validate', 'arguments templated (filter included)'),
    (ActionBase, '_configure_module', 'module payload built (arguments as JSON, zipped)'),
    (ActionBase, '_transfer_data', 'payload written to the temp dir'),
    (ActionBase, '_low_level_execute_command', 'commands run'),
    (ActionBase, '_parse_returned_data', 'module result parsed'),
]
spent: dict[str, list[float]] = {}


def timed(label, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent.setdefault(label, []).append(time.perf_counter() - start)
    return wrapper


def write(line):
    with open(os.environ['BENCH_TIMINGS'], 'a', encoding='utf-8') as handle:
        handle.write(json.dumps(line) + '\n')


def timed_callbacks(function):
    started = {}

    @functools.wraps(function)
    def wrapper(self, method_name, *args, **kwargs):
        if method_name == 'v2_playbook_on_task_start':
            started[args[0].get_name()] = time.perf_counter()
        function(self, method_name, *args, **kwargs)
        if method_name in ('v2_runner_on_ok', 'v2_runner_on_failed', 'v2_runner_on_skipped', 'v2_runner_on_unreachable'):
            name, result = args[0].task.get_name(), args[0]._return_data
            write(dict(task=name, wall=time.perf_counter() - started[name], failed=bool(result.get('failed')),
                       msg=str(result.get('msg', '')), changed_models=result.get('changed_models')))
    return wrapper


def timed_run(function):
    @functools.wraps(function)
    def wrapper(self):
        spent.clear()
        start = time.perf_counter()
        try:
            return function(self)
        finally:
            write(dict(task=self._task.get_name(), worker=time.perf_counter() - start, steps=spent))
    return wrapper


for owner, name, label in STEPS:
    setattr(owner, name, timed(label, getattr(owner, name)))
TaskExecutor.run = timed_run(TaskExecutor.run)
TaskQueueManager.send_callback = timed_callbacks(TaskQueueManager.send_callback)

if __name__ == '__main__':
    sys.argv[0] = 'ansible-playbook'
    sys.exit(main())
