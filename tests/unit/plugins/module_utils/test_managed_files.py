"""managed_files: the engine of the modules that own files in a directory, with a real AnsibleModule, real
files in a temporary directory and real ownership changes. It is used here for a kind of file that no
module of the collection manages (pipelines, '<name>.conf'), since nothing in it may be model-specific."""
from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import subprocess

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.mlops.observability.plugins.module_utils.managed_files import (
    apply_changes, check_directory, check_inputs, exit_with, file_argument_spec, file_options, header, plan_changes,
    read_regular, render_yaml, write_private)

MARK = 'managed by test.pipelines:'
OTHER_MARK = 'managed by test.other:'
NAME = '%s.conf'
ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name
MISSING = 'the test creates it'


def text(name, body='input {}'):
    return header(MARK, 'pipeline %s' % name) + body + '\n'


@pytest.fixture
def directory(tmp_path):
    path = tmp_path / 'pipelines'
    path.mkdir()
    return path


@pytest.fixture
def make_module(tmp_path):
    """A real AnsibleModule with the engine's options, its private tmpdir in tmp_path. The arguments stay
    patched in until the test ends, since the module's output is encoded with their profile."""
    private = tmp_path / 'private'
    private.mkdir()
    with contextlib.ExitStack() as patches:
        def make(directory, check=False, diff=False, **options):
            args = dict(dict(directory=str(directory), owner=ME, group=MY_GROUP), **options)
            args.update(_ansible_check_mode=check, _ansible_diff=diff, _ansible_tmpdir=str(private))
            patches.enter_context(patch_module_args(args))
            return AnsibleModule(argument_spec=file_argument_spec(group='nobody-group'), supports_check_mode=True)
        yield make


def ends(capsys, call, *args, **kwargs):
    """(exit code, result) of a call that ends the module, as exit_json and fail_json do."""
    with pytest.raises(SystemExit) as ended:
        call(*args, **kwargs)
    return ended.value.code, json.loads(capsys.readouterr().out)


def snapshot(directory):
    """Every entry (a file's content, mode, owner and inode, a link's target, a directory's listing, another
    entry's type) and the directory's mtime, which any create, rename or unlink moves."""
    entries = {}
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        info = os.lstat(path)
        if os.path.islink(path):
            entries[entry] = ('link', os.readlink(path))
        elif os.path.isdir(path):
            entries[entry] = ('dir', sorted(os.listdir(path)))
        elif not os.path.isfile(path):
            entries[entry] = ('other', info.st_mode, info.st_ino)
        else:
            with open(path) as handle:
                entries[entry] = ('file', handle.read(), info.st_mode, info.st_uid, info.st_gid, info.st_ino)
    return entries, os.stat(directory).st_mtime_ns


def write(module, wanted, removed=None):
    apply_changes(module, plan_changes(module, wanted, MARK, 'pipeline', NAME, removed=removed))


# the directory

def test_a_usable_directory(directory):
    assert check_directory(str(directory), MISSING) is None


def test_a_missing_directory(tmp_path):
    assert check_directory(str(tmp_path / 'missing'), MISSING) == 'directory %s does not exist: %s' % (tmp_path / 'missing', MISSING)
    (tmp_path / 'file').write_text('x\n')
    assert check_directory(str(tmp_path / 'file' / 'sub'), MISSING) == 'directory %s does not exist: %s' % (tmp_path / 'file' / 'sub', MISSING)


def test_a_file_or_a_fifo_as_directory(tmp_path):
    (tmp_path / 'file').write_text('x\n')
    os.mkfifo(tmp_path / 'fifo')
    assert check_directory(str(tmp_path / 'file'), MISSING) == 'directory %s is a file, not a directory' % (tmp_path / 'file')
    assert check_directory(str(tmp_path / 'fifo'), MISSING) == 'directory %s is not a directory' % (tmp_path / 'fifo')


