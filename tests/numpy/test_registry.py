"""Registry-driven tests: every registered function, its values against
NumPy and its gradients (first and second order) against central finite
differences in float64, over hypothesis-drawn shapes incl. 0-d and
broadcasting. A registered function without declared test inputs fails."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import funcgrad
import funcgrad.numpy as fnp
from funcgrad.numpy import REGISTRY
from funcgrad.testing import check_grads

from .specs import collect, numpy_accepts, numpy_function

SPECS = collect()
PUBLIC = sorted(n for n in REGISTRY if not n.split(".")[-1].startswith("_"))
DIFFERENTIABLE = [n for n in PUBLIC if REGISTRY[n].differentiable]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_registered_function_has_test_inputs(name):
    assert name in SPECS, (
        f"funcgrad.numpy.{name} is registered but tests/numpy/specs_*.py declares no "
        f"test inputs for it: add a Spec.")


def test_no_spec_without_function():
    assert sorted(set(SPECS) - set(REGISTRY)) == []


def _cases():
    for name in PUBLIC:
        for k, spec in enumerate(SPECS.get(name, [])):
            yield pytest.param(name, spec, id=f"{name}-{k}")


def _call_with(fn, args, kwargs, argnums):
    def f(*diff):
        full = list(args)
        for i, v in zip(argnums, diff):
            full[i] = v
        return fn(*full, **kwargs)
    return f


@pytest.mark.parametrize("name,spec", list(_cases()))
@given(data=st.data())
def test_values_and_gradients(name, spec, data):
    fn = REGISTRY[name].fn
    args, kwargs = data.draw(spec.args, label="arguments")
    ref = _reference(name, spec, kwargs)
    if ref is not None:
        got, want = fn(*args, **kwargs), ref(*args, **kwargs)
        if spec.canonical is not None:
            got, want = spec.canonical(got), spec.canonical(want)
        _assert_values_close(got, want, name)
    if not REGISTRY[name].differentiable:
        return
    f = _call_with(fn, args, kwargs, spec.argnums)
    check_grads(f, tuple(args[i] for i in spec.argnums), order=spec.order,
                atol=spec.atol, rtol=spec.rtol)
    if spec.float32:
        ref_f = None if ref is None else _call_with(ref, args, kwargs, spec.argnums)
        _check_float32(f, tuple(args[i] for i in spec.argnums), ref_f)


def _reference(name, spec, kwargs):
    """The function to compare values with: the spec's, else NumPy's of the same
    name. None when values are not compared, or when the installed NumPy lacks
    the function or a keyword (NumPy 2 APIs on NumPy 1.26, which funcgrad.numpy
    provides: its values are compared with NumPy's on NumPy 2, its gradients
    with finite differences everywhere)."""
    if not spec.compare_values:
        return None
    if spec.reference is not None:
        return spec.reference
    ref = numpy_function(name)
    return ref if ref is not None and numpy_accepts(ref, kwargs) else None


def _assert_values_close(actual, expected, name):
    """Compare a result with NumPy's; tuples (``eigh``, ``slogdet``, ``lstsq``
    and other multiple-result functions, namedtuples included) entry by entry."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), \
            f"value of {name}: {len(expected)} results expected"
        for a, e in zip(actual, expected):
            _assert_values_close(a, e, name)
        return
    np.testing.assert_allclose(_concrete(actual), _concrete(expected), rtol=1e-12, atol=1e-12,
                               err_msg=f"value of {name}")


def _concrete(x):
    if isinstance(x, (tuple, list)):
        return type(x)(_concrete(v) for v in x)
    return np.asarray(x)


def _check_float32(f, diff, ref=None):
    """float32 inputs: values of the reference's (NumPy's) dtype for the same
    inputs (float32 where there is no reference), gradients of the inputs' dtype."""
    small = funcgrad.tree_util.tree_map(
        lambda a: np.asarray(a, np.float32) if np.asarray(a).dtype == np.float64 else a, diff)
    out, f_vjp = funcgrad.vjp(f, *small)
    outs = funcgrad.tree_util.tree_leaves(out)
    if ref is not None:  # e.g. NumPy 1.x computes FFTs of float32 in float64
        with np.errstate(all="ignore"):
            wants = [np.asarray(r).dtype for r in funcgrad.tree_util.tree_leaves(ref(*small))]
        for o, want in zip(outs, wants):
            assert np.asarray(o).dtype == want, \
                f"float32 inputs gave a {np.asarray(o).dtype} output, NumPy a {want} one"
    for o in outs if ref is None else ():
        assert np.asarray(o).dtype in (np.float32, np.complex64, np.bool_) or \
            np.asarray(o).dtype.kind in "iub", f"float32 inputs gave a {np.asarray(o).dtype} output"
    cts = funcgrad.tree_util.tree_map(lambda o: np.ones(np.shape(o), np.asarray(o).dtype), out)
    grads = funcgrad.tree_util.tree_leaves(f_vjp(cts))
    for a, g in zip(funcgrad.tree_util.tree_leaves(small), grads):
        assert np.asarray(g).dtype == np.asarray(a).dtype, "gradient dtype differs from input dtype"
