"""funcgrad.testing.check_grads: passes correct derivatives, catches wrong
ones, and says where."""
from __future__ import annotations

import collections
import dataclasses
import re

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp
from funcgrad.testing import check_grads
from funcgrad.tree_util import register_dataclass


def with_vjp(fun, bwd):
    """``fun`` with the hand-written VJP ``bwd(x, g)`` (one argument)."""
    f = fg.custom_vjp(fun)
    f.defvjp(lambda x: (fun(x), x), lambda x, g: (bwd(x, g),))
    return f


# --- correct derivatives pass --------------------------------------------------
@pytest.mark.parametrize("modes", [("rev",), ("fwd",), ("rev", "fwd")])
def test_smooth_function_passes_to_third_order(modes):
    check_grads(lambda x: fnp.sin(x) * fnp.exp(x), (np.array([0.1, -0.7, 1.2]),), order=3,
                modes=modes)


def test_modes_may_be_a_single_string():
    check_grads(fnp.tanh, (np.array(0.3),), modes="fwd")


Point = collections.namedtuple("Point", "x y")


@register_dataclass
@dataclasses.dataclass
class Params:
    w: np.ndarray
    b: np.ndarray


def test_pytree_arguments_and_outputs():
    def f(p, pts, scale):
        h = fnp.tanh(pts[0].x * p.w + p.b)
        return {"h": h * scale["s"], "sq": [pts[1].y ** 2, fnp.sum(h)]}

    args = (Params(np.array([0.5, -0.2]), np.array(0.1)),
            [Point(np.array([1.0, 2.0]), np.array(0.0)), Point(np.array(0.0), np.array([0.3, 0.4]))],
            {"s": np.array(1.5)})
    check_grads(f, args, order=2, modes=("rev", "fwd"))


def test_integer_leaves_are_held_fixed():
    check_grads(lambda x, n: x ** 2 * n, (np.array([0.5, 1.5]), np.array(3)), order=2,
                modes=("rev", "fwd"))


@pytest.mark.parametrize("f", [
    lambda z: fnp.sin(z) * z,                          # holomorphic
    lambda z: fnp.abs(z),                              # real output of a complex input
    lambda z: fnp.conj(z) * z + fnp.real(z) * 1j,      # not holomorphic
    lambda z: fnp.imag(z) ** 2,
], ids=["holomorphic", "abs", "conj", "imag"])
def test_complex_functions_in_jax_convention(f):
    check_grads(f, (np.array([1.0 + 2.0j, -0.5 + 0.3j]),), order=2, modes=("rev", "fwd"))


def test_complex_output_of_real_input():
    check_grads(lambda x: fnp.exp(1j * x), (np.array([0.2, 1.1]),), order=2, modes=("rev", "fwd"))


def test_float32_arguments_use_float32_tolerances():
    check_grads(lambda x: fnp.sum(fnp.tanh(x) ** 2), (np.array([0.3, -1.1], np.float32),),
                order=2, modes=("rev", "fwd"))


def test_function_computing_in_float32_gets_a_larger_step():
    # the inputs are float64 but the function rounds to float32: a float64-sized
    # step would measure rounding noise
    check_grads(lambda x: fnp.astype(fnp.sin(x), np.float32), (np.array([1.0, 0.5]),),
                order=2, modes=("rev", "fwd"))


def test_non_scalar_output_is_projected_on_random_cotangents():
    check_grads(lambda a, b: a @ b, (np.arange(6.0).reshape(2, 3) / 4, np.ones((3, 2)) / 3),
                order=2)


# --- wrong derivatives fail, and the message says where ------------------------
def test_sign_flip_is_reported_with_argument_index_and_values():
    bad_sin = with_vjp(fnp.sin, lambda x, g: -g * fnp.cos(x))

    def f(params, x):
        return fnp.sum(bad_sin(params["w"]) * x)

    w = np.array([[0.1, 0.2], [0.3, 0.4]])
    with pytest.raises(AssertionError) as info:
        check_grads(f, ({"w": w}, np.array([1.0, 2.0])))
    msg = str(info.value)
    assert "reverse-mode gradient of argument 0['w']" in msg
    assert "order 1" in msg
    # the gradient is -cos(w) * x instead of cos(w) * x: the worst element is
    # where |cos(w) * x| is largest
    worst = np.unravel_index(np.argmax(np.abs(np.cos(w) * [1.0, 2.0])), w.shape)
    assert f"worst element {tuple(int(i) for i in worst)}" in msg
    analytic, numeric = map(float, re.search(r"analytic (\S+) vs numeric (\S+)", msg).groups())
    assert analytic == pytest.approx(-numeric) and numeric != 0


