"""The engine primitives behind nn.functional's losses, on plain arrays:
values against naive formulas, gradients (to second order) against finite
differences, and stability for huge logits. No tensors involved."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad
from funcgrad.testing import check_grads
from funcgrad.torch.nn import functional as F

REDUCTIONS = ["mean", "sum", "none"]


def _reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](loss)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_with_logits_rule(rng, reduction, weighted):
    x, t = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))
    w = rng.uniform(size=(3,)) if weighted else None
    pw = rng.uniform(0.5, 2.0, size=(3,)) if weighted else None
    s = 1 / (1 + np.exp(-x))
    pos = 1 if pw is None else pw
    naive = -((pos * t * np.log(s)) + (1 - t) * np.log(1 - s)) * (1 if w is None else w)
    got = F._bce_logits(x, t, w, pw, reduction=reduction)
    np.testing.assert_allclose(got, _reduce(naive, reduction), rtol=1e-12)
    check_grads(lambda x, t: F._bce_logits(x, t, w, pw, reduction=reduction), (x, t), order=2)


def test_bce_with_logits_is_stable_for_huge_logits():
    x = np.array([1e4, -1e4, 80.0, -80.0, 0.0], np.float32)
    t = np.array([0.0, 1.0, 1.0, 0.0, 0.5], np.float32)
    loss = F._bce_logits(x, t, None, None, reduction="none")
    np.testing.assert_allclose(loss, [1e4, 1e4, 0.0, 0.0, np.log(2)], rtol=1e-6, atol=1e-6)
    g = funcgrad.grad(lambda x: F._bce_logits(x, t, None, None, reduction="sum"))(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [1.0, -1.0, 0.0, 0.0, 0.0], atol=1e-6)
    h = funcgrad.hessian(lambda x: F._bce_logits(x, t, None, None, reduction="sum"))(
        x.astype(np.float64))
    assert np.all(np.isfinite(h))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_rule(rng, reduction):
    p, t, w = rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(size=(3, 4)), rng.uniform(size=(4,))
    naive = -w * (t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(F._bce(p, t, w, reduction=reduction), _reduce(naive, reduction))
    check_grads(lambda p, t: F._bce(p, t, w, reduction=reduction), (p, t), order=2)


def test_bce_clamps_log_at_minus_100():
    loss = F._bce(np.array([0.0, 1.0]), np.array([1.0, 0.0]), None, reduction="none")
    np.testing.assert_allclose(loss, [100.0, 100.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_rule_broadcasting(rng, reduction):
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(3,))
    np.testing.assert_allclose(F._mse_loss(x, t, reduction=reduction),
                               _reduce((x - t) ** 2, reduction))
    check_grads(lambda x, t: F._mse_loss(x, t, reduction=reduction), (x, t), order=2)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_rule_with_weight_and_ignore_index(rng, reduction):
    x = rng.normal(size=(5, 3))
    target = np.array([0, 2, 1, -100, 2])
    w = np.array([0.2, 1.0, 3.0])
    kept = target != -100
    per = np.where(kept, -x[np.arange(5), np.where(kept, target, 0)] * w[np.where(kept, target, 0)],
                   0.0)
    want = {"none": per, "sum": per.sum(),
            "mean": per.sum() / w[target[kept]].sum()}[reduction]
    np.testing.assert_allclose(F._nll_loss(x, target, w, reduction=reduction, ignore_index=-100),
                               want)
    check_grads(lambda x: F._nll_loss(x, target, w, reduction=reduction, ignore_index=-100),
                (x,), order=2)


def test_nll_rule_spatial_and_unbatched(rng):
    x = rng.normal(size=(2, 3, 4))
    target = rng.integers(0, 3, size=(2, 4))
    want = -np.mean(np.take_along_axis(x, target[:, None], axis=1))
    np.testing.assert_allclose(F._nll_loss(x, target, None, reduction="mean", ignore_index=-1),
                               want)
    check_grads(lambda x: F._nll_loss(x, target, None, reduction="mean", ignore_index=-1),
                (x,), order=2)
    v = rng.normal(size=(4,))
    np.testing.assert_allclose(F._nll_loss(v, np.array(2), None, reduction="mean",
                                           ignore_index=-100), -v[2])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_rules_third_order(rng, dim):
    x = rng.normal(size=(3, 4))
    d = dim % 2
    np.testing.assert_allclose(np.exp(F._log_softmax(x, dim=d)).sum(axis=d), 1.0)
    np.testing.assert_allclose(F._softmax(x, dim=d), np.exp(F._log_softmax(x, dim=d)))
    check_grads(lambda x: F._log_softmax(x, dim=d), (x,), order=3)
    check_grads(lambda x: F._softmax(x, dim=d), (x,), order=3)


def test_log_softmax_large_logits_float32():
    out = F._log_softmax(np.array([1000.0, 0.0, -1000.0], np.float32), dim=0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [0.0, -1000.0, -2000.0])


def test_embedding_rule_skips_padding_row(rng):
    w = rng.normal(size=(5, 2))
    idx = np.array([[0, 3], [3, 1]])
    g = funcgrad.grad(lambda w: np.sum(F._embedding(w, idx, padding_idx=3) ** 2))(w)
    want = np.zeros_like(w)
    for i in idx.ravel():
        if i != 3:
            want[i] += 2 * w[i]
    np.testing.assert_allclose(g, want)
    check_grads(lambda w: F._embedding(w, idx, padding_idx=None), (w,), order=2)


def test_private_sigmoid_softplus(rng):
    x = np.array([-800.0, -3.0, 0.0, 2.0, 800.0])
    np.testing.assert_allclose(F._sigmoid(x), [0.0, 1 / (1 + np.exp(3)), 0.5,
                                               1 / (1 + np.exp(-2)), 1.0])
    np.testing.assert_allclose(F._softplus(x), [0.0, np.log1p(np.exp(-3)), np.log(2),
                                                2 + np.log1p(np.exp(-2)), 800.0])
    check_grads(F._sigmoid, (rng.normal(size=5),), order=3)
    check_grads(F._softplus, (rng.normal(size=5),), order=3)
