"""Facade code under ``funcgrad.jit``: every case of ``vmap_cases.CASES`` (a
function written against a ``torch`` module) staged gives the eager result
(a tensor), is replayed for a second call of the same signature, and
``jit(grad(sum f))`` gives the eager ``backward()`` gradients."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad
import funcgrad.torch as ft

from .vmap_cases import CASES


def _data(name, shapes):
    rng = np.random.default_rng(sum(map(ord, name)) + 1)
    return [rng.normal(size=s) for s in shapes]


@pytest.mark.parametrize("name", sorted(CASES))
def test_jit_equals_eager(name):
    fn, shapes = CASES[name]
    f = lambda *a: fn(ft, *a)  # noqa: E731
    jitted = funcgrad.jit(f)
    for seed in (0, 1):  # the second call replays the program on new values
        xs = [ft.tensor(x + seed) for x in _data(name, shapes)]
        got, want = jitted(*xs), f(*xs)
        assert isinstance(got, ft.Tensor) and got.dtype == want.dtype
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)
    assert jitted._traces == 1


@pytest.mark.parametrize("name", sorted(n for n in CASES if n != "argmax"))
def test_jit_of_grad_equals_backward(name):
    fn, shapes = CASES[name]
    loss = lambda *a: fn(ft, *a).sum()  # noqa: E731
    xs = _data(name, shapes)
    got = funcgrad.jit(funcgrad.grad(loss, argnums=tuple(range(len(xs)))))(*map(ft.tensor, xs))
    leaves = [ft.tensor(x, requires_grad=True) for x in xs]
    loss(*leaves).backward()
    for g, leaf in zip(got, leaves):
        np.testing.assert_allclose(g.numpy(), leaf.grad.numpy(), rtol=1e-9, atol=1e-12)
