"""The helper with real models: a scikit-learn RandomForest, a PyTorch CPU network and a Keras model (on the
PyTorch backend). The RandomForest is scraped over real HTTPS with basic auth."""
from __future__ import annotations

import base64
import datetime
import json
import logging
import ssl
import urllib.error
import urllib.request

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from prometheus_client.parser import text_string_to_metric_families

from mlops_model_metrics import (ModelMetrics, keras_predict, prediction_file_logger, serve_metrics, sklearn_predict,
                                 torch_predict)


@pytest.fixture(scope='module')
def tls(tmp_path_factory):
    work = tmp_path_factory.mktemp('tls')
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName('localhost')]), critical=False)
            .sign(key, hashes.SHA256()))
    (work / 'cert.pem').write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (work / 'key.pem').write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    return str(work / 'cert.pem'), str(work / 'key.pem')


def scrape(port, cafile, user=None, password=None):
    request = urllib.request.Request('https://localhost:%d/metrics' % port)
    if user:
        request.add_header('Authorization', 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode())
    context = ssl.create_default_context(cafile=cafile)
    with urllib.request.urlopen(request, context=context, timeout=5) as response:
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for f in text_string_to_metric_families(response.read().decode()) for s in f.samples}


def value(samples, name, **labels):
    return sum(v for (n, l), v in samples.items() if n == name and all(dict(l).get(k) == w for k, w in labels.items()))


@pytest.fixture(scope='module')
def forest():
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    X, y = make_classification(n_samples=600, n_features=4, n_informative=3, n_redundant=0, random_state=7)
    return RandomForestClassifier(n_estimators=20, random_state=7).fit(X, y), X


def test_sklearn_model_contract_over_https(forest, tls, caplog):
    estimator, X = forest
    metrics = ModelMetrics('churn', '2.3.1', 'sklearn', reference=X, feature_names=['a', 'b', 'c', 'd'], window=200)
    predict = metrics.instrument(sklearn_predict(estimator))
    server = serve_metrics(metrics.registry, 0, *tls, users={'prometheus': 's3cret'}, address='127.0.0.1')
    port = server.server_address[1]
    try:
        with caplog.at_level(logging.INFO, logger='mlops_model_metrics.predictions'):
            predicted = [predict(X[i:i + 10]) for i in range(0, 200, 10)]
            with pytest.raises(ValueError):
                predict(np.zeros((2, 7)))  # wrong number of features
        samples = scrape(port, tls[0], 'prometheus', 's3cret')
        classes = np.concatenate(predicted)
        assert value(samples, 'model_predictions_total', model='churn', model_version='2.3.1') == 200
        assert value(samples, 'model_predictions_total', outcome='1') == int((classes == 1).sum())
        assert value(samples, 'model_prediction_latency_seconds_count') == 20
        assert value(samples, 'model_prediction_errors_total', error_type='ValueError') == 1
        assert value(samples, 'model_requests_in_flight') == 0
        assert value(samples, 'model_info', framework='sklearn', model_version='2.3.1') == 1
        assert value(samples, 'model_last_prediction_timestamp_seconds') > 1.7e9
        assert value(samples, 'model_prediction_value_count') == 200
        # inputs from the training distribution: no drift
        assert max(value(samples, 'model_input_drift_score', feature=f) for f in 'abcd') < 0.2

        for dummy in range(20):  # shifted inputs
            predict(X[:10] + 3.0)
        shifted = scrape(port, tls[0], 'prometheus', 's3cret')
        assert min(value(shifted, 'model_input_drift_score', feature=f) for f in 'abcd') > 0.2

        lines = [json.loads(r.getMessage()) for r in caplog.records]
        ok = [line for line in lines if line['event']['outcome'] == 'success']
        failed = [line for line in lines if line['event']['outcome'] == 'failure']
        assert len(ok) == 20 and len(failed) == 1
        assert ok[0]['ml']['model'] == {'name': 'churn', 'version': '2.3.1', 'framework': 'sklearn'}
        assert ok[0]['event']['duration'] > 0 and ok[0]['http']['request']['id']
        assert failed[0]['error']['type'] == 'ValueError' and failed[0]['log.level'] == 'error'
        assert all('input' not in line['ml'] for line in lines)  # no raw inputs by default
    finally:
        server.shutdown()


