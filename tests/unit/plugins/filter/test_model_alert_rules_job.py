"""model_alert_rules: the scrape job of the models comes from the caller (the prometheus role's job name)."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_alert_rules import model_alert_rules


def target_down(result):
    return [rule for rule in result['groups'][0]['rules'] if rule['alert'] == 'ModelTargetDown'][0]['expr']


def test_the_target_down_rule_selects_the_given_job():
    assert target_down(model_alert_rules({'name': 'churn'}, 'ml-models')) == 'up{job="ml-models", model="churn"} == 0'
    assert target_down(model_alert_rules({'name': 'churn'})) == 'up{job="models", model="churn"} == 0'


@pytest.mark.parametrize('job', ['', 'models"} or vector(1) #', 'a b', 'models\n', 7])
def test_a_job_name_that_could_break_the_selector_is_refused(job):
    with pytest.raises(AnsibleFilterError, match='job: .* is not a scrape job name'):
        model_alert_rules({'name': 'churn'}, job)