def test_a_directory_that_is_not_writable(directory):
    """Immutable (chattr +i), which even root cannot write into."""
    if subprocess.run(['chattr', '+i', str(directory)], capture_output=True, check=False).returncode:
        pytest.skip('chattr +i is not possible here')
    try:
        assert check_directory(str(directory), MISSING) == 'directory %s is not writable' % directory
    finally:
        subprocess.run(['chattr', '-i', str(directory)], check=True)


# owner, group and mode

def test_names_and_ids():
    assert file_options(dict(owner='root', group=MY_GROUP, mode='0640')) == (0, os.getgid(), 0o640, [])
    assert file_options(dict(owner='4242', group='4343', mode='640')) == (4242, 4343, 0o640, [])
    assert file_options(dict(owner=None, group=None, mode='600')) == (-1, -1, 0o600, [])


@pytest.mark.parametrize('options, message', [
    (dict(group='no-such-group'), 'group: no-such-group does not exist on the host'),
    (dict(owner='no-such-user'), 'owner: no-such-user does not exist on the host'),
    (dict(mode=640), 'mode: 640 is a number, not the octal mode it looks like: quote it, for example "0640"'),
    (dict(mode=0o640), 'mode: 416 is a number, not the octal mode it looks like'),
    (dict(mode='0666'), 'mode: 0666 lets every user write the files; refused'),
    (dict(mode='0642'), 'mode: 0642 lets every user write the files; refused'),
    (dict(mode='u=rw,g=r'), "mode: 'u=rw,g=r' is not an octal mode such as \"0640\""),
    (dict(mode='0640\n'), "mode: '0640\\n' is not an octal mode"),
    (dict(mode='01640'), "mode: '01640' is not an octal mode"),
    (dict(mode=None), 'mode: None is not an octal mode'),
])
def test_bad_owner_group_or_mode(options, message):
    uid, gid, mode, errors = file_options(dict(dict(owner=ME, group=MY_GROUP, mode='0640'), **options))
    assert len(errors) == 1 and errors[0].startswith(message), errors
    assert mode is None


def test_check_inputs_reports_every_error_and_changes_nothing(directory, make_module, capsys):
    before = snapshot(directory)
    module = make_module(directory, owner='no-such-user', mode='0666')
    code, result = ends(capsys, check_inputs, module, ['pipeline main: input: required'], MISSING)
    assert code == 1 and result['failed']
    assert result['errors'] == ['pipeline main: input: required', 'owner: no-such-user does not exist on the host',
                                'mode: 0666 lets every user write the files; refused']
    assert result['msg'] == 'invalid input, nothing changed: ' + '; '.join(result['errors'])
    assert snapshot(directory) == before


def test_check_inputs_then_the_directory(tmp_path, make_module, capsys):
    code, result = ends(capsys, check_inputs, make_module(tmp_path / 'missing'), [], MISSING)
    assert code == 1 and result['msg'] == 'directory %s does not exist: %s; nothing changed' % (tmp_path / 'missing', MISSING)
    check_inputs(make_module(tmp_path), [], MISSING)  # returns: nothing to report
    assert capsys.readouterr().out == ''


# writing: read, compare, write only what differs, with owner, group and mode

def test_write_then_idempotent(directory, make_module):
    module = make_module(directory, owner='root', mode='0600')
    write(module, dict(main=text('main'), beats=text('beats')))
    assert sorted(os.listdir(directory)) == ['beats.conf', 'main.conf']
    assert (directory / 'main.conf').read_text() == '# managed by test.pipelines: pipeline main\ninput {}\n'
    info = os.stat(directory / 'main.conf')
    assert (info.st_uid, info.st_gid, oct(info.st_mode & 0o7777)) == (0, os.getgid(), oct(0o600))
    before = snapshot(directory)
    assert plan_changes(module, dict(main=text('main'), beats=text('beats')), MARK, 'pipeline', NAME) == []
    write(module, dict(main=text('main'), beats=text('beats')))
    assert snapshot(directory) == before


