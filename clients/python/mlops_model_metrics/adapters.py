"""Turn framework models into predict(batch) callables."""
from __future__ import annotations


def sklearn_predict(estimator):
    """scikit-learn estimator: its predict method."""
    return estimator.predict


def torch_predict(module):
    """PyTorch module on the CPU, no gradients; 2-D outputs become class indices."""
    import torch

    module.eval()

    def predict(batch):
        with torch.no_grad():
            tensor = batch if isinstance(batch, torch.Tensor) else torch.as_tensor(batch, dtype=torch.float32)
            out = module(tensor)
            return out.argmax(dim=1) if out.dim() == 2 and out.shape[1] > 1 else out.reshape(-1)
    return predict


def keras_predict(model):
    """Keras model: class indices for multi-class outputs, values otherwise."""
    def predict(batch):
        out = model.predict(batch, verbose=0)
        return out.argmax(axis=1) if out.ndim == 2 and out.shape[1] > 1 else out.reshape(-1)
    return predict
