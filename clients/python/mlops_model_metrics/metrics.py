"""The metric contract (docs/metric-contract.md) around any predict callable."""
from __future__ import annotations

import collections
import json
import logging
import logging.handlers
import math
import threading
import time
import uuid
from datetime import datetime, timezone

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PSI_FLOOR = 1e-4


def _quantile_edges(values, bins):
    ordered = sorted(values)
    return [ordered[min(len(ordered) - 1, int(len(ordered) * k / bins))] for k in range(1, bins)]


def _proportions(values, edges):
    counts = [0] * (len(edges) + 1)
    for value in values:
        index = 0
        while index < len(edges) and value > edges[index]:
            index += 1
        counts[index] += 1
    total = float(len(values)) or 1.0
    return [max(c / total, PSI_FLOOR) for c in counts]


def population_stability_index(expected, actual, edges):
    """PSI of actual against expected, both bucketed by edges."""
    e, a = _proportions(expected, edges), _proportions(actual, edges)
    return sum((ai - ei) * math.log(ai / ei) for ai, ei in zip(a, e))


def _rows(batch):
    """A batch as a list of rows of floats (numpy arrays, tensors and lists alike)."""
    if hasattr(batch, 'detach'):
        batch = batch.detach().cpu().numpy()
    if hasattr(batch, 'tolist'):
        batch = batch.tolist()
    return [[float(v) for v in (row if isinstance(row, (list, tuple)) else [row])] for row in batch]


def prediction_file_logger(path):
    """A logger that writes the prediction lines, and nothing else, to path (one JSON object a line).

    The file is reopened when logrotate moves it away, so rotation loses no line and needs no
    copytruncate. The lines do not also go to the process's other log handlers.
    """
    logger = logging.getLogger('mlops_model_metrics.predictions.file.' + path)
    if not logger.handlers:
        handler = logging.handlers.WatchedFileHandler(path, encoding='utf-8')
        handler.setFormatter(logging.Formatter('%(message)s'))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class ModelMetrics:
    """Metrics, drift and logs of one model version in one process.

    reference: training inputs (2-D), for the drift score; feature_names: their names.
    """

    def __init__(self, model, version, framework, reference=None, feature_names=None, registry=None,
                 window=500, bins=10, value_buckets=None, logger=None, log_inputs=False):
        self.model, self.version, self.framework = model, str(version), framework
        self.registry = registry or CollectorRegistry()
        self.logger = logger or logging.getLogger('mlops_model_metrics.predictions')
        self.log_inputs = log_inputs
        labels = dict(model=model, model_version=self.version)
        names = ['model', 'model_version']
        r = self.registry
        Gauge('model_info', 'Model served by this process', names + ['framework'], registry=r) \
            .labels(framework=framework, **labels).set(1)
        self.latency = Histogram('model_prediction_latency_seconds', 'Wall time of one predict call', names,
                                 buckets=LATENCY_BUCKETS, registry=r).labels(**labels)
        self._predictions = Counter('model_predictions', 'Predictions made', names + ['outcome'], registry=r)
        self._errors = Counter('model_prediction_errors', 'Predict calls that raised', names + ['error_type'], registry=r)
        self.in_flight = Gauge('model_requests_in_flight', 'Predict calls running now', names, registry=r).labels(**labels)
        self._drift = Gauge('model_input_drift_score', 'PSI of recent inputs against the training reference',
                            names + ['feature'], registry=r)
        self.values = Histogram('model_prediction_value', 'Distribution of predicted values', names,
                                buckets=value_buckets or (0, 1, 2, 3, 4, 5, 10, 100), registry=r).labels(**labels)
        self.last = Gauge('model_last_prediction_timestamp_seconds', 'Unix time of the last successful prediction',
                          names, registry=r).labels(**labels)
        self._labels = labels
        self._lock = threading.Lock()
        self._reference = None
        if reference is not None:
            rows = _rows(reference)
            columns = list(zip(*rows))
            self.feature_names = list(feature_names or ['f%d' % i for i in range(len(columns))])
            self._reference = [(list(col), _quantile_edges(col, bins)) for col in columns]
            self._recent = [collections.deque(maxlen=window) for dummy in columns]
            for name in self.feature_names:
                self._drift.labels(feature=name, **labels).set(0)

    def outcome(self, value):
        return self._predictions.labels(outcome=str(value), **self._labels)

    def observe_inputs(self, batch):
        """Update the drift score of every feature with a batch of inputs."""
        if self._reference is None:
            return
        rows = _rows(batch)
        with self._lock:
            for row in rows:
                for recent, value in zip(self._recent, row):
                    recent.append(value)
            for name, (expected, edges), recent in zip(self.feature_names, self._reference, self._recent):
                self._drift.labels(feature=name, **self._labels).set(
                    population_stability_index(expected, list(recent), edges))

    def _log(self, request_id, outcome, duration, error=None, inputs=None, predictions=None):
        entry = {
            '@timestamp': datetime.now(timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z'),
            'log.level': 'error' if error else 'info',
            'message': 'prediction failed' if error else 'prediction',
            'event': {'kind': 'event', 'dataset': 'mlops.predictions', 'outcome': outcome,
                      'duration': int(duration * 1e9)},
            'service': {'name': self.model, 'version': self.version},
            'http': {'request': {'id': request_id}},
            'ml': {'model': {'name': self.model, 'version': self.version, 'framework': self.framework}},
        }
        if predictions is not None:
            entry['ml']['prediction'] = {'outcome': predictions}
        if error is not None:
            entry['error'] = {'type': type(error).__name__, 'message': str(error)}
        if self.log_inputs and inputs is not None:
            entry['ml']['input'] = _rows(inputs)
        self.logger.info(json.dumps(entry, sort_keys=True))

    def instrument(self, predict):
        """Wrap predict(batch) -> sequence of predictions with the whole contract."""
        def wrapped(batch, request_id=None):
            request_id = request_id or uuid.uuid4().hex
            start = time.perf_counter()
            self.in_flight.inc()
            try:
                result = predict(batch)
            except Exception as error:
                duration = time.perf_counter() - start
                self._errors.labels(error_type=type(error).__name__, **self._labels).inc()
                self._log(request_id, 'failure', duration, error=error, inputs=batch)
                raise
            finally:
                self.in_flight.dec()
            duration = time.perf_counter() - start
            self.latency.observe(duration)
            values = [v[0] if isinstance(v, list) and len(v) == 1 else v for v in
                      (result.tolist() if hasattr(result, 'tolist') else list(result))]
            for value in values:
                self.outcome(value).inc()
                if isinstance(value, (int, float)):
                    self.values.observe(float(value))
            self.last.set(time.time())
            self.observe_inputs(batch)
            self._log(request_id, 'success', duration, inputs=batch,
                      predictions=[str(v) for v in values] if len(values) <= 20 else len(values))
            return result
        return wrapped
