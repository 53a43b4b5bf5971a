"""Batching rules (``vmap``) by kind, for the family tables to declare.

Every rule has the signature of :func:`funcgrad._core.defbatch`:
``rule(prim, vals, batched, params)``, the batched arguments with their
batch axis at 0, returning the result with the batch axis at 0. Rules are
written with funcgrad.numpy calls (and ``prim`` itself), so boxes of outer
traces among ``vals`` record them: batching composes with ``grad``, ``jvp``
and another ``vmap`` in any order.

The kinds: :func:`broadcasting` (elementwise n-ary: batched operands get
unit axes after the batch axis so that NumPy's broadcasting of the
per-example shapes is unchanged), :func:`stacked` (NumPy already maps over
leading axes: ``inv``, ``det``, ``svd``...), :func:`axis_rule` (an ``axis``
parameter shifted past the batch axis, negative and ``None`` included),
and the shape, product, indexing and linear-solve rules below.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from .._core import Box, Primitive
from .._core import batching as _core
from ._registry import namespace as _fnp, shape_of

_MISSING = object()


def _ndim(x: Any) -> int:
    """Number of axes of an argument (``0`` for non-array parameters)."""
    if isinstance(x, (Box, np.ndarray, np.generic)):
        return len(x.shape)
    if isinstance(x, (list, tuple, int, float, complex, bool)):
        return np.ndim(x)
    shape = getattr(x, "shape", None)  # a foreign array (Dask) or a facade tensor
    return len(shape) if isinstance(shape, tuple) else 0


def lift(x: Any, nd: int) -> Any:
    """A batched ``x`` (batch axis 0) with unit axes inserted after the batch
    axis until its per-example rank is ``nd``."""
    shape = tuple(x.shape)
    missing = nd - (len(shape) - 1)
    if missing <= 0:
        return x
    return _fnp().reshape(x, shape[:1] + (1,) * missing + shape[1:])


def per_example_ndim(vals: list, batched: tuple) -> int:
    return max(_ndim(v) - b for v, b in zip(vals, batched))


def broadcasting(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """Elementwise n-ary functions (ufuncs, ``where``, ``clip``, ``astype``)."""
    nd = per_example_ndim(vals, batched)
    vals = [lift(v, nd) if b else v for v, b in zip(vals, batched)]
    return prim(*vals, **params)


def stacked(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """Functions NumPy maps over leading axes of their one array argument."""
    return prim(*vals, **params)


def _get(vals: list, params: dict, pos: int, name: str, default: Any) -> Any:
    if name in params:
        return params[name]
    return vals[pos] if pos < len(vals) else default


def _put(vals: list, params: dict, pos: int, name: str, value: Any) -> tuple:
    if name in params or pos >= len(vals):
        return vals, {**params, name: value}
    vals = list(vals)
    vals[pos] = value
    return vals, params


def shift_axis(axis: Any, nd: int) -> Any:
    """A per-example ``axis`` (int or tuple, negative allowed) as an axis of
    the batched value (batch axis 0). ``None`` stays ``None``."""
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(shift_axis(a, nd) for a in axis)
    a = int(axis)
    if not -nd <= a < max(nd, 1) and not (nd == 0 and a in (0, -1)):
        raise np.exceptions.AxisError(a, nd)
    return a % nd + 1 if nd else 1


def axis_rule(name: str = "axis", pos: int = 1, *, none: str = "all", default: Any = None) -> Any:
    """A rule for a function of one array with an axis parameter ``name``
    (positional index ``pos``). ``none`` says what ``axis=None`` means:
    ``"all"`` (every per-example axis: reductions), ``"flat"`` (flatten
    each example first: ``argmax``, ``cumsum``, ``roll``) or ``"keep"``
    (``None`` is not an axis here). ``default``: the axis when not given."""
    def rule(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
        x = vals[0]
        nd = len(x.shape) - 1
        axis = _get(vals, params, pos, name, default)
        if axis is None and none == "all":
            vals, params = _put(vals, params, pos, name, tuple(range(1, nd + 1)))
            return prim(*vals, **params)
        if axis is None and none == "flat":
            fnp = _fnp()
            flat = fnp.reshape(x, (x.shape[0], -1))
            vals, params = _put([flat] + list(vals[1:]), params, pos, name, 1)
            out = prim(*vals, **params)
            keep = params.get("keepdims", False)
            if keep is True:
                return fnp.reshape(out, (x.shape[0],) + (1,) * nd)
            if prim.name == "roll":
                return fnp.reshape(out, tuple(x.shape))
            return out
        vals, params = _put(vals, params, pos, name, shift_axis(axis, nd))
        return prim(*vals, **params)
    return rule


def axis_pair_rule(pos1: int, pos2: int) -> Any:
    """``swapaxes(x, axis1, axis2)``: both axes shifted."""
    def rule(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
        nd = len(vals[0].shape) - 1
        vals, params = _put(vals, params, pos1, "axis1", shift_axis(_get(vals, params, pos1, "axis1", 0), nd))
        vals, params = _put(vals, params, pos2, "axis2", shift_axis(_get(vals, params, pos2, "axis2", 1), nd))
        return prim(*vals, **params)
    return rule


# --- shape functions ---------------------------------------------------------------
def reshape(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    x = vals[0]
    shape = _get(vals, params, 1, "shape", None)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    order = _get(vals, params, 2, "order", "C")
    n = x.shape[0]
    fnp = _fnp()
    if order == "F":  # the batch axis last, where Fortran order keeps it apart
        moved = fnp.moveaxis(x, 0, -1)
        out = prim(moved, shape + (n,), "F")
        return fnp.moveaxis(out, -1, 0)
    return prim(x, (n,) + shape, order)


def transpose(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    x = vals[0]
    nd = len(x.shape) - 1
    axes = _get(vals, params, 1, "axes", None)
    if axes is None:
        new = (0,) + tuple(range(nd, 0, -1))
    else:
        new = (0,) + tuple(shift_axis(a, nd) for a in axes)
    vals, params = _put(vals, params, 1, "axes", new)
    return prim(*vals, **params)


def broadcast_to(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    x = vals[0]
    shape = _get(vals, params, 1, "shape", None)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    vals, params = _put([lift(x, len(shape))] + list(vals[1:]), params, 1, "shape",
                        (x.shape[0],) + shape)
    return prim(*vals, **params)


def _broadcast_batch(x: Any, b: bool, n: int) -> Any:
    """``x`` with a batch axis of size ``n`` (a broadcast view if unbatched)."""
    if b:
        return x
    fnp = _fnp()
    shape = tuple(shape_of(x))
    return fnp.broadcast_to(x, (n,) + shape)


def batch_size(vals: list, batched: tuple) -> int:
    return next(v.shape[0] for v, b in zip(vals, batched) if b)


def concatenate(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    n = batch_size(vals, batched)
    xs = [_broadcast_batch(v, b, n) for v, b in zip(vals, batched)]
    axis = params.get("axis", 0)
    if axis is None:
        fnp = _fnp()
        xs = [fnp.reshape(x, (n, -1)) for x in xs]
        return prim(*xs, **{**params, "axis": 1})
    nd = len(xs[0].shape) - 1
    return prim(*xs, **{**params, "axis": shift_axis(axis, nd)})


# --- products ------------------------------------------------------------------------
def matmul(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """``a @ b`` per example: a batched 1-d operand becomes a stack of row
    (``a``) or column (``b``) matrices, whose unit axis is dropped after;
    stack axes are aligned as for :func:`broadcasting`."""
    fnp = _fnp()
    (a, b), (ba, bb) = vals, batched
    a_vec = ba and len(a.shape) == 2
    b_vec = bb and len(b.shape) == 2
    if a_vec:
        a = fnp.reshape(a, (a.shape[0], 1, a.shape[1]))
    if b_vec:
        b = fnp.reshape(b, tuple(b.shape) + (1,))
    nd = max(_ndim(a) - ba, _ndim(b) - bb)
    if nd > 1:
        a = lift(a, nd) if ba else a
        b = lift(b, nd) if bb else b
    out = prim(a, b, **params)
    if not (a_vec or b_vec):
        return out
    shape = tuple(out.shape)
    drop = set()
    if b_vec:
        drop.add(len(shape) - 1)
    if a_vec:  # its row axis: before b's column axis if b has one
        drop.add(len(shape) - (2 if b_vec or _ndim(b) - bb >= 2 else 1))
    return fnp.reshape(out, tuple(d for k, d in enumerate(shape) if k not in drop))


def contract(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """The einsum contraction (integer sublists): the batch gets a label of
    its own, on the batched operands and first in the output."""
    ins, out = params["ins"], params["out"]
    label = max([max(t, default=-1) for t in ins] + [max(out, default=-1)]) + 1
    if label > 51:
        return _core.loop_rule(prim, vals, batched, params)
    new_ins = tuple(((label,) + tuple(t)) if b else tuple(t) for t, b in zip(ins, batched))
    return prim(*vals, ins=new_ins, out=(label,) + tuple(out), native=None)


def solve(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """``solve(a, b)`` per example; a per-example 1-d ``b`` is a column."""
    fnp = _fnp()
    (a, b), (ba, bb) = vals, batched
    vector = _ndim(b) - bb == 1
    if vector:
        b = fnp.reshape(b, tuple(b.shape) + (1,))
    nd = max(_ndim(a) - ba, _ndim(b) - bb)
    a = lift(a, nd) if ba else a
    b = lift(b, nd) if bb else b
    if not ba:  # NumPy broadcasts a's stack axes against b's
        pass
    out = prim(a, b, **params)
    if vector:
        out = fnp.reshape(out, tuple(out.shape)[:-1])
    return out


# --- indexing --------------------------------------------------------------------------
def _is_advanced(i: Any) -> bool:
    return isinstance(i, np.ndarray) or isinstance(i, Box)


def _advanced_layout(index: tuple) -> tuple[bool, int]:
    """For a per-example ``index`` (a normalised tuple): whether it has
    advanced parts, and whether those are adjacent."""
    arrays = [k for k, i in enumerate(index) if _is_advanced(i)]
    if not arrays:
        return False, True
    adv = [k for k, i in enumerate(index)
           if _is_advanced(i) or isinstance(i, (int, np.integer)) and not isinstance(i, bool)]
    return True, adv == list(range(adv[0], adv[-1] + 1))


def _adv_ndim(index: tuple) -> int:
    shapes = []
    for i in index:
        if isinstance(i, np.ndarray):
            shapes.append(i.shape if i.dtype.kind != "b" else (int(np.count_nonzero(i)),))
        elif isinstance(i, Box):
            shapes.append(tuple(i.shape))
    return len(np.broadcast_shapes(*shapes)) if shapes else 0


def getitem(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """``x[index]`` for a batched ``x`` and a constant index: a full slice
    for the batch axis in front; when the index's advanced parts are apart
    (NumPy then puts their axes first) the batch axis is moved back to 0."""
    x = vals[0]
    index = params["index"]
    out = prim(x, index=(slice(None),) + tuple(index))
    has_adv, adjacent = _advanced_layout(tuple(index))
    if has_adv and not adjacent:
        return _fnp().moveaxis(out, _adv_ndim(tuple(index)), 0)
    return out


def scatter_add(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """The transpose of :func:`getitem`: ``v`` laid out as getitem's result."""
    v = vals[0]
    index = tuple(params["index"])
    n = v.shape[0]
    has_adv, adjacent = _advanced_layout(index)
    if has_adv and not adjacent:
        v = _fnp().moveaxis(v, 0, _adv_ndim(index))
    return prim(v, shape=(n,) + tuple(params["shape"]), index=(slice(None),) + index)