@pytest.mark.skipif(os.getuid() != 0, reason='only root gives files to other users')
def test_numeric_owner_and_group_are_applied(directory, make_module):
    write(make_module(directory, owner='4242', group='4343', mode='0640'), dict(main=text('main')))
    info = os.stat(directory / 'main.conf')
    assert (info.st_uid, info.st_gid, oct(info.st_mode & 0o7777)) == (4242, 4343, oct(0o640))


def test_only_what_differs_is_written(directory, make_module):
    module = make_module(directory)
    write(module, dict(main=text('main'), beats=text('beats')))
    os.chmod(directory / 'beats.conf', 0o600)  # right content: its mode is left as it is
    beats = os.stat(directory / 'beats.conf')
    changes = plan_changes(module, dict(main=text('main', 'input { stdin {} }'), beats=text('beats')), MARK, 'pipeline', NAME)
    assert changes == [('main', str(directory / 'main.conf'), text('main'), text('main', 'input { stdin {} }'))]
    apply_changes(module, changes)
    assert (directory / 'main.conf').read_text() == text('main', 'input { stdin {} }')
    after = os.stat(directory / 'beats.conf')
    assert (after.st_ino, after.st_mtime_ns, after.st_mode & 0o777) == (beats.st_ino, beats.st_mtime_ns, 0o600)


def test_render_yaml_is_stable_json_after_the_header():
    rendered = render_yaml({'b': [1, 2], 'a': 'x'}, MARK, 'pipeline main')
    first, body = rendered.split('\n', 1)
    assert first == '# managed by test.pipelines: pipeline main'
    assert json.loads(body) == {'a': 'x', 'b': [1, 2]} and body.index('"a"') < body.index('"b"') and body.endswith('}\n')
    assert render_yaml({'a': 'x', 'b': [1, 2]}, MARK, 'pipeline main') == rendered


def test_diff_and_result_names(directory, make_module, capsys):
    write(make_module(directory), dict(main=text('main')))
    module = make_module(directory, diff=True)
    changes = plan_changes(module, dict(main=text('main', 'new'), beats=text('beats')), MARK, 'pipeline', NAME)
    code, result = ends(capsys, exit_with, module, changes, 'changed_pipelines', reload_needed=True)
    assert code == 0 and result['changed'] and result['reload_needed']
    assert result['changed_pipelines'] == ['beats', 'main']
    assert result['files'] == [str(directory / 'beats.conf'), str(directory / 'main.conf')]
    assert result['diff'] == [
        dict(before_header=str(directory / 'beats.conf'), after_header=str(directory / 'beats.conf'), before='', after=text('beats')),
        dict(before_header=str(directory / 'main.conf'), after_header=str(directory / 'main.conf'), before=text('main'), after=text('main', 'new'))]
    code, result = ends(capsys, exit_with, make_module(directory), [], 'changed_pipelines')
    assert result['changed'] is False and result['changed_pipelines'] == [] and 'diff' not in result


# check mode: nothing written in the directory, checks run on staged copies in the module's tmpdir

def test_check_mode_writes_nothing_in_the_directory(directory, make_module, tmp_path):
    write(make_module(directory), dict(main=text('main'), old=text('old')))
    before = snapshot(directory)
    module = make_module(directory, check=True, exclusive=True)
    changes = plan_changes(module, dict(main=text('main', 'new'), beats=text('beats')), MARK, 'pipeline', NAME)
    assert [c[0] for c in changes] == ['beats', 'main', 'old']
    staged = write_private(module, 'beats.conf', text('beats'))
    assert os.path.dirname(staged) == str(tmp_path / 'private') and open(staged).read() == text('beats')
    apply_changes(module, changes)
    assert snapshot(directory) == before


# the header marks the module's files: no other file is replaced or removed

