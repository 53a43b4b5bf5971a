"""funcgrad.testing.strategies: every strategy draws what it promises."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings, strategies as st

import funcgrad as fg
import funcgrad.numpy as fnp
from funcgrad.testing import check_grads, strategies as fst
from funcgrad.tree_util import tree_leaves

FIND = settings(database=None, max_examples=300, phases=[Phase.generate])


@given(fst.arrays(fst.inexact_dtypes(), fst.array_shapes()))
def test_default_elements_are_finite_and_well_scaled(x):
    assert x.dtype.kind in "fc" and x.ndim <= 3 and all(1 <= s <= 3 for s in x.shape)
    assert np.all(np.isfinite(x))
    for part in (x.real, x.imag):
        assert np.all(np.abs(part) <= 2.0)
        assert np.all((part == 0) | (np.abs(part) >= np.finfo(x.dtype).tiny))


@given(fst.safe_arrays(dtype=np.float32, low=0.1, high=0.7, avoid=(0.5,), gap=0.1))
def test_safe_arrays_respect_range_and_avoided_points(x):
    assert x.dtype == np.float32
    assert np.all((x >= np.float32(0.1)) & (x <= np.float32(0.7)))
    assert np.all(np.abs(x - 0.5) >= 0.1 - 1e-7)


@given(fst.safe_arrays((2,), dtype=np.complex64, avoid=(0.0,), gap=0.3))
def test_complex_arrays_stay_away_from_avoided_points(z):
    assert z.dtype == np.complex64 and np.all(np.abs(z) >= 0.3 - 1e-6)


def test_integer_and_bool_elements():
    assert find(fst.arrays(np.int32, 3), lambda a: True, settings=FIND).dtype == np.int32
    x = find(fst.arrays(np.int64, 4), lambda a: np.any(a < 0), settings=FIND)
    assert np.all((x >= -2) & (x <= 2))
    assert find(fst.arrays(np.bool_, 2), lambda a: bool(np.all(a)), settings=FIND).tolist() == [True, True]


def test_elements_rejects_bad_ranges_and_dtypes():
    with pytest.raises(ValueError, match="greater"):
        fst.elements(np.float64, 1.0, 0.0)
    with pytest.raises(TypeError, match="unsupported dtype"):
        fst.elements(np.dtype("U3"))


def test_shapes_include_zero_dimensional_and_size_one_axes():
    assert find(fst.array_shapes(), lambda s: s == (), settings=FIND) == ()
    assert 1 in find(fst.array_shapes(min_dims=2), lambda s: 1 in s, settings=FIND)


@given(st.data())
def test_broadcastable_shapes_broadcast(data):
    shape = data.draw(fst.array_shapes())
    other = data.draw(fst.broadcastable_shapes(shape))
    np.broadcast_shapes(shape, other)
    shapes = data.draw(fst.mutually_broadcastable_shapes(3))
    assert np.broadcast_shapes(*shapes.input_shapes) == shapes.result_shape


def test_mutually_broadcastable_shapes_with_a_signature():
    shapes = find(fst.mutually_broadcastable_shapes(2, signature="(m,n),(n)->(m)"),
                  lambda s: True, settings=FIND)
    (a, b), out = shapes.input_shapes, shapes.result_shape
    assert a[-1] == b[-1] and out[-1] == a[-2]


@given(st.data())
def test_axes_and_reduction_kwargs_are_valid(data):
    x = data.draw(fst.safe_arrays())
    kwargs = data.draw(fst.reduction_kwargs(x.shape))
    ref = np.sum(x, **kwargs)
    np.testing.assert_allclose(fnp.sum(x, **kwargs), ref)
    positive = data.draw(fst.axes(x.ndim, allow_negative=False, allow_none=False))
    assert all(a >= 0 for a in (positive if isinstance(positive, tuple) else (positive,)))
    assert len(data.draw(fst.valid_tuple_axes(x.ndim))) <= x.ndim


def test_axes_of_a_scalar():
    assert find(fst.axes(()), lambda a: a is not None, settings=FIND) == ()
    with pytest.raises(ValueError, match="no kind of axis"):
        fst.axes(0, allow_none=False, allow_tuple=False)


@given(fst.orthogonal_matrices(batch_shape=(2,)))
def test_orthogonal_matrices(q):
    n = q.shape[-1]
    assert q.shape == (2, n, n)
    np.testing.assert_allclose(q @ np.swapaxes(q, -1, -2), np.broadcast_to(np.eye(n), q.shape),
                               atol=1e-12)


@given(fst.orthogonal_matrices(3, dtype=np.complex64))
def test_unitary_matrices(q):
    assert q.dtype == np.complex64
    np.testing.assert_allclose(q @ q.conj().T, np.eye(3), atol=1e-5)


@given(fst.invertible_matrices(dtype=np.float64, cond=5.0))
def test_invertible_matrices_are_well_conditioned(a):
    assert np.linalg.cond(a) <= 5.0 * (1 + 1e-9)


@given(fst.invertible_matrices(2, dtype=np.complex128, batch_shape=(3,)))
def test_complex_invertible_batches(a):
    assert a.shape == (3, 2, 2) and a.dtype == np.complex128
    assert np.all(np.linalg.cond(a) <= 10.0 * (1 + 1e-9))


@given(fst.spd_matrices(dtype=np.float32))
def test_spd_matrices(a):
    assert a.dtype == np.float32 and np.array_equal(a, a.T)
    w = np.linalg.eigvalsh(a.astype(np.float64))
    assert np.all(w > 1 / np.sqrt(10) - 1e-5) and np.all(w < np.sqrt(10) + 1e-5)


@given(fst.spd_matrices(2, dtype=np.complex128))
def test_hermitian_positive_definite_matrices(a):
    assert np.array_equal(a, a.conj().T) and np.all(np.linalg.eigvalsh(a) > 0)


def test_matrix_strategies_reject_integer_dtypes_and_bad_condition():
    with pytest.raises(TypeError, match="float or complex"):
        find(fst.invertible_matrices(2, dtype=np.int64), lambda a: True, settings=FIND)
    with pytest.raises(ValueError, match="cond must be at least 1"):
        find(fst.spd_matrices(2, cond=0.5), lambda a: True, settings=FIND)


@given(fst.pytrees(max_leaves=3, min_leaves=2))
def test_pytrees_hold_arrays(tree):
    leaves = tree_leaves(tree)
    assert 2 <= len(leaves) <= 3 and all(isinstance(x, np.ndarray) for x in leaves)


def test_pytrees_have_nested_containers():
    def nested(t):
        return isinstance(t, dict) and any(isinstance(v, (list, tuple)) for v in t.values())
    assert nested(find(fst.pytrees(max_leaves=5), nested, settings=FIND))
    def has_none(t):
        return isinstance(t, tuple) and any(c is None for c in t)
    assert has_none(find(fst.pytrees(allow_none=True), has_none, settings=FIND))


@given(st.data())
def test_index_expressions_are_valid_and_differentiable(data):
    x = data.draw(fst.safe_arrays(fst.array_shapes(min_dims=1)))
    index = data.draw(fst.index_expressions(x.shape))
    out, _ = fg.vjp(lambda x: x[index], x)
    np.testing.assert_array_equal(out, x[index])
    if x[index].size:
        check_grads(lambda x: x[index], (x,), order=2)


@pytest.mark.parametrize("kind,predicate", [
    ("basic", lambda i: isinstance(i, (int, slice, tuple, type(Ellipsis)))),
    ("integer", lambda i: any(isinstance(p, np.ndarray) and p.dtype.kind == "i"
                              for p in (i if isinstance(i, tuple) else (i,)))),
    ("boolean", lambda i: isinstance(i, np.ndarray) and i.dtype == np.bool_),
])
def test_each_index_kind(kind, predicate):
    idx = find(fst.index_expressions((3, 2), kinds=(kind,)), lambda i: True, settings=FIND)
    assert predicate(idx)
    np.ones((3, 2))[idx]


def test_integer_indices_repeat_entries():
    idx = find(fst.index_expressions((3,), kinds=("integer",)),
               lambda i: isinstance(i, tuple) and np.ndim(i[-1]) == 1 and len(set(i[-1].tolist())) < len(i[-1]),
               settings=FIND)
    assert len(set(idx[-1].tolist())) < len(idx[-1])


def test_index_expressions_errors():
    with pytest.raises(ValueError, match="unknown kinds"):
        fst.index_expressions((2,), kinds=("fancy",))
    with pytest.raises(ValueError, match="none of the kinds"):
        fst.index_expressions((), kinds=("boolean",))
