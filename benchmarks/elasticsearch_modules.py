"""Benchmark of elasticsearch_ilm_policy and elasticsearch_index_template with N models, against the
Elasticsearch stand-in (tests/standins; TLS, basic auth, every request recorded). Not Elasticsearch: the
figures are those of our modules and ansible-playbook on localhost, with the stand-in's answers.

Steps, each one ansible-playbook run per module, with the models' policies and templates from the
model_ilm_policies and model_index_templates filters:
  first       every policy and template created
  unchanged   the same again: must make no write request
  one change  one model's elasticsearch_retention_days changed: must make exactly one write (its policy)
Prints per step and module: wall seconds, the requests the stand-in recorded, and how many were writes.
Asserts nothing. Usage: .venv/bin/python benchmarks/elasticsearch_modules.py [N]   (default 1000)
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'modules'))
sys.path.insert(0, os.path.join(REPO, '.cache', 'collections'))

from es_standin import start_standin  # noqa: E402  pylint: disable=wrong-import-position
from module_runner import run_task  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.mlops.observability.plugins.filter.model_log_streams import (  # noqa: E402  pylint: disable=wrong-import-position
    model_ilm_policies, model_index_templates)

PASSWORD = 'bench-S3cret-elastic'


def run(work, standin, module, option, items):
    args = {'url': standin.url, 'ca_path': standin.ca, 'url_username': 'elastic', 'url_password': PASSWORD,
            option: items, 'exclusive': True}
    before = len(standin.calls())
    start = time.monotonic()
    result = run_task(work, module, args)
    seconds = time.monotonic() - start
    if result.get('failed'):
        sys.exit('%s failed:\n%s%s' % (module, result['_stdout'][-3000:], result['_stderr'][-2000:]))
    calls = standin.calls()[before:]
    return seconds, len(calls), len([c for c in calls if c['method'] not in ('GET', 'HEAD')])


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    models = [{'name': 'model-%05d' % number} for number in range(count)]
    changed = [dict(m, elasticsearch_retention_days=60) if m['name'] == models[count // 2]['name'] else m for m in models]
    with tempfile.TemporaryDirectory() as work:
        os.makedirs(os.path.join(work, 'standin'))
        standin = start_standin(os.path.join(work, 'standin'), {'elastic': {'password': PASSWORD, 'roles': ['superuser']}})
        try:
            print('== %d models against the Elasticsearch stand-in (not Elasticsearch), localhost' % count)
            print('%-11s %-30s %9s %9s %7s' % ('step', 'module', 'seconds', 'requests', 'writes'))
            for step, these in (('first', models), ('unchanged', models), ('one change', changed)):
                for module, option, build in (('elasticsearch_ilm_policy', 'policies', model_ilm_policies),
                                              ('elasticsearch_index_template', 'templates', model_index_templates)):
                    seconds, requests, writes = run(work, standin, module, option, build(these))
                    print('%-11s %-30s %9.2f %9d %7d' % (step, module, seconds, requests, writes))
        finally:
            standin.stop()


if __name__ == '__main__':
    main()