@pytest.mark.parametrize('content', ['input { hand written }\n', header(OTHER_MARK, 'pipeline main') + 'x\n', ''])
@pytest.mark.parametrize('after', [text('main', 'new'), None])
def test_a_file_without_the_header_is_refused(directory, make_module, capsys, content, after):
    (directory / 'main.conf').write_text(content)
    before = snapshot(directory)
    module = make_module(directory, diff=True)
    code, result = ends(capsys, plan_changes, module, dict(main=after, beats=text('beats')), MARK, 'pipeline', NAME)
    assert code == 1 and result['msg'] == (
        "files in the way, nothing changed: pipeline main: %s was not written by this module (its first line is not "
        "'# managed by test.pipelines: ...'): move it away, or rename the pipeline" % (directory / 'main.conf'))
    assert 'hand written' not in json.dumps(result)
    assert snapshot(directory) == before


def test_removed_items_are_deleted_or_rewritten(directory, make_module):
    write(make_module(directory), dict(main=text('main'), beats=text('beats'), old=text('old')))
    write(make_module(directory), dict(main=None, never=None))  # never had no file: it gets none
    assert sorted(os.listdir(directory)) == ['beats.conf', 'old.conf']
    write(make_module(directory), dict(beats=None, never=None), removed=lambda name: text(name, '# emptied'))
    assert sorted(os.listdir(directory)) == ['beats.conf', 'old.conf']
    assert (directory / 'beats.conf').read_text() == text('beats', '# emptied')
    assert plan_changes(make_module(directory), dict(beats=None), MARK, 'pipeline', NAME, removed=lambda name: text(name, '# emptied')) == []


def test_exclusive_removes_only_this_modules_files(directory, tmp_path, make_module):
    write(make_module(directory), dict(main=text('main'), old=text('old'), older=text('older')))
    (directory / 'hand.conf').write_text('input { hand written }\n')
    (directory / 'other.conf').write_text(header(OTHER_MARK, 'pipeline other') + 'x\n')
    (directory / 'notes.txt').write_text(text('notes'))  # not named like a pipeline's file
    (directory / 'sub.conf').mkdir()
    (tmp_path / 'elsewhere.conf').write_text(text('elsewhere'))
    (directory / 'linked.conf').symlink_to(tmp_path / 'elsewhere.conf')  # the header is behind a link: skipped
    write(make_module(directory, exclusive=True), dict(main=text('main')))
    assert sorted(os.listdir(directory)) == ['hand.conf', 'linked.conf', 'main.conf', 'notes.txt', 'other.conf', 'sub.conf']
    assert (tmp_path / 'elsewhere.conf').read_text() == text('elsewhere')
    before = snapshot(directory)
    write(make_module(directory, exclusive=True), dict(main=text('main')))
    assert snapshot(directory) == before


def test_exclusive_with_a_name_pattern(directory, make_module):
    """Two modules' files in one directory: 'model_%s.yml' sees only its own, whatever their names."""
    module = make_module(directory, exclusive=True)
    apply_changes(module, plan_changes(module, dict(churn='# %s churn\n' % MARK), MARK, 'pipeline', 'model_%s.yml'))
    (directory / 'churn.yml').write_text('# %s churn\n' % MARK)  # the same header, outside the pattern
    (directory / 'model_.yml').write_text('# %s none\n' % OTHER_MARK)
    assert [c[:2] for c in plan_changes(module, {}, MARK, 'pipeline', 'model_%s.yml')] == [('churn', str(directory / 'model_churn.yml'))]


# symbolic links and other non-regular files are neither read, nor followed, nor replaced

