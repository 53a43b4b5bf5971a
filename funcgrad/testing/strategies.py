"""Hypothesis strategies for testing differentiable code.

Signatures follow :mod:`hypothesis.extra.numpy` where a counterpart exists
(:func:`arrays`, :func:`array_shapes`, :func:`broadcastable_shapes`,
:func:`mutually_broadcastable_shapes`, :func:`valid_tuple_axes`), with
defaults suited to gradient tests: finite, well-scaled elements (no NaN,
infinity or subnormals; ``[-2, 2]`` unless asked otherwise), small shapes
that include 0-d arrays and size-1 axes. On top of those:

* :func:`elements`, :func:`safe_arrays`: float and complex values in a safe
  range, optionally kept away from kinks (``avoid=(0.0,)`` for ``abs``);
* :func:`axes`, :func:`reduction_kwargs`: valid ``axis`` / ``keepdims``;
* :func:`invertible_matrices`, :func:`spd_matrices`,
  :func:`orthogonal_matrices`: well-conditioned matrices (and batches);
* :func:`pytrees`: nested dicts, lists and tuples of arrays;
* :func:`index_expressions`: basic, integer-array and boolean indices;
* :func:`programs`: random compositions of funcgrad.numpy's registered
  primitives with inputs, for engine-level properties.

Requires ``hypothesis`` (a test dependency; funcgrad itself never imports it).

>>> from hypothesis import given
>>> import funcgrad.numpy as fnp
>>> from funcgrad.testing import check_grads, strategies as fst
>>> @given(fst.safe_arrays(fst.array_shapes()))
... def test_tanh(x):
...     check_grads(fnp.tanh, (x,), order=2)
>>> test_tanh()
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.strategies import SearchStrategy

from . import profiles as _profiles  # noqa: F401  (registers the hypothesis profiles)

__all__ = [
    "elements", "arrays", "safe_arrays", "array_shapes", "broadcastable_shapes",
    "mutually_broadcastable_shapes", "floating_dtypes", "complex_number_dtypes",
    "inexact_dtypes", "valid_tuple_axes", "axes", "reduction_kwargs",
    "invertible_matrices", "spd_matrices", "orthogonal_matrices", "pytrees",
    "index_expressions", "programs", "Program", "Step",
]

Shape = tuple
DTypeLike = Any


# --- elements and arrays ----------------------------------------------------
def _representable(value: float, dtype: np.dtype, direction: float) -> float:
    """``value`` rounded into ``dtype`` without leaving ``[low, high]``."""
    v = dtype.type(value)
    if (direction > 0 and float(v) < value) or (direction < 0 and float(v) > value):
        v = np.nextafter(v, dtype.type(direction * np.inf))
    return float(v)


def elements(dtype: DTypeLike = np.float64, low: float = -2.0, high: float = 2.0, *,
             avoid: Sequence[float] = (), gap: float = 0.05) -> SearchStrategy:
    """Scalars of ``dtype`` in ``[low, high]``: finite, no subnormals.

    Complex dtypes draw real and imaginary parts in ``[low, high]`` each;
    integer dtypes draw integers in the range, bool draws booleans.
    ``avoid``: points (kinks, poles) to stay at least ``gap`` away from
    (distance ``|z - a|`` for complex values).

    >>> from hypothesis import find
    >>> v = find(elements(np.float64, 0.5, 3.0), lambda v: v < 1.0)
    >>> bool(0.5 <= v < 1.0)
    True
    >>> v = find(elements(np.float64, avoid=(0.0,)), lambda v: abs(v) < 0.1)
    >>> bool(0.05 <= abs(v) < 0.1)
    True
    """
    dt = np.dtype(dtype)
    if low > high:
        raise ValueError(f"elements: low={low} is greater than high={high}")
    if dt.kind == "f":
        lo = _representable(low, dt, +1)
        hi = _representable(high, dt, -1)
        s: SearchStrategy = st.floats(lo, hi, allow_nan=False, allow_infinity=False,
                                      allow_subnormal=False, width=8 * dt.itemsize)
    elif dt.kind == "c":
        part = np.dtype(np.finfo(dt).dtype)
        p = st.floats(_representable(low, part, +1), _representable(high, part, -1),
                      allow_nan=False, allow_infinity=False, allow_subnormal=False,
                      width=8 * part.itemsize)
        s = st.builds(complex, p, p)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        s = st.integers(max(math.ceil(low), int(info.min)), min(math.floor(high), int(info.max)))
    elif dt.kind == "b":
        s = st.booleans()
    else:
        raise TypeError(f"elements: unsupported dtype {dt}")
    if avoid:
        points = tuple(avoid)
        s = s.filter(lambda v: all(abs(v - a) >= gap for a in points))
    return s


def arrays(dtype: Union[DTypeLike, SearchStrategy], shape: Union[int, Shape, SearchStrategy],
           *, elements: Optional[SearchStrategy] = None, fill: Optional[SearchStrategy] = None,
           unique: bool = False) -> SearchStrategy:
    """Arrays of ``dtype`` and ``shape`` (each a value or a strategy), like
    :func:`hypothesis.extra.numpy.arrays`, but with finite, well-scaled
    elements by default (:func:`elements` in ``[-2, 2]``).

    >>> from hypothesis import find
    >>> x = find(arrays(np.complex128, (2, 3)), lambda a: True)
    >>> x.shape, x.dtype
    ((2, 3), dtype('complex128'))
    """
    if isinstance(dtype, SearchStrategy):
        return dtype.flatmap(lambda d: arrays(d, shape, elements=elements, fill=fill,
                                              unique=unique))
    if isinstance(shape, SearchStrategy):
        return shape.flatmap(lambda s: arrays(dtype, s, elements=elements, fill=fill,
                                              unique=unique))
    dt = np.dtype(dtype)
    elems = _elements_fn(dt) if elements is None else elements
    return hnp.arrays(dt, shape, elements=elems, fill=fill, unique=unique)


def _elements_fn(dt: np.dtype) -> SearchStrategy:
    # inside arrays() the keyword argument `elements` hides this module's function
    return elements(dt)


def safe_arrays(shape: Union[int, Shape, SearchStrategy, None] = None,
                dtype: Union[DTypeLike, SearchStrategy] = np.float64, low: float = -2.0,
                high: float = 2.0, *, avoid: Sequence[float] = (),
                gap: float = 0.05) -> SearchStrategy:
    """Float or complex arrays with elements in ``[low, high]`` (away from the
    points in ``avoid``), of ``shape`` (default: :func:`array_shapes`, which
    includes 0-d arrays and size-1 axes).

    >>> from hypothesis import find
    >>> x = find(safe_arrays((3,), low=0.1, high=1.0), lambda a: True)
    >>> bool(np.all(x >= 0.1))
    True
    """
    if shape is None:
        shape = array_shapes()
    if isinstance(dtype, SearchStrategy):
        return dtype.flatmap(lambda d: safe_arrays(shape, d, low, high, avoid=avoid, gap=gap))
    return arrays(dtype, shape, elements=elements(dtype, low, high, avoid=avoid, gap=gap))


# --- dtypes -------------------------------------------------------------------
def floating_dtypes(*, sizes: Sequence[int] = (32, 64)) -> SearchStrategy:
    """Native floating dtypes of the given bit sizes (float32 and float64 by default).

    >>> from hypothesis import find
    >>> find(floating_dtypes(), lambda d: True)
    dtype('float32')
    """
    return st.sampled_from([np.dtype(f"float{s}") for s in sizes])


def complex_number_dtypes(*, sizes: Sequence[int] = (64, 128)) -> SearchStrategy:
    """Native complex dtypes (complex64 and complex128 by default).

    >>> from hypothesis import find
    >>> find(complex_number_dtypes(), lambda d: True)
    dtype('complex64')
    """
    return st.sampled_from([np.dtype(f"complex{s}") for s in sizes])


def inexact_dtypes(*, complex: bool = True) -> SearchStrategy:
    """The dtypes funcgrad differentiates: float32, float64 (and complex64,
    complex128 unless ``complex=False``).

    >>> from hypothesis import find
    >>> find(inexact_dtypes(), lambda d: d.kind == "c")
    dtype('complex64')
    """
    names = ["float32", "float64"] + (["complex64", "complex128"] if complex else [])
    return st.sampled_from([np.dtype(n) for n in names])


# --- shapes -------------------------------------------------------------------
def array_shapes(*, min_dims: int = 0, max_dims: Optional[int] = None, min_side: int = 1,
                 max_side: Optional[int] = None) -> SearchStrategy:
    """Shapes as in :func:`hypothesis.extra.numpy.array_shapes`, small by default:
    0 to 3 dimensions (0-d included), sides 1 to 3 (size-1 axes included).

    >>> from hypothesis import find
    >>> find(array_shapes(), lambda s: True)
    ()
    """
    if max_dims is None:
        max_dims = max(min_dims, 3)
    if max_side is None:
        max_side = max(min_side, 3)
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(shape: Shape, *, min_dims: int = 0, max_dims: Optional[int] = None,
                         min_side: int = 1, max_side: Optional[int] = None) -> SearchStrategy:
    """Shapes that broadcast with ``shape`` (as in
    :func:`hypothesis.extra.numpy.broadcastable_shapes`), small by default.

    >>> from hypothesis import find
    >>> find(broadcastable_shapes((2, 3)), lambda s: len(s) == 2)
    (1, 1)
    """
    shape = tuple(shape)
    if max_dims is None:
        max_dims = max(len(shape), min_dims) + 1
    if max_side is None:
        max_side = max((min_side, 3) + shape)
    return hnp.broadcastable_shapes(shape, min_dims=min_dims, max_dims=max_dims,
                                    min_side=min_side, max_side=max_side)


def mutually_broadcastable_shapes(num_shapes: int, *, signature: Optional[str] = None,
                                  base_shape: Shape = (), min_dims: int = 0,
                                  max_dims: Optional[int] = None, min_side: int = 1,
                                  max_side: Optional[int] = None) -> SearchStrategy:
    """``num_shapes`` shapes that broadcast together, drawn as
    ``BroadcastableShapes(input_shapes, result_shape)`` like
    :func:`hypothesis.extra.numpy.mutually_broadcastable_shapes`; small by default
    (at most 3 dimensions, sides up to 3). ``signature``: a gufunc signature
    such as ``"(m,n),(n)->(m)"``.

    >>> from hypothesis import find
    >>> find(mutually_broadcastable_shapes(2), lambda s: True).result_shape
    ()
    """
    kwargs: dict = {}
    if signature is not None:
        kwargs["signature"] = signature
    else:
        kwargs["num_shapes"] = num_shapes
    if max_dims is None:
        max_dims = max(min_dims, 3)
    if max_side is None:
        max_side = max(min_side, 3)
    return hnp.mutually_broadcastable_shapes(base_shape=tuple(base_shape), min_dims=min_dims,
                                             max_dims=max_dims, min_side=min_side,
                                             max_side=max_side, **kwargs)


# --- axes -------------------------------------------------------------------------
def _ndim(shape_or_ndim: Union[int, Shape]) -> int:
    return shape_or_ndim if isinstance(shape_or_ndim, (int, np.integer)) else len(shape_or_ndim)


def valid_tuple_axes(ndim: int, *, min_size: int = 0,
                     max_size: Optional[int] = None) -> SearchStrategy:
    """Tuples of distinct valid axes (possibly negative) for ``ndim``
    dimensions, as in :func:`hypothesis.extra.numpy.valid_tuple_axes`.

    >>> from hypothesis import find
    >>> find(valid_tuple_axes(3), lambda t: len(t) == 2)
    (0, 1)
    """
    return hnp.valid_tuple_axes(ndim, min_size=min_size, max_size=max_size)


def axes(shape_or_ndim: Union[int, Shape], *, allow_none: bool = True, allow_int: bool = True,
         allow_tuple: bool = True, allow_negative: bool = True) -> SearchStrategy:
    """A valid ``axis`` argument for an array of this shape (or number of
    dimensions): ``None``, an int, or a tuple of distinct ints; negative axes
    unless ``allow_negative=False``. A 0-d array gets ``None`` or ``()``.

    >>> from hypothesis import find
    >>> find(axes((2, 3)), lambda a: isinstance(a, int) and a < 0)
    -1
    """
    ndim = _ndim(shape_or_ndim)
    choices = []
    if allow_none:
        choices.append(st.none())
    if allow_int and ndim > 0:
        choices.append(st.integers(-ndim if allow_negative else 0, ndim - 1))
    if allow_tuple:
        t = hnp.valid_tuple_axes(ndim)
        if not allow_negative:
            t = t.map(lambda ax: tuple(a % ndim for a in ax))
        choices.append(t)
    if not choices:
        raise ValueError(f"axes: no kind of axis is allowed for ndim={ndim}")
    return st.one_of(choices)


def reduction_kwargs(shape_or_ndim: Union[int, Shape], **axes_options: bool) -> SearchStrategy:
    """``{"axis": ..., "keepdims": ...}`` for a reduction over an array of
    this shape; ``axes_options`` are passed to :func:`axes`.

    >>> from hypothesis import find
    >>> find(reduction_kwargs(2), lambda kw: kw["keepdims"] and kw["axis"] == 1)
    {'axis': 1, 'keepdims': True}
    """
    return st.fixed_dictionaries({"axis": axes(shape_or_ndim, **axes_options),
                                  "keepdims": st.booleans()})


# --- well-conditioned matrices --------------------------------------------------
def _orthonormal(raw: np.ndarray) -> np.ndarray:
    """The Q factor of ``raw``'s QR decomposition with R's diagonal made
    non-negative: orthogonal (unitary) for any input, even a singular one."""
    q, r = np.linalg.qr(raw)
    d = np.diagonal(r, axis1=-2, axis2=-1)
    phase = np.where(np.abs(d) > 0, d / np.where(np.abs(d) > 0, np.abs(d), 1), 1)
    return q * phase[..., None, :]


def _wide(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.complex128 if dtype.kind == "c" else np.float64)


def _matrix_size(n: Optional[int], min_n: int, max_n: int) -> SearchStrategy:
    return st.just(n) if n is not None else st.integers(min_n, max_n)


def _check_matrix_dtype(dtype: DTypeLike) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind not in "fc":
        raise TypeError(f"matrices need a float or complex dtype, got {dt}")
    return dt


@st.composite
def orthogonal_matrices(draw: Any, n: Optional[int] = None, *, dtype: DTypeLike = np.float64,
                        batch_shape: Shape = (), min_n: int = 1, max_n: int = 4) -> np.ndarray:
    """Orthogonal (unitary, for a complex dtype) ``n x n`` matrices, or a
    batch of them of shape ``batch_shape + (n, n)``; ``n`` drawn from
    ``[min_n, max_n]`` when not given.

    >>> from hypothesis import find
    >>> q = find(orthogonal_matrices(3), lambda q: True)
    >>> bool(np.allclose(q @ q.T, np.eye(3)))
    True
    """
    dt = _check_matrix_dtype(dtype)
    size = draw(_matrix_size(n, min_n, max_n))
    raw = draw(arrays(_wide(dt), tuple(batch_shape) + (size, size),
                      elements=elements(_wide(dt), -1.0, 1.0)))
    return _orthonormal(raw).astype(dt)


def _singular_values(draw: Any, batch_shape: Shape, size: int, cond: float) -> np.ndarray:
    if cond < 1:
        raise ValueError(f"cond must be at least 1, got {cond}")
    r = math.sqrt(cond)
    return draw(arrays(np.float64, tuple(batch_shape) + (size,),
                       elements=elements(np.float64, 1 / r, r)))


@st.composite
def invertible_matrices(draw: Any, n: Optional[int] = None, *, dtype: DTypeLike = np.float64,
                        batch_shape: Shape = (), min_n: int = 1, max_n: int = 4,
                        cond: float = 10.0) -> np.ndarray:
    """Invertible ``n x n`` matrices with condition number at most ``cond``:
    ``U diag(s) V^H`` with ``U``, ``V`` orthogonal (unitary) and singular
    values ``s`` in ``[1/sqrt(cond), sqrt(cond)]``.

    >>> from hypothesis import find
    >>> a = find(invertible_matrices(3), lambda a: True)
    >>> bool(np.linalg.cond(a) <= 10.0 + 1e-9)
    True
    """
    dt = _check_matrix_dtype(dtype)
    size = draw(_matrix_size(n, min_n, max_n))
    u = draw(orthogonal_matrices(size, dtype=_wide(dt), batch_shape=batch_shape))
    v = draw(orthogonal_matrices(size, dtype=_wide(dt), batch_shape=batch_shape))
    s = _singular_values(draw, batch_shape, size, cond)
    a = (u * s[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2))
    return a.astype(dt)


@st.composite
def spd_matrices(draw: Any, n: Optional[int] = None, *, dtype: DTypeLike = np.float64,
                 batch_shape: Shape = (), min_n: int = 1, max_n: int = 4,
                 cond: float = 10.0) -> np.ndarray:
    """Symmetric (Hermitian, for a complex dtype) positive definite ``n x n``
    matrices with condition number at most ``cond``: ``Q diag(s) Q^H`` with
    eigenvalues ``s`` in ``[1/sqrt(cond), sqrt(cond)]``, exactly symmetric.

    >>> from hypothesis import find
    >>> a = find(spd_matrices(3), lambda a: True)
    >>> bool(np.all(a == a.T)), bool(np.all(np.linalg.eigvalsh(a) > 0))
    (True, True)
    """
    dt = _check_matrix_dtype(dtype)
    size = draw(_matrix_size(n, min_n, max_n))
    q = draw(orthogonal_matrices(size, dtype=_wide(dt), batch_shape=batch_shape))
    s = _singular_values(draw, batch_shape, size, cond)
    a = (q * s[..., None, :]) @ np.conj(np.swapaxes(q, -1, -2))
    a = (a + np.conj(np.swapaxes(a, -1, -2))) / 2
    return a.astype(dt)


# --- pytrees ------------------------------------------------------------------
def pytrees(leaves: Optional[SearchStrategy] = None, *, max_leaves: int = 4,
            min_leaves: int = 1, keys: Sequence[str] = ("a", "b", "w", "bias"),
            allow_none: bool = False) -> SearchStrategy:
    """Nested dicts, lists and tuples (and ``None`` nodes if ``allow_none``)
    with leaves from ``leaves`` (default: :func:`safe_arrays`), holding
    between ``min_leaves`` and ``max_leaves`` leaves.

    >>> from hypothesis import find
    >>> from funcgrad.tree_util import tree_leaves
    >>> t = find(pytrees(), lambda t: isinstance(t, dict) and len(tree_leaves(t)) == 2)
    >>> sorted(t)
    ['a', 'b']
    """
    from ..tree_util import tree_leaves
    base = safe_arrays() if leaves is None else leaves

    def extend(children: SearchStrategy) -> SearchStrategy:
        options = [st.lists(children, min_size=1, max_size=3),
                   st.lists(children, min_size=1, max_size=3).map(tuple),
                   st.dictionaries(st.sampled_from(tuple(keys)), children, min_size=1,
                                   max_size=3)]
        if allow_none:
            options.append(st.tuples(children, st.none()))
        return st.one_of(options)

    trees = st.recursive(base, extend, max_leaves=max_leaves)
    return trees.filter(lambda t: min_leaves <= len(tree_leaves(t)) <= max_leaves)


# --- index expressions -----------------------------------------------------------
def index_expressions(shape: Shape, *, kinds: Sequence[str] = ("basic", "integer", "boolean"),
                      allow_newaxis: bool = False, allow_ellipsis: bool = True) -> SearchStrategy:
    """Valid indices ``x[index]`` for an array of ``shape``: ``"basic"``
    (ints, slices, ``...``, optionally ``None``: see
    :func:`hypothesis.extra.numpy.basic_indices`), ``"integer"`` (an integer
    array along one axis, with repeats and negative entries, or one integer
    array per axis), ``"boolean"`` (a mask over the leading axes).

    >>> from hypothesis import find
    >>> idx = find(index_expressions((3, 2), kinds=("boolean",)), lambda i: True)
    >>> idx.dtype, idx.shape
    (dtype('bool'), (3,))
    """
    shape = tuple(shape)
    unknown = set(kinds) - {"basic", "integer", "boolean"}
    if unknown:
        raise ValueError(f"index_expressions: unknown kinds {sorted(unknown)}; use "
                         "'basic', 'integer' and/or 'boolean'")
    choices = []
    if "basic" in kinds:
        choices.append(hnp.basic_indices(shape, allow_newaxis=allow_newaxis,
                                         allow_ellipsis=allow_ellipsis))
    if "integer" in kinds and shape and all(shape):
        choices.append(_integer_index(shape))
        choices.append(hnp.integer_array_indices(
            shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)))
    if "boolean" in kinds and shape:
        choices.append(_boolean_index(shape))
    if not choices:
        raise ValueError(f"index_expressions: none of the kinds {tuple(kinds)} applies to "
                         f"shape {shape}")
    return st.one_of(choices)


@st.composite
def _integer_index(draw: Any, shape: Shape) -> tuple:
    axis = draw(st.integers(0, len(shape) - 1))
    n = shape[axis]
    idx = draw(hnp.arrays(np.intp, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
                          elements=st.integers(-n, n - 1)))
    return (slice(None),) * axis + (idx,)


@st.composite
def _boolean_index(draw: Any, shape: Shape) -> Any:
    k = draw(st.integers(1, len(shape)))
    mask = draw(hnp.arrays(np.bool_, shape[:k]))
    return mask


# --- random programs ------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Step:
    """One operation of a :class:`Program`: ``values.append(op(*values[inputs], **params))``."""

    op: str
    inputs: tuple
    params: tuple = ()

    def kwargs(self) -> dict:
        return dict(self.params)


@dataclasses.dataclass(frozen=True)
class Program:
    """A straight-line program over funcgrad.numpy's registered functions.

    Calling it with ``num_inputs`` arrays runs its steps (each appends one
    value; inputs are values ``0 .. num_inputs-1``) and returns the last
    value. ``args`` are the inputs it was drawn with: the program is smooth
    (no kinks, poles or domain edges) in a neighbourhood of them, so finite
    differences are meaningful there. ``repr`` prints it as Python source.

    >>> import funcgrad.numpy as fnp
    >>> p = Program(1, (Step("sin", (0,)), Step("multiply", (1, 0))), (np.array(0.5),))
    >>> print(p)
    def program(x0):
        v1 = sin(x0)
        v2 = multiply(v1, x0)
        return v2
    >>> float(p(np.array(0.5))) == float(np.sin(0.5) * 0.5)
    True
    """

    num_inputs: int
    steps: tuple
    args: tuple = ()

    def __call__(self, *xs: Any) -> Any:
        from ..numpy import REGISTRY
        if len(xs) != self.num_inputs:
            raise TypeError(f"this program takes {self.num_inputs} inputs, got {len(xs)}")
        values = list(xs)
        for step in self.steps:
            fn = REGISTRY[step.op].fn
            values.append(fn(*(values[i] for i in step.inputs), **step.kwargs()))
        return values[-1]

    def scalar(self, *xs: Any) -> Any:
        """The real sum of the output: a scalar loss for ``grad`` and ``hessian``."""
        from .. import numpy as fnp
        out = self(*xs)
        return fnp.sum(fnp.real(out) if _dtype(out).kind == "c" else out)

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(self.num_inputs)]
        lines = [f"def program({', '.join(names)}):"]
        for k, step in enumerate(self.steps):
            name = f"v{self.num_inputs + k}"
            names.append(name)
            args = [names[i] for i in step.inputs] + [f"{key}={v!r}" for key, v in step.params]
            lines.append(f"    {name} = {step.op}({', '.join(args)})")
        lines.append(f"    return {names[-1]}")
        return "\n".join(lines)

    __str__ = __repr__


def _dtype(x: Any) -> np.dtype:
    return np.dtype(getattr(x, "dtype", None) or np.result_type(x))


@dataclasses.dataclass(frozen=True)
class _Op:
    """How a program may use a registered function: its arity, whether it
    takes complex values, a guard on the concrete arguments (the domain,
    kept ``margin`` away from edges) and a strategy for its parameters."""

    name: str
    arity: int
    complex_ok: bool = True
    guard: Optional[Callable[..., bool]] = None
    params: Optional[Callable[[list], SearchStrategy]] = None


def _min_abs(x: Any) -> float:
    return float(np.min(np.abs(x), initial=np.inf))


def _real_between(lo: float, hi: float) -> Callable[..., bool]:
    def ok(x: Any) -> bool:
        x = np.asarray(x)
        return x.dtype.kind != "c" and bool(np.all((x > lo) & (x < hi)))
    return ok


def _abs_below(bound: float) -> Callable[..., bool]:
    return lambda x: bool(np.all(np.abs(np.asarray(x)) < bound))


def _apart(x: Any, y: Any) -> bool:
    x, y = np.asarray(x), np.asarray(y)
    return x.dtype.kind != "c" and y.dtype.kind != "c" and _min_abs(x - y) > 0.1


def _transpose_params(args: list) -> SearchStrategy:
    nd = np.ndim(args[0])
    return st.one_of(st.just({}), st.permutations(range(nd)).map(lambda p: {"axes": tuple(p)}))


def _swap_params(args: list) -> SearchStrategy:
    nd = np.ndim(args[0])
    return st.tuples(st.integers(-nd, nd - 1), st.integers(-nd, nd - 1)).map(
        lambda t: {"axis1": t[0], "axis2": t[1]})


def _reshape_params(args: list) -> SearchStrategy:
    shape = np.shape(args[0])
    return st.sampled_from([{"shape": (-1,)}, {"shape": tuple(reversed(shape))},
                            {"shape": (1,) + tuple(shape)}])


def _reduce_params(args: list) -> SearchStrategy:
    return reduction_kwargs(np.ndim(args[0]))


def _cum_params(args: list) -> SearchStrategy:
    nd = np.ndim(args[0])
    return st.one_of(st.just({}), st.integers(-nd, nd - 1).map(lambda a: {"axis": a})) \
        if nd else st.just({})


def _expand_params(args: list) -> SearchStrategy:
    nd = np.ndim(args[0])
    return st.integers(-nd - 1, nd).map(lambda a: {"axis": a})


def _move_params(args: list) -> SearchStrategy:
    nd = np.ndim(args[0])
    return st.tuples(st.integers(-nd, nd - 1), st.integers(-nd, nd - 1)).map(
        lambda t: {"source": t[0], "destination": t[1]})


def _off_branch_cut(y: Any, x: Any) -> bool:
    """arctan2(y, x) jumps by 2 pi across y == 0 for x < 0 (and is singular at 0)."""
    y, x = np.broadcast_arrays(np.asarray(y), np.asarray(x))
    return bool(np.all((x > 0.2) | (np.abs(y) > 0.2)))


def _well_conditioned(a: Any) -> bool:
    """Square matrices (or batches) with condition number below 20."""
    a = np.asarray(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2] or a.shape[-1] == 0:
        return False
    return bool(np.all(np.linalg.cond(a) < 20.0))


def _matmul_guard(a: Any, b: Any) -> bool:
    sa, sb = np.shape(a), np.shape(b)
    if not sa or not sb:
        return False
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    return k_a == k_b


# Smooth operations a program may use (those registered are used). The
# guards keep every step away from poles, kinks and domain edges.
_OPS = (
    _Op("add", 2), _Op("subtract", 2), _Op("multiply", 2),
    _Op("divide", 2, guard=lambda x, y: _min_abs(y) > 0.3),
    _Op("negative", 1), _Op("square", 1),
    _Op("sin", 1, guard=_abs_below(3.0)), _Op("cos", 1, guard=_abs_below(3.0)),
    _Op("tanh", 1, guard=_abs_below(1.2)), _Op("tan", 1, guard=_abs_below(1.2)),
    _Op("exp", 1, guard=_abs_below(2.5)),
    _Op("log", 1, complex_ok=False, guard=_real_between(0.2, np.inf)),
    _Op("sqrt", 1, complex_ok=False, guard=_real_between(0.2, np.inf)),
    _Op("power", 2, complex_ok=False,
        guard=lambda x, y: _real_between(0.3, 3.0)(x) and _real_between(-2.0, 2.0)(y)),
    _Op("absolute", 1, guard=lambda x: _min_abs(x) > 0.1),
    _Op("maximum", 2, complex_ok=False, guard=_apart),
    _Op("minimum", 2, complex_ok=False, guard=_apart),
    _Op("sinh", 1, guard=_abs_below(2.0)), _Op("cosh", 1, guard=_abs_below(2.0)),
    _Op("arctan", 1, complex_ok=False), _Op("arcsinh", 1, complex_ok=False),
    _Op("expm1", 1, guard=_abs_below(2.0)),
    _Op("log1p", 1, complex_ok=False, guard=_real_between(-0.7, np.inf)),
    _Op("conjugate", 1), _Op("real", 1), _Op("imag", 1),
    _Op("sum", 1, params=_reduce_params), _Op("mean", 1, params=_reduce_params),
    _Op("cumsum", 1, params=_cum_params),
    _Op("transpose", 1, params=_transpose_params),
    _Op("swapaxes", 1, guard=lambda x: np.ndim(x) >= 1, params=_swap_params),
    _Op("reshape", 1, params=_reshape_params),
    _Op("matmul", 2, guard=_matmul_guard),
    _Op("reciprocal", 1, guard=lambda x: _min_abs(x) > 0.3),
    _Op("exp2", 1, guard=_abs_below(2.5)),
    _Op("log2", 1, complex_ok=False, guard=_real_between(0.2, np.inf)),
    _Op("log10", 1, complex_ok=False, guard=_real_between(0.2, np.inf)),
    _Op("cbrt", 1, complex_ok=False, guard=lambda x: _min_abs(x) > 0.2),
    _Op("arcsin", 1, complex_ok=False, guard=_real_between(-0.8, 0.8)),
    _Op("arccos", 1, complex_ok=False, guard=_real_between(-0.8, 0.8)),
    _Op("arctanh", 1, complex_ok=False, guard=_real_between(-0.8, 0.8)),
    _Op("hypot", 2, complex_ok=False, guard=lambda x, y: _min_abs(np.hypot(x, y)) > 0.2),
    _Op("arctan2", 2, complex_ok=False, guard=_off_branch_cut),
    _Op("logaddexp", 2, complex_ok=False),
    _Op("prod", 1, params=_reduce_params),
    _Op("var", 1, complex_ok=False, params=_reduce_params),
    _Op("flip", 1, params=_cum_params),
    _Op("squeeze", 1),
    _Op("expand_dims", 1, params=_expand_params),
    _Op("moveaxis", 1, guard=lambda x: np.ndim(x) >= 1, params=_move_params),
    _Op("diagonal", 1, guard=lambda x: np.ndim(x) >= 2),
    _Op("trace", 1, guard=lambda x: np.ndim(x) >= 2),
    _Op("tril", 1, guard=lambda x: np.ndim(x) >= 2),
    _Op("triu", 1, guard=lambda x: np.ndim(x) >= 2),
    _Op("linalg.inv", 1, guard=_well_conditioned),
    _Op("linalg.det", 1, guard=_well_conditioned),
)


def _available_ops(names: Optional[Sequence[str]], complex_inputs: bool) -> list:
    from ..numpy import REGISTRY
    known = {op.name: op for op in _OPS}
    if names is not None:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"programs: no program recipe for {unknown}; known: {sorted(known)}")
        chosen = [known[n] for n in names]
    else:
        chosen = list(_OPS)
    ops = [op for op in chosen
           if op.name in REGISTRY and REGISTRY[op.name].differentiable
           and (op.complex_ok or not complex_inputs)]
    if not ops:
        raise ValueError("programs: none of the requested operations is registered")
    return ops


@st.composite
def programs(draw: Any, *, min_inputs: int = 1, max_inputs: int = 2, min_steps: int = 1,
             max_steps: int = 4,
             dtype: DTypeLike = np.float64, ops: Optional[Sequence[str]] = None,
             max_dims: int = 2, max_side: int = 3, low: float = -1.5, high: float = 1.5,
             max_value: float = 50.0) -> Program:
    """Random straight-line programs over funcgrad.numpy's registered
    functions, with inputs: draws a :class:`Program` whose ``args`` are
    ``min_inputs..max_inputs`` arrays of ``dtype`` with mutually
    broadcastable shapes (0-d and size-1 axes included) and elements in
    ``[low, high]``.

    Each of ``min_steps..max_steps`` steps applies one operation (``ops``: names
    to choose from; default: every smooth operation with a recipe here that
    the registry provides) to earlier values. A step is kept only if its
    arguments are inside the operation's domain, away from kinks and poles,
    and its result is finite and at most ``max_value`` in magnitude, so the
    program is smooth near ``args`` (a rejected step is redrawn, up to three
    tries per step, so a program may end up shorter than ``min_steps``). Binary steps broadcast; reductions,
    ``transpose``, ``reshape`` and ``matmul`` draw valid parameters.

    >>> from hypothesis import given
    >>> import funcgrad
    >>> from funcgrad.testing import check_grads
    >>> @given(programs())
    ... def test_programs(prog):
    ...     check_grads(prog, prog.args)
    >>> test_programs()
    """
    dt = np.dtype(dtype)
    available = _available_ops(ops, dt.kind == "c")
    n_in = draw(st.integers(min_inputs, max_inputs))
    shapes = draw(mutually_broadcastable_shapes(n_in, max_dims=max_dims, max_side=max_side))
    args = tuple(draw(safe_arrays(s, dt, low, high)) for s in shapes.input_shapes)
    values: list = [np.asarray(a) for a in args]
    steps: list = []
    n_steps = draw(st.integers(min(min_steps, max_steps), max_steps))
    for _ in range(3 * n_steps):  # a step outside its domain is dropped and redrawn
        if len(steps) == n_steps:
            break
        op = draw(st.sampled_from(available))
        # operands count back from the newest value, so programs shrink (and
        # mostly grow) into chains rather than dead branches
        picked = [len(values) - 1 - draw(st.integers(0, len(values) - 1))
                  for _ in range(op.arity)]
        operands = [values[i] for i in picked]
        if not _guard_ok(op, operands):
            continue
        params = draw(op.params(operands)) if op.params is not None else {}
        result = _try_step(op.name, operands, params, max_value)
        if result is None:
            continue
        values.append(result)
        steps.append(Step(op.name, tuple(picked), tuple(params.items())))
    return Program(n_in, tuple(steps), args)


def _guard_ok(op: _Op, operands: list) -> bool:
    if op.guard is None:
        return True
    try:
        with np.errstate(all="ignore"):
            return bool(op.guard(*operands))
    except (ValueError, TypeError, IndexError):  # e.g. shapes that do not broadcast
        return False


def _try_step(name: str, operands: list, params: dict, max_value: float) -> Optional[np.ndarray]:
    """The step's value, or ``None`` if it fails or leaves the safe range."""
    from ..numpy import REGISTRY
    try:
        with np.errstate(all="raise"):
            out = np.asarray(REGISTRY[name].fn(*operands, **params))
    except (ValueError, TypeError, IndexError, FloatingPointError, np.exceptions.AxisError):
        return None
    if out.dtype.kind not in "fc" or not np.all(np.isfinite(out)):
        return None
    if out.size and float(np.max(np.abs(out))) > max_value:
        return None
    return out