# --- boolean reductions of two operands -------------------------------------------------
def all_of(test: str, *, same_shape: bool = False) -> Any:
    """``allclose``/``array_equiv``/``array_equal`` per example: ``all`` of the
    elementwise ``test`` over each example (``same_shape``: ``False`` when
    the per-example shapes differ, as ``array_equal``)."""
    def rule(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
        fnp = _fnp()
        n = batch_size(vals, batched)
        a, b = vals[:2]
        shapes = [tuple(shape_of(v))[1:] if bt else tuple(shape_of(v))
                  for v, bt in zip((a, b), batched)]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            return np.zeros(n, bool)
        if same_shape and shapes[0] != shapes[1]:
            return np.zeros(n, bool)
        nd = max(len(s) for s in shapes)
        a, b = (lift(v, nd) if bt else v for v, bt in zip((a, b), batched))
        kw = dict(params)
        equal_nan = kw.pop("equal_nan", False) if test == "equal" else False
        ok = getattr(fnp, test)(a, b, **kw)
        if equal_nan:
            ok = fnp.logical_or(ok, fnp.logical_and(fnp.isnan(a), fnp.isnan(b)))
        ok = fnp.broadcast_to(ok, (n,) + tuple(ok.shape)[1:]) if tuple(ok.shape)[:1] != (n,) else ok
        return fnp.all(fnp.reshape(ok, (n, -1)), axis=1)
    return rule


def gather(x: Any, index: Any) -> Any:
    """``x[index]`` where some index arrays are batched (``vmap`` over the
    indices): one advanced index, with ``arange(n)`` for the batch axis in
    front, on ``x`` broadcast along the batch if it is not batched."""
    fnp = _fnp()
    parts = index if isinstance(index, tuple) else (index,)
    trace = _core.batched_traces(parts)[0]
    if isinstance(x, Box) and x._trace.level > trace.level:
        raise NotImplementedError(
            "vmap: indexing a value traced inside the vmapped function (by grad, jvp or an "
            "inner vmap) with indices batched by an outer vmap is not supported yet; "
            "batch the indexed array instead, or use funcgrad.numpy.where/one-hot products.")
    n = trace.size
    if isinstance(x, Box) and x._trace is trace:
        xv = x._value
    else:
        xv = fnp.broadcast_to(x, (n,) + tuple(shape_of(x)))
    per_ex_nd = len(xv.shape) - 1
    opened, mine, adv_nd = [], [], 0
    for i in parts:
        if isinstance(i, Box) and i._trace is trace:
            if np.dtype(i.dtype).kind not in "iu":
                raise IndexError("vmap: batched indices must be integer arrays (a batched "
                                 "boolean mask would give each example its own shape)")
            opened.append(i._value)
            mine.append(True)
            adv_nd = max(adv_nd, len(i.shape))
        else:
            if isinstance(i, list):
                i = np.asarray(i)
            opened.append(i)
            mine.append(False)
            if isinstance(i, (np.ndarray, Box)):
                adv_nd = max(adv_nd, len(shape_of(i)))
    opened = [lift(v, adv_nd) if m else v for v, m in zip(opened, mine)]
    bidx = np.arange(n).reshape((n,) + (1,) * adv_nd)
    out = fnp.getitem(xv, (bidx,) + tuple(opened))
    # NumPy puts the advanced block first (after bidx, which starts it); per
    # example it sits where the first advanced part is when they are adjacent.
    probe = tuple(np.zeros((1,) * adv_nd, np.intp) if m else i for i, m in zip(parts, mine))
    norm = tuple(p if not isinstance(p, Box) else np.zeros(tuple(p.shape), np.intp) for p in probe)
    has_adv, adjacent = _advanced_layout(norm)
    if adjacent:
        first = next(k for k, p in enumerate(norm)
                     if _is_advanced(p) or isinstance(p, (int, np.integer)))
        before = 0
        for p in norm[:first]:
            if p is Ellipsis:
                used = sum(1 for q in norm if q is not None and q is not Ellipsis and not (
                    isinstance(q, np.ndarray) and q.dtype.kind == "b")) + sum(
                    q.ndim for q in norm if isinstance(q, np.ndarray) and q.dtype.kind == "b")
                before += per_ex_nd - used
            else:
                before += 1
        if before:
            nd_out = len(out.shape)
            block = list(range(1, 1 + adv_nd))
            rest = [d for d in range(1, nd_out) if d not in block]
            order = [0] + rest[:before] + block + rest[before:]
            out = fnp.transpose(out, tuple(order))
    return trace.box(out)


# --- the documented exceptions ------------------------------------------------------------
LOOPED: dict = {
    "convolve": "1-d only in NumPy: one `convolve` per example",
    "correlate": "1-d only in NumPy: one `convolve` per example",
    "linalg.lstsq": "NumPy's `lstsq` takes one matrix: one solve per example",
    "polymul": "trims leading zeros of concrete values: one call per example",
    "polydiv": "trims leading zeros of concrete values: one call per example",
    "poly": "NumPy's `poly` on concrete values: one call per example",
    "roots": "trims zeros of concrete values: one call per example",
    "polyfit": "one least-squares fit per example",
    "unwrap": "jumps found on concrete values: one call per example",
    "interp": "intervals found on concrete values: one call per example",
    "piecewise": "conditions evaluated on concrete values: one call per example",
    "trim_zeros": "the result's length depends on the values: one call per example",
}
"""Registered functions that ``vmap`` batches by a loop over the examples
(docs/numpy-coverage.md's batching column; at most 5% of the differentiable ones)."""


PARTLY_LOOPED: dict = {
    name: "a batched `q`: one call per example"
    for name in ("quantile", "percentile", "nanquantile", "nanpercentile")}
"""Functions batched by rules except for some arguments."""


FACADE_LOOPED = frozenset({"gather", "scatter_add_along", "index_put", "norm2", "zero_grad_op"})
"""The torch facade's primitives without a batching rule yet (one call per example)."""

_looped_primitives: set = {"convolve", "lstsq", *FACADE_LOOPED}


def declare_looped(*prims: Primitive) -> None:
    """Declare that ``prims`` have no batching rule yet: under ``vmap`` they
    run once per example (``batching.loop_rule``). The module that defines
    them says so in its docs (docs/scipy.md, docs/facade.md); the registry
    tests fail for a loop that was not declared."""
    _looped_primitives.update(p.name for p in prims)


def looped_primitives() -> set:
    """Names of the primitives without a batching rule whose loop is declared:
    :data:`LOOPED`'s, the facade's and those of :func:`declare_looped`."""
    return set(_looped_primitives)


# --- per-example fallbacks at the function level ------------------------------------------
def _opened(x: Any, trace: Any, k: Any) -> Any:
    """``x`` with ``trace``'s boxes opened (``k``: only example ``k``)."""
    if isinstance(x, Box) and x._trace is trace:
        return x._value if k is None else _fnp().getitem(x._value, k)
    if type(x) in (list, tuple):
        return type(x)(_opened(v, trace, k) for v in x)
    if type(x) is dict:
        return {key: _opened(v, trace, k) for key, v in x.items()}
    return x


def per_example_call(fn: Any, args: tuple, kwargs: dict, name: str, *,
                     merge_equal: bool = False) -> Any:
    """``fn`` once per example of the innermost batch trace among the
    arguments, results stacked along a new batch axis (tuples entry by
    entry). ``merge_equal``: a result the same for every example (a
    constant) is returned once, unbatched."""
    trace = _core.batched_traces((args, kwargs))[0]
    outs = [fn(*_opened(args, trace, k), **_opened(kwargs, trace, k)) for k in range(trace.size)]
    if not outs:
        raise ValueError(f"vmap: {name} is batched by a loop over the examples, which cannot "
                         "work out the result of an empty batch")
    first = outs[0]
    if merge_equal and not _core.batched_traces(outs) and not any(
            isinstance(o, Box) for o in outs) and all(_same(first, o) for o in outs[1:]):
        return first
    fnp = _fnp()
    try:
        if isinstance(first, tuple):
            parts = [trace.box(fnp.stack([o[j] for o in outs])) for j in range(len(first))]
            return type(first)(*parts) if hasattr(first, "_fields") else tuple(parts)
        return trace.box(fnp.stack(outs))
    except ValueError as e:
        raise ValueError(f"vmap: {name} gives results of different shapes for different "
                         "examples, which cannot be batched (as in JAX, shapes must not "
                         "depend on values)") from e


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(np.shape(a) == np.shape(b) and np.array_equal(a, b) and
                    np.result_type(a) == np.result_type(b))
    except (TypeError, ValueError):
        return bool(a == b)


def loop_functions(namespace: dict, *names: str) -> None:
    """Make the registered functions ``names`` of a family module (its
    ``globals()``) batch by :func:`per_example_call` (listed in
    :data:`LOOPED`, so docs/numpy-coverage.md shows them)."""
    import dataclasses
    import functools
    from ._registry import REGISTRY
    for name in names:
        fn = namespace[name.split(".")[-1]]

        def looped(*args: Any, __fn: Any = fn, __name: str = name, **kwargs: Any) -> Any:
            if _core.batched_traces((args, kwargs)):
                return per_example_call(looped_fns[__name], args, kwargs, f"numpy.{__name}")
            return __fn(*args, **kwargs)
        functools.update_wrapper(looped, fn)
        looped_fns[name] = looped
        namespace[name.split(".")[-1]] = looped
        REGISTRY[name] = dataclasses.replace(REGISTRY[name], fn=looped)


looped_fns: dict = {}


def batched_box(x: Any) -> Optional[Any]:
    """The batch trace whose box ``x`` is (``None`` if it is none's)."""
    if isinstance(x, Box) and type(x._trace) is _core.BatchTrace:
        return x._trace
    return None


def quantile_batched(quantile: Any, a: Any, q: Any, axis: Any, *rest: Any) -> Any:
    """``quantile`` (reductions._quantile) of a batched ``a``: the batched
    value with the axes shifted (its rows are every example's rows); the
    axes of an array ``q`` come first in NumPy's result, so the batch axis
    moves back to 0."""
    trace = a._trace
    value = a._value
    nd = len(a.shape)
    if nd == 0:
        value = _fnp().reshape(value, (trace.size, 1))
        axes: Any = 1
    elif axis is None:
        axes = tuple(range(1, nd + 1))
    else:
        axes = shift_axis(axis, nd)
    out = quantile(value, q, axes, *rest)
    kq = np.ndim(q) if not isinstance(q, Box) else len(q.shape)
    if kq:
        out = _fnp().moveaxis(out, kq, 0)
    if nd == 0:  # (keepdims of a 0-d example keeps no axis)
        out = _fnp().reshape(out, tuple(out.shape)[:1 + kq])
    return trace.box(out)
