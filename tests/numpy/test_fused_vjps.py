"""Primitives that hold an elementwise VJP as one operation, as PyTorch's
tanh_backward and sigmoid_backward do, so that a gradient recorded for a
higher order is one node: their values match the expression they replace,
and their own derivatives (to third order) match central finite differences.
They are private, so the registry-driven tests reach them only through
tanh's and sigmoid's second order; these tests check them directly."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import funcgrad
import funcgrad.numpy as fnp
from funcgrad.numpy.elementwise import _tanh_grad
from funcgrad.testing import check_grads
from funcgrad.torch._ops import _sigmoid_grad, sigmoid

from .specs import binary, unary

FUSED = [
    pytest.param(_tanh_grad, lambda g, a: g * (1 - a * a), id="tanh"),
    pytest.param(_sigmoid_grad, lambda g, a: g * a * (1 - a), id="sigmoid"),
]


@pytest.mark.parametrize("prim,expression", FUSED)
@given(data=st.data())
def test_fused_vjp_values_and_derivatives(prim, expression, data):
    (g, ans), _ = data.draw(binary(-0.95, 0.95), label="g, ans")
    np.testing.assert_array_equal(prim(g, ans), expression(g, ans))
    check_grads(prim, (g, ans), order=3)


@pytest.mark.parametrize("fn", [fnp.tanh, sigmoid], ids=["tanh", "sigmoid"])
@given(data=st.data())
def test_third_order_through_the_fused_vjp(fn, data):
    (x,), _ = data.draw(unary(-1.5, 1.5), label="x")
    check_grads(fn, (x,), order=3)


def test_second_derivative_closed_forms():
    x = np.linspace(-2, 2, 7)
    t = np.tanh(x)
    d2 = funcgrad.grad(lambda z: fnp.sum(funcgrad.grad(lambda y: fnp.sum(fnp.tanh(y)))(z)))(x)
    np.testing.assert_allclose(d2, -2 * t * (1 - t * t), rtol=1e-12)
    s = 1 / (1 + np.exp(-x))
    d2 = funcgrad.grad(lambda z: fnp.sum(funcgrad.grad(lambda y: fnp.sum(sigmoid(y)))(z)))(x)
    np.testing.assert_allclose(d2, s * (1 - s) * (1 - 2 * s), rtol=1e-12)