@pytest.mark.parametrize('after', [text('main', 'new'), None])
def test_a_symlink_in_place_of_a_file_is_refused(directory, tmp_path, make_module, capsys, after):
    secret = tmp_path / 'secret.conf'
    secret.write_text(text('main', 'SECRET'))
    (directory / 'main.conf').symlink_to(secret)
    before = snapshot(directory)
    for check in (True, False):
        code, result = ends(capsys, plan_changes, make_module(directory, check=check, diff=True), dict(main=after), MARK, 'pipeline', NAME)
        assert code == 1 and result['msg'] == (
            'files in the way, nothing changed: pipeline main: %s is a symbolic link, which this module neither follows '
            'nor replaces' % (directory / 'main.conf'))
        assert 'SECRET' not in json.dumps(result)
    assert snapshot(directory) == before and secret.read_text() == text('main', 'SECRET')


def test_a_directory_or_fifo_in_place_of_a_file_is_refused(directory, make_module, capsys):
    (directory / 'main.conf').mkdir()
    os.mkfifo(directory / 'beats.conf')
    before = snapshot(directory)
    code, result = ends(capsys, plan_changes, make_module(directory), dict(main=text('main'), beats=text('beats'), ok=text('ok')),
                        MARK, 'pipeline', NAME)
    assert code == 1 and result['errors'] == ['pipeline beats: %s is not a regular file' % (directory / 'beats.conf'),
                                              'pipeline main: %s is not a regular file' % (directory / 'main.conf')]
    assert snapshot(directory) == before


def test_read_regular(directory):
    assert read_regular(str(directory / 'none.conf')) is None
    (directory / 'a.conf').write_text('caf\u00e9\n')
    assert read_regular(str(directory / 'a.conf')) == 'caf\u00e9\n'
    (directory / 'link.conf').symlink_to(directory / 'a.conf')
    with pytest.raises(ValueError, match='symbolic link'):
        read_regular(str(directory / 'link.conf'))


# failures while changing the files leave no staged file behind

def staged_files(directory):
    return [entry for entry in os.listdir(directory) if entry.startswith('.mlops-')]


def test_a_failed_rename_leaves_no_staged_file(directory, make_module, capsys):
    """A directory appears in the place of the second file after the plan (a race): its rename fails for
    real, after both files were staged."""
    module = make_module(directory)
    write(module, dict(a=text('a')))
    changes = plan_changes(module, dict(a=text('a', 'new'), b=text('b')), MARK, 'pipeline', NAME)
    (directory / 'b.conf').mkdir()
    code, result = ends(capsys, apply_changes, module, changes)
    assert code == 1 and result['msg'].startswith('could not change the files in %s: [Errno 21] Is a directory' % directory)
    assert staged_files(directory) == []
    assert sorted(os.listdir(directory)) == ['a.conf', 'b.conf']
    assert (directory / 'a.conf').read_text() == text('a', 'new')  # renamed before the failure, in name order


def test_a_failed_removal_leaves_no_staged_file(directory, make_module, capsys):
    module = make_module(directory)
    write(module, dict(a=text('a'), b=text('b')))
    changes = plan_changes(module, dict(a=text('a', 'new'), b=None), MARK, 'pipeline', NAME)
    os.unlink(directory / 'b.conf')
    (directory / 'b.conf').mkdir()
    code, result = ends(capsys, apply_changes, module, changes)
    assert code == 1 and 'Is a directory' in result['msg'], result['msg']
    assert staged_files(directory) == [] and os.path.isdir(directory / 'b.conf')


def test_staging_in_an_immutable_directory_fails_cleanly(directory, make_module, capsys):
    module = make_module(directory)
    changes = plan_changes(module, dict(a=text('a')), MARK, 'pipeline', NAME)
    if subprocess.run(['chattr', '+i', str(directory)], capture_output=True, check=False).returncode:
        pytest.skip('chattr +i is not possible here')
    try:
        code, result = ends(capsys, apply_changes, module, changes)
    finally:
        subprocess.run(['chattr', '-i', str(directory)], check=True)
    assert code == 1 and result['msg'].startswith('could not change the files in %s: ' % directory)
    assert os.listdir(directory) == []
