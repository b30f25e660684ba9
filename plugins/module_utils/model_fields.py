# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the models given to the model onboarding modules and to the model_inventory filter: name,
version, targets, framework, labels, rule groups. Plain Python: each check returns its problems as
'field: reason' strings, which check_models prefixes with the model."""

from __future__ import annotations

import re


# Used with fullmatch only: '$' also matches before a final newline, and "churn\n" would pass.
MODEL_NAME_RE = re.compile(r'[a-z0-9][a-z0-9_-]{0,62}')
LABEL_NAME_RE = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
TARGET_RE = re.compile(r'(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})')
FRAMEWORKS = ['sklearn', 'pytorch', 'keras', 'tensorflow', 'xgboost', 'onnx', 'other']
RESERVED = ('model', 'model_version', 'framework', 'env', 'team')  # each has its own option
PROMETHEUS_LABELS = ('job', 'instance')  # Prometheus sets them; the ModelTargetDown alert selects on job


def models_option(model_options):
    """Argument spec of the models option; model_options are the module's own per-model options."""
    options = dict(name=dict(type='str', required=True),
                   state=dict(type='str', default='present', choices=['present', 'absent']))
    options.update(model_options)
    return dict(type='list', elements='dict', required=True, options=options)


def check_target_model(model):
    """Problems of a model's scrape target fields: version, targets, framework and labels."""
    problems = []
    version = model.get('version')
    if not version:
        problems.append('version: required')
    elif isinstance(version, float):
        problems.append('version: %r is a number, which YAML may have changed (1.10 reads as 1.1): quote it' % (version,))
    targets = model.get('targets')
    if not targets or not isinstance(targets, list):
        problems.append('targets: give at least one host:port')
    else:
        seen = set()
        for target in targets:
            match = TARGET_RE.fullmatch(str(target))
            if not match:
                problems.append('targets: %r is not host:port' % (target,))
            elif not 1 <= int(match.group(2)) <= 65535:
                problems.append('targets: port of %r is out of range 1-65535' % (target,))
            elif str(target) in seen:
                problems.append('targets: %r is given twice' % (target,))
            seen.add(str(target))
    framework = model.get('framework') or 'other'
    if framework not in FRAMEWORKS:
        problems.append('framework: %r is unknown; use one of %s' % (framework, ', '.join(FRAMEWORKS)))
    labels = model.get('labels') or {}
    if not isinstance(labels, dict):
        problems.append('labels: must be a mapping')
        labels = {}
    for key, value in labels.items():
        if not isinstance(key, str) or not LABEL_NAME_RE.fullmatch(key) or key.startswith('__'):
            problems.append('labels: %r is not a valid label name (names starting with __ are reserved)' % (key,))
        elif key in RESERVED:
            problems.append('labels: %r is set by its own option' % (key,))
        elif key in PROMETHEUS_LABELS:
            problems.append('labels: %r is reserved: Prometheus sets it, and the model alerts rely on it' % (key,))
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append('labels: %s: %r is not a string (nor a number)' % (key, value))
    return problems


def check_rule_model(model):
    """Problems of a model's rule groups (promtool checks the rules themselves)."""
    groups = model.get('groups')
    if not groups:
        return ['groups: give at least one rule group']
    problems = []
    for number, group in enumerate(groups, 1):
        if not isinstance(group, dict):
            problems.append('groups: group %d is %r, not a mapping with a name and rules' % (number, group))
        elif not group.get('name') or not isinstance(group.get('rules'), list):
            problems.append('groups: group %d needs a name and a list of rules' % number)
    return problems


def check_models(models, check_one):
    """Check every model before anything is written.

    check_one(model) returns a list of 'field: reason' strings. Returns a list of errors, each
    naming the model and the field; duplicates are reported too.
    """
    errors = []
    seen = set()
    for index, model in enumerate(models):
        name = model.get('name')
        valid = isinstance(name, str) and MODEL_NAME_RE.fullmatch(name)
        label = name if valid else repr(name) if name else '#%d' % index
        if not valid:
            errors.append("model %s: name: must match %s" % (label, MODEL_NAME_RE.pattern))
        elif name in seen:
            errors.append("model %s: name: given twice" % name)
        seen.add(name)
        if model.get('state', 'present') == 'present':
            errors.extend("model %s: %s" % (label, problem) for problem in check_one(model))
    return errors
