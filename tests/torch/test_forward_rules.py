"""JVP rules of the facade's own primitives (``funcgrad/torch/_ops.py`` and
``nn/functional.py``): forward mode against central finite differences and
against the VJP, on plain arrays (the primitives' implementations and rules
are array code; the facade only records them)."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad.torch.nn.functional as F
from funcgrad.testing import check_grads
from funcgrad.torch import _ops

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4))
P = 1 / (1 + np.exp(-X))  # in (0, 1)
T = rng.uniform(0.1, 0.9, (3, 4))
IDX = np.array([[0, 2, 1, 3], [1, 1, 0, 2], [3, 0, 0, 1]])
LABELS = np.array([1, 3, 0])

CASES = {
    "mean": (lambda x: _ops.mean(x, axis=1), (X,)),
    "amax": (lambda x: _ops.amax(x, axis=0, keepdims=True), (X,)),
    "amin": (lambda x: _ops.amin(x), (X,)),
    "gather": (lambda x: _ops.gather(x, IDX[:, :2], 1), (X,)),
    "scatter_add_along": (lambda x: _ops.scatter_add_along(x, IDX, 1, (3, 4)), (X,)),
    "cumsum": (lambda x: _ops.cumsum(x, 1), (X,)),
    "norm2": (_ops.norm2, (X,)),
    "prod": (lambda x: _ops.prod(x, axis=1), (X,)),
    "sigmoid": (_ops.sigmoid, (X,)),
    "_sigmoid_grad": (_ops._sigmoid_grad, (X, P)),
    "relu": (_ops.relu, (X + 0.05,)),
    "log1p": (_ops.log1p, (P,)),
    "expm1": (_ops.expm1, (X,)),
    "clone": (_ops.clone, (X,)),
    "zero_grad_op": (lambda x: _ops.zero_grad_op(x, np.sign), (X,)),
    "clamp": (lambda x: _ops.clamp(x, -0.5, 0.5), (np.array([-1.0, -0.2, 0.3, 0.9]),)),
    "pow_scalar": (lambda x: _ops.pow_scalar(x, 3), (X,)),
    "softmax": (lambda x: _ops.softmax(x, 1), (X,)),
    "log_softmax": (lambda x: _ops.log_softmax(x, 0), (X,)),
    "logsumexp": (lambda x: _ops.logsumexp(x, 1), (X,)),
    "index_put": (lambda x, v: _ops.index_put(x, v, (slice(None), 1)), (X, T[:, 0])),
    "F._sigmoid": (F._sigmoid, (X,)),
    "F._softplus": (F._softplus, (X,)),
    "F._softmax": (lambda x: F._softmax(x, 1), (X,)),
    "F._log_softmax": (lambda x: F._log_softmax(x, 1), (X,)),
    "F._addmm": (F._addmm, (T[0, :3], X, T[:, :])),
    "F._mse_loss": (lambda x, t: F._mse_loss(x, t, "mean"), (X, T)),
    "F._mse_loss-none": (lambda x, t: F._mse_loss(x, t, "none"), (X, T)),
    "F._nll_loss": (lambda x: F._nll_loss(x, LABELS, None, "mean", -100), (X,)),
    "F._bce": (lambda x, t: F._bce(x, t, None, "sum"), (P, T)),
    "F._bce_logits": (lambda x, t: F._bce_logits(x, t, None, None, "mean"), (X, T)),
    "F._embedding": (lambda w: F._embedding(w, np.array([0, 2, 2]), 1), (X,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_facade_primitive_jvp(name):
    f, args = CASES[name]
    check_grads(f, args, order=1, modes=("fwd",))
