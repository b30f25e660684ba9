"""prometheus_scrape_target and prometheus_alert_rule given malformed input or a directory in a bad state:
a clear error naming the model and the field, never a traceback, and the directory unchanged (its
entries, their content and the directory's own mtime, which any create or unlink moves).

Each class of bad input is run through ansible-playbook here once or twice (for each module, and where
Ansible's option types matter); every message of every field check, the owner, group and mode checks and a
failure while writing are tested in plain Python in tests/unit/plugins/module_utils."""
from __future__ import annotations

import grp
import json
import os
import pwd
import subprocess

import pytest
import yaml

from ansible_collections.mlops.observability.plugins.filter.model_alert_rules import model_alert_rules

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name
SCRAPE, RULES = 'prometheus_scrape_target', 'prometheus_alert_rule'


def model(name, **extra):
    return dict(dict(name=name, version='1.0', framework='sklearn', targets=['%s-host:8443' % name], env='test'), **extra)


def rules(name, **thresholds):
    return model_alert_rules({'name': name, 'thresholds': thresholds})


def args(directory, models, **extra):
    return dict(dict(directory=str(directory), models=models, owner=ME, group=MY_GROUP), **extra)


def snapshot(directory):
    """Every entry of directory (a file's content and mode, a link's target, a directory's listing), and the
    directory's mtime."""
    entries = {}
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        if os.path.islink(path):
            entries[entry] = ('link', os.readlink(path))
        elif os.path.isdir(path):
            entries[entry] = ('dir', sorted(os.listdir(path)))
        else:
            with open(path) as handle:
                entries[entry] = ('file', handle.read(), os.stat(path).st_mode)
    return entries, os.stat(directory).st_mtime_ns


def assert_refused(result, *messages):
    assert result.get('failed'), result
    assert 'Traceback' not in str(result.get('exception')) and not result.get('module_stderr'), result
    for message in messages:
        assert message in result['msg'], result['msg']


@pytest.fixture
def populated(tmp_path, run_module):
    """A directory with one model's targets and its rules, both written by the modules."""
    assert not run_module(SCRAPE, args(tmp_path, [model('fraud')])).get('failed')
    assert not run_module(RULES, args(tmp_path, [rules('fraud')])).get('failed')
    return tmp_path


# 1. A trailing newline passes no check

@pytest.mark.parametrize('module, bad, message', [
    (RULES, dict(rules('churn'), name='churn\n'), "model 'churn\\n': name: must match"),
    (SCRAPE, model('churn', targets=['host:9000\n']), "model churn: targets: 'host:9000\\n' is not host:port"),
])
def test_trailing_newline_is_refused(populated, run_module, module, bad, message):
    before = snapshot(populated)
    assert_refused(run_module(module, args(populated, [bad])), message, 'nothing changed')
    assert snapshot(populated) == before


# 2. owner, group and mode are checked before anything is written
# 3. mode is an octal string, not world-writable

@pytest.mark.parametrize('module, extra, message', [
    (SCRAPE, dict(group='no-such-group'), 'group: no-such-group does not exist on the host'),
    (RULES, dict(owner='no-such-user'), 'owner: no-such-user does not exist on the host'),
    (SCRAPE, dict(mode=640), 'mode: 640 is a number, not the octal mode it looks like: quote it, for example "0640"'),
    (RULES, dict(mode='0666'), 'mode: 0666 lets every user write the files'),
])
def test_bad_owner_group_or_mode_changes_nothing(populated, run_module, module, extra, message):
    wanted = [model('fraud', version='2'), model('churn')] if module == SCRAPE else [rules('fraud', error_ratio=0.5), rules('churn')]
    before = snapshot(populated)
    assert_refused(run_module(module, args(populated, wanted, **extra)), message, 'nothing changed')
    assert snapshot(populated) == before


@pytest.mark.parametrize('mode, octal', [('0600', 0o600), ('660', 0o660)])
def test_octal_string_mode_is_applied(tmp_path, run_module, mode, octal):
    assert run_module(SCRAPE, args(tmp_path, [model('churn')], mode=mode))['changed']
    assert run_module(RULES, args(tmp_path, [rules('churn')], mode=mode))['changed']
    assert [oct(os.stat(tmp_path / f).st_mode & 0o7777) for f in sorted(os.listdir(tmp_path))] == [oct(octal)] * 2


# 4. exclusive touches only the files of the module that runs; no module replaces a file it did not write

