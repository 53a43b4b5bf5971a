"""funcgrad.testing.properties: hold for correct derivatives, fail for planted bugs."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp
from funcgrad.testing import (assert_hessian_symmetric, assert_vjp_jvp_consistent,
                              assert_vjp_linear)


def with_vjp(fun, bwd):
    f = fg.custom_vjp(fun)
    f.defvjp(lambda *xs: (fun(*xs), xs), lambda xs, g: bwd(*xs, g))
    return f


X = np.array([0.3, -0.8, 1.1])
PARAMS = ({"w": np.array([[0.5, -0.2], [0.1, 0.3]]), "b": np.array([0.05, -0.1])},
          np.array([1.0, 2.0]), np.array(2))


def mlp(p, x, n):
    return fnp.tanh(p["w"] @ x + p["b"]) ** n


@pytest.mark.parametrize("prop", [assert_vjp_jvp_consistent, assert_vjp_linear])
def test_linear_map_properties_hold(prop):
    prop(lambda x: fnp.sin(x) * fnp.exp(x), (X,))
    prop(mlp, PARAMS)
    prop(lambda z: fnp.conj(z) * fnp.sin(z), (np.array([1 + 1j, 0.5 - 2j]),))
    prop(lambda x: fnp.astype(fnp.tanh(x), np.float32), (X,))
    prop(lambda x: {"a": x[:2] ** 2, "b": [fnp.sum(x)]}, (X.astype(np.float32),))


def test_hessian_symmetric_holds_with_cross_terms():
    assert_hessian_symmetric(lambda p, x, n: fnp.sum(mlp(p, x, n)), PARAMS)
    assert_hessian_symmetric(lambda x, y: fnp.sum(fnp.sin(x * y) * y), (X, np.array(0.7)))


def test_affine_rule_breaks_vjp_linearity_and_consistency():
    # a rule that adds a constant is not linear in the cotangent
    bad = with_vjp(fnp.sin, lambda x, g: (g * fnp.cos(x) + 0.1,))
    with pytest.raises(AssertionError, match="assert_vjp_linear: VJP.* of argument 0"):
        assert_vjp_linear(bad, (X,))
    # (jvp of a custom_vjp function is an error, as in JAX: a primitive with
    # the same VJP rule and the right JVP rule)
    from funcgrad._core import Primitive, defvjp
    from funcgrad._core.primitive import defjvp
    prim = defvjp(Primitive("sin_under_test", np.sin), lambda g, ans, x: g * fnp.cos(x) + 0.1)
    defjvp(prim, lambda t, ans, x: t * fnp.cos(x))
    with pytest.raises(AssertionError, match=r"<v, JVP\(u\)> = .* but <VJP\(v\), u> ="):
        assert_vjp_jvp_consistent(prim, (X,))


def test_gradient_that_is_not_a_gradient_breaks_hessian_symmetry():
    # f(x, y) = x * y with d/dy reported as x**2: the "gradient" field has an
    # asymmetric Jacobian, so it is the gradient of no function
    bad = with_vjp(lambda x, y: x * y, lambda x, y, g: (g * y, g * x * x))
    with pytest.raises(AssertionError) as info:
        assert_hessian_symmetric(lambda x, y: bad(x, y), (np.array(2.0), np.array(0.5)))
    msg = str(info.value)
    assert "not symmetric" in msg and "argument 0" in msg and "argument 1" in msg
    assert "1.0" in msg and "4.0" in msg


def test_hessian_of_complex_inputs_is_refused():
    with pytest.raises(ValueError, match="needs real inputs"):
        assert_hessian_symmetric(lambda z: fnp.abs(z), (np.array(1j),))


def test_properties_need_something_to_differentiate():
    with pytest.raises(ValueError, match="no floating-point"):
        assert_vjp_linear(lambda n: n * 2, (np.array(3),))
    with pytest.raises(TypeError, match="tuple of positional arguments"):
        assert_vjp_jvp_consistent(fnp.sin, X)


# --- functional and facade agree ----------------------------------------------------
def test_functional_and_facade_agree_on_numpy_code():
    from funcgrad.testing import assert_functional_facade_agree
    assert_functional_facade_agree(mlp, PARAMS)
    assert_functional_facade_agree(lambda x: fnp.sum(fnp.exp(x) * x), (X.astype(np.float32),))
    assert_functional_facade_agree(lambda z: fnp.abs(z) ** 2 + fnp.real(z), (np.array([1 + 2j, -0.5j]),))


def test_functional_and_facade_agree_with_tensor_methods():
    from funcgrad.testing import assert_functional_facade_agree
    assert_functional_facade_agree(lambda x: fnp.sum(fnp.tanh(x) ** 2), (X,),
                                   facade_fun=lambda x: (x.tanh() ** 2).sum())


def test_facade_disagreement_is_reported():
    from funcgrad.testing import assert_functional_facade_agree
    with pytest.raises(AssertionError, match="value of output 0"):
        assert_functional_facade_agree(lambda x: x * 2.0, (X,), facade_fun=lambda x: x * 3.0)
    # same values, different gradients: the facade detaches one factor
    with pytest.raises(AssertionError, match="gradient of argument 0 .*worst element"):
        assert_functional_facade_agree(lambda x: x * x, (X,), facade_fun=lambda x: x.detach() * x)


def test_facade_agreement_needs_real_outputs():
    from funcgrad.testing import assert_functional_facade_agree
    with pytest.raises(ValueError, match="output 0 is complex"):
        assert_functional_facade_agree(lambda z: z * z, (np.array([1j]),))
