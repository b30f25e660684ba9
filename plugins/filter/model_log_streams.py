# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logging plane of the models: each model's Elasticsearch data stream, ILM policy and index template.
The docs of the three filters are in model_log_streams.yml, model_ilm_policies.yml and model_index_templates.yml."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_inventory import days_problems
from ansible_collections.mlops.observability.plugins.module_utils.model_fields import MODEL_NAME_RE

DEFAULT_NAMESPACE = 'default'
DEFAULT_RETENTION_DAYS = 30
# Elasticsearch's built-in index template of logs-*-*: a template of a higher priority wins where both match
BUILTIN_LOGS_PRIORITY = 100
# the built-in component templates that the logs-*-* template is made of (logs settings, ECS mappings)
COMPONENTS = ('logs@mappings', 'logs@settings', 'ecs@mappings')
# Elastic's data stream naming scheme: type-dataset-namespace, so no part has a '-'; index names refuse the rest
NAMESPACE_FORBIDDEN = '-\\/*?"<>|,#: '
MAX_NAMESPACE = 100
# rollover conditions: an Elasticsearch time value and byte size, above 0
ROLLOVER_AGE_RE = re.compile(r'[1-9][0-9]*(d|h|m|s|ms|micros|nanos)')
ROLLOVER_SIZE_RE = re.compile(r'[1-9][0-9]*(b|kb|mb|gb|tb|pb)', re.IGNORECASE)


def _names(name, namespace):
    """The Elasticsearch names of one model's logs."""
    dataset = 'mlops.' + name.replace('-', '_')
    own = 'mlops-model-%s-logs' % name
    return {'model': name, 'data_stream': 'logs-%s-%s' % (dataset, namespace), 'dataset': dataset,
            'namespace': namespace, 'policy': own, 'template': own}


def _fail(where, problems):
    if problems:
        raise AnsibleFilterError('%s: nothing to apply: %s' % (where, '; '.join(problems)))


def _streams(where, models, namespace):
    """(model, names) of every model, sorted by name, and the problems of the list and of the namespace."""
    if not isinstance(models, list):
        raise AnsibleFilterError('%s: expects the list of models that model_inventory returns, not a %s'
                                 % (where, type(models).__name__))
    bad = [model for model in models if not isinstance(model, dict) or not isinstance(model.get('name'), str)]
    if bad:
        raise AnsibleFilterError('%s: expects the list of models that model_inventory returns, each a dict with a name; '
                                 'not %r' % (where, bad[0]))
    problems = []
    if (not isinstance(namespace, str) or not namespace or len(namespace) > MAX_NAMESPACE or namespace != namespace.lower()
            or any(char in NAMESPACE_FORBIDDEN for char in namespace)):
        problems.append('namespace: %r must be lower case, 1 to %d characters, without - \\ / * ? " < > | , # : or a space '
                        '(the data stream is logs-<dataset>-<namespace>); for example default or prod' % (namespace, MAX_NAMESPACE))
        namespace = DEFAULT_NAMESPACE
    streams, by_dataset = [], {}
    for model in sorted(models, key=lambda model: model['name']):
        if not MODEL_NAME_RE.fullmatch(model['name']):
            problems.append('model %r: name: must match ^%s$; check the models with model_inventory'
                            % (model['name'], MODEL_NAME_RE.pattern))
            continue
        names = _names(model['name'], namespace)
        by_dataset.setdefault(names['dataset'], []).append(model['name'])
        streams.append((model, names))
    for dataset, names in sorted(by_dataset.items()):
        if len(names) > 1 and len(set(names)) == 1:
            problems.append('model %s: given more than once; give each model once' % names[0])
        elif len(names) > 1:
            problems.append('models %s: all would log to the data stream logs-%s-%s (a - of a model name becomes _); rename '
                            'all but one' % (' and '.join(sorted(set(names))), dataset, namespace))
    return streams, problems


def model_log_streams(models, namespace=DEFAULT_NAMESPACE):
    streams, problems = _streams('model_log_streams', models, namespace)
    _fail('model_log_streams', problems)
    return [names for model, names in streams]


def model_ilm_policies(models, default_days=DEFAULT_RETENTION_DAYS, rollover_max_age='1d', rollover_max_primary_shard_size='50gb'):
    streams, problems = _streams('model_ilm_policies', models, DEFAULT_NAMESPACE)
    problems.extend(days_problems('default_days', default_days))
    if not isinstance(rollover_max_age, str) or not ROLLOVER_AGE_RE.fullmatch(rollover_max_age):
        problems.append('rollover_max_age: %r is not an Elasticsearch time value above 0 such as 1d, 12h or 30m' % (rollover_max_age,))
    if not isinstance(rollover_max_primary_shard_size, str) or not ROLLOVER_SIZE_RE.fullmatch(rollover_max_primary_shard_size):
        problems.append('rollover_max_primary_shard_size: %r is not an Elasticsearch byte size above 0 such as 50gb or 500mb'
                        % (rollover_max_primary_shard_size,))
    policies = []
    for model, names in streams:
        days = model.get('elasticsearch_retention_days', default_days)
        problems.extend('model %s: %s' % (names['model'], problem) for problem in days_problems('elasticsearch_retention_days', days))
        policies.append({
            'name': names['policy'],
            'phases': {
                'hot': {'actions': {'rollover': {'max_age': rollover_max_age, 'max_primary_shard_size': rollover_max_primary_shard_size}}},
                'delete': {'min_age': '%sd' % days, 'actions': {'delete': {}}},
            },
            'meta': {'model': names['model'], 'retention_days': days},
        })
    _fail('model_ilm_policies', problems)
    return policies


def model_index_templates(models, namespace=DEFAULT_NAMESPACE, priority=200):
    streams, problems = _streams('model_index_templates', models, namespace)
    if isinstance(priority, bool) or not isinstance(priority, int) or priority <= BUILTIN_LOGS_PRIORITY:
        problems.append('priority: %r must be a whole number above %d, so that the template wins over the built-in logs-*-* '
                        'template of Elasticsearch (priority %d); the default is 200'
                        % (priority, BUILTIN_LOGS_PRIORITY, BUILTIN_LOGS_PRIORITY))
    _fail('model_index_templates', problems)
    return [{
        'name': names['template'],
        'index_patterns': ['logs-%s-*' % names['dataset']],
        'priority': priority,
        'data_stream': True,
        'composed_of': list(COMPONENTS),
        'ignore_missing_component_templates': list(COMPONENTS),
        'lifecycle_policy': names['policy'],
        'meta': {'model': names['model']},
    } for model, names in streams]


def model_log_reader_roles(models, namespace=DEFAULT_NAMESPACE):
    streams, problems = _streams('model_log_reader_roles', models, namespace)
    _fail('model_log_reader_roles', problems)
    return [{
        'name': 'mlops-model-%s-logs-reader' % names['model'],
        'indices': [{'names': [names['data_stream']], 'privileges': ['read', 'view_index_metadata']}],
        'metadata': {'model': names['model']},
    } for model, names in streams]


class FilterModule:
    def filters(self):
        return {'model_log_streams': model_log_streams, 'model_ilm_policies': model_ilm_policies,
                'model_index_templates': model_index_templates, 'model_log_reader_roles': model_log_reader_roles}
