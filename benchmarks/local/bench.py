"""Helpers of benchmarks/onboarding_local.sh (run with the venv's python, the collection on PYTHONPATH).

  models N              the benchmark's N models, as extra vars (the same as benchmarks/onboarding.sh)
  measure DIR PROMTOOL  with DIR/vars.json: the filter in plain Python, then each module run out of band, as
                        ansible runs it (a fresh python, arguments as JSON), with the time of its phases: into
                        an empty directory, then again (no change); writes DIR/measures.json
  report DIR            prints the figures of DIR: the tasks and their steps on the controller (DIR/timings.jsonl,
                        written by controller.py), then DIR/measures.json
  growth DIR...         how each figure grows from the first DIR's N to the others'
  profile DIR PROMTOOL MODULE   cProfile of one such module run into an empty directory (top functions, stderr)

The phases are timed by wrapping the functions the module calls (one clock read before and after each
call), not by the module itself.
"""
from __future__ import annotations

import contextlib
import cProfile
import grp
import io
import json
import os
import pstats
import pwd
import subprocess
import sys
import time

MODULES = 'ansible_collections.mlops.observability.plugins.modules.'
FILTER = 'ansible_collections.mlops.observability.plugins.filter.model_alert_rules'
# (label, function in the module's namespace or AnsibleModule method); none of them calls another
PHASES = [
    ('arguments: parse + validate (AnsibleModule)', 'AnsibleModule.__init__'),
    ('checks (models, options, directory)', 'check_inputs'),
    ('rendering', 'render_yaml'),
    ('read + compare existing files', 'plan_changes'),
    ('stage copies for promtool', 'write_private'),
    ('promtool', 'AnsibleModule.run_command'),
    ('writes (stage, chown/chmod, rename)', 'apply_changes'),
    ('result output (JSON)', 'AnsibleModule.exit_json'),
]
MODULE_NAMES = ('prometheus_scrape_target', 'prometheus_alert_rule')
RUNS = ('new files', 'no change')


