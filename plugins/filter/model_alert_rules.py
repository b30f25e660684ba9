# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: model_alert_rules
short_description: The ML alert library - Prometheus rules for one model that follows the metric contract
version_added: 0.1.0
description:
  - Builds the rule group of one model from the metric contract in C(docs/metric-contract.md).
  - "Rules: C(ModelTargetDown), C(ModelLatencyP99High), C(ModelErrorRatioHigh), C(ModelThroughputDropped),
    C(ModelInputDriftHigh), C(ModelNoPredictions), C(ModelVersionChanged)."
  - Every threshold has a default and can be overridden per model in its C(thresholds).
  - The result has the shape of one item of the O(mlops.observability.prometheus_alert_rule#module:models) option.
options:
  _input:
    description:
      - >-
        A model, with at least C(name); C(thresholds) overrides the defaults
        (C(p99_latency_seconds) 0.5, C(error_ratio) 0.05, C(throughput_drop_ratio) 0.5,
        C(drift_score) 0.2, C(no_predictions_minutes) 15, C(down_for) V(2m)), the C(rate_window) of
        the rate-based rules (V(5m)), and C(pending), one C(for) for every rule but C(ModelTargetDown)
        (unset means each rule's own).
      - C(state) is passed through.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Rules for every model of the inventory, one module call
  mlops.observability.prometheus_alert_rule:
    directory: /etc/prometheus/rules
    models: "{{ models | map('mlops.observability.model_alert_rules') | list }}"
"""

RETURN = r"""
_value:
  description: C({name, state, groups}) for the model.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

DEFAULT_THRESHOLDS = {
    'p99_latency_seconds': 0.5,
    'error_ratio': 0.05,
    'throughput_drop_ratio': 0.5,
    'drift_score': 0.2,
    'no_predictions_minutes': 15,
    'down_for': '2m',
    # the range of rate() and the pending time of every rule but ModelTargetDown; None keeps each rule's own
    'rate_window': '5m',
    'pending': None,
}
DURATION_KEYS = ('down_for', 'rate_window', 'pending')
DURATION_RE = re.compile(r'^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$')


def _number(thresholds, key, model):
    value = thresholds[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise AnsibleFilterError("model %s: thresholds.%s: must be a non-negative number, not %r" % (model, key, value))
    return value


def model_alert_rules(model):
    if not isinstance(model, dict) or not model.get('name'):
        raise AnsibleFilterError("model_alert_rules: a model needs a name")
    name = model['name']
    unknown = set(model.get('thresholds') or {}) - set(DEFAULT_THRESHOLDS)
    if unknown:
        raise AnsibleFilterError("model %s: thresholds: unknown %s; known are %s"
                                 % (name, ', '.join(sorted(unknown)), ', '.join(sorted(DEFAULT_THRESHOLDS))))
    t = dict(DEFAULT_THRESHOLDS, **(model.get('thresholds') or {}))
    for key in DEFAULT_THRESHOLDS:
        if key not in DURATION_KEYS:
            _number(t, key, name)
        elif not (t[key] is None and key == 'pending') and not (isinstance(t[key], str) and t[key] and DURATION_RE.match(t[key])):
            raise AnsibleFilterError("model %s: thresholds.%s: must be a Prometheus duration such as 5m or 1h30m, not %r"
                                     % (name, key, t[key]))
    window = t['rate_window']
    sel = 'model="%s"' % name
    predictions = 'sum by (model) (rate(model_predictions_total{%s}[%s]))' % (sel, window)
    errors = 'sum by (model) (rate(model_prediction_errors_total{%s}[%s]))' % (sel, window)

    def rule(alert, expr, severity, duration, summary):
        if t['pending'] is not None and alert != 'ModelTargetDown':
            duration = t['pending']
        return {'alert': alert, 'expr': expr, 'for': duration,
                'labels': {'severity': severity, 'model': name},
                'annotations': {'summary': summary}}

    rules = [
        rule('ModelTargetDown', 'up{job="models", %s} == 0' % sel, 'critical', t['down_for'],
             'Model %s: {{ $labels.instance }} is not scraped' % name),
        rule('ModelLatencyP99High',
             'histogram_quantile(0.99, sum by (model, le) (rate(model_prediction_latency_seconds_bucket{%s}[%s]))) > %s'
             % (sel, window, t['p99_latency_seconds']),
             'warning', '5m', 'Model %s: p99 latency {{ $value | humanizeDuration }} above %ss' % (name, t['p99_latency_seconds'])),
        rule('ModelErrorRatioHigh', '%s / (%s + %s) > %s' % (errors, predictions, errors, t['error_ratio']),
             'critical', '5m', 'Model %s: {{ $value | humanizePercentage }} of predictions fail' % name),
        rule('ModelThroughputDropped',
             '%s < %s * sum by (model) (rate(model_predictions_total{%s}[1h] offset 1h))'
             % (predictions, t['throughput_drop_ratio'], sel),
             'warning', '10m', 'Model %s: throughput below %s of the hour before' % (name, t['throughput_drop_ratio'])),
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
