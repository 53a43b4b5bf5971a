"""Forward mode: jvp's semantics and errors, nesting with grad and itself,
perturbation confusion, linearize."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp
from funcgrad._core import Primitive, defvjp


# --- jvp ---------------------------------------------------------------------
def test_jvp_pytrees_and_has_aux():
    def f(p, x):
        return {"y": fnp.tanh(p["w"] * x), "n": 3}, "aux"
    p = {"w": np.array([0.5, -1.0])}
    t = {"w": np.array([1.0, 2.0])}
    out, t_out, aux = fg.jvp(f, (p, 2.0), (t, 0.0), has_aux=True)
    assert aux == "aux" and out["n"] == 3
    np.testing.assert_allclose(t_out["y"], 2.0 * t["w"] / np.cosh(2.0 * p["w"]) ** 2)
    assert t_out["n"].dtype == fg.float0  # an integer output's tangent


def test_jvp_of_a_constant_output_is_zero_and_float32_stays_float32():
    out, t = fg.jvp(lambda x: np.ones(3), (np.ones(2),), (np.ones(2),))
    np.testing.assert_array_equal(t, np.zeros(3))
    x = np.array([1.0, 2.0], np.float32)
    out, t = fg.jvp(lambda x: fnp.exp(x) * 2.0, (x,), (np.ones(2, np.float32),))
    assert out.dtype == t.dtype == np.float32
    # a Python number tangent takes its primal's dtype
    assert fg.jvp(fnp.sin, (np.float32(1.0),), (1.0,))[1].dtype == np.float32


def test_jvp_is_one_forward_pass_without_vjp_rules():
    calls = []
    sq = defvjp(Primitive("sq_under_test", np.square), lambda g, ans, x: calls.append(1))
    from funcgrad._core.primitive import defjvp
    defjvp(sq, lambda t, ans, x: 2 * x * t)
    out, t = fg.jvp(lambda x: sq(x) + 1.0, (np.array(3.0),), (np.array(1.0),))
    assert (float(out), float(t), calls) == (10.0, 6.0, [])


def test_jvp_errors_follow_jax():
    with pytest.raises(TypeError, match="must be tuples or lists"):
        fg.jvp(np.sin, 1.0, 1.0)
    with pytest.raises(TypeError, match="same tree structure"):
        fg.jvp(lambda a, b: a, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="different primal and tangent shapes"):
        fg.jvp(np.sin, (np.ones(2),), (np.ones(3),))
    with pytest.raises(TypeError, match="dtypes must be equal.*float32.*float64"):
        fg.jvp(np.sin, (np.ones(2, np.float32),), (np.ones(2),))
    with pytest.raises(TypeError, match="tangent dtype must be float0"):
        fg.jvp(lambda n: n * 1.0, (np.arange(2),), (np.ones(2),))
    n = np.arange(2)
    out, t = fg.jvp(lambda n, x: n * x, (n, 2.0), (np.zeros(2, fg.float0), 1.0))
    np.testing.assert_array_equal(t, [0.0, 1.0])


def test_primitive_without_jvp_rule_is_named():
    p = defvjp(Primitive("no_jvp_under_test", np.negative), lambda g, ans, x: -g)
    with pytest.raises(TypeError, match="no JVP rule for 'no_jvp_under_test'"):
        fg.jvp(p, (1.0,), (1.0,))


def test_escaped_forward_tracer():
    leaked = []
    fg.jvp(lambda x: leaked.append(x) or x, (1.0,), (1.0,))
    with pytest.raises(fg.EscapedTracerError):
        leaked[0] * 2.0


def test_custom_vjp_refuses_forward_mode_and_checkpoint_works():
    @fg.custom_vjp
    def f(x):
        return fnp.sin(x)
    f.defvjp(lambda x: (fnp.sin(x), x), lambda x, g: (g * fnp.cos(x),))
    with pytest.raises(TypeError, match=r"can't apply forward-mode autodiff \(jvp\) to a "
                                        "custom_vjp function"):
        fg.jvp(f, (1.0,), (1.0,))
    assert fg.grad(f)(1.0) == np.cos(1.0)  # reverse mode is unaffected
    g = fg.checkpoint(lambda x: fnp.sin(fnp.sin(x)))
    _, t = fg.jvp(g, (0.5,), (1.0,))
    np.testing.assert_allclose(t, np.cos(np.sin(0.5)) * np.cos(0.5))
    # forward over reverse through a checkpoint
    np.testing.assert_allclose(fg.jvp(fg.grad(g), (0.5,), (1.0,))[1],
                               fg.grad(fg.grad(g))(0.5))


def test_plain_numpy_and_the_facade_are_intercepted():
    import funcgrad.torch as torch
    x = np.array([0.1, 0.2])
    _, t = fg.jvp(lambda x: np.sum(np.exp(x)), (x,), (np.ones(2),))
    np.testing.assert_allclose(t, np.sum(np.exp(x)))
    _, t = fg.jvp(lambda w: torch.sigmoid(w).sum(), (torch.tensor(x),), (torch.ones(2, dtype=torch.float64),))
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(np.asarray(t), np.sum(s * (1 - s)))


# --- nesting ------------------------------------------------------------------
def test_jvp_of_jvp_is_the_second_derivative():
    d = lambda x: fg.jvp(fnp.sin, (x,), (1.0,))[1]
    out, dd = fg.jvp(d, (0.5,), (1.0,))
    np.testing.assert_allclose([out, dd], [np.cos(0.5), -np.sin(0.5)])


def test_forward_over_reverse_hessian_vector_product():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    f = lambda x: fnp.sum(fnp.sin(x)) + 0.5 * x @ A @ x
    x, v = np.array([0.3, -0.2]), np.array([1.0, 2.0])
    _, hvp = fg.jvp(fg.grad(f), (x,), (v,))
    np.testing.assert_allclose(hvp, (A - np.diag(np.sin(x))) @ v)
    np.testing.assert_allclose(hvp, fg.hessian(f)(x) @ v)


def test_grad_of_jvp():
    f = lambda x: fg.jvp(lambda y: fnp.sum(fnp.exp(y) * y), (x,), (np.ones_like(x),))[1]
    x = np.array([0.1, 0.4])
    np.testing.assert_allclose(fg.grad(f)(x), np.exp(x) * (x + 2))


# Siskind and Pearlmutter's perturbation confusion: d/dx [x * d/dy (x + y)] = 1
# (a confused implementation mixes the two perturbations and gives 2).
def _dy(f, y):
    return fg.jvp(f, (y,), (1.0,))[1]


def test_no_perturbation_confusion_jvp_in_jvp():
    out = _dy(lambda x: x * _dy(lambda y: x + y, 1.0), 1.0)
    assert float(out) == 1.0


def test_no_perturbation_confusion_jvp_in_grad_and_grad_in_jvp():
    assert float(fg.grad(lambda x: x * _dy(lambda y: x + y, 1.0))(1.0)) == 1.0
    assert float(_dy(lambda x: x * fg.grad(lambda y: x + y)(1.0), 1.0)) == 1.0
    # the inner derivative closes over the outer variable: d/dx [x * d/dy (x * y)] = 2x
    assert float(_dy(lambda x: x * fg.grad(lambda y: x * y)(1.0), 3.0)) == 6.0
    assert float(fg.grad(lambda x: x * _dy(lambda y: x * y, 1.0))(3.0)) == 6.0
    assert float(_dy(lambda x: x * _dy(lambda y: x * y, 1.0), 3.0)) == 6.0


# --- linearize ------------------------------------------------------------------
def test_linearize_is_reusable_linear_and_does_not_rerun_the_primal():
    calls = []

    def f(x, y):
        calls.append(1)
        return {"a": fnp.sin(x) * y, "b": fnp.sum(fnp.exp(x))}

    x, y = np.array([0.1, 0.5, -0.3]), np.array(2.0)
    out, f_jvp = fg.linearize(f, x, y)
    assert len(calls) == 1
    u1, u2 = (np.array([1.0, 0.0, 2.0]), np.array(0.5)), (np.array([0.0, 1.0, 1.0]), np.array(-1.0))
    r1, r2 = f_jvp(*u1), f_jvp(*u2)
    r12 = f_jvp(u1[0] + 3 * u2[0], u1[1] + 3 * u2[1])
    assert len(calls) == 1  # replaying never runs f
    for k in ("a", "b"):
        np.testing.assert_allclose(r12[k], r1[k] + 3 * r2[k])
        np.testing.assert_allclose(r1[k], fg.jvp(f, (x, y), u1)[1][k])
    np.testing.assert_allclose(out["a"], np.sin(x) * y)


def test_linearize_has_aux_checks_and_nests_under_grad():
    out, f_jvp, aux = fg.linearize(lambda x: (fnp.cos(x), "aux"), 1.0, has_aux=True)
    assert aux == "aux"
    np.testing.assert_allclose(f_jvp(2.0), -2.0 * np.sin(1.0))
    with pytest.raises(ValueError, match="different primal and tangent shapes"):
        f_jvp(np.ones(2))
    # d/dx of the linearized function's value: the second derivative
    h = fg.grad(lambda x: fg.linearize(fnp.sin, x)[1](1.0))(0.7)
    np.testing.assert_allclose(h, -np.sin(0.7))


# --- rules at special points ------------------------------------------------------
@pytest.mark.parametrize("f,x", [
    (lambda x: fnp.cumprod(x, axis=1), np.array([[2.0, 0.0, 3.0, 1.5], [0.0, 1.0, 2.0, 0.0]])),
    (fnp.cumprod, np.array([[2.0, 0.0], [3.0, 1.5]])),
    (lambda x: fnp.prod(x, axis=0), np.array([[2.0, 0.0], [3.0, 1.5]])),
    (lambda x: fnp.linalg.det(x), np.array([[1.0, 2.0], [2.0, 4.0]])),  # singular
], ids=["cumprod-zeros", "cumprod-flat", "prod-zeros", "det-singular"])
def test_forward_mode_at_zeros_and_singular_points(f, x):
    from funcgrad.testing import check_grads
    check_grads(f, (x,), order=2, modes=("fwd", "rev"))


def test_ties_share_the_tangent_as_the_gradient():
    x = np.array([[2.0, 0.0], [2.0, 1.5]])
    _, t = fg.jvp(lambda x: fnp.max(x, axis=0), (x,), (np.array([[1.0, 0.0], [3.0, 1.0]]),))
    np.testing.assert_allclose(t, [2.0, 1.0])  # the mean of the tied tangents
    _, t = fg.jvp(fnp.maximum, (1.0, 1.0), (1.0, 3.0))
    assert float(t) == 2.0
