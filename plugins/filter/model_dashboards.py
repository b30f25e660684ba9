# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: model_dashboards
short_description: Grafana dashboards of the models, generated from the ML metric contract
version_added: 0.2.0
positional: datasource_uid, kibana_url
description:
  - Builds an overview of all models and one dashboard per model from the metric contract in
    C(docs/metric-contract.md), with the typed builders of Grafana's Foundation SDK (the Python package
    C(grafana-foundation-sdk), pinned in C(requirements.lock.txt) to the release that carries Grafana 12's dashboard
    schemas), on the controller. The dashboards have schema version 41.
  - "Every panel queries only metrics of the contract and C(ALERTS): request rate by outcome, p50 and p99 latency,
    error ratio, input drift per feature, staleness (seconds since the last prediction), requests in flight, the
    serving version and the number of firing alerts. Each model's dashboard draws the model's alert thresholds
    (C(p99_latency_seconds), C(error_ratio), C(drift_score), C(no_predictions_minutes)) on its panels, and its rates
    use the model's C(rate_window); the defaults are those of the alert library (M(mlops.observability.prometheus_alert_rule),
    filter C(model_alert_rules))."
  - Dashboard UIDs are stable (C(mlops-models-overview), C(mlops-model-<name>), shortened with a hash of the name
    past Grafana's 40 characters), so generating twice gives the same JSON, byte for byte once serialised with sorted
    keys.
  - The overview links to each model's dashboard; each model's dashboard links back, and to the model's logs in
    Kibana when O(kibana_url) is given.
options:
  _input:
    description:
      - The models, as the filter C(model_inventory) returns them; C(name) is required, C(env) (the folder,
        V(default) when unset), C(version) and C(thresholds) are read.
    type: list
    elements: dict
    required: true
  datasource_uid:
    description: UID of the Prometheus datasource that every panel queries.
    type: str
    default: mlops-prometheus
  kibana_url:
    description:
      - Base URL of Kibana (https); each model's dashboard then links to Discover on the model's data view
        (C(mlops-model-<name>-logs), as the filter C(model_data_views) names it). Empty gives no log links.
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: One dashboard file per model, and the overview
  ansible.builtin.copy:
    content: "{{ item.dashboard | to_nice_json(sort_keys=true) }}"
    dest: "/var/lib/grafana/dashboards/{{ item.folder }}/{{ item.uid }}.json"
    mode: "0640"
  loop: "{{ hostvars | mlops.observability.model_inventory(groups['model_hosts']) | mlops.observability.model_dashboards }}"
  loop_control:
    label: "{{ item.uid }}"
"""

RETURN = r"""
_value:
  description:
    - One dict per dashboard, the overview first, then the models by name, with C(uid), C(title), C(folder) (the
      overview's is V(mlops), a model's is C(mlops-<env>)) and C(dashboard) (the dashboard JSON model as a dict).
  type: list
  elements: dict
"""

import hashlib
import json

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.model_alert_rules import DEFAULT_THRESHOLDS, threshold_problems
from ansible_collections.mlops.observability.plugins.module_utils.model_fields import check_models

try:
    from grafana_foundation_sdk.builders import common as common_builders
    from grafana_foundation_sdk.builders import dashboard as dashboard_builders
    from grafana_foundation_sdk.builders import prometheus, stat, timeseries
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common as common_models
    from grafana_foundation_sdk.models import dashboard as dashboard_models
    SDK_IMPORT_ERROR = None
except ImportError as err:  # the controller needs the SDK only when it builds dashboards
    SDK_IMPORT_ERROR = err

OVERVIEW_UID = 'mlops-models-overview'
MODEL_TAG = 'mlops-model'
UID_MAX = 40  # Grafana's limit on a dashboard UID


def dashboard_uid(name):
    """Stable UID of a model's dashboard, within Grafana's 40 characters."""
    uid = 'mlops-model-%s' % name
    if len(uid) <= UID_MAX:
        return uid
    return '%s-%s' % (uid[:UID_MAX - 9], hashlib.sha256(name.encode()).hexdigest()[:8])


def queries(sel, window):
    """The PromQL of each panel, one series per model, for the models the selector `sel` (without braces) picks.
    Each one has a series whenever the model is scraped: the error ratio counts no errors as 0, and the alert
    count is 0 when no alert fires."""
    by = 'model'
    group = 'sum by (%s)' % by

    def rate(metric):
        return '%s (rate(%s{%s}[%s]))' % (group, metric, sel, window)

    serving = 'max by (%s) (model_info{%s})' % (by, sel)
    errors = '(%s or %s * 0)' % (rate('model_prediction_errors_total'), serving)
    predictions = rate('model_predictions_total')
    latency = 'sum by (%s, le) (rate(model_prediction_latency_seconds_bucket{%s}[%s]))' % (by, sel, window)
    return {
        'requests': '%s + %s' % (predictions, errors),
        'p50': 'histogram_quantile(0.5, %s)' % latency,
        'p99': 'histogram_quantile(0.99, %s)' % latency,
        'error_ratio': '%s / (%s + %s)' % (errors, predictions, errors),
        'drift': 'max by (%s, feature) (model_input_drift_score{%s})' % (by, sel),
        'staleness': 'time() - max by (%s) (model_last_prediction_timestamp_seconds{%s})' % (by, sel),
        'in_flight': 'sum by (%s) (model_requests_in_flight{%s})' % (by, sel),
        'alerts': '(count by (%s) (ALERTS{%s, alertstate="firing"}) or %s * 0)' % (by, sel, serving),
        'outcomes': 'sum by (outcome) (rate(model_predictions_total{%s}[%s]))' % (sel, window),
        'version': 'max by (model_version, framework) (model_info{%s})' % sel,
    }


class Builder:
    """The panels of one dashboard, placed left to right on a 24-column grid, 8 rows high."""

    def __init__(self, datasource_uid):
        self.datasource = common_models.DataSourceRef(type_val='prometheus', uid=datasource_uid)
        self.panels = []
        self.x = self.y = 0

    def add(self, panel, exprs, width=12, height=8):
        if self.x + width > 24:
            self.x, self.y = 0, self.y + height
        for ref, (expr, legend) in zip('ABCDEFGH', exprs):
            panel = panel.with_target(prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(ref))
        self.panels.append(panel.datasource(self.datasource).id(len(self.panels) + 1)
                           .grid_pos(dashboard_models.GridPos(h=height, w=width, x=self.x, y=self.y)))
        self.x += width


def thresholds(limit):
    """Green below the alert threshold, red from it; no line without a threshold."""
    steps = [dashboard_models.Threshold(value=None, color='green')]
    if limit is not None:
        steps.append(dashboard_models.Threshold(value=float(limit), color='red'))
    return dashboard_builders.ThresholdsConfig().mode(dashboard_models.ThresholdsMode.ABSOLUTE).steps(steps)


def graph(title, unit, limit=None):
    panel = timeseries.Panel().title(title).unit(unit).thresholds(thresholds(limit))
    if limit is not None:
        style = common_builders.GraphThresholdsStyleConfig().mode(common_models.GraphThresholdsStyleMode.LINE)
        panel = panel.thresholds_style(style)
    return panel


def figure(title, unit, limit=None):
    return stat.Panel().title(title).unit(unit).thresholds(thresholds(limit))


def encode(dashboard):
    """The dashboard as a plain dict (the SDK's JSON form)."""
    return json.loads(JSONEncoder(sort_keys=True).encode(dashboard.build()))


def overview(datasource_uid):
    # every model Prometheus scrapes, so that adding a model changes its own dashboard only
    q = queries('model!=""', DEFAULT_THRESHOLDS['rate_window'])
    b = Builder(datasource_uid)
    b.add(graph('Requests a second', 'reqps'), [(q['requests'], '{{model}}')])
    b.add(graph('Latency p50 and p99', 's'), [(q['p50'], '{{model}} p50'), (q['p99'], '{{model}} p99')])
    b.add(graph('Error ratio', 'percentunit'), [(q['error_ratio'], '{{model}}')])
    b.add(graph('Input drift (PSI), worst feature', 'none'), [('max by (model) (%s)' % q['drift'], '{{model}}')])
    b.add(graph('Seconds since the last prediction', 's'), [(q['staleness'], '{{model}}')])
    b.add(graph('Firing alerts', 'none'), [(q['alerts'], '{{model}}')])
    dashboard = (dashboard_builders.Dashboard('ML models: overview').uid(OVERVIEW_UID).tags(['mlops'])
                 .time('now-6h', 'now').refresh('1m').readonly()
                 .link(dashboard_builders.DashboardLink('Models').type(dashboard_models.DashboardLinkType.DASHBOARDS)
                       .tags([MODEL_TAG]).as_dropdown(True).keep_time(True)))
    for panel in b.panels:
        dashboard = dashboard.with_panel(panel)
    return {'uid': OVERVIEW_UID, 'title': 'ML models: overview', 'folder': 'mlops', 'dashboard': encode(dashboard)}


def model_dashboard(model, datasource_uid, kibana_url):
    name = model['name']
    t = dict(DEFAULT_THRESHOLDS, **(model.get('thresholds') or {}))
    q = queries('model="%s"' % name, t['rate_window'])
    b = Builder(datasource_uid)
    b.add(graph('Predictions a second, by outcome', 'reqps'), [(q['outcomes'], '{{outcome}}')])
    b.add(graph('Latency p50 and p99 (alert above %ss)' % t['p99_latency_seconds'], 's', t['p99_latency_seconds']),
          [(q['p50'], 'p50'), (q['p99'], 'p99')])
    b.add(graph('Error ratio (alert above %s)' % t['error_ratio'], 'percentunit', t['error_ratio']),
          [(q['error_ratio'], 'errors')])
    b.add(graph('Input drift (PSI) by feature (alert above %s)' % t['drift_score'], 'none', t['drift_score']),
          [(q['drift'], '{{feature}}')])
    b.add(figure('Seconds since the last prediction (alert above %s min)' % t['no_predictions_minutes'], 's',
                 t['no_predictions_minutes'] * 60), [(q['staleness'], 'staleness')], width=6)
    b.add(figure('Requests in flight', 'none'), [(q['in_flight'], 'in flight')], width=6)
    b.add(figure('Firing alerts', 'none', 1), [(q['alerts'], 'firing')], width=6)
    b.add(figure('Serving version', 'none'), [(q['version'], '{{model_version}} ({{framework}})')], width=6)
    uid = dashboard_uid(name)
    title = 'ML model %s' % name
    dashboard = (dashboard_builders.Dashboard(title).uid(uid).tags(['mlops', MODEL_TAG]).time('now-6h', 'now')
                 .refresh('1m').readonly()
                 .link(dashboard_builders.DashboardLink('Overview').type(dashboard_models.DashboardLinkType.LINK)
                       .url('/d/%s' % OVERVIEW_UID).keep_time(True)))
    if kibana_url:
        logs = "%s/app/discover#/?_a=(dataSource:(dataViewId:'mlops-model-%s-logs',type:dataView))" % (kibana_url.rstrip('/'), name)
        dashboard = dashboard.link(dashboard_builders.DashboardLink('Logs in Kibana')
                                   .type(dashboard_models.DashboardLinkType.LINK).url(logs).target_blank(True))
    for panel in b.panels:
        dashboard = dashboard.with_panel(panel)
    return {'uid': uid, 'title': title, 'folder': 'mlops-%s' % (model.get('env') or 'default'), 'dashboard': encode(dashboard)}


def model_dashboards(models, datasource_uid='mlops-prometheus', kibana_url=''):
    if SDK_IMPORT_ERROR is not None:
        raise AnsibleFilterError('model_dashboards: the controller needs the Python package grafana-foundation-sdk '
                                 '(requirements.lock.txt): %s' % SDK_IMPORT_ERROR)
    if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
        raise AnsibleFilterError('model_dashboards: give the list of models (the model_inventory filter)')
    problems = check_models(models, lambda model: threshold_problems(model.get('thresholds')))
    if kibana_url and not str(kibana_url).startswith('https://'):
        problems.append('kibana_url: %r is not an https URL' % (kibana_url,))
    if problems:
        raise AnsibleFilterError('model_dashboards: ' + '; '.join(problems))
    models = sorted(models, key=lambda m: m['name'])
    return [overview(datasource_uid)] + [model_dashboard(m, datasource_uid, kibana_url) for m in models]


class FilterModule:
    def filters(self):
        return {'model_dashboards': model_dashboards}