def test_prediction_log_file_survives_rotation(forest, tmp_path):
    """The file logger reopens its file after logrotate renames it: no line is lost or written to the old file."""
    estimator, X = forest
    path = tmp_path / 'predictions.json'
    metrics = ModelMetrics('churn', '1', 'sklearn', logger=prediction_file_logger(str(path)))
    predict = metrics.instrument(sklearn_predict(estimator))
    for i in range(3):
        predict(X[i:i + 1], request_id='before-%d' % i)
    path.rename(tmp_path / 'predictions.json.1')  # what logrotate does without copytruncate
    for i in range(2):
        predict(X[i:i + 1], request_id='after-%d' % i)
    before = [json.loads(line) for line in (tmp_path / 'predictions.json.1').read_text().splitlines()]
    after = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line['http']['request']['id'] for line in before] == ['before-0', 'before-1', 'before-2']
    assert [line['http']['request']['id'] for line in after] == ['after-0', 'after-1']
    assert after[0]['event']['dataset'] == 'mlops.predictions'


def test_https_endpoint_refuses_without_or_with_wrong_credentials(tls):
    metrics = ModelMetrics('m', '1', 'other')
    server = serve_metrics(metrics.registry, 0, *tls, users={'prometheus': 's3cret'}, address='127.0.0.1')
    port = server.server_address[1]
    try:
        for user, password in [(None, None), ('prometheus', 'wrong')]:
            with pytest.raises(urllib.error.HTTPError) as caught:
                scrape(port, tls[0], user, password)
            assert caught.value.code == 401
        with pytest.raises(urllib.error.URLError):  # a client that does not trust the certificate
            urllib.request.urlopen('https://localhost:%d/metrics' % port, timeout=5)
    finally:
        server.shutdown()


def test_serve_refuses_missing_password(tls):
    with pytest.raises(ValueError):
        serve_metrics(ModelMetrics('m', '1', 'other').registry, 0, *tls, users={'prometheus': ''})


def test_pytorch_model_counts_classes(tls):
    import torch  # clients/python/requirements-test.txt; a missing torch fails the test
    torch.manual_seed(0)
    X = torch.randn(256, 3)
    y = (X[:, 0] + X[:, 1] > 0).long()
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    for dummy in range(100):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(X), y).backward()
        optimizer.step()
    metrics = ModelMetrics('fraud', '7', 'pytorch', reference=X.numpy())
    predict = metrics.instrument(torch_predict(net))
    out = predict(X)
    assert (out == y).float().mean() > 0.9  # a real, trained model
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in metrics.registry.collect() for s in f.samples}
    assert value(samples, 'model_predictions_total', outcome='0') + value(samples, 'model_predictions_total', outcome='1') == 256
    assert value(samples, 'model_predictions_total', outcome='1') == int(out.sum())
    assert value(samples, 'model_info', framework='pytorch') == 1


@pytest.mark.filterwarnings('ignore::DeprecationWarning')  # Keras's own numpy 2 deprecations
def test_keras_model_counts_classes():
    import os
    os.environ.setdefault('KERAS_BACKEND', 'torch')  # Keras 3 on the PyTorch CPU backend of the test requirements
    import keras  # clients/python/requirements-test.txt; a missing keras fails the test
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)).astype('float32')
    y = (X[:, 0] - X[:, 2] > 0).astype('int64')
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation='relu'),
                              keras.layers.Dense(2, activation='softmax')])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss='sparse_categorical_crossentropy')
    model.fit(X, y, epochs=30, batch_size=32, verbose=0)
    metrics = ModelMetrics('credit', '3', 'keras', reference=X)
    predict = metrics.instrument(keras_predict(model))
    out = np.asarray(predict(X))
    assert (out == y).mean() > 0.9  # a real, trained model
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in metrics.registry.collect() for s in f.samples}
    assert value(samples, 'model_predictions_total', outcome='1') == int(out.sum())
    assert value(samples, 'model_predictions_total', model='credit', model_version='3') == 300
    assert value(samples, 'model_info', framework='keras') == 1