def load(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def models(n):
    return {'bench_models': [{'name': 'bench-%04d' % i, 'version': '1', 'framework': 'sklearn', 'env': 'bench',
                              'targets': ['bench-%04d.invalid:9464' % i]} for i in range(n)]}


def rules_filter():
    return __import__(FILTER, fromlist=['model_alert_rules']).model_alert_rules


def write_args(module, directory, promtool):
    """The arguments the play gives the module (benchmarks/local/onboarding.yml), as a file; its path."""
    bench_models = load(os.path.join(directory, 'vars.json'))['bench_models']
    out = os.path.join(directory, 'out')
    args = dict(owner=pwd.getpwuid(os.getuid()).pw_name, group=grp.getgrgid(os.getgid()).gr_name, _ansible_tmpdir=out)
    if module == 'prometheus_scrape_target':
        args.update(directory=os.path.join(out, 'file_sd'), models=bench_models)
    else:
        rules = rules_filter()
        args.update(directory=os.path.join(out, 'rules'), promtool=promtool, models=[rules(m) for m in bench_models])
    os.makedirs(args['directory'])
    path = os.path.join(directory, module + '.args.json')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(args, handle)
    return path


def run_one(module, args_file, profile_top=0):
    """Run the module's main() in this process, as AnsiballZ does, with its phases timed. Prints JSON."""
    started = time.perf_counter()
    from ansible.module_utils.basic import AnsibleModule
    from ansible.module_utils.testing import patch_module_args
    code = __import__(MODULES + module, fromlist=['main'])
    imported = time.perf_counter()
    spent = {}

    def timed(label, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - start
        return wrapper

    for label, name in PHASES:
        owner, attribute = (AnsibleModule, name.split('.')[1]) if name.startswith('AnsibleModule.') else (code, name)
        if hasattr(owner, attribute):
            setattr(owner, attribute, timed(label, getattr(owner, attribute)))
    args = load(args_file)
    out = io.StringIO()
    profiler = cProfile.Profile() if profile_top else None
    with patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            if profiler:
                profiler.runcall(code.main)
            else:
                code.main()
        except SystemExit:
            pass
    ended = time.perf_counter()
    result = json.loads(out.getvalue())
    if profiler:
        stats = io.StringIO()
        pstats.Stats(profiler, stream=stats).sort_stats('cumulative').print_stats(profile_top)
        sys.stderr.write(stats.getvalue())
    print(json.dumps(dict(phases=spent, imports=imported - started, main=ended - imported, failed=result.get('failed', False),
                          msg=result.get('msg', ''), changed=len(result.get('changed_models', [])))))


def measure(directory, promtool):
    bench_models = load(os.path.join(directory, 'vars.json'))['bench_models']
    rules = rules_filter()
    start = time.perf_counter()
    for model in bench_models:
        rules(model)
    measures = dict(n=len(bench_models), filter=time.perf_counter() - start, modules={})
    for module in MODULE_NAMES:
        args_file = write_args(module, directory, promtool)
        measures['modules'][module] = dict(args_mb=os.path.getsize(args_file) / 1e6)
        for run in RUNS:
            start = time.perf_counter()
            out = subprocess.run([sys.executable, __file__, 'run-one', module, args_file], capture_output=True,
                                 text=True, check=True)
            result = dict(json.loads(out.stdout), process=time.perf_counter() - start)
            if result['failed']:
                sys.exit('%s failed: %s' % (module, result['msg']))
            measures['modules'][module][run] = result
    with open(os.path.join(directory, 'measures.json'), 'w', encoding='utf-8') as handle:
        json.dump(measures, handle)


def figures(directory):
    """[(indent, label, seconds or None, note)] of a run: tasks with their steps, then the module phases."""
    lines, walls, workers = [], [], {}
    with open(os.path.join(directory, 'timings.jsonl'), encoding='utf-8') as handle:
        for line in map(json.loads, handle):
            (walls.append(line) if 'wall' in line else workers.__setitem__(line['task'], line))
    lines.append((0, 'task wall times (ansible-playbook, connection local), and their steps on the controller:', None, ''))
    for task in walls:
        note = 'FAILED: %s' % task['msg'] if task['failed'] else (
            '%d models changed' % len(task['changed_models']) if task['changed_models'] is not None else '')
        lines.append((1, task['task'], task['wall'], note))
        steps = dict(workers[task['task']]['steps'])
        commands = sorted(steps.pop('commands run', []))
        if commands:
            steps['module process (python, AnsiballZ, module)'] = [commands[-1]]
            steps['temp dir commands (%d)' % (len(commands) - 1)] = commands[:-1]
        for label, times in steps.items():
            lines.append((2, label, sum(times), ''))
        worker = workers[task['task']]['worker']
        lines.append((2, 'rest of the worker', worker - sum(map(sum, steps.values())), ''))
        lines.append((2, 'main process (fork, result queue, callbacks)', task['wall'] - worker, ''))
    measures = load(os.path.join(directory, 'measures.json'))
    lines.append((0, 'controller filter model_alert_rules for the N models, in plain Python (no Jinja)',
                  measures['filter'], ''))
    lines.append((0, 'module phases, out of band (a fresh python per call, as AnsiballZ runs it):', None, ''))
    for module in MODULE_NAMES:
        lines.append((1, '%s, arguments %.1f MB of JSON for %d models' % (module, measures['modules'][module]['args_mb'],
                                                                          measures['n']), None, ''))
        for run in RUNS:
            result = measures['modules'][module][run]
            lines.append((2, '%s: whole process' % run, result['process'], '%d models changed' % result['changed']))
            lines.append((3, 'python start and imports', result['imports'], ''))
            for label in dict.fromkeys(label for label, _name in PHASES):
                if label in result['phases']:
                    lines.append((3, label, result['phases'][label], ''))
            lines.append((3, 'rest of main (freeing memory...)', result['main'] - sum(result['phases'].values()), ''))
    return lines, any(task['failed'] for task in walls)


def report(directory):
    lines, failed = figures(directory)
    for indent, label, seconds, note in lines:
        text = '  ' * indent + label
        print(text if seconds is None else '%-64s %7.2f s  %s' % (text, seconds, note))
    sys.exit(1 if failed else 0)


def growth(*directories):
    runs = [(load(os.path.join(d, 'measures.json'))['n'], figures(d)[0]) for d in directories]
    print('how the cost grows: seconds at each N, then the time per model relative to N=%d '
          '(1.00x: linear; below: a fixed part; above: worse than linear)' % runs[0][0])
    print('%-64s %s' % ('', ''.join('%9s' % ('N=%d' % n) for n, _lines in runs) + ''.join(
        '%11s' % ('per model') for _run in runs[1:])))
    for number, (indent, label, seconds, _note) in enumerate(runs[0][1]):
        text = '  ' * indent + label
        if seconds is None:  # a heading, with the figures of each N in it when they differ (argument sizes)
            print('  ' * indent + ' | '.join(dict.fromkeys(lines[number][1] for _n, lines in runs)))
            continue
        values = [lines[number][2] for _n, lines in runs]
        ratios = ['%10.2fx' % ((v / n) / (values[0] / runs[0][0])) if values[0] > 0.005 else '%11s' % '-'
                  for v, (n, _lines) in zip(values[1:], runs[1:])]
        print('%-64s %s' % (text, ''.join('%8.2fs' % v for v in values) + ''.join(ratios)))


def profile(directory, promtool, module):
    run_one(module, write_args(module, directory, promtool), profile_top=30)


if __name__ == '__main__':
    commands = dict(models=lambda n: print(json.dumps(models(int(n)))), measure=measure, report=report,
                    growth=growth, profile=profile, **{'run-one': run_one})
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
