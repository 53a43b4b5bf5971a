"""The functional transforms: values, closed forms, composition, pytrees."""
from __future__ import annotations

import collections
import dataclasses

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import funcgrad as fg
import funcgrad.numpy as fnp
from funcgrad.testing import check_grads
from funcgrad.tree_util import register_dataclass, tree_leaves


def floats(shape):
    return hnp.arrays(np.float64, shape, elements=st.floats(-2, 2, allow_nan=False, width=64))


any_shape = hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)


# --- canonical nesting (perturbation confusion) -----------------------------
def test_nested_closure_over_outer_variable():
    # d/dx [x * d/dy (x + y)] at x = y = 1 is 1
    f = lambda x: x * fg.grad(lambda y: x + y)(1.0)
    assert fg.grad(f)(1.0) == 1.0


def test_grad_of_grad_with_closure():
    assert fg.grad(lambda x: fg.grad(lambda y: y * (x - y))(x))(1.0) == -1.0


def test_inner_function_ignores_its_argument():
    assert fg.grad(lambda x: x * fg.grad(lambda y: x)(0.0))(0.0) == 0.0


def test_jvp_inside_jvp_closing_over_outer():
    f = lambda x: fg.jvp(lambda y: x * y, (3.0,), (1.0,))[1]
    out, tangent = fg.jvp(f, (1.0,), (2.0,))
    assert (float(out), float(tangent)) == (1.0, 2.0)


def test_third_derivative_of_sin():
    d3 = fg.grad(fg.grad(fg.grad(np.sin)))
    assert d3(0.0) == -1.0


@given(st.floats(-3, 3))
def test_fourth_derivative_of_sin_is_sin(x):
    d4 = fg.grad(fg.grad(fg.grad(fg.grad(np.sin))))
    np.testing.assert_allclose(d4(x), np.sin(x), atol=1e-12)


# --- grad, value_and_grad, argnums, has_aux ----------------------------------
@given(any_shape.flatmap(floats))
def test_grad_matches_finite_differences(x):
    f = lambda x: fnp.sum(fnp.tanh(x) * x ** 2 + fnp.exp(-x))
    check_grads(f, (x,), order=2, modes=("rev", "fwd"))


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
       .flatmap(lambda s: st.tuples(floats(s.input_shapes[0]), floats(s.input_shapes[1]))))
def test_broadcasting_gradients(xy):
    x, y = xy
    f = lambda x, y: fnp.sum(fnp.sin(x * y) + x / (1.5 + fnp.tanh(y)))
    gx, gy = fg.grad(f, argnums=(0, 1))(x, y)
    assert gx.shape == x.shape and gy.shape == y.shape
    check_grads(f, (x, y), order=2)


def test_closed_forms():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(fg.grad(lambda x: fnp.sum(fnp.exp(x)))(x), np.exp(x))
    np.testing.assert_allclose(fg.grad(lambda x: fnp.sum(fnp.tanh(x)))(x), 1 - np.tanh(x) ** 2)
    A = np.array([[2.0, 1.0], [0.5, 3.0]])
    np.testing.assert_allclose(fg.grad(lambda v: v @ A @ v)(x[:2]), (A + A.T) @ x[:2])
    np.testing.assert_allclose(fg.hessian(lambda v: v @ A @ v)(x[:2]), A + A.T)


def test_argnums_int_tuple_negative():
    f = lambda a, b, c: a * b ** 2 + c
    assert fg.grad(f, argnums=1)(2.0, 3.0, 1.0) == 12.0
    assert fg.grad(f, argnums=-1)(2.0, 3.0, 1.0) == 1.0
    ga, gc = fg.grad(f, argnums=(0, 2))(2.0, 3.0, 1.0)
    assert (ga, gc) == (9.0, 1.0)
    assert isinstance(fg.grad(f, argnums=(1,))(2.0, 3.0, 1.0), tuple)


def test_value_and_grad_with_aux():
    def f(x):
        y = fnp.sum(x ** 2)
        return y, {"norm": fnp.sqrt(y), "n": 3}
    (value, aux), g = fg.value_and_grad(f, has_aux=True)(np.array([3.0, 4.0]))
    assert value == 25.0 and aux["norm"] == 5.0 and aux["n"] == 3
    assert isinstance(aux["norm"], (np.ndarray, np.generic))  # not a tracer
    np.testing.assert_allclose(g, [6.0, 8.0])
    g2, aux2 = fg.grad(f, has_aux=True)(np.array([3.0, 4.0]))
    np.testing.assert_allclose(g2, [6.0, 8.0])


