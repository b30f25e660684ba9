# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared parts of the model onboarding modules: input checks, one file per model, atomic writes."""

from __future__ import annotations

import errno
import grp
import json
import os
import pwd
import re
import stat
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text


# Used with fullmatch only: '$' also matches before a final newline, and "churn\n" would pass.
MODEL_NAME_RE = re.compile(r'[a-z0-9][a-z0-9_-]{0,62}')
LABEL_NAME_RE = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
TARGET_RE = re.compile(r'(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})')
MODE_RE = re.compile(r'0?[0-7]{3}')
FRAMEWORKS = ['sklearn', 'pytorch', 'keras', 'tensorflow', 'xgboost', 'onnx', 'other']
RESERVED = ('model', 'model_version', 'framework', 'env', 'team')  # each has its own option
PROMETHEUS_LABELS = ('job', 'instance')  # Prometheus sets them; the ModelTargetDown alert selects on job


def check_target_model(model):
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


def file_options(params):
    """(uid, gid, mode, errors) from the owner, group and mode options; an id of -1 is left as it is."""
    errors = []
    ids = []
    for option, lookup, field in (('owner', pwd.getpwnam, 'pw_uid'), ('group', grp.getgrnam, 'gr_gid')):
        value = params[option]
        if value is None:
            ids.append(-1)
        elif value.isdigit():
            ids.append(int(value))
        else:
            try:
                ids.append(getattr(lookup(value), field))
            except KeyError:
                errors.append('%s: %s does not exist on the host' % (option, value))
                ids.append(-1)
    mode = params['mode']
    if isinstance(mode, int):
        errors.append('mode: %r is a number, not the octal mode it looks like: quote it, for example "0640"' % (mode,))
    elif not isinstance(mode, str) or not MODE_RE.fullmatch(mode):
        errors.append('mode: %r is not an octal mode such as "0640"' % (mode,))
    elif int(mode, 8) & stat.S_IWOTH:
        errors.append('mode: %s lets every user write the files; refused' % mode)
    return ids[0], ids[1], int(mode, 8) if not errors else None, errors


def check_directory(module):
    directory = module.params['directory']
    try:
        mode = os.stat(directory).st_mode
    except OSError as error:
        reason = 'the prometheus role creates it' if error.errno in (errno.ENOENT, errno.ENOTDIR) else error.strerror
        return 'directory %s does not exist: %s' % (directory, reason)
    if stat.S_ISREG(mode):
        return 'directory %s is a file, not a directory' % directory
    if not stat.S_ISDIR(mode):
        return 'directory %s is not a directory' % directory
    if not os.access(directory, os.W_OK | os.X_OK):
        return 'directory %s is not writable' % directory
    return None


def check_inputs(module, check_one):
    """Fail, with nothing changed, unless the models, owner, group, mode and directory are all fine."""
    errors = check_models(module.params['models'], check_one) + file_options(module.params)[3]
    if errors:
        module.fail_json(msg='invalid input, nothing changed: ' + '; '.join(errors), errors=errors)
    error = check_directory(module)
    if error:
        module.fail_json(msg=error + '; nothing changed', errors=[error])


def render_yaml(data, header):
    """Stable text (sorted keys) with a header comment. The body is JSON, which is also YAML, so the
    hosts need no PyYAML; Prometheus and promtool read it as YAML."""
    return '# %s\n%s\n' % (header, json.dumps(data, indent=2, sort_keys=True))


def read_regular(path):
    """Text of the regular file at path, None when there is none; ValueError for anything else there
    (a symbolic link is neither followed nor read)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(mode):
        raise ValueError('is a symbolic link, which this module neither follows nor replaces')
    if not stat.S_ISREG(mode):
        raise ValueError('is not a regular file')
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), 'rb') as handle:
        return to_text(handle.read(), errors='surrogate_or_strict')


def plan_changes(module, wanted, mark, prefix='', removed=None):
    """wanted maps model name -> new text, or None for a removed model: its file is deleted, or gets
    removed(name) when given. With exclusive, this module's files of models not in wanted are removed too.

    mark starts the header this module writes ('managed by mlops.observability.<module>:'). Files without
    it, symbolic links and other non-regular files are never replaced nor removed: the module fails
    instead, before anything changes; the exclusive scan skips them.
    Returns a list of (name, path, before, after) for the files that differ.
    """
    directory = module.params['directory']
    mark = '# ' + mark
    wanted = dict(wanted)
    if module.params['exclusive']:
        for entry in sorted(os.listdir(directory)):
            name = entry[len(prefix):-len('.yml')]
            if entry.startswith(prefix) and entry.endswith('.yml') and name not in wanted:
                try:
                    text = read_regular(os.path.join(directory, entry))
                except ValueError:
                    continue
                if text is not None and text.startswith(mark):
                    wanted[name] = None
    changes, errors = [], []
    for name in sorted(wanted):
        path = os.path.join(directory, '%s%s.yml' % (prefix, name))
        try:
            before = read_regular(path)
        except ValueError as error:
            errors.append('model %s: %s %s' % (name, path, error))
            continue
        if before is not None and not before.startswith(mark):
            errors.append("model %s: %s was not written by this module (its first line is not '%s ...'): "
                          "move it away, or rename the model" % (name, path, mark))
            continue
        after = wanted[name]
        if after is None and before is not None and removed:
            after = removed(name)
        if before != after:
            changes.append((name, path, before, after))
    if errors:
        module.fail_json(msg='files in the way, nothing changed: ' + '; '.join(errors), errors=errors)
    return changes


def write_private(module, name, text):
    """Write text to a file of module.tmpdir, a private directory that is removed when the module exits."""
    path = os.path.join(module.tmpdir, name)
    with open(path, 'wb') as handle:
        handle.write(to_bytes(text, errors='surrogate_or_strict'))
    return path


def apply_changes(module, changes):
    """Put the planned changes in place. Each new file is written in full, with its owner, group and
    mode, as a hidden .tmp file next to its destination (Prometheus loads only *.yml), then renamed
    over it; removed files are deleted last. No staged file is left behind, whatever fails."""
    uid, gid, mode, errors = file_options(module.params)
    staged = {}
    try:
        for name, path, before, after in changes:
            if after is not None:
                fd, staged[path] = tempfile.mkstemp(prefix='.mlops-', suffix='.tmp', dir=os.path.dirname(path))
                with os.fdopen(fd, 'wb') as handle:
                    os.fchown(fd, uid, gid)
                    os.fchmod(fd, mode)
                    handle.write(to_bytes(after, errors='surrogate_or_strict'))
        for path in sorted(staged):
            os.rename(staged[path], path)
            del staged[path]
        for name, path, before, after in changes:
            if after is None:
                os.unlink(path)
    except OSError as error:
        module.fail_json(msg='could not change the files in %s: %s' % (to_native(module.params['directory']), to_native(error)))
    finally:
        for tmp in staged.values():
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def diff_of(changes):
    """Ansible diff structure listing every changed file."""
    return [dict(before_header=path, after_header=path, before=before or '', after=after or '')
            for name, path, before, after in changes]


def exit_with(module, changes, **extra):
    """Exit with the changed models and files (and their diff in diff mode)."""
    result = dict(extra, changed=bool(changes), changed_models=[c[0] for c in changes], files=[c[1] for c in changes])
    if module._diff:
        result['diff'] = diff_of(changes)
    module.exit_json(**result)
