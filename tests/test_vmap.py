"""funcgrad.vmap: in_axes/out_axes forms, errors, the per-example view,
nesting (closures over outer batched values), and composition with the
other transforms (per-example gradients, Jacobian rows, hessian...)."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import funcgrad
import funcgrad.numpy as fnp
from funcgrad import grad, vmap

RNG = np.random.default_rng(0)


def loss(w, x, y):
    return np.sum((np.tanh(x @ w) - y) ** 2)


# --- in_axes / out_axes -----------------------------------------------------------------
def test_in_axes_int_none_tuple_negative():
    x = RNG.normal(size=(4, 3))
    np.testing.assert_allclose(vmap(np.sum)(x), x.sum(1))
    np.testing.assert_allclose(vmap(np.sum, in_axes=1)(x), x.sum(0))
    np.testing.assert_allclose(vmap(np.sum, in_axes=-1)(x), x.sum(0))
    np.testing.assert_allclose(vmap(lambda a, b: a * b, in_axes=(0, None))(x, 2.0), 2 * x)
    np.testing.assert_allclose(vmap(lambda a, b: a + b, in_axes=[None, 1])(x[0], x.T), x + x[0])


def test_pytree_in_axes_prefix_and_outputs():
    x = RNG.normal(size=(4, 3))
    d = {"a": x, "b": np.ones(3)}
    out = vmap(lambda d: (d["a"] * d["b"], {"s": d["a"].sum()}),
               in_axes=({"a": 0, "b": None},))(d)
    np.testing.assert_allclose(out[0], x)
    np.testing.assert_allclose(out[1]["s"], x.sum(1))
    P = collections.namedtuple("P", "w b")
    p = P(x, x[:, 0])
    np.testing.assert_allclose(vmap(lambda p: p.w.sum() + p.b, in_axes=(P(0, 0),))(p),
                               x.sum(1) + x[:, 0])


def test_kwargs_are_batched_along_axis_0():
    x = RNG.normal(size=(4, 3))
    np.testing.assert_allclose(vmap(lambda a, *, s: a * s)(x, s=x), x * x)


def test_out_axes():
    x = RNG.normal(size=(4, 3))
    assert vmap(lambda a: a * 2, out_axes=1)(x).shape == (3, 4)
    assert vmap(lambda a: a * 2, out_axes=-1)(x).shape == (3, 4)
    c, y = vmap(lambda a: (1.0, a), out_axes=(None, 0))(x)
    assert c == 1.0 and y.shape == (4, 3)
    np.testing.assert_allclose(vmap(lambda a: np.ones(2))(x), np.ones((4, 2)))


def test_axis_size_when_nothing_is_mapped():
    np.testing.assert_allclose(vmap(lambda a: a + 1, in_axes=None, axis_size=3)(1.0),
                               [2.0, 2.0, 2.0])


# --- errors -------------------------------------------------------------------------------
def test_inconsistent_sizes_name_arguments_axes_and_sizes():
    with pytest.raises(ValueError, match="inconsistent sizes for array axes to be mapped") as e:
        vmap(lambda a, b: a + b)(np.ones((4, 3)), np.ones((5, 3)))
    assert "argument 0" in str(e.value) and "argument 1" in str(e.value)
    assert "size 4" in str(e.value) and "size 5" in str(e.value)


def test_in_axes_not_matching_the_arguments():
    with pytest.raises(ValueError, match="in_axes"):
        vmap(lambda a, b: a, in_axes=(0, 0, 0))(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="tree prefix"):
        vmap(lambda d: d["a"], in_axes=({"a": 0, "c": 0},))({"a": np.ones(2), "b": np.ones(2)})
    with pytest.raises(TypeError, match="in_axes must be an int"):
        vmap(lambda a: a, in_axes="x")


def test_out_of_range_axes():
    with pytest.raises(ValueError, match="rank should be at least 3"):
        vmap(lambda a: a, in_axes=2)(np.ones((2, 2)))
    with pytest.raises(ValueError, match="out_axes"):
        vmap(lambda a: a, out_axes=3)(np.ones((2, 2)))
    with pytest.raises(ValueError, match="at least one non-None"):
        vmap(lambda a: a, in_axes=None)(np.ones(2))


def test_batched_output_with_out_axes_none_raises():
    with pytest.raises(ValueError, match="mapped output but out_axes is None"):
        vmap(lambda a: a, out_axes=None)(np.ones((2, 2)))


def test_python_control_flow_on_a_batched_value_raises():
    with pytest.raises(funcgrad.ConcretizationError, match="vmap"):
        vmap(lambda a: a if a > 0 else -a)(np.ones(3))


def test_concrete_value_of_a_batched_value_raises_instead_of_mixing_examples():
    from funcgrad._core import concrete
    with pytest.raises(TypeError, match="no single concrete value"):
        vmap(lambda a: concrete(a))(np.ones(3))


# --- the per-example view ---------------------------------------------------------------
def test_boxes_present_the_per_example_view():
    seen = {}

    def f(a):
        seen.update(shape=a.shape, ndim=a.ndim, size=a.size, len=len(a),
                    items=len(list(a)), text=repr(a), np_shape=np.shape(a))
        return a.T @ a + np.sin(a).sum() + a.mean(axis=0)

    x = RNG.normal(size=(5, 3, 2))
    out = vmap(f)(x)
    assert seen == dict(shape=(3, 2), ndim=2, size=6, len=3, items=3, np_shape=(3, 2),
                        text=seen["text"])
    assert "batch_size=5" in seen["text"]
    want = np.stack([e.T @ e + np.sin(e).sum() + e.mean(axis=0) for e in x])
    np.testing.assert_allclose(out, want)


def test_plain_numpy_and_nondifferentiable_functions_batch():
    x = RNG.normal(size=(4, 5))
    out = vmap(lambda a: (np.argmax(a), np.floor(a), a > 0, np.sort(a), np.zeros_like(a)))(x)
    np.testing.assert_array_equal(out[0], x.argmax(1))
    np.testing.assert_array_equal(out[1], np.floor(x))
    np.testing.assert_array_equal(out[2], x > 0)
    np.testing.assert_allclose(out[3], np.sort(x, 1))
    assert out[4].shape == (4, 5)


def test_indexing_with_constant_and_batched_indices():
    x = RNG.normal(size=(4, 3, 5))
    idx = np.array([[0, 2], [1, 1], [2, 0], [4, 4]])
    np.testing.assert_allclose(vmap(lambda a: a[1:, [0, 2]])(x), x[:, 1:][:, :, [0, 2]])
    x4 = RNG.normal(size=(4, 3, 5, 2))
    np.testing.assert_allclose(vmap(lambda a: a[[0, 1], :, [1, 0]])(x4),
                               np.stack([e[[0, 1], :, [1, 0]] for e in x4]))
    np.testing.assert_allclose(vmap(lambda a, i: a[:, i])(x4, idx[:, :1] % 5),
                               np.stack([e[:, i] for e, i in zip(x4, idx[:, :1] % 5)]))
    np.testing.assert_allclose(vmap(lambda a, i: a[0, i])(x, idx),
                               np.stack([e[0, i] for e, i in zip(x, idx)]))
    np.testing.assert_allclose(vmap(lambda i: fnp.getitem(x[0], (slice(None), i)))(idx),
                               np.stack([x[0][:, i] for i in idx]))
    np.testing.assert_allclose(vmap(lambda a: a.at[0, 1].set(7.0))(x),
                               np.stack([np.where(np.arange(15).reshape(3, 5) == 1, 7.0, e)
                                         for e in x]))


# --- nesting ---------------------------------------------------------------------------------
def test_nested_vmap_outer_product():
    a, b = RNG.normal(size=3), RNG.normal(size=5)
    np.testing.assert_allclose(vmap(lambda u: vmap(lambda v: u * v)(b))(a), np.outer(a, b))


def test_vmap_in_vmap_closures_do_not_confuse_levels():
    A, B = RNG.normal(size=(2, 3)), RNG.normal(size=(5, 3))

    def outer(a):
        return vmap(lambda b: a * b + a.sum() + b.sum())(B)

    want = A[:, None, :] * B[None] + A.sum(1)[:, None, None] + B.sum(1)[None, :, None]
    np.testing.assert_allclose(vmap(outer)(A), want)
    # the inner vmap over the same data as the outer one: still two batch axes
    np.testing.assert_allclose(vmap(lambda a: vmap(lambda c: a @ c)(A))(A), A @ A.T)


# --- composition -----------------------------------------------------------------------------
def test_per_example_gradients_equal_a_loop_of_grad():
    w = RNG.normal(size=(3, 2))
    xs, ys = RNG.normal(size=(6, 3)), RNG.normal(size=(6, 2))
    got = vmap(grad(loss), in_axes=(None, 0, 0))(w, xs, ys)
    want = np.stack([grad(loss)(w, x, y) for x, y in zip(xs, ys)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_grad_of_a_function_using_vmap():
    xs = RNG.normal(size=(6, 3))
    w = RNG.normal(size=3)
    f = lambda w: vmap(lambda x: np.tanh(x @ w))(xs).sum()
    g = lambda w: sum(np.tanh(x @ w) for x in xs)
    np.testing.assert_allclose(grad(f)(w), funcgrad.jacobian(g)(w))
    np.testing.assert_allclose(funcgrad.hessian(f)(w), funcgrad.hessian(g)(w), rtol=1e-10)


def test_vmap_of_a_vjp_fn_gives_jacobian_rows():
    x = RNG.normal(size=3)
    f = lambda x: np.sin(x) * x.sum()
    _, f_vjp = funcgrad.vjp(f, x)
    (rows,) = vmap(f_vjp)(np.eye(3))
    np.testing.assert_allclose(rows, funcgrad.jacobian(f)(x), rtol=1e-12)


def test_value_and_grad_hessian_under_vmap():
    xs = RNG.normal(size=(4, 3))
    f = lambda x: np.sum(np.sin(x) ** 2)
    v, g = vmap(funcgrad.value_and_grad(f))(xs)
    np.testing.assert_allclose(v, [f(x) for x in xs])
    np.testing.assert_allclose(g, np.stack([grad(f)(x) for x in xs]))
    np.testing.assert_allclose(vmap(funcgrad.hessian(f))(xs),
                               np.stack([funcgrad.hessian(f)(x) for x in xs]), rtol=1e-10)


def test_custom_vjp_checkpoint_stop_gradient_under_vmap():
    @funcgrad.custom_vjp
    def square(x):
        return x * x

    square.defvjp(lambda x: (x * x, x), lambda x, g: (2 * g * x,))
    xs = RNG.normal(size=(4, 3))
    h = lambda x: np.sum(square(x) + funcgrad.checkpoint(np.sin)(x) * funcgrad.stop_gradient(x))
    got = vmap(grad(h))(xs)
    want = np.stack([grad(h)(x) for x in xs])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_vmap_of_jvp_and_jvp_of_vmap():
    x = RNG.normal(size=3)
    f = lambda x: np.sin(x) * x.sum()
    cols = vmap(lambda t: funcgrad.jvp(f, (x,), (t,))[1])(np.eye(3))
    np.testing.assert_allclose(cols, funcgrad.jacobian(f)(x).T, rtol=1e-12)
    xs = RNG.normal(size=(4, 3))
    want = np.stack([funcgrad.jvp(f, (x,), (np.ones(3),))[1] for x in xs])
    np.testing.assert_allclose(funcgrad.jvp(vmap(f), (xs,), (np.ones_like(xs),))[1], want,
                               rtol=1e-12)
