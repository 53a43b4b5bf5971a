"""funcgrad.lax: cond, switch, while_loop, fori_loop, scan with JAX's
semantics, eagerly, under jit, and under grad / jvp (against the plain
Python loop and finite differences)."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad as fg
from funcgrad import lax

EAGER_AND_JIT = [pytest.param(lambda f, **kw: f, id="eager"),
                 pytest.param(lambda f, **kw: fg.jit(f, **kw), id="jit")]


def _fd(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def piecewise(x):
    return lax.cond(x > 0, lambda v: np.sin(v) * v, lambda v: np.cos(v), x)


@pytest.mark.parametrize("wrap", EAGER_AND_JIT)
@pytest.mark.parametrize("x", [-0.7, 0.4])
def test_cond_value_grad_jvp(wrap, x):
    f = wrap(piecewise)
    want = np.sin(x) * x if x > 0 else np.cos(x)
    assert np.isclose(f(x), want)
    assert np.isclose(fg.grad(f)(x), _fd(piecewise, x))
    assert np.isclose(fg.jvp(f, (x,), (1.0,))[1], _fd(piecewise, x))
    assert np.isclose(fg.jit(fg.grad(piecewise))(x), _fd(piecewise, x))


def test_cond_under_jit_traces_once_for_both_branches():
    calls = []

    def f(x):
        calls.append(1)
        return piecewise(x)
    jf = fg.jit(f)
    assert np.isclose(jf(0.5), np.sin(0.5) * 0.5) and np.isclose(jf(-0.5), np.cos(-0.5))
    assert len(calls) == 1


def test_cond_pytrees_operands_and_checks():
    out = lax.cond(False, lambda a, b: (a + b, a), lambda a, b: (a - b, b), 3.0, 1.0)
    assert out == (2.0, 1.0)
    with pytest.raises(TypeError, match="must have identical types"):
        fg.jit(lambda x: lax.cond(x > 0, lambda v: v, lambda v: np.ones(2), x))(1.0)
    with pytest.raises(TypeError, match="Pred must be a scalar"):
        lax.cond(np.array([True, False]), lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="Expected a callable value"):
        lax.cond(True, 1, lambda: 2)


@pytest.mark.parametrize("wrap", EAGER_AND_JIT)
def test_switch_clamps_the_index(wrap):
    branches = [lambda x: x + 1, lambda x: x * 10, lambda x: -x]
    f = wrap(lambda i, x: lax.switch(i, branches, x))
    for i, want in [(-3, 3.0), (0, 3.0), (1, 20.0), (2, -2.0), (7, -2.0)]:
        assert f(i, 2.0) == want
    assert fg.grad(f, argnums=1)(1, 2.0) == 10.0


def _power_loop(x):
    return lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * x), (0, 1.0))[1]


@pytest.mark.parametrize("wrap", EAGER_AND_JIT)
def test_while_loop_value_and_forward_derivative(wrap):
    f = wrap(_power_loop)
    for x in (1.5, -0.3):
        assert np.isclose(f(x), x ** 5)
        primal, tangent = fg.jvp(f, (x,), (1.0,))
        assert np.isclose(primal, x ** 5) and np.isclose(tangent, 5 * x ** 4)
    assert np.isclose(fg.jit(lambda x: fg.jvp(_power_loop, (x,), (2.0,))[1])(1.5),
                      2 * 5 * 1.5 ** 4)


@pytest.mark.parametrize("wrap", EAGER_AND_JIT)
def test_while_loop_refuses_reverse_mode_as_jax(wrap):
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for "
                                         "lax.while_loop"):
        fg.grad(wrap(_power_loop))(1.5)


def test_while_loop_is_one_equation_with_a_value_dependent_trip_count():
    def collatz_steps(n):
        return lax.while_loop(lambda c: c[0] != 1,
                              lambda c: (lax.cond(c[0] % 2 == 0, lambda m: m // 2,
                                                  lambda m: 3 * m + 1, c[0]), c[1] + 1),
                              (n, 0))[1]
    jf = fg.jit(collatz_steps)
    assert [int(jf(np.int64(n))) for n in (1, 6, 27)] == [0, 8, 111]
    names = [e.prim.name for e in fg.make_jaxpr(collatz_steps)(np.int64(6)).eqns]
    assert names == ["while"]


def test_while_loop_checks_the_carry():
    with pytest.raises(TypeError, match="body_fun output and input must have"):
        lax.while_loop(lambda c: c < 3, lambda c: np.ones(2), 0.0)


@pytest.mark.parametrize("wrap", EAGER_AND_JIT)
def test_fori_loop_static_bounds_is_reverse_differentiable(wrap):
    f = wrap(lambda x: lax.fori_loop(0, 4, lambda i, v: v * x + i, 1.0))
    ref = lambda x: (((1.0 * x + 0) * x + 1) * x + 2) * x + 3  # noqa: E731
    assert np.isclose(f(1.3), ref(1.3))
    assert np.isclose(fg.grad(f)(1.3), _fd(ref, 1.3))
    assert np.isclose(fg.jvp(f, (1.3,), (1.0,))[1], _fd(ref, 1.3))


def test_fori_loop_traced_bounds_is_a_while_loop():
    f = fg.jit(lambda x, n: lax.fori_loop(0, n, lambda i, v: v * x, 1.0))
    assert f(2.0, 5) == 32.0 and f(2.0, 3) == 8.0
    assert np.isclose(fg.jvp(lambda x: f(x, 3), (2.0,), (1.0,))[1], 12.0)
    with pytest.raises(ValueError, match="fori_loop with static"):
        fg.grad(f)(2.0, 3)
    g = fg.jit(lambda x, n: lax.fori_loop(0, n, lambda i, v: v * x, 1.0), static_argnums=1)
    assert fg.grad(g)(2.0, 3) == 12.0


def _scan_loss(w, xs):
    def step(h, x):
        h = np.tanh(w * h + x)
        return h, h ** 2
    h, ys = lax.scan(step, 0.5, xs)
    return h + np.sum(ys)


def _loop_loss(w, xs):
    h, total = 0.5, 0.0
    for x in xs:
        h = np.tanh(w * h + x)
        total = total + h ** 2
    return h + total


@pytest.mark.parametrize("wrap", EAGER_AND_JIT)
def test_scan_matches_the_python_loop_with_derivatives(wrap):
    xs = np.array([0.1, -0.4, 0.9, 0.3])
    f = wrap(_scan_loss)
    assert np.isclose(f(0.7, xs), _loop_loss(0.7, xs))
    got = fg.grad(f, argnums=(0, 1))(0.7, xs)
    want = fg.grad(_loop_loss, argnums=(0, 1))(0.7, xs)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    assert np.isclose(fg.jvp(lambda w: f(w, xs), (0.7,), (1.0,))[1],
                      _fd(lambda w: _loop_loss(w, xs), 0.7))


def test_scan_reverse_length_pytrees_and_errors():
    carry, ys = lax.scan(lambda c, x: (c + x, c), 0.0, np.arange(4.0), reverse=True)
    assert carry == 6.0
    np.testing.assert_array_equal(ys, [6.0, 5.0, 3.0, 0.0])
    c, ys = lax.scan(lambda c, _: (c * 2, {"c": c}), 1.0, None, length=3)
    np.testing.assert_array_equal(ys["c"], [1.0, 2.0, 4.0])
    c, ys = lax.scan(lambda c, x: (c, x * 2), 1.0, np.zeros((0, 2)))
    assert ys.shape == (0, 2)
    with pytest.raises(ValueError, match="different leading axis sizes"):
        lax.scan(lambda c, x: (c, x), 0.0, (np.ones(2), np.ones(3)))
    with pytest.raises(TypeError, match="carry input and carry output"):
        lax.scan(lambda c, x: (np.ones(2), x), 0.0, np.ones(2))
    with pytest.raises(TypeError, match="must return a pair"):
        lax.scan(lambda c, x: c, 0.0, np.ones(2))


def test_python_control_flow_points_to_lax():
    with pytest.raises(fg.ConcretizationError, match="funcgrad.lax.cond"):
        fg.jit(lambda x: np.sin(x) if x > 0 else x)(1.0)
