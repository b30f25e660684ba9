# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: model_alert_rules
short_description: The ML alert library - Prometheus rules for one model that follows the metric contract
version_added: 0.1.0
positional: job
description:
  - Builds the rule group of one model from the metric contract in C(docs/metric-contract.md).
  - "Rules: C(ModelTargetDown), C(ModelLatencyP99High), C(ModelErrorRatioHigh), C(ModelThroughputDropped),
    C(ModelInputDriftHigh), C(ModelNoPredictions), C(ModelVersionChanged)."
  - Every threshold has a default and can be overridden per model in its C(thresholds).
  - >-
    The rate-based rules (C(ModelLatencyP99High), C(ModelErrorRatioHigh), C(ModelThroughputDropped)) do not flap
    on sparse or bursty traffic: they keep firing for C(keep_firing_for) after their condition turns false, they
    wait at least the C(rate_window) before firing, and they need at least C(min_request_rate) requests a second
    in the window (latency: predict calls observed; error ratio: predictions plus errors; throughput: in the hour before).
  - The result has the shape of one item of the O(mlops.observability.prometheus_alert_rule#module:models) option.
  - C(keep_firing_for) needs Prometheus 2.42 or later.
options:
  _input:
    description:
      - >-
        A model, with at least C(name); C(thresholds) overrides the defaults of the numbers
        C(p99_latency_seconds) 0.5 (above 0), C(error_ratio) 0.05 and C(throughput_drop_ratio) 0.5 (between 0
        and 1), C(drift_score) 0.2 (above 0), C(no_predictions_minutes) 15 (above 0, at most 10080),
        C(min_request_rate) 0.05 (above 0; fewer requests a second in the window do not evaluate the latency
        and error ratio rules, nor the throughput rule in the hour before), and of the Prometheus durations
        C(down_for) V(2m) (the C(for) of C(ModelTargetDown)), C(rate_window) V(5m) (the range of the
        rate-based rules, above 0), C(keep_firing_for) (of the rate-based rules; unset means the C(rate_window),
        V(0s) turns it off) and C(pending), one C(for) for every rule but C(ModelTargetDown) (unset means each
        rule's own; a rate-based rule's own is never shorter than the C(rate_window)).
      - A threshold that would make a rule always or never fire (zero, a ratio of 1, C(.inf), C(.nan)) is refused.
      - C(state) is passed through.
    type: dict
    required: true
  job:
    description:
      - The scrape job of the models' targets, which C(ModelTargetDown) selects on; the prometheus role passes its
        C(prometheus_model_job_name).
    type: str
    default: models
"""

EXAMPLES = r"""
- name: Rules for every model of the inventory, one module call
  mlops.observability.prometheus_alert_rule:
    directory: /etc/prometheus/rules
    models: "{{ models | map('mlops.observability.model_alert_rules', 'models') | list }}"
"""

RETURN = r"""
_value:
  description: C({name, state, groups}) for the model.
  type: dict
"""

import math
import re

from ansible.errors import AnsibleFilterError

# the scrape job of the models, selected by ModelTargetDown (used with fullmatch)
JOB_RE = re.compile(r'[A-Za-z0-9_.-]{1,64}')

# Each number threshold: its default, and the values that let its rule both fire and stay quiet (in code and in words).
NUMBERS = {
    'p99_latency_seconds': (0.5, lambda v: v > 0, 'above 0'),
    'error_ratio': (0.05, lambda v: 0 < v < 1, 'between 0 and 1, both excluded'),
    'throughput_drop_ratio': (0.5, lambda v: 0 < v < 1, 'between 0 and 1, both excluded'),
    'drift_score': (0.2, lambda v: v > 0, 'above 0'),
    'no_predictions_minutes': (15, lambda v: 0 < v <= 10080, 'above 0 and at most 10080 (a week)'),
    # requests a second in the rate window below which the latency and error ratio rules do not evaluate
    'min_request_rate': (0.05, lambda v: v > 0, 'above 0'),
}
DURATIONS = {
    'down_for': '2m',
    # the range of rate(); the rate-based rules never have a shorter for
    'rate_window': '5m',
    # how long the rate-based rules keep firing once their condition is false; None is the rate_window, 0s is off
    'keep_firing_for': None,
    # one for of every rule but ModelTargetDown; None keeps each rule's own
    'pending': None,
}
DEFAULT_THRESHOLDS = dict(dict((key, spec[0]) for key, spec in NUMBERS.items()), **DURATIONS)
DURATION_RE = re.compile(r'(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?')
UNIT_SECONDS = {'y': 31536000, 'w': 604800, 'd': 86400, 'h': 3600, 'm': 60, 's': 1, 'ms': 0.001}


def seconds(duration):
    """Length of a Prometheus duration that DURATION_RE matches."""
    return sum(int(count) * UNIT_SECONDS[unit] for count, unit in re.findall(r'(\d+)(ms|[ywdhms])', duration))


def threshold_problems(thresholds):
    """'field: reason' for every bad entry of a model's thresholds (None is no thresholds)."""
    if thresholds is None:
        thresholds = {}
    if not isinstance(thresholds, dict):
        return ['thresholds: must be a mapping such as {p99_latency_seconds: 0.3}, not %r' % (thresholds,)]
    unknown = sorted(set(thresholds) - set(DEFAULT_THRESHOLDS), key=str)
    if unknown:
        return ['thresholds: unknown %s; known are %s' % (', '.join(map(str, unknown)), ', '.join(sorted(DEFAULT_THRESHOLDS)))]
    problems = []
    for key, value in thresholds.items():
        if key in NUMBERS:
            fits, words = NUMBERS[key][1:]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not fits(value):
                problems.append('thresholds.%s: must be a number %s, not %r' % (key, words, value))
        elif value is None and DURATIONS[key] is None:
            continue
        elif not isinstance(value, str) or not value or not DURATION_RE.fullmatch(value) or (key == 'rate_window' and not seconds(value)):
            problems.append('thresholds.%s: must be a Prometheus duration such as 5m or 1h30m%s, not %r'
                            % (key, ', above 0' if key == 'rate_window' else '', value))
    return problems


def model_alert_rules(model, job='models'):
    if not isinstance(model, dict) or not model.get('name'):
        raise AnsibleFilterError("model_alert_rules: a model needs a name")
    if not isinstance(job, str) or not JOB_RE.fullmatch(job):
        raise AnsibleFilterError("model_alert_rules: job: %r is not a scrape job name (letters, digits, _ . -)" % (job,))
    name = model['name']
    problems = threshold_problems(model.get('thresholds'))
    if problems:
        raise AnsibleFilterError('; '.join('model %s: %s' % (name, problem) for problem in problems))
    t = dict(DEFAULT_THRESHOLDS, **(model.get('thresholds') or {}))
    window = t['rate_window']
    keep_firing_for = t['keep_firing_for'] or window
    sel = 'model="%s"' % name

    def rate(metric):
        return 'sum by (model) (rate(%s{%s}[%s]))' % (metric, sel, window)

    predictions = rate('model_predictions_total')
    before = 'sum by (model) (rate(model_predictions_total{%s}[1h] offset 1h))' % sel
    requests = '(%s + %s)' % (predictions, rate('model_prediction_errors_total'))

    def enough(request_rate):
        return ' and on (model) %s >= %s' % (request_rate, t['min_request_rate'])

    def rule(alert, expr, severity, duration, summary, rate_based=False):
        if rate_based:
            duration = max(duration, window, key=seconds)
        if t['pending'] is not None and alert != 'ModelTargetDown':
            duration = t['pending']
        result = {'alert': alert, 'expr': expr, 'for': duration,
                  'labels': {'severity': severity, 'model': name},
                  'annotations': {'summary': summary}}
        if rate_based and seconds(keep_firing_for):
            result['keep_firing_for'] = keep_firing_for
        return result

    rules = [
        rule('ModelTargetDown', 'up{job="%s", %s} == 0' % (job, sel), 'critical', t['down_for'],
             'Model %s: {{ $labels.instance }} is not scraped' % name),
        rule('ModelLatencyP99High',
             'histogram_quantile(0.99, sum by (model, le) (rate(model_prediction_latency_seconds_bucket{%s}[%s]))) > %s'
             % (sel, window, t['p99_latency_seconds']) + enough(rate('model_prediction_latency_seconds_count')),
             'warning', '5m', 'Model %s: p99 latency {{ $value | humanizeDuration }} above %ss' % (name, t['p99_latency_seconds']),
             rate_based=True),
        rule('ModelErrorRatioHigh',
             '%s / %s > %s' % (rate('model_prediction_errors_total'), requests, t['error_ratio']) + enough(requests),
             'critical', '5m', 'Model %s: {{ $value | humanizePercentage }} of predictions fail' % name, rate_based=True),
        rule('ModelThroughputDropped',
             '%s < %s * %s' % (predictions, t['throughput_drop_ratio'], before) + enough(before),
             'warning', '10m', 'Model %s: throughput below %s of the hour before' % (name, t['throughput_drop_ratio']),
             rate_based=True),
        rule('ModelInputDriftHigh', 'max by (model, feature) (model_input_drift_score{%s}) > %s' % (sel, t['drift_score']),
             'warning', '15m', 'Model %s: input drift on {{ $labels.feature }} is {{ $value }}' % name),
        rule('ModelNoPredictions',
             'time() - max by (model) (model_last_prediction_timestamp_seconds{%s}) > %d'
             % (sel, int(t['no_predictions_minutes'] * 60)),
             'warning', '0m', 'Model %s: no prediction for %s minutes' % (name, t['no_predictions_minutes'])),
        rule('ModelVersionChanged',
             'max by (model, model_version) (model_info{%s}) unless max by (model, model_version) (model_info{%s} offset 15m)'
             ' and on (model) count by (model) (model_info{%s} offset 15m)' % (sel, sel, sel),
             'info', '0m', 'Model %s: version {{ $labels.model_version }} is now serving' % name),
    ]
    return {'name': name, 'state': model.get('state', 'present'),
            'groups': [{'name': 'mlops-model-%s' % name, 'rules': rules}]}


class FilterModule:
    def filters(self):
        return {'model_alert_rules': model_alert_rules}