def test_both_modules_share_a_directory_with_exclusive(tmp_path, run_module):
    targets = [model('churn'), model('model_fraud', targets=['fraud-host:8443'])]  # model_fraud.yml is a target file with a rule file's name
    assert run_module(SCRAPE, args(tmp_path, targets, exclusive=True))['changed']
    assert run_module(RULES, args(tmp_path, [rules('churn')], exclusive=True))['changed']
    files = snapshot(tmp_path)[0]
    assert sorted(files) == ['churn.yml', 'model_churn.yml', 'model_fraud.yml']
    for module, models in ((SCRAPE, targets), (RULES, [rules('churn')])):
        result = run_module(module, args(tmp_path, models, exclusive=True))
        assert not result.get('failed') and not result['changed'], result
    assert snapshot(tmp_path)[0] == files
    # the rules module may not take over the target file of model_fraud
    result = run_module(RULES, args(tmp_path, [rules('churn'), rules('fraud')], exclusive=True))
    assert_refused(result, 'model fraud: %s was not written by this module' % (tmp_path / 'model_fraud.yml'), 'nothing changed')
    assert snapshot(tmp_path)[0] == files


@pytest.mark.parametrize('module, wanted, path', [
    (SCRAPE, model('churn'), 'churn.yml'),
    (SCRAPE, {'name': 'churn', 'state': 'absent'}, 'churn.yml'),
    (RULES, rules('churn'), 'model_churn.yml'),
    (RULES, {'name': 'churn', 'state': 'absent'}, 'model_churn.yml'),
])
def test_a_file_written_by_someone_else_is_left_alone(populated, run_module, module, wanted, path):
    (populated / path).write_text('# written by hand\n')
    before = snapshot(populated)
    result = run_module(module, args(populated, [wanted], exclusive=True), diff=True)
    assert_refused(result, 'model churn: %s was not written by this module' % (populated / path))
    assert 'written by hand' not in result['msg']
    assert snapshot(populated) == before


# 5. and 6. directories, symbolic links and other non-regular entries

@pytest.mark.parametrize('module, entry', [(SCRAPE, 'foo.yml'), (RULES, 'model_foo.yml')])
def test_exclusive_skips_a_directory_named_like_a_file(populated, run_module, module, entry):
    (populated / entry).mkdir()
    (populated / entry / 'inside').write_text('x\n')
    wanted = [model('fraud')] if module == SCRAPE else [rules('fraud')]
    before = snapshot(populated)
    result = run_module(module, args(populated, wanted, exclusive=True))
    assert not result.get('failed') and not result['changed'], result
    assert snapshot(populated) == before


@pytest.mark.parametrize('module, wanted, path', [(SCRAPE, model('churn'), 'churn.yml'), (RULES, rules('churn'), 'model_churn.yml')])
def test_a_directory_in_place_of_a_models_file_is_refused(populated, run_module, module, wanted, path):
    (populated / path).mkdir()
    before = snapshot(populated)
    assert_refused(run_module(module, args(populated, [wanted])), 'model churn: %s is not a regular file' % (populated / path))
    assert snapshot(populated) == before


SECRET = '# managed by mlops.observability.%s: model churn\nSECRET, not to be shown\n'


@pytest.mark.parametrize('module, wanted, path', [
    (SCRAPE, model('churn'), 'churn.yml'),
    (SCRAPE, {'name': 'churn', 'state': 'absent'}, 'churn.yml'),
    (RULES, rules('churn'), 'model_churn.yml'),
    (RULES, {'name': 'churn', 'state': 'absent'}, 'model_churn.yml'),
])
def test_a_symlinked_models_file_is_neither_read_nor_replaced(populated, tmp_path_factory, run_module, module, wanted, path):
    secret = tmp_path_factory.mktemp('elsewhere') / 'secret.yml'
    secret.write_text(SECRET % module)
    (populated / path).symlink_to(secret)
    before = snapshot(populated)
    for check in (True, False):
        result = run_module(module, args(populated, [wanted]), check=check, diff=True)
        assert_refused(result, 'model churn: %s is a symbolic link' % (populated / path), 'nothing changed')
        assert 'SECRET' not in json.dumps(result)
    assert snapshot(populated) == before and secret.read_text() == SECRET % module


