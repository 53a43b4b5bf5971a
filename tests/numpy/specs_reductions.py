"""Specs for reductions and scans: every axis form (None, int, negative,
tuple, empty tuple) and keepdims, drawn by hypothesis.

Ties (max/min, order statistics) and zero spread (std) are kinks, so their
specs draw well-separated elements; the conventions there, zeros in prod /
cumprod beyond the drawn cases, NaN handling of the nan* functions, and
dtype= are pinned by tests/numpy/test_numerics.py.
"""
import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra import numpy as hnp

from .specs import Spec, arrays, fixed, shapes


def _axis(d, ndim, allow_tuple=True):
    if ndim == 0:
        return d(st.sampled_from([None, ()])) if allow_tuple else None
    options = [st.none(), st.integers(-ndim, ndim - 1)]
    if allow_tuple:
        options.append(st.lists(st.integers(-ndim, ndim - 1), max_size=ndim,
                                unique_by=lambda a: a % ndim).map(tuple))
    return d(st.one_of(*options))


def _separated(x, gap=0.05):
    v = np.sort(np.asarray(x).ravel())
    return bool(np.all(np.diff(v) > gap))


@st.composite
def reduce_args(d, lo=-2.0, hi=2.0, keepdims=True, allow_tuple=True, distinct=False,
                min_dims=0, min_side=1, extra=None, cond=None, elements=None):
    """``(x,), {"axis": ..., "keepdims": ...}`` with ``x`` of any shape.
    ``distinct``: elements at least 0.05 apart (no ties); ``cond(x, kw)``: a
    further requirement; ``extra``: a strategy of more keyword arguments."""
    shp = d(shapes(min_dims=min_dims, min_side=min_side))
    if elements is not None:
        x = d(hnp.arrays(np.float64, shp, elements=elements))
    else:
        x = d(arrays(shp, lo, hi))
    if distinct:
        assume(_separated(x))
    kw = {"axis": _axis(d, len(shp), allow_tuple)}
    if keepdims:
        kw["keepdims"] = d(st.booleans())
    if extra is not None:
        kw.update(d(extra))
    if cond is not None:
        assume(cond(x, kw))
    return (x,), kw


def _spread_ok(x, kw):
    """std is a norm of the deviations: keep every slice's spread away from 0
    (or the slice a single element, where std is identically 0)."""
    axis = kw.get("axis")
    n = np.ones(np.shape(x), bool)
    count = np.sum(n, axis=axis, keepdims=True)
    s = np.std(x, axis=axis, keepdims=True)
    return bool(np.all((s > 0.1) | (count == 1)))


def _enough(x, kw):
    """ddof=1 needs at least two elements per slice."""
    count = np.sum(np.ones(np.shape(x)), axis=kw.get("axis"))
    return bool(np.all(count >= 2))


@st.composite
def _scan_args(d, lo=-2.0, hi=2.0, elements=None):
    shp = d(shapes())
    x = d(hnp.arrays(np.float64, shp, elements=elements)) if elements is not None \
        else d(arrays(shp, lo, hi))
    nd = len(shp)
    axis = d(st.one_of(st.none(), st.integers(-nd, nd - 1))) if nd else None
    return (x,), {"axis": axis}


@st.composite
def _weighted(d, one_d=False, returned=False):
    shp = d(shapes(min_dims=1))
    a = d(arrays(shp))
    if one_d:
        axis = d(st.integers(-len(shp), len(shp) - 1))
        w = d(arrays((shp[axis],), 0.5, 2.0))
    else:
        axis = _axis(d, len(shp))
        w = d(arrays(shp, 0.5, 2.0))
    kw = {"axis": axis, "weights": w}
    if returned:
        kw["returned"] = True
    if not one_d:
        kw["keepdims"] = d(st.booleans())
    return (a,), kw


def _average_ref(a, weights=None, **kw):
    return np.average(a, weights=weights, **kw)


@st.composite
def _quantile_args(d, name, q_lo=0.0, q_hi=1.0, q_array=False):
    (x,), kw = d(reduce_args(distinct=True))
    if q_array:
        q = d(hnp.arrays(np.float64, st.integers(0, 2).map(lambda n: (3,) * n),
                         elements=st.floats(q_lo, q_hi)))
    else:
        q = d(st.floats(q_lo, q_hi))
    if name in ("quantile", "percentile", "nanquantile", "nanpercentile"):
        kw["method"] = d(st.sampled_from(["linear", "lower", "higher", "nearest", "midpoint"]))
    return (x, q), kw


