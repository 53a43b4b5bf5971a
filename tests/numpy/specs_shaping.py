"""Specs for shape manipulation, joining/splitting and combining functions
(funcgrad/numpy/shaping.py, assembly.py, combining.py).

Shapes and axes are drawn by hypothesis (negative axes included); inputs
that would put a finite-difference step across a kink (ties in ``sort``,
knots in ``interp``) are kept apart.
"""
import numpy as np
from hypothesis import assume, strategies as st

from .specs import Spec, arrays, fixed, shapes

# --- strategy helpers -----------------------------------------------------------


def _axis(ndim):
    """An axis of an ``ndim``-d array, negative half of the time."""
    return st.integers(-ndim, ndim - 1)


@st.composite
def _one(draw, min_dims=0, max_dims=3, max_side=3, min_side=1, lo=-2.0, hi=2.0):
    return draw(arrays(draw(shapes(min_dims, max_dims, min_side, max_side)), lo, hi))


def _with(build):
    """Spec args from a composite that returns (args, kwargs)."""
    return st.composite(build)()


def _distinct(x, gap=1e-3):
    v = np.sort(np.asarray(x).ravel())
    return v.size < 2 or np.min(np.diff(v)) > gap


# --- reshaping --------------------------------------------------------------------
def _reshape(draw):
    x = draw(_one())
    n = x.size
    target = draw(st.sampled_from([(-1,), (n,), x.shape[::-1], (1, -1), (-1, 1), ()
                                   if n == 1 else (n, 1)]))
    order = draw(st.sampled_from(["C", "F"]))
    return (x, target), {"order": order}


def _ravel(draw):
    return (draw(_one()),), {"order": draw(st.sampled_from(["C", "F", "A", "K"]))}


def _transpose(draw):
    x = draw(_one())
    if draw(st.booleans()):
        return (x,), {}
    perm = draw(st.permutations(range(x.ndim)))
    axes = tuple(a - x.ndim if draw(st.booleans()) else a for a in perm)
    return (x, axes), {}


def _moveaxis(draw):
    x = draw(_one(min_dims=1))
    k = draw(st.integers(1, x.ndim))
    src = draw(st.permutations(range(x.ndim)))[:k]
    dst = draw(st.permutations(range(x.ndim)))[:k]
    src = [s - x.ndim if draw(st.booleans()) else s for s in src]
    if k == 1 and draw(st.booleans()):
        return (x, src[0], dst[0]), {}
    return (x, src, dst), {}


def _swapaxes(draw):
    x = draw(_one(min_dims=1))
    return (x, draw(_axis(x.ndim)), draw(_axis(x.ndim))), {}


def _squeeze(draw):
    shape = draw(st.lists(st.sampled_from([1, 1, 2, 3]), max_size=4).map(tuple))
    x = draw(arrays(shape))
    ones = [i for i, s in enumerate(shape) if s == 1]
    if ones and draw(st.booleans()):
        picked = draw(st.lists(st.sampled_from(ones), min_size=1, unique=True))
        axes = tuple(a - len(shape) if draw(st.booleans()) else a for a in picked)
        return (x,), {"axis": axes if len(axes) > 1 else axes[0]}
    return (x,), {}


def _expand_dims(draw):
    x = draw(_one())
    k = draw(st.integers(1, 2))
    n = x.ndim + k
    picked = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
    axes = tuple(a - n if draw(st.booleans()) else a for a in picked)
    return (x, axes if k > 1 else axes[0]), {}


def _broadcast_to(draw):
    x = draw(_one())
    extra = draw(st.lists(st.integers(1, 3), max_size=2))
    target = tuple(extra) + tuple(draw(st.integers(1, 3)) if s == 1 else s for s in x.shape)
    return (x, target), {}


def _pair(draw):
    from hypothesis.extra import numpy as hnp
    (s1, s2), _ = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    return (draw(arrays(s1)), draw(arrays(s2))), {}


def _atleast_many(draw):
    return (draw(_one()), draw(_one())), {}


# --- joining -----------------------------------------------------------------------
@st.composite
def _joinable(draw, min_dims=1, max_dims=3, count=(1, 3), vary=True):
    """Arrays equal in shape except along one axis; returns (arrays, axis)."""
    shape = list(draw(shapes(min_dims, max_dims)))
    axis = draw(_axis(len(shape))) if shape else 0
    out = []
    for _ in range(draw(st.integers(*count))):
        s = list(shape)
        if vary and shape:
            s[axis] = draw(st.integers(1, 3))
        out.append(draw(arrays(tuple(s))))
    return out, axis


