"""funcgrad.numpy.random: draws are constants; a traced population can be
permuted or sampled (gradients flow to the chosen elements); traced
distribution parameters raise instead of losing their gradient."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad
import funcgrad.numpy as fnp
from funcgrad.testing import check_grads


def test_permutation_of_a_traced_array_matches_numpy_and_differentiates():
    x = np.arange(5.0) * 1.5
    np.random.seed(3)
    expected = np.random.permutation(x)
    np.random.seed(3)
    out, f_vjp = funcgrad.vjp(fnp.random.permutation, x)
    np.testing.assert_array_equal(out, expected)
    (g,) = f_vjp(np.arange(5.0))
    # the cotangent goes back to where each element came from
    np.testing.assert_array_equal(g[np.searchsorted(x, expected)], np.arange(5.0))


def test_permutation_of_2d_permutes_rows():
    x = np.arange(6.0).reshape(3, 2)
    np.random.seed(0)
    expected = np.random.permutation(x)
    np.random.seed(0)
    np.testing.assert_array_equal(funcgrad.vjp(fnp.random.permutation, x)[0], expected)


def test_choice_of_a_traced_population_accumulates_repeats():
    a = np.array([1.0, 2.0, 3.0])
    np.random.seed(5)
    idx = np.random.choice(3, size=6, p=[0.5, 0.25, 0.25])
    np.random.seed(5)
    out, f_vjp = funcgrad.vjp(lambda v: fnp.random.choice(v, size=6, p=[0.5, 0.25, 0.25]), a)
    np.testing.assert_array_equal(out, a[idx])
    (g,) = f_vjp(np.ones(6))
    np.testing.assert_array_equal(g, np.bincount(idx, minlength=3))


def test_draws_with_untraced_arguments_are_numpys():
    np.random.seed(1)
    a = fnp.random.permutation(4), fnp.random.choice(5, 3), fnp.random.normal(size=2)
    np.random.seed(1)
    b = np.random.permutation(4), np.random.choice(5, 3), np.random.normal(size=2)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_draws_inside_a_transform_are_constants():
    def f(x):
        np.random.seed(2)
        return fnp.sum(x * fnp.random.randn(3)) + fnp.sum(fnp.random.uniform(size=3))
    np.random.seed(2)
    expected = np.random.randn(3)
    np.testing.assert_allclose(funcgrad.grad(f)(np.ones(3)), expected)
    check_grads(f, (np.ones(3),), order=2)


def test_traced_distribution_parameters_raise():
    with pytest.raises(funcgrad.ConcretizationError):
        funcgrad.grad(lambda mu: fnp.random.normal(mu, 1.0))(0.5)
    with pytest.raises(funcgrad.ConcretizationError):
        funcgrad.grad(lambda p: fnp.random.choice(3, p=p).astype(float))(np.ones(3) / 3)


def test_shuffle_of_a_traced_array_points_to_permutation():
    with pytest.raises(TypeError, match="permutation"):
        funcgrad.grad(lambda x: fnp.random.shuffle(x))(np.ones(3))
