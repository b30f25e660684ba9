# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files that a module owns in one directory, one file per item (a model, a pipeline...).

The module names each item's file with a pattern such as 'model_%s.yml' and starts every file it writes
with a header line, '# ' then its mark, by which it recognises its own files: files without it, symbolic
links and other non-regular entries are never replaced nor removed. Every file is read and compared
first; only those that differ are written (atomic rename) or removed, and never in check mode.
"""

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


# Used with fullmatch only: '$' also matches before a final newline.
MODE_RE = re.compile(r'0?[0-7]{3}')
STAGED_PREFIX, STAGED_SUFFIX = '.mlops-', '.tmp'


def file_argument_spec(group):
    """The options of every module that manages files: directory, exclusive, owner, group (default group) and mode."""
    return dict(
        directory=dict(type='path', required=True),
        exclusive=dict(type='bool', default=False),
        owner=dict(type='str', default='root'),
        group=dict(type='str', default=group),
        mode=dict(type='raw', default='0640'),
    )


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


def check_directory(directory, missing):
    """None when directory is a directory this process can write into, else why not; missing tells what
    creates it, for when it does not exist."""
    try:
        mode = os.stat(directory).st_mode
    except OSError as error:
        reason = missing if error.errno in (errno.ENOENT, errno.ENOTDIR) else error.strerror
        return 'directory %s does not exist: %s' % (directory, reason)
    if stat.S_ISREG(mode):
        return 'directory %s is a file, not a directory' % directory
    if not stat.S_ISDIR(mode):
        return 'directory %s is not a directory' % directory
    if not os.access(directory, os.W_OK | os.X_OK):
        return 'directory %s is not writable' % directory
    return None


def check_inputs(module, errors, missing):
    """Fail, with nothing changed, on errors (the module's own checks of its items), on a bad owner,
    group or mode, or on a directory that is not usable (missing: see check_directory)."""
    errors = errors + file_options(module.params)[3]
    if errors:
        module.fail_json(msg='invalid input, nothing changed: ' + '; '.join(errors), errors=errors)
    error = check_directory(module.params['directory'], missing)
    if error:
        module.fail_json(msg=error + '; nothing changed', errors=[error])


def header(mark, about):
    """The first line of a file the module with this mark writes; about says which item it holds."""
    return '# %s %s\n' % (mark, about)


def render_yaml(data, mark, about):
    """Stable text (sorted keys) after the header. The body is JSON, which is also YAML, so the hosts
    need no PyYAML."""
    return header(mark, about) + json.dumps(data, indent=2, sort_keys=True) + '\n'


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


def plan_changes(module, wanted, mark, kind, filename, removed=None):
    """wanted maps item name -> new text, or None for a removed item: its file is deleted, or gets
    removed(name) when given. With the exclusive option, this module's files of items not in wanted
    are removed too. kind names an item in messages ('model'); filename is the pattern of an item's
    file name in the directory ('model_%s.yml').

    A file whose first line does not start with '# ' + mark, a symbolic link or another non-regular
    file in an item's place fails the module before anything changes; the exclusive scan skips them.
    Returns a list of (name, path, before, after) for the files that differ.
    """
    directory = module.params['directory']
    prefix, suffix = filename.split('%s')
    mark = '# ' + mark
    wanted = dict(wanted)
    if module.params['exclusive']:
        for entry in sorted(os.listdir(directory)):
            name = entry[len(prefix):len(entry) - len(suffix)]
            if entry == filename % name and name not in wanted:
                try:
                    text = read_regular(os.path.join(directory, entry))
                except ValueError:
                    continue
                if text is not None and text.startswith(mark):
                    wanted[name] = None
    changes, errors = [], []
    for name in sorted(wanted):
        path = os.path.join(directory, filename % name)
        try:
            before = read_regular(path)
        except ValueError as error:
            errors.append('%s %s: %s %s' % (kind, name, path, error))
            continue
        if before is not None and not before.startswith(mark):
            errors.append("%s %s: %s was not written by this module (its first line is not '%s ...'): "
                          "move it away, or rename the %s" % (kind, name, path, mark, kind))
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
    """Write text to a file of module.tmpdir, a private directory that is removed when the module exits
    (for checks of the new files, in check mode too)."""
    path = os.path.join(module.tmpdir, name)
    with open(path, 'wb') as handle:
        handle.write(to_bytes(text, errors='surrogate_or_strict'))
    return path


def apply_changes(module, changes):
    """Put the planned changes in place, except in check mode. Each new file is written in full, with its
    owner, group and mode, as a hidden staged file next to its destination, then renamed over it; removed
    files are deleted last. No staged file is left behind, whatever fails."""
    if module.check_mode:
        return
    uid, gid, mode, errors = file_options(module.params)
    staged = {}
    try:
        for name, path, before, after in changes:
            if after is not None:
                fd, staged[path] = tempfile.mkstemp(prefix=STAGED_PREFIX, suffix=STAGED_SUFFIX, dir=os.path.dirname(path))
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


def exit_with(module, changes, names, **extra):
    """Exit with the changed items' names under the key names, the changed files (and their diff in diff mode).

    The result's invocation names the models by count instead of echoing them: with a thousand models the
    echo is megabytes that ansible-core parses and stores again (a third of a no-change call's time).
    """
    result = dict(extra, changed=bool(changes), files=[c[1] for c in changes])
    result[names] = [c[0] for c in changes]
    args = dict(module.params)
    if isinstance(args.get('models'), list):
        args['models'] = '%d models (not echoed)' % len(args['models'])
    result['invocation'] = dict(module_args=args)
    if module._diff:
        result['diff'] = diff_of(changes)
    module.exit_json(**result)