def test_one_wrong_element_is_the_worst_element():
    def bwd(x, g):
        return g * 2 * x + fnp.where(fnp.arange(4) == 2, 1.0, 0.0)
    f = with_vjp(lambda x: x ** 2, bwd)
    with pytest.raises(AssertionError, match=r"worst element \(2,\)"):
        check_grads(lambda x: fnp.sum(f(x)), (np.array([0.1, 0.2, 0.3, 0.4]),))


def _exp_with_rules(vjp_scale: float, jvp_scale: float):
    from funcgrad._core import Primitive, defvjp
    from funcgrad._core.primitive import defjvp
    prim = defvjp(Primitive("exp_under_test", np.exp), lambda g, ans, x: g * ans * vjp_scale)
    return defjvp(prim, lambda t, ans, x: t * ans * jvp_scale)


def test_forward_mode_alone_catches_a_wrong_rule():
    with pytest.raises(AssertionError, match="forward-mode tangent of output"):
        check_grads(_exp_with_rules(1.0, 1.01), (np.array([0.5, 1.0]),), modes=("fwd",))


def test_forward_mode_checks_the_vjp_against_the_jvp():
    # a right JVP with a wrong VJP: the finite differences of forward mode pass,
    # <jvp(u), v> == <u, vjp(v)> does not
    with pytest.raises(AssertionError, match="forward and reverse mode disagree"):
        check_grads(_exp_with_rules(1.01, 1.0), (np.array([0.5, 1.0]),), modes=("fwd",))
    check_grads(_exp_with_rules(1.0, 1.0), (np.array([0.5, 1.0]),), modes=("fwd", "rev"))


def test_second_order_bug_needs_order_two():
    # first derivative right, second wrong: exp's rule treats x as a constant
    bad = with_vjp(fnp.exp, lambda x, g: g * fnp.exp(fg.stop_gradient(x)))
    check_grads(bad, (np.array([0.3, 1.0]),), order=1)
    with pytest.raises(AssertionError, match="order 2: the first-order VJP"):
        check_grads(bad, (np.array([0.3, 1.0]),), order=2)


def test_dropped_conjugate_is_caught():
    # |z|'s cotangent is g * conj(z) / |z| in JAX's convention
    bad_abs = with_vjp(fnp.abs, lambda z, g: g * z / fnp.abs(z))
    check_grads(bad_abs, (np.array([0.5, 2.0]),))  # invisible on real inputs
    with pytest.raises(AssertionError, match="argument 0"):
        check_grads(bad_abs, (np.array([0.5 + 1.0j, 2.0 - 0.5j]),))


def test_tolerances_can_be_loosened():
    slightly_off = with_vjp(fnp.sin, lambda x, g: g * fnp.cos(x) * (1 + 1e-3))
    x = (np.array([0.2, 0.9]),)
    with pytest.raises(AssertionError, match="rtol 1e-05"):
        check_grads(slightly_off, x)
    check_grads(slightly_off, x, rtol=1e-2)
    check_grads(slightly_off, x, atol=1e-2)


def test_explicit_step_is_used():
    with pytest.raises(AssertionError, match="finite-difference step 0.5"):
        check_grads(fnp.exp, (np.array([1.0]),), eps=0.5)
    check_grads(fnp.exp, (np.array([1.0]),), eps=1e-5)


def test_non_finite_mismatch_is_reported():
    # sqrt's gradient at 0 is inf; a rule that says 0 there is caught
    bad = with_vjp(fnp.sqrt, lambda x, g: fnp.where(x == 0, 0.0, g / (2 * fnp.sqrt(x))))
    check_grads(bad, (np.array([1.0, 4.0]),))
    with pytest.raises(AssertionError):
        check_grads(bad, (np.array([1.0, 1e-300]),), eps=1e-301)


