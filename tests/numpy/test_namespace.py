"""funcgrad.numpy mirrors numpy: every public name resolves, registered
functions shadow NumPy's, and constant functions work on traced values."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad
import funcgrad.numpy as fnp
from funcgrad._core import Box, new_trace
from funcgrad.numpy import REGISTRY
from funcgrad.numpy._registry import ALIASES

from .specs import numpy_function
from .specs_indexing import CONSTANT_ARGS


def _public(module):
    return [n for n in dir(module) if not n.startswith("_")]


@pytest.mark.parametrize("sub", ["", "linalg", "fft", "random"])
def test_every_public_numpy_name_resolves(sub):
    ours = getattr(fnp, sub) if sub else fnp
    theirs = getattr(np, sub) if sub else np
    missing = [n for n in _public(theirs) if not hasattr(ours, n)]
    assert missing == [], f"funcgrad.numpy{'.' + sub if sub else ''} lacks {missing}"


def test_sub_namespaces_are_funcgrads():
    assert fnp.linalg.__name__ == "funcgrad.numpy.linalg"
    assert fnp.random.__name__ == "funcgrad.numpy.random"
    assert fnp.random.default_rng is np.random.default_rng


def test_registered_functions_shadow_numpy():
    for name, info in REGISTRY.items():
        parts = name.split(".")
        if parts[-1].startswith("_"):
            continue
        ns = fnp
        for p in parts[:-1]:
            ns = getattr(ns, p)
        assert getattr(ns, parts[-1]) is info.fn, f"funcgrad.numpy.{name} is not its rule"
    for name, target in ALIASES.items():
        if "." not in name:
            assert getattr(fnp, name) is REGISTRY[target].fn


def test_non_differentiable_entries_say_so():
    for name, info in REGISTRY.items():
        if not info.differentiable and not name.split(".")[-1].startswith("_"):
            assert info.notes, f"{name} is non-differentiable without a note"


def test_constants_and_dtypes_are_numpys():
    assert fnp.pi == np.pi and fnp.float32 is np.float32 and fnp.newaxis is None
    assert fnp.ndarray is np.ndarray and fnp.inf == np.inf


def _constants():
    return sorted(n for n, info in REGISTRY.items() if info.family == "constants"
                  and not info.differentiable)


def _traced_copy(x, trace):
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return trace.new_input(x)
    if type(x) in (list, tuple):
        return type(x)(_traced_copy(v, trace) for v in x)
    return x


def _same(a, b):
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
        return
    assert not isinstance(a, Box), "a constant function returned a traced value"
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if np.asarray(b).dtype.kind in "fc" and b is not None and np.asarray(b).size:
            assert np.asarray(a).shape == np.asarray(b).shape
            if np.all(np.isfinite(b)):
                np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_array_equal(a, b)
    else:
        assert a == b


@pytest.mark.parametrize("name", _constants())
def test_constant_functions_on_traced_values(name):
    args, kwargs = CONSTANT_ARGS[name]
    expected = getattr(np.linalg if name.startswith("linalg.") else np, name.split(".")[-1])(
        *args, **kwargs)
    if name == "empty_like":  # uninitialised values: compare shape and dtype only
        expected = np.zeros_like(*args, **kwargs)
    trace = new_trace()
    traced = _traced_copy(args, trace)
    assert any(isinstance(t, Box) for t in funcgrad.tree_util.tree_leaves(traced)) or \
        any(isinstance(t, Box) for a in traced if isinstance(a, tuple) for t in a)
    fn = REGISTRY[name].fn
    ours = fn(*traced, **kwargs)
    numpy_fn = getattr(np.linalg if name.startswith("linalg.") else np, name.split(".")[-1])
    through_numpy = numpy_fn(*traced, **kwargs)  # plain NumPy reaches the same function
    if name == "empty_like":
        ours, through_numpy = np.zeros_like(ours), np.zeros_like(through_numpy)
        assert ours.shape == expected.shape and ours.dtype == expected.dtype
    _same(ours, expected)
    _same(through_numpy, expected)


def test_constant_functions_inside_a_gradient():
    def f(x):
        k = np.argmax(x)
        n = np.size(x) + np.ndim(x) + np.shape(x)[0]
        z = np.zeros_like(x) + np.ones_like(x)
        assert isinstance(k, np.integer) and isinstance(z, np.ndarray)
        hist, _ = np.histogram(x, bins=2)
        return x[k] * n + (z * x).sum() + hist.sum()
    np.testing.assert_array_equal(funcgrad.grad(f)(np.array([1.0, 5.0, 2.0])), [1.0, 8.0, 1.0])


def test_constant_function_rejects_traced_weights():
    with pytest.raises(TypeError, match="weights"):
        funcgrad.grad(lambda w: np.histogram(np.arange(3.0), weights=w)[0].sum())(np.ones(3))


def test_full_like_is_differentiable_in_the_fill_value():
    g = funcgrad.grad(lambda v: (fnp.full_like(np.zeros((2, 3)), v) * np.arange(6.0).reshape(2, 3)).sum())(
        np.float64(2.0))
    assert g == 15.0
    out, _ = funcgrad.vjp(lambda x: fnp.full_like(x, 3.0), np.zeros(2))
    assert not isinstance(out, Box)
    np.testing.assert_array_equal(out, [3.0, 3.0])


def test_random_draws_are_constants():
    rng = fnp.random.default_rng(0)

    def f(x):
        return (x * rng.standard_normal(3) + np.random.default_rng(1).uniform(size=3)).sum()
    expected = np.random.default_rng(0).standard_normal(3)
    np.testing.assert_allclose(funcgrad.grad(f)(np.ones(3)), expected)
    with pytest.raises(funcgrad.ConcretizationError):
        funcgrad.grad(lambda mu: fnp.random.default_rng(0).normal(mu, 1.0))(0.5)


# Registered names that are not functions of the numpy namespace in any version.
NOT_IN_NUMPY_NAMESPACE = {"flatten": "an ndarray method",
                          "sliding_window_view": "numpy.lib.stride_tricks"}


def test_numpy2_names_exist_on_every_numpy():
    """funcgrad.numpy._compat.NEW_IN_NUMPY lists exactly the registered names the
    installed NumPy lacks (the coverage doc says so per function), and each works."""
    from funcgrad.numpy._compat import NEW_IN_NUMPY
    installed = tuple(int(p) for p in np.__version__.split(".")[:2])
    public = {n for n in REGISTRY if not n.split(".")[-1].startswith("_")} | set(ALIASES)
    for name, version in NEW_IN_NUMPY.items():
        assert name in public, name
        obj = fnp
        for part in name.split("."):
            obj = getattr(obj, part)
        assert callable(obj)
        new = tuple(int(p) for p in version.split("."))
        assert (numpy_function(name) is None) == (installed < new), (name, version)
    lacking = {n for n in public if numpy_function(n) is None} - set(NOT_IN_NUMPY_NAMESPACE)
    assert lacking <= set(NEW_IN_NUMPY), sorted(lacking - set(NEW_IN_NUMPY))
