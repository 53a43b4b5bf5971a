"""Bad input gets a clear error: the type users expect, what happened, what to do."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp


def test_non_scalar_output_to_grad():
    with pytest.raises(TypeError, match=r"Output had shape: \(1,\).*sum\(\).*jacobian"):
        fg.grad(lambda x: x * 2)(np.ones(1))
    with pytest.raises(TypeError, match="scalar-output"):
        fg.grad(lambda x: (x, x))(1.0)


@pytest.mark.parametrize("x", [1, np.array([1, 2]), True, np.array(True)])
def test_integer_or_boolean_input_to_grad(x):
    with pytest.raises(TypeError, match="allow_int"):
        fg.grad(lambda x: fnp.sum(x * 1.0))(x)


def test_allow_int_gives_float0_gradient():
    g = fg.grad(lambda x, y: fnp.sum(x * y), argnums=(0, 1), allow_int=True)(np.array([1, 2]), 3.0)
    assert g[0].dtype == fg.float0 and g[0].shape == (2,)
    assert g[1] == 3.0


def test_complex_output_needs_holomorphic():
    with pytest.raises(TypeError, match="holomorphic=True"):
        fg.grad(lambda z: z * z)(1.0 + 1.0j)
    with pytest.raises(TypeError, match="complex"):
        fg.grad(lambda x: x * x, holomorphic=True)(1.0)


def test_has_aux_requires_a_pair():
    with pytest.raises(TypeError, match=r"has_aux=True.*pair"):
        fg.grad(lambda x: x * 2, has_aux=True)(1.0)
    with pytest.raises(TypeError, match="pair"):
        fg.vjp(lambda x: (x, 1, 2), 1.0, has_aux=True)


def test_argnums_out_of_range():
    with pytest.raises(ValueError, match=r"argnums=2 is out of range for a call with 2"):
        fg.grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="out of range"):
        fg.grad(lambda x: x, argnums=(0, -2))(1.0)
    with pytest.raises(TypeError, match="argnums must be an int"):
        fg.grad(lambda x: x, argnums="0")(1.0)


def test_vjp_cotangent_checks():
    _, f_vjp = fg.vjp(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(2,\), expected \(3,\)"):
        f_vjp(np.ones(2))
    with pytest.raises(ValueError, match="dtype float32, expected float64"):
        f_vjp(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="structure"):
        f_vjp((np.ones(3),))


def test_converting_a_tracer_to_concrete_values_fails_clearly():
    for convert in (float, int, complex, np.asarray, np.array, lambda t: t.item(),
                    lambda t: t.tolist(), lambda t: np.array([t, t])):
        with pytest.raises(fg.ConcretizationError, match="gradient would be lost"):
            fg.grad(lambda x: convert(x) * 1.0)(np.array(1.5))
    assert issubclass(fg.ConcretizationError, TypeError)


def test_writing_a_tracer_into_a_numpy_array_fails():
    def f(x):
        buf = np.zeros(2)
        buf[0] = x
        return fnp.sum(buf)
    # NumPy turns the tracer's refusal into its own error for 0-d values; either
    # way the graph is never silently dropped.
    with pytest.raises((TypeError, ValueError)):
        fg.grad(f)(1.0)
    with pytest.raises((TypeError, ValueError)):
        fg.grad(f)(np.ones(1))


def test_in_place_assignment_points_to_at():
    def f(x):
        x[0] = 1.0
        return fnp.sum(x)
    with pytest.raises(TypeError, match=r"\.at\[idx\]\.set"):
        fg.grad(f)(np.ones(2))


def test_escaped_tracer():
    leaked = []

    def f(x):
        leaked.append(x)
        return x * 2

    fg.grad(f)(1.0)
    with pytest.raises(fg.EscapedTracerError, match="after the transform that created it"):
        fg.grad(lambda y: y * leaked[0])(1.0)
    with pytest.raises(fg.EscapedTracerError):
        leaked[0] + 1.0


def test_numpy_function_without_rule_names_it():
    with pytest.raises(TypeError, match=r"numpy\.einsum_path.*custom_vjp"):
        fg.grad(lambda x: np.einsum_path("i,i", x, x) and 1.0)(np.ones(2))


def test_jvp_argument_errors():
    with pytest.raises(TypeError, match="tuples or lists"):
        fg.jvp(np.sin, 1.0, 1.0)
    with pytest.raises(ValueError, match="shape"):
        fg.jvp(np.sin, (np.ones(2),), (np.ones(3),))
