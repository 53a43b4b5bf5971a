"""Indexing of traced values and JAX-style functional updates (``x.at``)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import funcgrad
import funcgrad.numpy as fnp
from funcgrad.testing import check_grads

X = np.arange(24.0).reshape(2, 3, 4) / 7 - 1.5

INDICES = {
    "int": (1,),
    "negative int": (-1, 2),
    "slice": (slice(None), slice(1, 3)),
    "negative step": (slice(None, None, -1), slice(None), slice(3, 0, -2)),
    "ellipsis": (Ellipsis, 1),
    "none": (None, 0, Ellipsis, None),
    "int array": (np.array([1, 0, 1]),),
    "repeated ints": (0, [2, 2, 0, 2]),
    "list": ([1, 1],),
    "2-d int array": (slice(None), np.array([[0, 1], [2, 2]])),
    "broadcast arrays": (np.array([[0], [1]]), np.array([0, 2, 2])),
    "separated arrays": (np.array([0, 1]), slice(None), np.array([3, 3])),
    "bool mask": (X > 0,),
    "bool row mask": (slice(None), np.array([True, False, True])),
    "mixed": (1, np.array([2, 0]), slice(None, None, -1)),
    "empty": (slice(None), np.array([], dtype=np.intp)),
    "scalar bool": (True,),
}


@pytest.mark.parametrize("index", list(INDICES.values()), ids=list(INDICES))
def test_getitem_values_and_gradients(index):
    np.testing.assert_array_equal(fnp.getitem(X, index), X[index])
    out, f_vjp = funcgrad.vjp(lambda x: x[index], X)
    np.testing.assert_array_equal(out, X[index])
    check_grads(lambda x: x[index] * x[index], (X,), order=2)


def test_repeated_indices_accumulate():
    g = funcgrad.grad(lambda x: x[[0, 0, 2, 0]].sum())(np.zeros(3))
    np.testing.assert_array_equal(g, [3.0, 0.0, 1.0])
    g = funcgrad.grad(lambda x: (x[np.array([[1, 1]]), 0] * np.array([2.0, 5.0])).sum())(
        np.zeros((2, 2)))
    np.testing.assert_array_equal(g, [[0.0, 0.0], [7.0, 0.0]])


def test_second_order_is_exact():
    idx = np.array([0, 2, 2])
    h = funcgrad.hessian(lambda x: (x[idx] ** 3).sum())(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(h, np.diag([6.0, 0.0, 2 * 18.0]))


@given(data=st.data())
def test_random_index_expressions_get_and_update(data):
    from funcgrad.testing.strategies import index_expressions
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    x = np.random.default_rng(3).standard_normal(shape)
    index = data.draw(index_expressions(shape, allow_newaxis=True))
    np.testing.assert_array_equal(fnp.getitem(x, index), x[index])
    check_grads(lambda a: a[index] ** 2, (x,), order=2)
    op = data.draw(st.sampled_from(["set", "add", "multiply", "max"]))
    v = 0.5 + np.random.default_rng(4).random(x[index].shape)
    np.testing.assert_allclose(getattr(fnp.at(x)[index], op)(v), _numpy_update(x, index, v, op))
    check_grads(lambda a, b: getattr(fnp.at(a)[index], op)(b) ** 2, (x, v), order=1)


@given(data=st.data())
def test_random_basic_and_advanced_indices(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    x = np.random.default_rng(0).standard_normal(shape)
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=True))
    np.testing.assert_array_equal(fnp.getitem(x, index), x[index])
    check_grads(lambda a: a[index] ** 2, (x,), order=2)
    fancy = data.draw(hnp.integer_array_indices(shape))
    np.testing.assert_array_equal(fnp.getitem(x, fancy), x[fancy])
    check_grads(lambda a: a[fancy] ** 2, (x,), order=2)


def test_traced_integer_index_is_a_constant_and_float_index_rejected():
    def f(x):
        order = np.argsort(x)  # untraced integer indices
        return (x[order] * np.arange(3.0)).sum()
    np.testing.assert_array_equal(funcgrad.grad(f)(np.array([3.0, 1.0, 2.0])), [2.0, 0.0, 1.0])
    with pytest.raises(IndexError, match="valid indices"):
        funcgrad.grad(lambda x: x[x].sum())(np.array([0.0, 1.0]))


def test_iteration_and_len():
    def f(x):
        assert len(x) == 2
        return sum(row.sum() * k for k, row in enumerate(x))
    np.testing.assert_array_equal(funcgrad.grad(f)(np.ones((2, 2))), [[0.0, 0.0], [1.0, 1.0]])


# --- functional updates ---------------------------------------------------------------
def _numpy_update(x, index, v, op):
    out = np.array(x, copy=True)
    if op == "set":
        out[index] = v
    elif op == "get":
        return out[index]
    else:
        ufunc = {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum,
                 "subtract": np.subtract, "divide": np.divide}[op]
        ufunc.at(out, index, v)
    return out


UPDATE_INDICES = {
    "int": (1,),
    "slice": (slice(None), slice(2, None)),
    "negative step": (slice(None, None, -1), 0),
    "repeats": (np.array([0, 1, 0, 0]), np.array([2, 3, 2, 2])),
    "mask": (X[0] > 0,),
    "ellipsis": (Ellipsis, np.array([3, 3])),
}
OPS = ["set", "add", "subtract", "multiply", "divide", "min", "max"]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("index", list(UPDATE_INDICES.values()), ids=list(UPDATE_INDICES))
def test_at_updates_match_numpy_and_differentiate(op, index):
    x = X[0]
    shape = x[index].shape
    v = 0.5 + np.random.default_rng(1).random(shape)
    np.testing.assert_allclose(getattr(fnp.at(x)[index], op)(v), _numpy_update(x, index, v, op))
    check_grads(lambda a, b: getattr(fnp.at(a)[index], op)(b) ** 2, (x, v), order=2)


@given(data=st.data())
def test_at_updates_with_random_repeated_indices(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=3))
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    index = data.draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(
        min_dims=1, max_dims=2, max_side=4)))
    v = 0.5 + rng.random(x[index].shape)
    op = data.draw(st.sampled_from(OPS))
    np.testing.assert_allclose(getattr(fnp.at(x)[index], op)(v), _numpy_update(x, index, v, op))
    check_grads(lambda a, b: getattr(fnp.at(a)[index], op)(b) ** 2, (x, v), order=1)


@pytest.mark.parametrize("mode", ["wrap", "clip"])
def test_take_modes(mode):
    x = np.arange(5.0)
    idx = np.array([-7, 0, 6, 9])
    np.testing.assert_array_equal(fnp.take(x, idx, mode=mode), np.take(x, idx, mode=mode))
    expected = np.zeros(5)
    np.add.at(expected, np.take(np.arange(5), idx, mode=mode), 1.0)
    np.testing.assert_array_equal(funcgrad.grad(lambda a: np.take(a, idx, mode=mode).sum())(x),
                                  expected)


def test_at_power_and_apply():
    x = np.array([0.5, 2.0, 3.0, 1.5])
    idx = np.array([1, 3, 1])
    expected = x.copy()
    np.power.at(expected, idx, np.array([2.0, 0.5, 1.5]))
    np.testing.assert_allclose(fnp.at(x)[idx].power(np.array([2.0, 0.5, 1.5])), expected)
    check_grads(lambda a, b: fnp.at(a)[idx].power(b), (x, np.array([2.0, 0.5, 1.5])), order=2)
    np.testing.assert_allclose(fnp.at(x)[idx].apply(np.exp), [0.5, np.exp(np.exp(2.0)), 3.0,
                                                              np.exp(1.5)])
    check_grads(lambda a: fnp.at(a)[idx].apply(lambda t: np.sin(t) * t), (x,), order=2)
    # func sees only the indexed elements: sqrt elsewhere would have an infinite slope at 0
    g = funcgrad.grad(lambda a: fnp.at(a)[1:].apply(np.sqrt).sum())(np.array([0.0, 4.0, 1.0]))
    np.testing.assert_allclose(g, [1.0, 0.25, 0.5])


def test_at_set_with_repeats_last_write_wins():
    out, f_vjp = funcgrad.vjp(lambda x, v: x.at[np.array([2, 0, 2])].set(v),
                              np.zeros(3), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(out, [2.0, 0.0, 3.0])
    gx, gv = f_vjp(np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(gx, [0.0, 20.0, 0.0])
    np.testing.assert_array_equal(gv, [0.0, 10.0, 30.0])  # the overwritten write gets 0


def test_at_multiply_repeats_with_zero_is_exact():
    g = funcgrad.grad(lambda v: fnp.at(np.full(2, 3.0))[[1, 1, 1]].multiply(v).sum())(
        np.array([0.0, 2.0, 5.0]))
    np.testing.assert_array_equal(g, [30.0, 0.0, 0.0])


def test_at_broadcasts_casts_and_keeps_dtype():
    x = np.zeros((2, 3), np.float32)
    out = fnp.at(x)[:, 1].add(np.float64(2.0))
    assert out.dtype == np.float32
    g = funcgrad.grad(lambda x: (x.at[0].set(np.array([1.0, 2.0, 3.0])) ** 2).sum())(
        np.ones((2, 3), np.float32))
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g, [[0, 0, 0], [2, 2, 2]])
    z = np.array([1 + 1j, 2 - 1j])
    check_grads(lambda z, w: (fnp.at(z)[1].multiply(w) * np.array([1 - 2j, 3j])).sum(),
                (z, np.array(0.5 + 0.25j)), order=1)


def test_at_on_plain_arrays_never_mutates():
    x = np.arange(3.0)
    out = fnp.at(x)[1].set(10.0)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(out, [0.0, 10.0, 2.0])
    np.testing.assert_array_equal(fnp.at([1.0, 2.0])[0].get(), 1.0)
    with pytest.raises(NotImplementedError, match="mode"):
        fnp.at(x)[5].set(1.0, mode="drop")
    with pytest.raises(IndexError):
        fnp.at(x)[5].set(1.0)


def test_at_gradient_through_values_only():
    g = funcgrad.grad(lambda v: (fnp.at(np.zeros(4))[1:3].set(v) * np.arange(4.0)).sum())(
        np.array([1.0, 1.0]))
    np.testing.assert_array_equal(g, [1.0, 2.0])


# --- in-place mutation is rejected ----------------------------------------------------------
MUTATIONS = {
    "setitem": lambda t: t.__setitem__(0, 1.0),
    "add.at": lambda t: np.add.at(t, [0], 1.0),
    "add.at into plain": lambda t: np.add.at(np.zeros(3), [0], t[0]),
    "ufunc out=": lambda t: np.sin(t, out=np.zeros(3)),
    "function out=": lambda t: np.sum(t, out=np.zeros(())),
    "copyto": lambda t: np.copyto(np.zeros(3), t),
    "put": lambda t: np.put(t, [0], 1.0),
    "fill_diagonal": lambda t: np.fill_diagonal(t.reshape(1, 3), 0.0),
    "place": lambda t: np.place(t, np.array([True, False, True]), [1.0]),
    "putmask": lambda t: np.putmask(t, np.array([True, False, True]), 1.0),
    "put into plain": lambda t: np.put(np.zeros(3), [0], t[0]),
    "put_along_axis": lambda t: np.put_along_axis(t, np.array([0]), 1.0, axis=0),
    "ndarray.sort": lambda t: t.sort(),
    "ndarray.fill": lambda t: t.fill(0.0),
}


@pytest.mark.parametrize("mutate", list(MUTATIONS.values()), ids=list(MUTATIONS))
def test_in_place_mutation_is_rejected_pointing_to_at(mutate):
    def f(x):
        mutate(x)
        return x.sum()
    with pytest.raises(TypeError, match=r"\.at\[|np\.sort|np\.full_like|returned value|inplace"):
        funcgrad.grad(f)(np.ones(3))


def test_functional_puts_leave_plain_in_place_forms_alone():
    a = np.zeros(4)
    assert fnp.put(a, [1], 3.0) is None and a[1] == 3.0  # NumPy's in-place form
    b = fnp.put(a, [1, 1], [5.0, 6.0], inplace=False)
    np.testing.assert_array_equal(b, [0.0, 6.0, 0.0, 0.0])
    assert a[1] == 3.0
    g = funcgrad.grad(lambda v: fnp.place(np.zeros(4), np.array([1, 0, 1, 1], bool), v,
                                          inplace=False).sum())(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g, [2.0, 1.0])  # values repeat cyclically: v0, v1, v0
    g = funcgrad.grad(lambda x: (fnp.fill_diagonal(x, 0.0, inplace=False) * 2).sum())(np.ones((2, 2)))
    np.testing.assert_array_equal(g, [[0.0, 2.0], [2.0, 0.0]])


def test_put_along_axis_functional_form():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    idx = np.array([[1], [0]])
    out = fnp.put_along_axis(x, idx, 9.0, axis=1, inplace=False)
    ref = x.copy()
    np.put_along_axis(ref, idx, 9.0, axis=1)
    np.testing.assert_array_equal(out, ref)
    y = x.copy()
    assert fnp.put_along_axis(y, idx, 9.0, axis=1) is None  # NumPy's in-place form
    np.testing.assert_array_equal(y, ref)


# --- where, select, choose, compress and friends -------------------------------------------------
def test_where_one_and_three_arguments():
    x = np.array([-1.0, 0.0, 2.0])
    assert isinstance(fnp.where(x > 0), tuple)
    np.testing.assert_array_equal(fnp.where(x > 0)[0], [2])
    g = funcgrad.grad(lambda x: np.where(x > 0, x ** 2, -x).sum())(x)
    np.testing.assert_array_equal(g, [-1.0, -1.0, 4.0])
    got = funcgrad.grad(lambda x: x[np.where(x > -0.5)].sum())(x)  # one-argument form on a tracer
    np.testing.assert_array_equal(got, [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="both or neither"):
        fnp.where(x > 0, x)


def test_plain_numpy_gathers_on_traced_values():
    x = np.arange(6.0).reshape(2, 3)

    def f(a):
        return (np.take(a, [2, 2], axis=1).sum() + np.take_along_axis(a, np.argsort(-a, axis=1), 1)[:, 0].sum()
                + np.compress([False, True], a, axis=0).sum() + np.extract(a > 2.5, a).sum()
                + np.choose([0, 1, 0], [a[0], a[1]]).sum()
                + np.select([a > 4.5, a < 0.5], [a * 10, -a], default=a).sum())
    check_grads(f, (x,), order=2)
    # a[.., 2] taken twice; row maxima (column 2); row 1; elements > 2; choose; select
    np.testing.assert_allclose(funcgrad.grad(f)(x), [[0, 1, 5], [3, 4, 15]])


def test_nonzero_family_are_constants_on_traced_values():
    def f(x):
        nz = np.nonzero(x)
        aw = np.argwhere(x)
        fz = np.flatnonzero(x)
        assert isinstance(nz[0], np.ndarray) and isinstance(aw, np.ndarray)
        return x[nz].sum() + x[tuple(aw.T)].sum() + x.ravel()[fz].sum()
    np.testing.assert_array_equal(funcgrad.grad(f)(np.array([[0.0, 2.0], [1.0, 0.0]])),
                                  [[0.0, 3.0], [3.0, 0.0]])


def test_bincount_weights_gradient():
    g = funcgrad.grad(lambda w: (np.bincount(np.array([0, 2, 2]), weights=w) ** 2).sum())(
        np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(g, [2.0, 10.0, 10.0])


# --- functions of functions --------------------------------------------------------------------
def test_trim_zeros_gradient_reaches_kept_values_only():
    x = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 3.0, 1.0]])
    out, pullback = funcgrad.vjp(lambda a: np.trim_zeros(a), x)
    np.testing.assert_array_equal(out, x[1:, 1:])  # NumPy >= 2.2 trims n-d arrays alike
    (g,) = pullback(np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(g, [[0, 0, 0], [0, 1, 2], [0, 3, 4]])
    np.testing.assert_array_equal(fnp.trim_zeros(np.zeros(3)), np.trim_zeros(np.zeros(3)))
    assert fnp.trim_zeros([0, 1, 0]) == [1]  # lists in, lists out, as NumPy


def test_piecewise_and_apply_along_axis_through_plain_numpy():
    x = np.array([[-1.5, 0.5], [2.0, 3.0]])

    def f(a):
        p = np.piecewise(a, [a < 0, a > 1], [np.sin, lambda t: t ** 3, 0.5])
        q = np.apply_along_axis(lambda r: np.stack([r.sum(), (r * r).sum()]), 1, a)
        return (p * 2).sum() + (q * np.array([1.0, 10.0])).sum()
    expected = 2 * np.where(x < 0, np.cos(x), np.where(x > 1, 3 * x ** 2, 0.0)) + 1 + 20 * x
    np.testing.assert_allclose(funcgrad.grad(f)(x), expected)
    check_grads(f, (x,), order=2)