_ZEROS = st.sampled_from([0.0, 0.5, -1.5, 2.0, 1.25])   # products with zeros, exactly
_DTYPE = st.fixed_dictionaries({"dtype": st.just(np.float64)})

SPECS = {
    "sum": [Spec(reduce_args()),
            Spec(reduce_args(extra=st.fixed_dictionaries({"initial": st.just(1.5)})))],
    "mean": Spec(reduce_args()),
    "prod": [Spec(reduce_args(0.5, 1.5)), Spec(reduce_args(-1.5, -0.5)),
             Spec(reduce_args(elements=_ZEROS))],
    "max": Spec(reduce_args(distinct=True)),
    "min": Spec(reduce_args(distinct=True)),
    "nanmax": Spec(reduce_args(distinct=True)),
    "nanmin": Spec(reduce_args(distinct=True)),
    "ptp": Spec(reduce_args(distinct=True)),
    "var": [Spec(reduce_args()),
            Spec(reduce_args(min_dims=1, min_side=2, cond=_enough,
                             extra=st.fixed_dictionaries({"ddof": st.just(1)})))],
    "std": [Spec(reduce_args(cond=_spread_ok)),
            Spec(reduce_args(min_dims=1, min_side=2, cond=lambda x, kw: _enough(x, kw) and
                             _spread_ok(x, kw),
                             extra=st.fixed_dictionaries({"ddof": st.just(1)})))],
    "average": [Spec(reduce_args()),
                # float64 weights promote a float32 input to float64 (as NumPy), so
                # the float32 check (which converts only differentiated arguments) is off.
                Spec(_weighted(), reference=_average_ref, float32=False),
                Spec(_weighted(one_d=True), reference=_average_ref, float32=False),
                Spec(_weighted(returned=True), reference=_average_ref, float32=False),
                # differentiate the weights too (positional: a, axis, weights)
                Spec(fixed(np.array([[1.0, -2.0, 3.0], [0.5, 0.0, 1.0]]), 1,
                           np.array([0.5, 1.5, 2.0])), argnums=(0, 2))],
    "nansum": Spec(reduce_args()),
    "nanprod": Spec(reduce_args(0.5, 1.5)),
    "nanmean": Spec(reduce_args()),
    "nanvar": Spec(reduce_args()),
    "nanstd": Spec(reduce_args(cond=_spread_ok)),
    "cumsum": Spec(_scan_args()),
    "cumprod": [Spec(_scan_args(0.5, 1.5)), Spec(_scan_args(elements=_ZEROS))],
    "nancumsum": Spec(_scan_args()),
    "nancumprod": Spec(_scan_args(0.5, 1.5)),
    "median": Spec(reduce_args(distinct=True)),
    # A float64 array q promotes a float32 input to float64 (as NumPy): no float32
    # check there; a Python float q keeps float32.
    "quantile": [Spec(_quantile_args("quantile")),
                 Spec(_quantile_args("quantile", q_array=True), float32=False),
                 # q differentiated too (positions q * (n - 1) = 0.6 and 2.1 avoid the kinks)
                 Spec(fixed(np.array([3.0, 1.0, 2.5, 0.0]), np.array([0.2, 0.7])),
                      argnums=(0, 1))],
    "percentile": [Spec(_quantile_args("percentile", 0.0, 100.0)),
                   Spec(_quantile_args("percentile", 0.0, 100.0, q_array=True), float32=False)],
    "nanquantile": Spec(_quantile_args("nanquantile")),
    "nanpercentile": Spec(_quantile_args("nanpercentile", 0.0, 100.0)),
    "nanmedian": Spec(reduce_args(distinct=True)),
}

@st.composite
def _cumulative_args(d, lo=-2.0, hi=2.0, elements=None):
    shp = d(shapes(min_dims=1))
    x = d(hnp.arrays(np.float64, shp, elements=elements)) if elements is not None \
        else d(arrays(shp, lo, hi))
    nd = len(shp)
    axis = d(st.integers(-nd, nd - 1)) if nd > 1 else d(st.sampled_from([None, 0, -1]))
    return (x,), {"axis": axis, "include_initial": d(st.booleans())}


@st.composite
def _trapezoid_args(d):
    shp = d(shapes(min_dims=1))
    y = d(arrays(shp))
    axis = d(st.integers(-len(shp), len(shp) - 1))
    kind = d(st.sampled_from(["dx", "x1", "xfull"]))
    if kind == "dx":
        return (y, None, d(st.floats(0.1, 2.0))), {"axis": axis}
    if kind == "x1":
        return (y, np.cumsum(d(arrays((shp[axis],), 0.1, 1.0)))), {"axis": axis}
    return (y, d(arrays(shp))), {"axis": axis}


