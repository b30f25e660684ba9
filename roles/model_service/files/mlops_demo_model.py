"""Demo model service: a RandomForest classifier on generated data, served over HTTPS with the
mlops-model-metrics helper. A fault file makes it misbehave on purpose (latency, errors, drift).

Usage: python3 mlops_demo_model.py CONFIG_JSON
"""
import json
import logging
import os
import random
import sys
import threading
import time

import joblib
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

from mlops_model_metrics import ModelMetrics, prediction_file_logger, serve_metrics, sklearn_predict

FEATURES = ['tenure', 'monthly_charges', 'support_calls', 'usage_drop']


def load_or_train(state_dir):
    model_path = os.path.join(state_dir, 'model.joblib')
    reference_path = os.path.join(state_dir, 'reference.npy')
    if os.path.exists(model_path) and os.path.exists(reference_path):
        return joblib.load(model_path), np.load(reference_path)
    X, y = make_classification(n_samples=2000, n_features=len(FEATURES), n_informative=3, n_redundant=0, random_state=42)
    model = RandomForestClassifier(n_estimators=50, random_state=42).fit(X, y)
    joblib.dump(model, model_path)
    np.save(reference_path, X[:1000])
    return model, X[:1000]


class Faults:
    """Reads the fault file when it changes: {"latency_seconds": 0, "error_rate": 0, "drift": 0}."""

    def __init__(self, path):
        self.path, self.mtime, self.values = path, None, {}

    def get(self, key):
        try:
            mtime = os.stat(self.path).st_mtime
            if mtime != self.mtime:
                with open(self.path, encoding='utf-8') as handle:
                    self.values = json.load(handle)
                self.mtime = mtime
        except (OSError, ValueError):
            self.values = {}
        return float(self.values.get(key, 0) or 0)


def main():
    with open(sys.argv[1], encoding='utf-8') as handle:
        config = json.load(handle)
    logging.basicConfig(level=logging.INFO, format='%(message)s', stream=sys.stdout)
    model, reference = load_or_train(config['state_dir'])
    faults = Faults(config['faults_file'])
    logger = prediction_file_logger(config['log_file']) if config.get('log_file') else None
    metrics = ModelMetrics(config['name'], config['version'], 'sklearn', reference=reference, feature_names=FEATURES,
                           logger=logger)
    base = sklearn_predict(model)

    def predict_with_faults(batch):
        if faults.get('latency_seconds'):
            time.sleep(faults.get('latency_seconds'))
        if random.random() < faults.get('error_rate'):
            raise RuntimeError('injected fault')
        return base(batch)

    predict = metrics.instrument(predict_with_faults)

    def predict_route(body, headers):
        try:
            instances = np.asarray(json.loads(body)['instances'], dtype=float)
            result = predict(instances, request_id=headers.get('X-Request-Id'))
            return 200, 'application/json', json.dumps({'predictions': result.tolist()}).encode()
        except Exception as error:  # the error is counted and logged by the helper
            return 400, 'application/json', json.dumps({'error': type(error).__name__}).encode()

    serve_metrics(metrics.registry, config['port'], config['certfile'], config['keyfile'], config['users'],
                  extra_routes={('POST', '/predict'): predict_route}, background=True)
    rps = float(config.get('self_traffic_rps', 0))
    rng = np.random.default_rng(0)
    while True:
        if rps <= 0:
            time.sleep(3600)
            continue
        batch = reference[rng.integers(0, len(reference), 5)] + faults.get('drift')
        try:
            predict(batch)
        except RuntimeError:
            pass
        time.sleep(1.0 / rps)


if __name__ == '__main__':
    threading.current_thread().name = 'main'
    main()
