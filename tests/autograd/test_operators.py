"""The differential operators of funcgrad.autograd against closed forms and
each other (the behaviours autograd's own wrapper tests pin down)."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import funcgrad.autograd.numpy as anp
from funcgrad.autograd import (checkpoint, elementwise_grad, grad, hessian,
                               hessian_vector_product, jacobian, value_and_grad,
                               vector_jacobian_product)

R = np.random.default_rng(1)


def test_value_and_grad_of_a_python_float():
    fun = lambda x: 3.0 * x ** 3.2  # noqa: E731
    f, d = value_and_grad(fun)(1.7)
    assert f == fun(1.7) and d == grad(fun)(1.7)


def test_hessian_of_a_quadratic():
    h = R.normal(size=(5, 5))
    np.testing.assert_allclose(hessian(lambda x: anp.dot(anp.dot(x, h), x))(R.normal(size=5)),
                               h + h.T, rtol=1e-12)


def test_elementwise_grad_with_argnum():
    b = R.normal(size=10)
    got = elementwise_grad(lambda a, b: a + anp.sin(a) + anp.cosh(b), 1)(0.9, b)
    np.testing.assert_allclose(got, np.sinh(b), rtol=1e-12)


@pytest.mark.parametrize("shape", [(5,), (5, 4), (5, 4, 3)])
def test_hessian_tensor_products(shape):
    fun = lambda a: anp.sum(anp.sin(a))  # noqa: E731
    a, v = R.normal(size=shape), R.normal(size=shape)
    want = np.tensordot(hessian(fun)(a), v, axes=v.ndim)
    np.testing.assert_allclose(hessian_vector_product(fun)(a, v), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape,vshape", [((5,), (5,)), ((5, 4), (5, 4)), ((5, 4, 3), (5, 4))])
def test_tensor_jacobian_products(shape, vshape):
    fun = lambda a: anp.roll(anp.sin(a), 1)  # noqa: E731  (an asymmetric Jacobian)
    a, v = R.normal(size=shape), R.normal(size=vshape)
    want = np.tensordot(v, jacobian(fun)(a), axes=v.ndim)
    np.testing.assert_allclose(vector_jacobian_product(fun)(a, v), want, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_gradient_keeps_the_input_dtype(dtype):
    y = R.normal(size=(4, 4)).astype(dtype)
    assert grad(lambda x: anp.sum(x ** 2))(y).dtype.type is dtype


def test_checkpoint_and_partial():
    bar = lambda x, y: 2 * x + y + 5  # noqa: E731
    cbar = checkpoint(bar)
    assert grad(lambda x: bar(x, x / 3.0) + bar(x, x ** 2))(3.0) == \
        pytest.approx(grad(lambda x: cbar(x, x / 3.0) + cbar(x, x ** 2))(3.0))
    baz = checkpoint(lambda *args: sum(args))
    assert grad(lambda x: baz(x, x / 3.0))(3.0) == pytest.approx(4.0 / 3.0)
    assert grad(partial(lambda x, y: x * y, y=2.0))(1.0) == 2.0