# --- argument errors ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs,error,match", [
    ({"modes": ("reverse",)}, ValueError, "unknown mode 'reverse'"),
    ({"order": 0}, ValueError, "order must be a positive integer"),
])
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        check_grads(fnp.sin, (np.array(1.0),), **kwargs)


def test_no_float_argument():
    with pytest.raises(ValueError, match="nothing to differentiate"):
        check_grads(lambda n: n * 2, (np.array([1, 2]),))


def test_args_must_be_a_tuple():
    with pytest.raises(TypeError, match=r"for one argument write \(x,\)"):
        check_grads(fnp.sin, np.array([1.0]))


# --- the shared building blocks (also used by torch.autograd.gradcheck) ------------
def test_numerical_jacobian_is_input_major_and_scalar_gives_gradient():
    from funcgrad.testing._check import numerical_jacobian
    a = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])          # f(x) = a @ x, J = a
    jac = numerical_jacobian(lambda x: a @ x, np.array([0.1, 0.2, 0.3]), 1e-6)
    assert jac.shape == (3, 2)
    np.testing.assert_allclose(jac, a.T, atol=1e-8)
    x = np.array([[0.5, -1.0], [2.0, 0.0]])
    g = numerical_jacobian(lambda v: float(np.sum(v ** 3)), x, 1e-5)
    assert g.shape == x.shape
    np.testing.assert_allclose(g, 3 * x ** 2, atol=1e-8)
    assert numerical_jacobian(lambda v: v * 2, np.zeros((0, 2)), 1e-6).shape == (0, 2, 0, 2)


def test_numerical_jacobian_complex_directions():
    from funcgrad.testing._check import numerical_jacobian
    z = np.array([1.0 + 2.0j, -0.5 + 0.25j])
    f = lambda v: float(np.sum(np.abs(v) ** 2 + 3 * v.real))   # d/dRe = 2Re + 3, d/dIm = 2Im
    d_re = numerical_jacobian(f, z, 1e-6)
    d_im = numerical_jacobian(f, z, 1e-6, direction=1j)
    np.testing.assert_allclose(d_re, 2 * z.real + 3, atol=1e-7)
    np.testing.assert_allclose(d_im, 2 * z.imag, atol=1e-7)
    with pytest.raises(ValueError, match="complex direction needs a complex x"):
        numerical_jacobian(f, np.array([1.0]), 1e-6, direction=1j)


def test_find_mismatch_locates_the_worst_element():
    from funcgrad.testing._check import find_mismatch
    num = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert find_mismatch(num + 1e-9, num, 1e-5, 1e-5) is None
    ana = num + np.array([[0.0, 0.01], [0.5, 0.0]])
    m = find_mismatch(ana, num, 1e-5, 1e-5)
    assert m.index == (1, 0) and m.count == 2 and m.size == 4
    assert m.analytic == 3.5 and m.numeric == 3.0
    assert "worst element (1, 0): analytic 3.5 vs numeric 3" in m.describe()
    # a finite value against an infinite one is the worst, whatever the sizes
    m = find_mismatch(np.array([100.0, 0.0]), np.array([0.0, np.inf]), 1e-5, 1e-5)
    assert m.index == (1,)


def test_find_mismatch_nan_policy():
    from funcgrad.testing._check import find_mismatch
    both_nan = (np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert find_mismatch(*both_nan, 1e-5, 1e-5) is None
    assert find_mismatch(*both_nan, 1e-5, 1e-5, equal_nan=False).index == (1,)
    infs = (np.array([np.inf]), np.array([-np.inf]))
    assert find_mismatch(*infs, 1e-5, 1e-5, equal_nan=False) is not None
    assert find_mismatch(np.array([np.inf]), np.array([np.inf]), 1e-5, 1e-5,
                         equal_nan=False) is None


def test_check_module_doctests():
    import doctest

    import funcgrad.testing._check as mod
    result = doctest.testmod(mod)
    assert result.attempted >= 6 and result.failed == 0