@pytest.mark.parametrize('module, entry', [(SCRAPE, 'linked.yml'), (RULES, 'model_linked.yml')])
def test_exclusive_skips_symlinks(populated, tmp_path_factory, run_module, module, entry):
    secret = tmp_path_factory.mktemp('elsewhere') / 'secret.yml'
    secret.write_text(SECRET % module)
    (populated / entry).symlink_to(secret)
    before = snapshot(populated)
    result = run_module(module, args(populated, [model('fraud')] if module == SCRAPE else [rules('fraud')], exclusive=True), diff=True)
    assert not result.get('failed') and not result['changed'], result
    assert snapshot(populated) == before and secret.read_text() == SECRET % module


# 7. check mode writes nothing in the directory, not even a staged file for promtool

@pytest.mark.parametrize('good', [True, False])
def test_rules_check_mode_writes_nothing_in_the_directory(populated, run_module, good):
    broken = {'name': 'broken', 'groups': [{'name': 'x', 'rules': [{'alert': 'Broken', 'expr': 'rate(up[5m]'}]}]}
    wanted = [rules('fraud', error_ratio=0.5), rules('churn')] + ([] if good else [broken])
    before = snapshot(populated)
    result = run_module(RULES, args(populated, wanted), check=True)
    if good:
        assert result['changed'] and result['changed_models'] == ['churn', 'fraud'], result
    else:
        assert_refused(result, 'model broken', 'parse error')
    assert snapshot(populated) == before


# 8. the directory

def test_a_file_as_directory_is_named_so(tmp_path, run_module):
    (tmp_path / 'models').write_text('x\n')
    for module, wanted in ((SCRAPE, model('churn')), (RULES, rules('churn'))):
        assert_refused(run_module(module, args(tmp_path / 'models', [wanted])),
                       'directory %s is a file, not a directory' % (tmp_path / 'models'))
    assert (tmp_path / 'models').read_text() == 'x\n'


def test_a_missing_directory(tmp_path, run_module):
    assert_refused(run_module(SCRAPE, args(tmp_path / 'missing', [model('churn')])),
                   'directory %s does not exist' % (tmp_path / 'missing'))
    assert os.listdir(tmp_path) == []


def test_a_directory_that_is_not_writable(populated, run_module):
    """Immutable (chattr +i), which even root cannot write into: the tests run as root."""
    if subprocess.run(['chattr', '+i', str(populated)], capture_output=True, check=False).returncode:
        pytest.skip('chattr +i is not possible here')
    try:
        before = snapshot(populated)
        for module, wanted in ((SCRAPE, model('churn')), (RULES, rules('churn'))):
            assert_refused(run_module(module, args(populated, [wanted])), 'directory %s is not writable' % populated)
        assert snapshot(populated) == before
    finally:
        subprocess.run(['chattr', '-i', str(populated)], check=True)


# 9. malformed models

@pytest.mark.parametrize('module, bad, message', [
    (SCRAPE, model('churn', labels={'tier': None}), 'model churn: labels: tier: None is not a string'),
    (SCRAPE, model('churn', labels={'tier': True}), 'model churn: labels: tier: True is not a string'),
    (SCRAPE, model('churn', labels={'job': 'other'}), "model churn: labels: 'job' is reserved"),
    (RULES, {'name': 'churn', 'groups': ['not-a-mapping']}, "model churn: groups: group 1 is 'not-a-mapping', not a mapping"),
])
def test_malformed_model_names_model_and_field(populated, run_module, module, bad, message):
    good = model('fraud', version='2') if module == SCRAPE else rules('fraud', error_ratio=0.5)
    before = snapshot(populated)
    assert_refused(run_module(module, args(populated, [good, bad])), message, 'nothing changed')
    assert snapshot(populated) == before


def test_numeric_label_values_are_written_as_text(tmp_path, run_module):
    assert run_module(SCRAPE, args(tmp_path, [model('churn', labels={'tier': 1, 'weight': 0.5})]))['changed']
    labels = yaml.safe_load((tmp_path / 'churn.yml').read_text())[0]['labels']
    assert (labels['tier'], labels['weight']) == ('1', '0.5')


# 10. read, compare, write

def test_diff_and_idempotence_after_a_change(populated, run_module):
    result = run_module(SCRAPE, args(populated, [model('fraud', version='2')]), diff=True)
    assert result['changed'] and result['changed_models'] == ['fraud']
    (diff,) = result['diff']
    assert '"model_version": "1.0"' in diff['before'] and '"model_version": "2"' in diff['after']
    again = run_module(SCRAPE, args(populated, [model('fraud', version='2')]), diff=True)
    assert not again['changed'] and again['diff'] == []
    assert sorted(os.listdir(populated)) == ['fraud.yml', 'model_fraud.yml']
