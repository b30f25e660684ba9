"""Instrumentation of model predict calls with the mlops.observability ML metric contract."""
from .metrics import ModelMetrics, population_stability_index, prediction_file_logger
from .adapters import keras_predict, sklearn_predict, torch_predict
from .server import serve_metrics

__all__ = ['ModelMetrics', 'population_stability_index', 'prediction_file_logger', 'sklearn_predict', 'torch_predict',
           'keras_predict', 'serve_metrics']