def _concatenate(draw):
    if draw(st.booleans()):
        xs = [draw(_one()) for _ in range(draw(st.integers(1, 3)))]
        return (xs,), {"axis": None}
    xs, axis = draw(_joinable())
    return (xs,), {"axis": axis}


def _stack(draw):
    xs, _ = draw(_joinable(min_dims=0, vary=False))
    n = xs[0].ndim + 1
    return (xs,), {"axis": draw(st.integers(-n, n - 1))}


def _hstack(draw):
    nd = draw(st.integers(0, 3))
    if nd == 0:
        return ([draw(arrays(())) for _ in range(2)],), {}
    shape = list(draw(shapes(nd, nd)))
    ax = 0 if nd == 1 else 1
    xs = []
    for _ in range(draw(st.integers(1, 3))):
        shape[ax] = draw(st.integers(1, 3))
        xs.append(draw(arrays(tuple(shape))))
    return (xs,), {}


def _same_shape_then(axis_at):
    def build(draw):
        nd = draw(st.integers(0, 3))
        shape = list(draw(shapes(nd, nd)))
        xs = []
        for _ in range(draw(st.integers(1, 3))):
            if nd > max(axis_at, 1):
                shape[axis_at] = draw(st.integers(1, 3))
            xs.append(draw(arrays(tuple(shape))))
        return (xs,), {}
    return build


def _column_stack(draw):
    n = draw(st.integers(1, 3))
    xs = []
    for _ in range(draw(st.integers(1, 3))):
        xs.append(draw(arrays((n,) if draw(st.booleans()) else (n, draw(st.integers(1, 2))))))
    return (xs,), {}


def _nested(draw):
    shape = draw(shapes(0, 2))
    rows = [[draw(arrays(shape)) for _ in range(2)] for _ in range(draw(st.integers(1, 2)))]
    return (rows if draw(st.booleans()) else rows[0],), {}


# --- splitting ---------------------------------------------------------------------
def _indices(draw, n):
    return draw(st.lists(st.integers(-n - 1, n + 1), max_size=3))


def _split(draw):
    x = draw(_one(min_dims=1))
    axis = draw(_axis(x.ndim))
    n = x.shape[axis]
    if draw(st.booleans()):
        sections = draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
        return (x, sections), {"axis": axis}
    return (x, _indices(draw, n)), {"axis": axis}


def _array_split(draw):
    x = draw(_one(min_dims=1))
    axis = draw(_axis(x.ndim))
    ios = draw(st.integers(1, 4)) if draw(st.booleans()) else _indices(draw, x.shape[axis])
    return (x, ios), {"axis": axis}


def _split_at(min_dims, axis_of):
    def build(draw):
        x = draw(_one(min_dims=min_dims))
        return (x, _indices(draw, x.shape[axis_of(x)])), {}
    return build


def _unstack(draw):
    x = draw(_one(min_dims=1))
    return (x,), {"axis": draw(_axis(x.ndim))}


# --- tiling, flipping, rolling ------------------------------------------------------
def _tile(draw):
    x = draw(_one(max_side=2))
    reps = draw(st.lists(st.integers(0, 2), max_size=3).map(tuple) | st.integers(1, 2))
    return (x, reps), {}


def _repeat(draw):
    x = draw(_one())
    axis = draw(st.none() | _axis(x.ndim)) if x.ndim else None
    n = x.size if axis is None else x.shape[axis]
    if draw(st.booleans()):
        reps = draw(st.integers(0, 2))
    else:
        reps = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return (x, reps), {"axis": axis}


def _flip(draw):
    x = draw(_one())
    if x.ndim and draw(st.booleans()):
        axes = draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True))
        axes = [a - x.ndim if draw(st.booleans()) else a for a in axes]
        return (x,), {"axis": tuple(axes) if len(axes) > 1 else axes[0]}
    return (x,), {}


def _roll(draw):
    x = draw(_one())
    if x.ndim and draw(st.booleans()):
        k = draw(st.integers(1, 2))
        axes = [draw(_axis(x.ndim)) for _ in range(k)]
        shifts = [draw(st.integers(-4, 4)) for _ in range(k)]
        if k == 1:
            return (x, shifts[0]), {"axis": axes[0]}
        return (x, tuple(shifts)), {"axis": tuple(axes)}
    return (x, draw(st.integers(-4, 4))), {}


