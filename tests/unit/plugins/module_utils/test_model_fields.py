"""model_fields: the checks of the models given to the onboarding modules and the model_inventory filter,
in plain Python (the modules' tests in tests/modules run them through ansible-playbook once per class)."""
from __future__ import annotations

import ast

import pytest

from ansible_collections.mlops.observability.plugins.module_utils import model_fields
from ansible_collections.mlops.observability.plugins.module_utils.model_fields import (
    check_models, check_rule_model, check_target_model, models_option)


def model(name, **extra):
    return dict(dict(name=name, version='1.0', framework='sklearn', targets=['%s-host:8443' % name], env='test'), **extra)


def rules(name, groups=None):
    return dict(name=name, groups=groups or [{'name': '%s-group' % name, 'rules': [{'alert': 'A', 'expr': 'up == 0'}]}])


def test_only_the_standard_library_is_imported():
    """Plain Python: the filter and the modules share these checks, with no Ansible part needed."""
    with open(model_fields.__file__) as handle:
        tree = ast.parse(handle.read())
    imported = {alias.name.split('.')[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split('.')[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {'__future__', 're'}


@pytest.mark.parametrize('check, good', [
    (check_target_model, model('churn', team='growth', labels={'region': 'eu', 'tier': 1, 'weight': 0.5})),
    (check_target_model, model('churn', targets=['[2001:db8::1]:9100', '10.0.0.1:1', 'host.example.com:65535'])),
    (check_target_model, model('churn', framework=None, labels=None)),  # framework defaults to other
    (check_rule_model, rules('churn')),
])
def test_good_models_pass(check, good):
    assert check_models([good, dict(good, name='fraud')], check) == []


# the message of each class of bad field, with the model named (the error is what a user reads)

@pytest.mark.parametrize('bad, message', [
    (model('churn', version=None), 'model churn: version: required'),
    (model('churn', version=1.1), 'model churn: version: 1.1 is a number, which YAML may have changed (1.10 reads as 1.1): quote it'),
    (model('churn', targets=[]), 'model churn: targets: give at least one host:port'),
    (model('churn', targets='host:1'), 'model churn: targets: give at least one host:port'),
    (model('churn', targets=['no-port']), "model churn: targets: 'no-port' is not host:port"),
    (model('churn', targets=['host:9000\n']), "model churn: targets: 'host:9000\\n' is not host:port"),
    (model('churn', targets=['host:0']), "model churn: targets: port of 'host:0' is out of range 1-65535"),
    (model('churn', targets=['host:65536']), "model churn: targets: port of 'host:65536' is out of range 1-65535"),
    (model('churn', targets=['host:70000']), "model churn: targets: port of 'host:70000' is out of range 1-65535"),
    (model('churn', targets=['a:1', 'b:1', 'a:1']), "model churn: targets: 'a:1' is given twice"),
    (model('churn', framework='sparkml'),
     "model churn: framework: 'sparkml' is unknown; use one of sklearn, pytorch, keras, tensorflow, xgboost, onnx, other"),
    (model('churn', labels=['region']), 'model churn: labels: must be a mapping'),
    (model('churn', labels={'bad-label': 'x'}),
     "model churn: labels: 'bad-label' is not a valid label name (names starting with __ are reserved)"),
    (model('churn', labels={'env_x\n': 'a'}), "model churn: labels: 'env_x\\n' is not a valid label name"),
    (model('churn', labels={'__address__': 'x'}), "model churn: labels: '__address__' is not a valid label name"),
    (model('churn', labels={1: 'x'}), "model churn: labels: 1 is not a valid label name"),
    (model('churn', labels={'model': 'x'}), "model churn: labels: 'model' is set by its own option"),
    (model('churn', labels={'team': 'x'}), "model churn: labels: 'team' is set by its own option"),
    (model('churn', labels={'job': 'other'}),
     "model churn: labels: 'job' is reserved: Prometheus sets it, and the model alerts rely on it"),
    (model('churn', labels={'instance': 'x'}), "model churn: labels: 'instance' is reserved"),
    (model('churn', labels={'tier': None}), 'model churn: labels: tier: None is not a string (nor a number)'),
    (model('churn', labels={'tier': {'a': 'b'}}), "model churn: labels: tier: {'a': 'b'} is not a string"),
    (model('churn', labels={'tier': ['a']}), "model churn: labels: tier: ['a'] is not a string"),
    (model('churn', labels={'tier': True}), 'model churn: labels: tier: True is not a string'),
])
def test_bad_target_field_names_model_and_field(bad, message):
    errors = check_models([model('fraud'), bad], check_target_model)
    assert len(errors) == 1 and errors[0].startswith(message), errors


@pytest.mark.parametrize('groups, message', [
    ([], 'model churn: groups: give at least one rule group'),
    (['not-a-mapping'], "model churn: groups: group 1 is 'not-a-mapping', not a mapping with a name and rules"),
    ([{'name': 'g', 'rules': []}, {'name': 'h'}], 'model churn: groups: group 2 needs a name and a list of rules'),
    ([{'rules': []}], 'model churn: groups: group 1 needs a name and a list of rules'),
    ([{'name': 'g', 'rules': 'up == 0'}], 'model churn: groups: group 1 needs a name and a list of rules'),
])
def test_bad_rule_groups_name_model_and_group(groups, message):
    bad = dict(name='churn', groups=groups)
    assert check_models([rules('fraud'), bad], check_rule_model) == [message]


@pytest.mark.parametrize('name, message', [
    ('churn\n', "model 'churn\\n': name: must match [a-z0-9][a-z0-9_-]{0,62}"),
    ('Churn Model', "model 'Churn Model': name: must match"),
    ('-churn', "model '-churn': name: must match"),
    ('c' * 64, "model '%s': name: must match" % ('c' * 64)),
    (None, 'model #1: name: must match'),
    (7, 'model 7: name: must match'),
])
def test_bad_model_name(name, message):
    errors = check_models([model('fraud'), dict(model('x'), name=name)], check_target_model)
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_longest_name_passes():
    assert check_models([model('c' * 63)], check_target_model) == []


def test_a_name_given_twice():
    assert check_models([model('churn'), model('fraud'), model('churn')], check_target_model) == ['model churn: name: given twice']


def test_every_problem_of_every_model_is_reported():
    bad = [model('churn', version=None, targets=['x']), dict(name='Fraud', groups=None), model('churn')]
    assert check_models(bad, check_target_model) == [
        'model churn: version: required', "model churn: targets: 'x' is not host:port",
        "model 'Fraud': name: must match [a-z0-9][a-z0-9_-]{0,62}", "model 'Fraud': version: required",
        "model 'Fraud': targets: give at least one host:port", 'model churn: name: given twice']


def test_a_removed_model_needs_only_its_name():
    assert check_models([{'name': 'churn', 'state': 'absent'}], check_target_model) == []
    assert check_models([{'name': 'churn', 'state': 'absent'}], check_rule_model) == []
    assert check_models([{'name': 'Churn', 'state': 'absent'}], check_rule_model) == [
        "model 'Churn': name: must match [a-z0-9][a-z0-9_-]{0,62}"]


def test_models_option():
    spec = models_option(dict(version=dict(type='str')))
    assert spec['type'] == 'list' and spec['elements'] == 'dict' and spec['required']
    assert spec['options'] == dict(name=dict(type='str', required=True), version=dict(type='str'),
                                   state=dict(type='str', default='present', choices=['present', 'absent']))
