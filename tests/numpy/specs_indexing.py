"""Specs for the indexing family: gathers, selections and functional puts.

Index arrays are drawn with repeats on purpose: repeated indices must
accumulate in the gradient.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .specs import Spec, arrays, fixed, shapes


@st.composite
def _take_args(d, along: bool = False):
    shape = d(shapes(min_dims=1, max_dims=3))
    x = d(arrays(shape))
    axis = d(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    if along:
        ishape = list(shape)
        ishape[axis] = d(st.integers(1, 4))
        idx = d(hnp.arrays(np.intp, tuple(ishape), elements=st.integers(0, n - 1)))
        return (x, idx), {"axis": axis}
    idx = d(hnp.arrays(np.intp, d(shapes(max_dims=2)), elements=st.integers(-n, n - 1)))
    if d(st.booleans()):
        return (x, idx), {}  # axis=None: the flattened array
    return (x, idx), {"axis": axis}


@st.composite
def _compress_args(d):
    shape = d(shapes(min_dims=1, max_dims=3))
    x = d(arrays(shape))
    axis = d(st.integers(0, len(shape) - 1))
    cond = d(hnp.arrays(np.bool_, (shape[axis],)))
    return (cond, x), {"axis": axis}


@st.composite
def _extract_args(d):
    shape = d(shapes(max_dims=3))
    return (d(hnp.arrays(np.bool_, shape)), d(arrays(shape))), {}


@st.composite
def _choose_args(d):
    (s0, s1, s2), _ = d(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    a = d(hnp.arrays(np.intp, s0, elements=st.integers(0, 1)))
    return (a, [d(arrays(s1)), d(arrays(s2))]), {}


@st.composite
def _select_args(d):
    (s0, s1, s2, s3), _ = d(hnp.mutually_broadcastable_shapes(num_shapes=4, max_dims=3,
                                                              max_side=3))
    c1, c2 = d(hnp.arrays(np.bool_, s0)), d(hnp.arrays(np.bool_, s1))
    return ([c1, c2], [d(arrays(s2)), d(arrays(s3))], d(arrays(s3))), {}


def _put_ref(arr, indices, values, axis, inplace=True):
    out = np.array(arr, copy=True)
    np.put_along_axis(out, indices, values, axis)
    return out


@st.composite
def _put_args(d):
    shape = d(shapes(min_dims=1, max_dims=3))
    x = d(arrays(shape))
    axis = d(st.integers(0, len(shape) - 1))
    # distinct indices along the axis: a put with repeats keeps one write only
    n = shape[axis]
    k = d(st.integers(1, n))
    ishape = list(shape)
    ishape[axis] = k
    keys = d(hnp.arrays(np.float64, shape, elements=st.floats(0, 1), unique=True))
    idx = np.take(np.argsort(keys, axis=axis), range(k), axis=axis)
    return (x, idx, d(arrays(tuple(ishape))), axis), {"inplace": False}


SPECS = {
    "take": Spec(_take_args()),
    "take_along_axis": Spec(_take_args(along=True)),
    "compress": Spec(_compress_args(), argnums=(1,)),
    "extract": Spec(_extract_args(), argnums=(1,)),
    "choose": Spec(_choose_args(), argnums=(1,)),
    "select": Spec(_select_args(), argnums=(1, 2)),
    "put_along_axis": [Spec(_put_args(), argnums=(0, 2), reference=_put_ref),
                       Spec(fixed(np.arange(4.0), np.array([1, 1]), np.array([5.0, 6.0]), None,
                                  inplace=False), argnums=(0, 2), reference=_put_ref)],
    "bincount": Spec(fixed(np.array([0, 2, 2, 4]), np.array([0.5, 1.0, -2.0, 3.0]), minlength=6),
                     argnums=(1,), float32=False),
}
