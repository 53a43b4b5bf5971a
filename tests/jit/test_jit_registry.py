"""Registry-driven jit tests: for every differentiable function with test
inputs, ``jit(f)(x)`` equals ``f(x)`` and ``jit(grad(f))(x)`` equals
``grad(f)(x)`` over hypothesis-drawn shapes, in float64 and float32 (dtypes
preserved through the program).

Functions in ``NOT_STAGED`` read the values of their arguments somewhere
(a rule that branches on them, a wrapper that sorts or masks them): under
``jit`` they are refused with :class:`funcgrad.ConcretizationError`, never
computed wrongly; the test checks exactly that for them."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import funcgrad
import funcgrad.numpy as fnp
from funcgrad.numpy import REGISTRY
from funcgrad.tree_util import tree_leaves

from ..numpy.specs import collect
from ..numpy.test_registry import _call_with as _partial

SPECS = collect()

# Refused under jit (forward or gradient) with ConcretizationError: see the module doc.
NOT_STAGED = frozenset({
    "asarray_chkfinite", "average", "cov", "cumprod", "cumulative_prod", "fmax", "fmin",
    "frexp", "geomspace", "interp", "linalg.cond", "linalg.det", "linalg.lstsq",
    "linalg.matrix_norm", "linalg.norm", "linalg.vector_norm", "max", "maximum", "median",
    "min", "minimum", "nan_to_num", "nancumprod", "nancumsum", "nanmax", "nanmean",
    "nanmedian", "nanmin", "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum",
    "nanvar", "pad", "partition", "percentile", "piecewise", "poly", "polydiv", "polyfit",
    "polymul", "ptp", "quantile", "real_if_close", "roots", "sort", "sort_complex", "std",
    "trim_zeros", "unwrap",
})
NAMES = sorted(n for n in REGISTRY if REGISTRY[n].differentiable
               and not n.split(".")[-1].startswith("_") and n in SPECS)


def _scalar(f):
    """``f`` reduced to a real scalar: the sum of the real parts of its outputs."""
    def loss(*diff):
        total = 0.0
        for leaf in tree_leaves(f(*diff)):
            if np.dtype(fnp.result_type(leaf)).kind in "fc":
                total = total + fnp.sum(fnp.real(leaf))
        return total
    return loss


def _close(got, want, what):
    got_l, want_l = tree_leaves(got), tree_leaves(want)
    assert len(got_l) == len(want_l), what
    for g, w in zip(got_l, want_l):
        assert np.shape(g) == np.shape(w), (what, np.shape(g), np.shape(w))
        assert np.asarray(g).dtype == np.asarray(w).dtype, (what, np.asarray(g).dtype,
                                                            np.asarray(w).dtype)
        tol = 1e-4 if np.asarray(w).dtype in (np.float32, np.complex64) else 1e-9
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol, err_msg=what)


def _cases():
    for name in NAMES:  # one spec per function: the time budget of the suite
        yield pytest.param(name, SPECS[name][0], id=name)


@pytest.mark.parametrize("name,spec", list(_cases()))
@settings(max_examples=1, deadline=None)
@given(data=st.data(), single=st.booleans())
def test_jit_matches_eager(name, spec, data, single):
    if name in NOT_STAGED:
        try:
            _check(name, spec, data, single)
        except funcgrad.ConcretizationError:
            pass  # refused loudly, as documented
    else:
        _check(name, spec, data, single)


def _check(name, spec, data, single):
    args, kwargs = data.draw(spec.args, label="arguments")
    f = _partial(REGISTRY[name].fn, args, kwargs, spec.argnums)
    diff = tuple(args[i] for i in spec.argnums)
    if spec.float32 and single:
        diff = tuple(d.astype(np.float32) if isinstance(d, np.ndarray) and d.dtype == np.float64
                     else d for d in diff)
    want = f(*diff)
    jf = funcgrad.jit(f)
    _close(jf(*diff), want, f"jit({name})")
    _close(jf(*diff), want, f"jit({name}), replayed")
    loss = _scalar(f)
    argnums = tuple(range(len(diff)))
    want_g = funcgrad.value_and_grad(loss, argnums=argnums)(*diff)
    _close(funcgrad.jit(funcgrad.value_and_grad(loss, argnums=argnums))(*diff), want_g,
           f"jit(value_and_grad({name}))")
    _close(funcgrad.grad(funcgrad.jit(loss), argnums=argnums)(*diff), want_g[1],
           f"grad(jit({name}))")
