# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared parts of the model onboarding modules: input checks, one file per model, atomic writes."""

from __future__ import annotations

import json
import os
import re
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text


MODEL_NAME_RE = re.compile(r'^[a-z0-9][a-z0-9_-]{0,62}$')
LABEL_NAME_RE = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*$')
FRAMEWORKS = ['sklearn', 'pytorch', 'keras', 'tensorflow', 'xgboost', 'onnx', 'other']
TARGET_RE = re.compile(r'^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$')
RESERVED = ('model', 'model_version', 'framework', 'env', 'team')


def check_target_model(model):
    problems = []
    if not model.get('version'):
        problems.append('version: required')
    targets = model.get('targets')
    if not targets or not isinstance(targets, list):
        problems.append('targets: give at least one host:port')
    else:
        for target in targets:
            match = TARGET_RE.match(str(target))
            if not match:
                problems.append('targets: %r is not host:port' % (target,))
            elif not 1 <= int(match.group(2)) <= 65535:
                problems.append('targets: port of %r is out of range 1-65535' % (target,))
    framework = model.get('framework') or 'other'
    if framework not in FRAMEWORKS:
        problems.append('framework: %r is unknown; use one of %s' % (framework, ', '.join(FRAMEWORKS)))
    labels = model.get('labels') or {}
    if not isinstance(labels, dict):
        problems.append('labels: must be a mapping')
        labels = {}
    for key in labels:
        if not LABEL_NAME_RE.match(str(key)) or str(key).startswith('__'):
            problems.append('labels: %r is not a valid label name' % (key,))
        elif key in RESERVED:
            problems.append('labels: %r is set by its own option' % (key,))
    return problems


def model_common_argument_spec(model_options):
    """Options every model onboarding module has; model_options are the module's own per-model options."""
    options = dict(name=dict(type='str', required=True),
                   state=dict(type='str', default='present', choices=['present', 'absent']))
    options.update(model_options)
    return dict(
        directory=dict(type='path', required=True),
        models=dict(type='list', elements='dict', required=True, options=options),
        exclusive=dict(type='bool', default=False),
        owner=dict(type='str', default='root'),
        group=dict(type='str', default='prometheus'),
        mode=dict(type='raw', default='0640'),
    )


def check_models(models, check_one):
    """Check every model before anything is written.

    check_one(model) returns a list of 'field: reason' strings. Returns a list of errors, each
    naming the model and the field; duplicates are reported too.
    """
    errors = []
    seen = set()
    for index, model in enumerate(models):
        name = model.get('name')
        label = name if name else '#%d' % index
        if not isinstance(name, str) or not MODEL_NAME_RE.match(name):
            errors.append("model %s: name: must match %s" % (label, MODEL_NAME_RE.pattern))
        elif name in seen:
            errors.append("model %s: name: given twice" % name)
        seen.add(name)
        if model.get('state', 'present') == 'present':
            errors.extend("model %s: %s" % (label, problem) for problem in check_one(model))
    return errors


def render_yaml(data, header):
    """Stable text (sorted keys) with a header comment. The body is JSON, which is also YAML, so the
    hosts need no PyYAML; Prometheus and promtool read it as YAML."""
    return '# %s\n%s\n' % (header, json.dumps(data, indent=2, sort_keys=True))


def read_text(path):
    try:
        with open(path, 'rb') as handle:
            return to_text(handle.read(), errors='surrogate_or_strict')
    except FileNotFoundError:
        return None


MANAGED = '# managed by mlops.observability.'


def plan_changes(directory, wanted, prefix='', exclusive=False):
    """wanted maps model name -> new text, or None to remove its file. With exclusive, files this
    collection wrote for models not in wanted are removed too.

    Returns a list of (name, path, before, after) for the files that differ.
    """
    wanted = dict(wanted)
    if exclusive:
        for entry in sorted(os.listdir(directory)):
            name = entry[len(prefix):-len('.yml')]
            if entry.startswith(prefix) and entry.endswith('.yml') and name not in wanted:
                text = read_text(os.path.join(directory, entry)) or ''
                if text.startswith(MANAGED):
                    wanted[name] = None
    changes = []
    for name in sorted(wanted):
        path = os.path.join(directory, '%s%s.yml' % (prefix, name))
        before = read_text(path)
        after = wanted[name]
        if before != after:
            changes.append((name, path, before, after))
    return changes


def write_staged(module, directory, text):
    """Write text to a temporary file in directory and return its path."""
    # not *.yml, so that Prometheus never loads a half-checked file
    fd, tmp = tempfile.mkstemp(prefix='.mlops-', suffix='.tmp', dir=directory)
    with os.fdopen(fd, 'wb') as handle:
        handle.write(to_bytes(text, errors='surrogate_or_strict'))
    return tmp


def apply_changes(module, changes, staged=None):
    """Put the planned changes in place: atomic rename for writes, unlink for removals."""
    staged = staged or {}
    params = module.params
    for name, path, before, after in changes:
        if after is None:
            os.unlink(path)
            continue
        tmp = staged.get(name) or write_staged(module, os.path.dirname(path), after)
        # on the staged file first, so that a bad owner or group fails before anything is replaced,
        # and again after the rename, which gives a new file default permissions
        for target in (tmp, path):
            if target == path:
                module.atomic_move(tmp, path)
            file_args = dict(path=target, owner=params['owner'], group=params['group'], mode=params['mode'])
            module.set_fs_attributes_if_different(module.load_file_common_arguments(file_args), False)


def diff_of(changes):
    """Ansible diff structure listing every changed file."""
    return [dict(before_header=path, after_header=path, before=before or '', after=after or '')
            for name, path, before, after in changes]


def directory_must_exist(module):
    if not os.path.isdir(module.params['directory']):
        module.fail_json(msg="directory %s does not exist: the prometheus role creates it" % to_native(module.params['directory']))