def test_kwargs_are_passed_through_and_not_differentiated():
    f = lambda x, scale=1.0: scale * x ** 2
    assert fg.grad(f)(3.0, scale=2.0) == 12.0


def test_gradient_of_unused_input_is_zero_with_its_shape_and_dtype():
    g = fg.grad(lambda x, y: fnp.sum(x), argnums=1)(np.ones(2), np.ones((3, 1), np.float32))
    assert g.shape == (3, 1) and g.dtype == np.float32 and not g.any()


def test_constant_output():
    assert fg.grad(lambda x: 3.0)(1.0) == 0.0


def test_float32_stays_float32():
    x = np.array([1.0, 2.0], np.float32)
    g = fg.grad(lambda x: fnp.sum(fnp.exp(x) * 2.0))(x)
    assert g.dtype == np.float32
    mixed = fg.grad(lambda x: fnp.sum(x * np.ones(2)))(x)  # float64 constant promotes
    assert mixed.dtype == np.float32
    h = fg.hessian(lambda x: fnp.sum(x ** 3))(x)
    assert h.dtype == np.float32


# --- pytrees ----------------------------------------------------------------
Point = collections.namedtuple("Point", "x y")


@register_dataclass
@dataclasses.dataclass
class Layer:
    w: np.ndarray
    b: np.ndarray


def test_pytree_arguments_and_gradients_keep_structure():
    params = {"layer": Layer(np.ones((2, 2)), np.zeros(2)), "p": Point(1.0, 2.0), "none": None,
              "list": [np.array(3.0)]}

    def loss(p):
        h = p["layer"].w @ np.array([1.0, -1.0]) + p["layer"].b
        return fnp.sum(h ** 2) + p["p"].x * p["p"].y + p["list"][0] ** 2

    g = fg.grad(loss)(params)
    assert isinstance(g["layer"], Layer) and isinstance(g["p"], Point) and g["none"] is None
    assert g["p"] == (2.0, 1.0) and g["list"][0] == 6.0
    check_grads(loss, (params,))


def test_pytree_outputs_jacobian_and_vjp():
    f = lambda x: {"a": x ** 2, "b": (fnp.sum(x),)}
    x = np.array([1.0, 2.0])
    jac = fg.jacobian(f)(x)
    np.testing.assert_allclose(jac["a"], np.diag(2 * x))
    np.testing.assert_allclose(jac["b"][0], [1.0, 1.0])
    out, f_vjp = fg.vjp(f, x)
    (g,) = f_vjp({"a": np.ones(2), "b": (np.array(2.0),)})
    np.testing.assert_allclose(g, 2 * x + 2.0)


# --- vjp, jvp, jacobian, hessian --------------------------------------------
def test_vjp_callable_many_times_and_tuple_per_primal():
    out, f_vjp = fg.vjp(lambda x, y: x * y, np.array([1.0, 2.0]), np.array(3.0))
    for scale in (1.0, 2.0):
        gx, gy = f_vjp(scale * np.ones(2))
        np.testing.assert_allclose(gx, scale * 3.0)
        assert gy == scale * 3.0


def test_vjp_has_aux():
    out, f_vjp, aux = fg.vjp(lambda x: (x * 2, "hi"), np.ones(2), has_aux=True)
    assert aux == "hi"
    np.testing.assert_allclose(f_vjp(np.ones(2))[0], [2.0, 2.0])


@given(any_shape.flatmap(floats))
def test_jvp_is_exact_and_consistent_with_vjp(x):
    f = lambda x: fnp.sin(x) * x
    t = np.ones_like(x)
    out, tangent = fg.jvp(f, (x,), (t,))
    np.testing.assert_allclose(out, f(x))
    np.testing.assert_allclose(tangent, (np.cos(x) * x + np.sin(x)) * t, atol=1e-12)


def test_jacobian_shape_is_out_plus_in():
    J = fg.jacobian(lambda x: fnp.sum(x, axis=0))(np.ones((3, 2)))
    assert J.shape == (2, 3, 2)
    assert fg.jacrev is fg.jacobian


