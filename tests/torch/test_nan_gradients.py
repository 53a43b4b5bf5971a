"""Gradients at the non-differentiable points of norms and spreads: PyTorch
gives 0 (not NaN) for every norm at x = 0 and for std of equal values, and so
do both faces of funcgrad. The facade's gradients are compared with real
PyTorch when it is installed, and always with PyTorch 2.13's recorded values.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import funcgrad
import funcgrad.numpy as fnp
import funcgrad.torch as T

ZERO = np.zeros((3, 2))
EQUAL = np.full((3, 2), 2.0)
INF = float("inf")

# name -> (loss of the facade's module ``m`` and tensor ``x``, the point)
FACADE = {
    "x.norm()": (lambda m, x: x.norm(), ZERO),
    "x.norm(dim=0)": (lambda m, x: x.norm(dim=0), ZERO),
    "x.norm(2, 1, keepdim=True)": (lambda m, x: x.norm(2, 1, keepdim=True), ZERO),
    "x.norm(1, 1)": (lambda m, x: x.norm(1, 1), ZERO),
    "x.norm(3, 1)": (lambda m, x: x.norm(3, 1), ZERO),
    "x.norm(0.5, 1)": (lambda m, x: x.norm(0.5, 1), ZERO),
    "x.norm(inf, 1)": (lambda m, x: x.norm(INF, 1), ZERO),
    "x.norm('fro', (0, 1))": (lambda m, x: x.norm("fro", (0, 1)), ZERO),
    "torch.norm(x, dim=0)": (lambda m, x: m.norm(x, dim=0), ZERO),
    "linalg.vector_norm(x)": (lambda m, x: m.linalg.vector_norm(x), ZERO),
    "linalg.vector_norm(x, dim=0)": (lambda m, x: m.linalg.vector_norm(x, dim=0), ZERO),
    "linalg.vector_norm(x, 1, dim=0)": (lambda m, x: m.linalg.vector_norm(x, 1, dim=0), ZERO),
    "linalg.vector_norm(x, 3, dim=0)": (lambda m, x: m.linalg.vector_norm(x, 3, dim=0), ZERO),
    "linalg.vector_norm(x, -inf, dim=0)": (lambda m, x: m.linalg.vector_norm(x, -INF, dim=0),
                                           ZERO),
    "linalg.norm(x)": (lambda m, x: m.linalg.norm(x), ZERO),
    "linalg.norm(x, dim=0)": (lambda m, x: m.linalg.norm(x, dim=0), ZERO),
    "linalg.matrix_norm(x)": (lambda m, x: m.linalg.matrix_norm(x), ZERO),
    "linalg.matrix_norm(x, 1)": (lambda m, x: m.linalg.matrix_norm(x, 1), ZERO),
    "F.normalize(x, dim=0)": (lambda m, x: m.nn.functional.normalize(x, dim=0), ZERO),
    "F.cosine_similarity(x, x, dim=0)": (
        lambda m, x: m.nn.functional.cosine_similarity(x, x, dim=0), ZERO),
    "F.pairwise_distance(x, x)": (lambda m, x: m.nn.functional.pairwise_distance(x, x), ZERO),
    "x.std()": (lambda m, x: x.std(), EQUAL),
    "x.std(dim=0)": (lambda m, x: x.std(dim=0), EQUAL),
    "x.std(1, keepdim=True)": (lambda m, x: x.std(1, keepdim=True), EQUAL),
    "x.std(correction=0)": (lambda m, x: x.std(correction=0), EQUAL),
    "torch.std(x, (0, 1))": (lambda m, x: m.std(x, (0, 1)), EQUAL),
    "x.var()": (lambda m, x: x.var(), EQUAL),
    "x.var(dim=1)": (lambda m, x: x.var(dim=1), EQUAL),
    "x.std() at 0": (lambda m, x: x.std(), ZERO),
}
# PyTorch 2.13's gradients of .sum() of each loss (all 0 but F.normalize: 1/eps).
RECORDED = {name: np.zeros((3, 2)) for name in FACADE}
RECORDED["F.normalize(x, dim=0)"] = np.full((3, 2), 1e12)

# The functional face: every norm/std/var spelling of funcgrad.numpy.
NUMPY = {
    "linalg.norm": (lambda x: fnp.linalg.norm(x), ZERO),
    "linalg.norm(axis=0)": (lambda x: fnp.linalg.norm(x, axis=0), ZERO),
    "linalg.norm(ord=1, axis=1)": (lambda x: fnp.linalg.norm(x, ord=1, axis=1), ZERO),
    "linalg.norm(ord=inf, axis=1)": (lambda x: fnp.linalg.norm(x, ord=INF, axis=1), ZERO),
    "linalg.norm(ord='fro')": (lambda x: fnp.linalg.norm(x, "fro"), ZERO),
    "linalg.norm(ord=1) (matrix)": (lambda x: fnp.linalg.norm(x, 1), ZERO),
    "linalg.vector_norm": (lambda x: fnp.linalg.vector_norm(x), ZERO),
    "linalg.vector_norm(axis=0)": (lambda x: fnp.linalg.vector_norm(x, axis=0), ZERO),
    "linalg.vector_norm(ord=3, axis=0)": (lambda x: fnp.linalg.vector_norm(x, ord=3, axis=0),
                                          ZERO),
    "linalg.vector_norm(ord=0.5)": (lambda x: fnp.linalg.vector_norm(x, ord=0.5), ZERO),
    "linalg.matrix_norm": (lambda x: fnp.linalg.matrix_norm(x), ZERO),
    "std": (lambda x: fnp.std(x), EQUAL),
    "std(axis=0)": (lambda x: fnp.std(x, axis=0), EQUAL),
    "std(ddof=1, keepdims)": (lambda x: fnp.std(x, ddof=1, keepdims=True), EQUAL),
    "nanstd": (lambda x: fnp.nanstd(x), EQUAL),
    "var": (lambda x: fnp.var(x), EQUAL),
    "nanvar(axis=1)": (lambda x: fnp.nanvar(x, axis=1), EQUAL),
    "hypot": (lambda x: fnp.hypot(x, x), ZERO),
}


def _facade_grad(m, loss, point, dtype):
    x = m.tensor(point.tolist(), dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss(m, x).sum().backward()
    return np.asarray(x.grad.tolist())


@pytest.mark.parametrize("name", sorted(FACADE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_facade_matches_recorded_pytorch(name, dtype):
    loss, point = FACADE[name]
    got = _facade_grad(T, loss, point, getattr(T, dtype))
    np.testing.assert_allclose(got, RECORDED[name], rtol=1e-6)


@pytest.mark.parametrize("name", sorted(FACADE))
def test_facade_matches_live_pytorch(name):
    torch = pytest.importorskip("torch")
    loss, point = FACADE[name]
    want = _facade_grad(torch, loss, point, torch.float64)
    np.testing.assert_allclose(want, RECORDED[name], rtol=1e-12)  # the recording is current
    np.testing.assert_allclose(_facade_grad(T, loss, point, T.float64), want, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_numpy_face_gradient_is_zero(name):
    loss, point = NUMPY[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = funcgrad.grad(lambda x: fnp.sum(loss(x)))(point)
    np.testing.assert_array_equal(g, np.zeros_like(point))


def test_gradients_elsewhere_unchanged():
    """Away from those points the rules are the ordinary ones (vs finite differences)."""
    rng = np.random.default_rng(0)
    v = rng.normal(size=(3, 2))
    for name, (loss, _) in FACADE.items():
        x = T.tensor(v, requires_grad=True)
        loss(T, x).sum().backward()
        eps, fd = 1e-6, np.zeros_like(v)
        for i in np.ndindex(v.shape):
            d = np.zeros_like(v)
            d[i] = eps
            hi = float(loss(T, T.tensor(v + d)).sum())
            lo = float(loss(T, T.tensor(v - d)).sum())
            fd[i] = (hi - lo) / (2 * eps)
        np.testing.assert_allclose(x.grad.numpy(), fd, rtol=1e-5, atol=1e-6, err_msg=name)