SPECS["cumulative_sum"] = Spec(_cumulative_args())
SPECS["cumulative_prod"] = [Spec(_cumulative_args(0.5, 1.5)),
                            Spec(_cumulative_args(elements=_ZEROS))]
# y and x (or dx) both differentiated; trapezoid is bilinear in them. A float64 x
# promotes a float32 y to float64 (as NumPy): no float32 check for the drawn spec.
SPECS["trapezoid"] = [Spec(_trapezoid_args(), argnums=(0,), float32=False),
                      Spec(fixed(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]),
                                 np.array([0.0, 0.5, 2.0])), argnums=(0, 1)),
                      Spec(fixed(np.array([1.0, 2.0, 0.5]), None, 0.7), argnums=(0, 2))]

@st.composite
def _cov_args(d, corr=False):
    rows, n = d(st.integers(1, 3)), d(st.integers(3, 4))
    rowvar = d(st.booleans())
    m = d(arrays((rows, n) if rowvar else (n, rows)))
    kw = {"rowvar": rowvar}
    if d(st.booleans()):
        kw["y"] = d(arrays((n,)))
    if not corr:
        kw.update(d(st.fixed_dictionaries({}, optional={
            "bias": st.booleans(), "ddof": st.integers(0, 2),
            "aweights": arrays((n,), 0.5, 2.0), "fweights": st.just(np.arange(1, n + 1))})))
    else:
        data = np.concatenate([np.atleast_2d(m if rowvar else m.T)] +
                              ([kw["y"][None]] if "y" in kw else []))
        assume(bool(np.all(np.std(data, axis=1) > 0.2)))
        # |r| = 1 is where NumPy clips (a kink): keep the coefficients inside
        r = np.atleast_2d(np.corrcoef(data))
        assume(bool(np.all(np.abs(r[~np.eye(len(r), dtype=bool)]) < 0.95)))
    return (m,), kw


# cov/corrcoef compute in float64 at least (as NumPy): no float32 check
SPECS["cov"] = [Spec(_cov_args(), float32=False),
                Spec(fixed(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]), None, True, False, None,
                           None, np.array([0.5, 1.0, 2.0])), argnums=(0, 6), float32=False)]
SPECS["corrcoef"] = Spec(_cov_args(corr=True), float32=False)

@st.composite
def _complex_reduce(d, scan=False):
    from .specs_elementwise import carrays
    shp = d(shapes())
    z = d(carrays(shp, (-1.5, 1.5), (-1.5, 1.5)))
    nd = len(shp)
    if scan:
        return (z,), {"axis": d(st.one_of(st.none(), st.integers(-nd, nd - 1))) if nd else None}
    return (z,), {"axis": _axis(d, nd), "keepdims": d(st.booleans())}


# Complex inputs: holomorphic reductions (sum, mean, prod, scans) and the real-valued
# var/std, whose gradients follow the JAX convention (d/dx - i d/dy). No float32 check
# (complex64 is covered by test_numerics).
for _name in ["sum", "mean", "prod", "var", "nansum", "nanmean", "nanvar"]:
    SPECS[_name] = (SPECS[_name] if isinstance(SPECS[_name], list) else [SPECS[_name]]) + \
        [Spec(_complex_reduce(), float32=False)]
for _name in ["cumsum", "cumprod"]:
    SPECS[_name] = (SPECS[_name] if isinstance(SPECS[_name], list) else [SPECS[_name]]) + \
        [Spec(_complex_reduce(scan=True), float32=False)]
SPECS["std"] = SPECS["std"] + [Spec(_complex_reduce().filter(
    lambda a: _spread_ok(np.abs(a[0][0] - np.mean(a[0][0], axis=a[1]["axis"], keepdims=True)),
                         a[1])), float32=False)]

# Not differentiable: index-valued and boolean reductions, values only.
SPECS["argmax"] = Spec(reduce_args(distinct=True, allow_tuple=False))
SPECS["argmin"] = Spec(reduce_args(distinct=True, allow_tuple=False))
SPECS["nanargmax"] = Spec(reduce_args(distinct=True, allow_tuple=False))
SPECS["nanargmin"] = Spec(reduce_args(distinct=True, allow_tuple=False))
SPECS["all"] = Spec(reduce_args())
SPECS["any"] = Spec(reduce_args())
SPECS["count_nonzero"] = Spec(reduce_args())