def test_hessian_of_quadratic_and_argnums():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    H = fg.hessian(lambda x, y: x @ A @ x + y, argnums=0)(np.ones(2), 1.0)
    np.testing.assert_allclose(H, A + A.T)


def test_hessian_symmetric_for_nonlinear_function():
    H = fg.hessian(lambda x: fnp.sum(fnp.sin(x[:, None] * x[None, :])))(np.array([0.1, 0.4, -0.3]))
    np.testing.assert_allclose(H, H.T, atol=1e-12)


# --- complex numbers (JAX's convention) --------------------------------------
def test_grad_of_real_function_of_complex_input_is_conjugate_convention():
    z = np.array(1.0 + 2.0j)
    np.testing.assert_allclose(fg.grad(lambda z: fnp.real(z * fnp.conj(z)))(z), 2 * np.conj(z))


def test_holomorphic():
    z = np.array(0.5 + 0.25j)
    np.testing.assert_allclose(fg.grad(lambda z: z ** 3, holomorphic=True)(z), 3 * z ** 2)


# --- control flow -------------------------------------------------------------
def test_python_control_flow_on_traced_values():
    def f(x):
        while fnp.sum(x) < 10.0:
            x = x * 2.0
        if x[0] > 0:
            return fnp.sum(x ** 2)
        return fnp.sum(x)
    np.testing.assert_allclose(fg.grad(f)(np.array([1.0, 2.0])), [2 * 4 * 4, 2 * 8 * 4])


# --- stop_gradient, custom_vjp, checkpoint ------------------------------------
def test_stop_gradient_stops_at_every_level():
    f = lambda x: x * fg.stop_gradient(x ** 2)
    assert fg.grad(f)(3.0) == 9.0
    assert fg.grad(fg.grad(f))(3.0) == 0.0
    g = lambda x: fg.grad(lambda y: y * fg.stop_gradient(x * y))(x)
    assert fg.grad(g)(2.0) == 0.0


def test_custom_vjp_residuals_and_nondiff_argnums():
    @fg.custom_vjp
    def f(x, y):
        return fnp.sin(x) * y

    def f_fwd(x, y):
        return f(x, y), (fnp.cos(x), fnp.sin(x), y)

    def f_bwd(res, g):
        cos_x, sin_x, y = res
        # y is 0-d here: its cotangent is summed over x's shape (bwd's job:
        # a cotangent of the wrong shape is refused, not broadcast)
        return (cos_x * g * y, fnp.sum(sin_x * g))

    f.defvjp(f_fwd, f_bwd)
    assert np.isclose(fg.grad(f)(0.5, 2.0), np.cos(0.5) * 2.0)
    check_grads(lambda x, y: f(x, y), (np.array([0.3, 0.7]), np.array(1.5)), order=2)

    def app_bwd(func, res, g):
        return (g * 10.0,)

    app = fg.custom_vjp(lambda func, x: func(x), nondiff_argnums=(0,))
    app.defvjp(lambda func, x: (func(x), None), app_bwd)
    assert fg.grad(lambda x: app(fnp.sin, x))(0.0) == 10.0


def test_custom_vjp_gradient_clipping_and_higher_order():
    @fg.custom_vjp
    def clip_gradient(x):
        return x

    clip_gradient.defvjp(lambda x: (x, None),
                         lambda _, g: (fnp.minimum(fnp.maximum(g, -1.0), 1.0),))
    assert fg.grad(lambda x: 5.0 * clip_gradient(x))(2.0) == 1.0
    assert fg.grad(lambda x: 0.5 * clip_gradient(x))(2.0) == 0.5
    # second order differentiates fwd/bwd as ordinary code (JAX semantics)
    @fg.custom_vjp
    def cube(x):
        return x ** 3
    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3 * x ** 2 * g,))
    assert fg.grad(fg.grad(cube))(2.0) == 12.0


def test_custom_vjp_errors():
    f = fg.custom_vjp(lambda x: x)
    with pytest.raises(TypeError, match="defvjp"):
        fg.grad(f)(1.0)
    f.defvjp(lambda x: (x, None), lambda r, g: g)  # not a tuple
    with pytest.raises(TypeError, match="tuple"):
        fg.grad(f)(1.0)