def _rot90(draw):
    x = draw(_one(min_dims=2))
    a0, a1 = draw(st.lists(st.integers(0, x.ndim - 1), min_size=2, max_size=2, unique=True))
    a0 = a0 - x.ndim if draw(st.booleans()) else a0
    return (x,), {"k": draw(st.integers(-3, 5)), "axes": (a0, a1)}


def _pad(draw):
    x = draw(_one())
    mode = draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]))
    form = draw(st.integers(0, 2 if x.ndim else 1))
    if form == 0:
        width = draw(st.integers(0, 3))
    elif form == 1:
        width = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    else:
        width = [(draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(x.ndim)]
    kwargs = {"mode": mode}
    if mode == "constant" and draw(st.booleans()):
        kwargs["constant_values"] = draw(st.sampled_from([1.5, (1.0, -2.0)]))
    if mode in ("reflect", "symmetric") and draw(st.booleans()):
        kwargs["reflect_type"] = "odd"
    return (x, width), kwargs


def _pad_computed(draw):
    x = draw(_one(min_dims=1).filter(_distinct))  # no ties for max/min/median
    mode = draw(st.sampled_from(["linear_ramp", "maximum", "minimum", "mean", "median"]))
    width = draw(st.integers(0, 2)) if draw(st.booleans()) else [
        (draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(x.ndim)]
    kwargs = {"mode": mode}
    if mode == "linear_ramp" and draw(st.booleans()):
        kwargs["end_values"] = draw(st.sampled_from([1.5, (1.0, -2.0)]))
    if mode != "linear_ramp" and draw(st.booleans()):
        kwargs["stat_length"] = draw(st.sampled_from([1, 2, (1, 3)]))
    return (x, width), kwargs


def _pad_traced_constant(draw):
    x = draw(_one(max_dims=2))
    return (x, 1), {"constant_values": draw(arrays(()))}


# --- diagonals ------------------------------------------------------------------------
def _diag(draw):
    x = draw(_one(min_dims=1, max_dims=2))
    return (x,), {"k": draw(st.integers(-3, 3))}


def _diagflat(draw):
    x = draw(_one(max_dims=2))
    return (x,), {"k": draw(st.integers(-2, 2))}


def _diagonal(draw):
    x = draw(_one(min_dims=2))
    a1, a2 = draw(st.lists(st.integers(0, x.ndim - 1), min_size=2, max_size=2, unique=True))
    a1 = a1 - x.ndim if draw(st.booleans()) else a1
    return (x,), {"offset": draw(st.integers(-3, 3)), "axis1": a1, "axis2": a2}


def _tri(draw):
    x = draw(_one(min_dims=1))
    return (x,), {"k": draw(st.integers(-3, 3))}


# --- sorting -----------------------------------------------------------------------------
def _sort(draw):
    x = draw(_one(min_dims=1).filter(_distinct))
    return (x,), {"axis": draw(st.none() | _axis(x.ndim))}


def _partition(draw):
    x = draw(_one(min_dims=1).filter(_distinct))
    axis = draw(_axis(x.ndim))
    return (x, draw(st.integers(0, x.shape[axis] - 1))), {"axis": axis}


# --- building, inserting, deleting ---------------------------------------------------------
def _append(draw):
    if draw(st.booleans()):
        return (draw(_one()), draw(_one())), {}
    xs, axis = draw(_joinable(count=(2, 2)))
    return (xs[0], xs[1]), {"axis": axis}


def _insert(draw):
    x = draw(_one(min_dims=1))
    if draw(st.booleans()):
        axis = None
        n = x.size
    else:
        axis = draw(_axis(x.ndim))
        n = x.shape[axis]
    kind = draw(st.integers(0, 2))
    if kind == 0:
        obj = draw(st.integers(-n, n))
    elif kind == 1:
        obj = draw(st.lists(st.integers(-n, n), min_size=1, max_size=3))
    else:
        obj = slice(0, n, 2)
    count = {0: 1, 1: len(obj) if kind == 1 else 1, 2: len(range(0, n, 2))}[kind]
    if draw(st.booleans()):
        values = draw(arrays(()))
    elif axis is None:
        values = draw(arrays((count,)))
    else:
        shape = list(x.shape)
        shape[axis] = count
        values = draw(arrays(tuple(shape)))
    try:
        np.insert(x, obj, values, axis=axis)
    except ValueError:
        assume(False)
    return (x, obj, values), {"axis": axis}


def _delete(draw):
    x = draw(_one(min_dims=1))
    axis = draw(st.none() | _axis(x.ndim))
    n = x.size if axis is None else x.shape[axis]
    obj = draw(st.one_of(st.integers(-n, n - 1),
                         st.lists(st.integers(-n, n - 1), max_size=3),
                         st.just(slice(1, None, 2)),
                         st.lists(st.booleans(), min_size=n, max_size=n).map(np.array)))
    return (x, obj), {"axis": axis}


def _resize(draw):
    x = draw(_one())
    return (x, draw(st.lists(st.integers(0, 4), max_size=3).map(tuple) | st.integers(0, 5))), {}


def _meshgrid(count):
    def build(draw):
        xs = tuple(draw(arrays((draw(st.integers(1, 3)),))) for _ in range(count))
        return xs, {"indexing": draw(st.sampled_from(["xy", "ij"])),
                    "sparse": draw(st.booleans())}
    return build


# --- combining ---------------------------------------------------------------------------------
def _diff(draw, extras=False):
    x = draw(_one(min_dims=1))
    axis = draw(_axis(x.ndim))
    kwargs = {"n": draw(st.integers(0, 2)), "axis": axis}
    for key in ("prepend", "append"):
        if extras and draw(st.booleans()):
            if draw(st.booleans()):
                kwargs[key] = 0.5
            else:
                shape = list(x.shape)
                shape[axis] = draw(st.integers(1, 2))
                kwargs[key] = draw(arrays(tuple(shape)))
    return (x,), kwargs


def _ediff1d(draw):
    x = draw(_one())
    kwargs = {}
    if draw(st.booleans()):
        kwargs["to_begin"] = draw(arrays((draw(st.integers(0, 2)),)))
    if draw(st.booleans()):
        kwargs["to_end"] = -1.0
    return (x,), kwargs


def _kron(draw):
    return (draw(_one(max_dims=2, max_side=2)), draw(_one(max_dims=3, max_side=2))), {}


def _cross(draw):
    na, nb = draw(st.sampled_from([(3, 3), (3, 3), (2, 3), (3, 2), (2, 2)]))
    batch = draw(shapes(0, 1))
    a = draw(arrays(batch + (na,)))
    b = draw(arrays((nb,) + batch)) if draw(st.booleans()) else draw(arrays(batch + (nb,)))
    kwargs = {"axisb": 0 if b.shape[0] == nb and b.ndim > 1 else -1}
    if na == 3 or nb == 3:
        kwargs["axisc"] = draw(st.integers(-(len(batch) + 1), len(batch)))
    return (a, b), kwargs


def _conv(draw):
    a = draw(arrays((draw(st.integers(1, 5)),)))
    v = draw(arrays((draw(st.integers(1, 5)),)))
    return (a, v, draw(st.sampled_from(["full", "same", "valid"]))), {}


def _complex_conv(draw):
    (a, v, mode), _ = _conv(draw)
    a2 = draw(arrays(a.shape))
    v2 = draw(arrays(v.shape))
    return (a + 1j * a2, v + 1j * v2, mode), {}


def _polyval(draw):
    return (draw(arrays((draw(st.integers(1, 4)),))), draw(_one(max_dims=2))), {}


def _interp(draw):
    m = draw(st.integers(1, 4))
    gaps = draw(arrays((m,), 0.2, 1.0))
    xp = np.cumsum(gaps) - 1.0
    fp = draw(arrays((m,)))
    x = draw(_one(max_dims=2, lo=-1.5, hi=3.5))
    assume(np.min(np.abs(x.reshape(-1, 1) - xp.reshape(1, -1)), initial=1.0) > 1e-3)
    kwargs = {}
    if draw(st.booleans()):
        kwargs["left"] = -3.0
    if draw(st.booleans()):
        kwargs["right"] = 3.0
    return (x, xp, fp), kwargs


def _interp_period(draw):
    m = draw(st.integers(2, 4))
    xp = np.sort(draw(arrays((m,), 0.0, 3.0).filter(lambda v: _distinct(v, 0.1))))
    fp = draw(arrays((m,)))
    x = draw(_one(max_dims=1, lo=-4.0, hi=7.0))
    per = 3.5
    assume(np.min(np.abs((x.reshape(-1, 1) - xp.reshape(1, -1) + per / 2) % per - per / 2),
                  initial=1.0) > 1e-3)
    return (x, xp, fp), {"period": per}


def _rollaxis(draw):
    x = draw(_one(min_dims=1))
    n = x.ndim
    return (x, draw(_axis(n))), {"start": draw(st.integers(-n, n))}


def _block(draw):
    """Nested lists of blocks that fit: a grid of rows, each row's blocks
    sharing a height, every row the same total width."""
    rows = draw(st.integers(1, 2))
    width = draw(st.integers(2, 4))
    grid = []
    for _ in range(rows):
        height = draw(st.integers(1, 2))
        cut = draw(st.integers(1, width - 1))
        grid.append([draw(arrays((height, cut))), draw(arrays((height, width - cut)))])
    if draw(st.booleans()):
        grid[0][0] = draw(arrays(())) if grid[0][0].size == 1 else grid[0][0]
    return (grid,), {}


def _block_1d(draw):
    return ([draw(arrays((draw(st.integers(1, 3)),))), draw(arrays(()))],), {}


def _polypair(draw):
    return (draw(arrays((draw(st.integers(1, 4)),))),
            draw(arrays((draw(st.integers(1, 4)),)))), {}


def _polyder(draw):
    return (draw(arrays((draw(st.integers(1, 5)),))),), {"m": draw(st.integers(0, 3))}


def _polyint(draw):
    m = draw(st.integers(0, 3))
    p = draw(arrays((draw(st.integers(1, 4)),)))
    k = draw(st.none() | arrays(()) | arrays((max(m, 1),)))
    return (p, m, k), {}


def _vander(draw):
    x = draw(arrays((draw(st.integers(1, 4)),)))
    return (x,), {"N": draw(st.none() | st.integers(0, 5)), "increasing": draw(st.booleans())}


def _unwrap(draw):
    x = draw(_one(min_dims=1, lo=-8.0, hi=8.0))
    period = draw(st.sampled_from([2 * np.pi, 4.0]))
    # Differences must stay away from the wrap threshold (+-period/2).
    d = np.abs(np.diff(x, axis=-1))
    assume(np.all(np.abs(np.mod(d, period) - period / 2) > 1e-3))
    return (x,), {"period": period}


def _gradient(draw):
    x = draw(_one(min_dims=1, min_side=3, max_side=4))
    edge = draw(st.integers(1, 2))
    axis = draw(st.none() | _axis(x.ndim))
    axes = range(x.ndim) if axis is None else [axis]
    kind = draw(st.integers(0, 2))
    if kind == 0:
        spacing = ()
    elif kind == 1:
        spacing = (draw(st.sampled_from([0.5, 2.0])),)
    else:
        spacing = tuple(np.cumsum(draw(arrays((x.shape[a],), 0.3, 1.5))) for a in axes)
    return (x,) + spacing, {"axis": axis, "edge_order": edge}


def _linspace(draw):
    (a, b), _ = _pair(draw)
    nd = np.broadcast(a, b).ndim
    kwargs = {"num": draw(st.integers(0, 5)), "endpoint": draw(st.booleans()),
              "axis": draw(st.integers(-(nd + 1), nd))}
    return (a, b), kwargs


def _logspace(draw):
    (a, b), kwargs = _linspace(draw)
    a, b = np.clip(a, -1, 1), np.clip(b, -1, 1)
    if draw(st.booleans()):
        return (a, b, kwargs["num"], kwargs["endpoint"], draw(st.sampled_from([2.0, 10.0]))), {}
    base = draw(arrays(np.broadcast(a, b).shape, 0.5, 3.0))
    return (a, b, kwargs["num"], kwargs["endpoint"], base), {}


def _geomspace(draw):
    (a, b), kwargs = _linspace(draw)
    sign = np.where(draw(arrays(np.broadcast(a, b).shape)) < 0, -1.0, 1.0)
    return (sign * (np.abs(a) + 0.2), sign * (np.abs(b) + 0.2)), kwargs


def _polydiv(draw):
    u = draw(arrays((draw(st.integers(1, 5)),)))
    v = draw(arrays((draw(st.integers(1, 3)),)))
    v[0] = np.copysign(max(abs(v[0]), 0.3), v[0])
    m, n = len(u) - 1, len(v) - 1
    rem = np.polydiv(u, v)[1]
    # The dropping of leading remainder terms must not flip under a small step.
    assume(len(rem) == (max(n, 1) if m >= n else m + 1))
    assume(len(rem) == 1 or abs(rem[0]) > 1e-3)
    return (u, v), {}


def _poly(draw):
    return (draw(arrays((draw(st.integers(1, 4)),))),), {}


def _roots(draw):
    # Coefficients of a polynomial with simple real roots away from 0: complex
    # pairs would let LAPACK's order of eigenvalues change under a
    # finite-difference step.
    r = draw(arrays((draw(st.integers(1, 3)),), -2.0, 2.0).filter(lambda v: _distinct(v, 0.6)))
    assume(np.all(np.abs(r) > 0.1))
    return (np.poly(r) * draw(st.sampled_from([1.0, -0.5, 2.0])),), {}


def _polyfit(draw):
    n = draw(st.integers(3, 6))
    x = np.sort(draw(arrays((n,), 0.0, 1.0).filter(lambda v: _distinct(v, 0.1))))
    y = draw(arrays((n,) if draw(st.booleans()) else (n, 2)))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["w"] = draw(arrays((n,), 0.5, 1.5))
    return (x, y, draw(st.integers(0, min(2, n - 1)))), kwargs


def _windows(draw):
    x = draw(_one(min_dims=1))
    if draw(st.booleans()):
        axis = draw(_axis(x.ndim))
        return (x, draw(st.integers(1, x.shape[axis]))), {"axis": axis}
    return (x, tuple(draw(st.integers(1, s)) for s in x.shape)), {}


SPECS = {
    "reshape": Spec(_with(_reshape)),
    "ravel": Spec(_with(_ravel)),
    "flatten": Spec(_with(_ravel), reference=lambda a, order="C": np.asarray(a).flatten(order)),
    "transpose": Spec(_with(_transpose)),
    "moveaxis": Spec(_with(_moveaxis)),
    "swapaxes": Spec(_with(_swapaxes)),
    "squeeze": Spec(_with(_squeeze)),
    "expand_dims": Spec(_with(_expand_dims)),
    "broadcast_to": Spec(_with(_broadcast_to)),
    "broadcast_arrays": Spec(_with(_pair), argnums=(0, 1)),
    "atleast_1d": [Spec(_one().map(lambda x: ((x,), {}))),
                   Spec(_with(_atleast_many), argnums=(0, 1))],
    "atleast_2d": [Spec(_one().map(lambda x: ((x,), {}))),
                   Spec(_with(_atleast_many), argnums=(0, 1))],
    "atleast_3d": [Spec(_one().map(lambda x: ((x,), {}))),
                   Spec(_with(_atleast_many), argnums=(0, 1))],
    "concatenate": Spec(_with(_concatenate)),
    "stack": Spec(_with(_stack)),
    "hstack": Spec(_with(_hstack)),
    "vstack": Spec(_with(_same_shape_then(0))),
    "dstack": Spec(_with(_same_shape_then(2))),
    "column_stack": Spec(_with(_column_stack)),
    "split": Spec(_with(_split)),
    "array_split": Spec(_with(_array_split)),
    "hsplit": Spec(_with(_split_at(1, lambda x: 1 if x.ndim > 1 else 0))),
    "vsplit": Spec(_with(_split_at(2, lambda x: 0))),
    "dsplit": Spec(_with(_split_at(3, lambda x: 2))),
    "unstack": Spec(_with(_unstack)),
    "array": [Spec(_with(_nested)), Spec(_one().map(lambda x: ((x,), {"ndmin": 4})))],
    "asarray": Spec(_with(_nested)),
    "asanyarray": Spec(_with(_nested)),
    "copy": [Spec(_one().map(lambda x: ((x,), {}))), Spec(_with(_nested))],
    "append": Spec(_with(_append), argnums=(0, 1)),
    "insert": Spec(_with(_insert), argnums=(0, 2)),
    "delete": Spec(_with(_delete)),
    "resize": Spec(_with(_resize)),
    "meshgrid": [Spec(_with(_meshgrid(n)), argnums=tuple(range(n))) for n in (1, 2, 3)],
    "tile": Spec(_with(_tile)),
    "repeat": Spec(_with(_repeat)),
    "flip": Spec(_with(_flip)),
    "fliplr": Spec(_one(min_dims=2).map(lambda x: ((x,), {}))),
    "flipud": Spec(_one(min_dims=1).map(lambda x: ((x,), {}))),
    "roll": Spec(_with(_roll)),
    "rot90": Spec(_with(_rot90)),
    "pad": [Spec(_with(_pad)), Spec(_with(_pad_traced_constant), argnums=(0,)),
            Spec(_with(_pad_computed))],
    "diag": Spec(_with(_diag)),
    "diagflat": Spec(_with(_diagflat)),
    "diagonal": Spec(_with(_diagonal)),
    "trace": Spec(_with(_diagonal)),
    "triu": Spec(_with(_tri)),
    "tril": Spec(_with(_tri)),
    "sort": Spec(_with(_sort)),
    "partition": Spec(_with(_partition)),
    "diff": [Spec(_with(_diff)),
             # prepend/append arrays are float64, so is the result (as in NumPy)
             Spec(_with(lambda draw: _diff(draw, True)), float32=False)],
    "ediff1d": Spec(_with(_ediff1d)),
    "kron": Spec(_with(_kron), argnums=(0, 1)),
    "cross": Spec(_with(_cross), argnums=(0, 1)),
    "convolve": [Spec(_with(_conv), argnums=(0, 1)),
                 Spec(_with(_complex_conv), argnums=(0, 1), float32=False)],
    "correlate": [Spec(_with(_conv), argnums=(0, 1)),
                  Spec(_with(_complex_conv), argnums=(0, 1), float32=False)],
    "polyval": Spec(_with(_polyval), argnums=(0, 1)),
    "interp": [Spec(_with(_interp), argnums=(0, 1, 2), float32=False),
               Spec(_with(_interp_period), argnums=(0, 1, 2), float32=False)],
    "rollaxis": Spec(_with(_rollaxis)),
    "matrix_transpose": Spec(_one(min_dims=2).map(lambda x: ((x,), {}))),
    "sort_complex": Spec(_one(min_dims=1).filter(_distinct).map(lambda x: ((x,), {})),
                         float32=False),  # complex128 for float32 input, as NumPy
    "block": [Spec(_with(_block)), Spec(_with(_block_1d))],
    "ascontiguousarray": [Spec(_with(_nested)), Spec(_one().map(lambda x: ((x,), {})))],
    "asfortranarray": [Spec(_with(_nested)), Spec(_one().map(lambda x: ((x,), {})))],
    "require": Spec(_with(_nested)),
    "asarray_chkfinite": Spec(_with(_nested)),
    "polyadd": Spec(_with(_polypair), argnums=(0, 1)),
    "polysub": Spec(_with(_polypair), argnums=(0, 1)),
    "polymul": Spec(_with(_polypair).filter(
        lambda a: all(abs(p[0]) > 1e-3 for p in a[0])), argnums=(0, 1)),
    # NumPy multiplies by an int64 arange: float32 coefficients become float64.
    "polyder": Spec(_with(_polyder), float32=False),
    "polyint": Spec(_with(_polyint), argnums=(0,), float32=False),
    "vander": Spec(_with(_vander), float32=False),
    "unwrap": Spec(_with(_unwrap)),
    "gradient": Spec(_with(_gradient)),
    "linspace": Spec(_with(_linspace), argnums=(0, 1)),
    "logspace": Spec(_with(_logspace), argnums=(0, 1, 4)),
    "geomspace": Spec(_with(_geomspace), argnums=(0, 1), float32=False),  # float64, as NumPy
    "polydiv": Spec(_with(_polydiv), argnums=(0, 1)),
    "poly": [Spec(_with(_poly)),
             Spec(_one(min_dims=2, max_dims=2, min_side=2, max_side=2).map(
                 lambda m: ((m,), {})), float32=False)],
    "roots": Spec(_with(_roots)),
    # vander inside promotes float32 to float64, as in NumPy
    "polyfit": Spec(_with(_polyfit), argnums=(0, 1), float32=False),
    "sliding_window_view": Spec(_with(_windows),
                                reference=np.lib.stride_tricks.sliding_window_view),
}
