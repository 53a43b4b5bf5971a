"""jit and vmap in both orders, with grad in between, and lax under vmap:
each equals the per-example loop."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad as fg
from funcgrad import lax

X = np.random.default_rng(0).normal(size=(5, 3))


def f(x):
    return np.sum(np.tanh(x) ** 2)


def branchy(x):
    return lax.cond(np.sum(x) > 0, np.sin, np.cos, x)


@pytest.mark.parametrize("make,fun", [
    (lambda: fg.vmap(fg.jit(f)), f),
    (lambda: fg.jit(fg.vmap(f)), f),
    (lambda: fg.vmap(fg.jit(fg.grad(f))), fg.grad(f)),
    (lambda: fg.jit(fg.vmap(fg.grad(f))), fg.grad(f)),
    (lambda: fg.vmap(fg.grad(fg.jit(f))), fg.grad(f)),
    (lambda: fg.vmap(branchy), branchy),
    (lambda: fg.jit(fg.vmap(branchy)), branchy),
    (lambda: fg.vmap(fg.jit(branchy)), branchy),
], ids=["vmap(jit)", "jit(vmap)", "vmap(jit(grad))", "jit(vmap(grad))", "vmap(grad(jit))",
        "vmap(cond)", "jit(vmap(cond))", "vmap(jit(cond))"])
def test_matches_the_per_example_loop(make, fun):
    np.testing.assert_allclose(make()(X), np.stack([fun(x) for x in X]), rtol=1e-12)


def test_scan_and_while_under_vmap():
    def run(x):
        c, ys = lax.scan(lambda c, xi: (c * xi, c), 1.0, x)
        n = lax.while_loop(lambda v: v[0] < 3, lambda v: (v[0] + 1, v[1] * 2.0), (0, c))[1]
        return n + np.sum(ys)
    np.testing.assert_allclose(fg.vmap(run)(X), [run(x) for x in X], rtol=1e-12)
    np.testing.assert_allclose(fg.jit(fg.vmap(run))(X), [run(x) for x in X], rtol=1e-12)