def test_checkpoint_gives_the_same_gradients():
    def block(x):
        for _ in range(5):
            x = fnp.sin(x) * 1.1
        return x
    x = np.linspace(-1, 1, 4)
    plain = fg.grad(lambda x: fnp.sum(block(block(x))))(x)
    ck = fg.checkpoint(block)
    np.testing.assert_allclose(fg.grad(lambda x: fnp.sum(ck(ck(x))))(x), plain)
    np.testing.assert_allclose(fg.hessian(lambda x: fnp.sum(ck(x)))(x),
                               fg.hessian(lambda x: fnp.sum(block(x)))(x), atol=1e-12)


def test_mixed_partials_of_power_are_symmetric_at_zero_exponent():
    f = lambda x, y: fnp.power(x, y)
    for x, y in [(2.0, 0.0), (0.5, 0.0), (2.0, 1.5)]:
        xy = fg.grad(fg.grad(f, 1), 0)(x, y)
        yx = fg.grad(fg.grad(f, 0), 1)(x, y)
        np.testing.assert_allclose(xy, yx)
        np.testing.assert_allclose(xy, x ** (y - 1) * (1 + y * np.log(x)))


def test_gradients_are_arrays_of_their_own():
    # grad of a sum is a broadcast of one number: returned as a writeable array
    for f in (lambda x: fnp.sum(x), lambda x: fnp.mean(x), lambda x: fnp.sum(x * 2)):
        g = fg.grad(f)(np.ones(3))
        assert g.flags.writeable and g.flags.owndata
        g += 1  # does not raise, and changes nothing else
    g1, g2 = fg.grad(lambda a, b: fnp.sum(a) + fnp.sum(b), argnums=(0, 1))(np.ones(2), np.ones(2))
    g1 += 1
    np.testing.assert_array_equal(g2, [1.0, 1.0])


def test_array_argument_path_agrees_with_pytree_path(monkeypatch):
    # grad(f, argnums=i) with an array, scalar or box at i skips pytree handling;
    # argnums=(i,) goes the general way. Both must give the same values, types,
    # dtypes and errors.
    cases = [
        (lambda x: fnp.sum(fnp.tanh(x) ** 2), (np.linspace(-1, 1, 5),), {}, 0),
        (lambda x: x * x, (3.0,), {}, 0),
        (lambda x: x * x, (np.float32(3.0),), {}, 0),
        (lambda x: x * x, (np.array(2.0),), {}, 0),
        (lambda a, b, scale=1.0: scale * fnp.sum(a * b), (np.ones(2), np.arange(2.0)),
         {"scale": 3.0}, 1),
        (lambda x: 3.0, (1.0,), {}, 0),
        (lambda x: fg.grad(lambda y: fnp.sin(y) * x)(x), (0.5,), {}, 0),
    ]
    for f, args, kwargs, i in cases:
        want = fg.grad(f, argnums=(i,))(*args, **kwargs)[0]
        got = fg.grad(f, argnums=i)(*args, **kwargs)
        assert type(got) is type(want) and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    z = np.array([1.0 + 2.0j])
    hol = lambda x: fnp.sum(x * x)
    np.testing.assert_array_equal(fg.grad(hol, holomorphic=True)(z[0]),
                                  fg.grad(hol, argnums=(0,), holomorphic=True)(z[0])[0])
    for bad, x in [(lambda x: x * 2, np.ones(2)), (lambda x: (x, x), 1.0)]:
        with pytest.raises(TypeError) as fast:
            fg.grad(bad)(x)
        with pytest.raises(TypeError) as general:
            fg.grad(bad, argnums=(0,))(x)
        assert str(fast.value) == str(general.value)
    # the array path does not flatten pytrees
    import funcgrad.transforms as transforms

    def no_flatten(*a, **k):
        raise AssertionError("tree_flatten called")
    monkeypatch.setattr(transforms, "tree_flatten", no_flatten)
    assert fg.grad(lambda x: fnp.sum(x * x))(np.ones(2)).tolist() == [2.0, 2.0]
    assert fg.value_and_grad(lambda x, y: x * y, argnums=1)(2.0, 3.0) == (6.0, 2.0)
