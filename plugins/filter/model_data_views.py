# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One Kibana data view per model's log data stream, as the kibana_data_view module takes them; the docs are in
model_data_views.yml."""

from __future__ import annotations

from ansible_collections.mlops.observability.plugins.filter.model_log_streams import DEFAULT_NAMESPACE, _fail, _streams


def model_data_views(models, namespace=DEFAULT_NAMESPACE):
    streams, problems = _streams('model_data_views', models, namespace)
    _fail('model_data_views', problems)
    return [{'id': 'mlops-model-%s-logs' % names['model'], 'name': 'Model %s logs' % names['model'],
             'title': names['data_stream']} for model, names in streams]


class FilterModule:
    def filters(self):
        return {'model_data_views': model_data_views}
