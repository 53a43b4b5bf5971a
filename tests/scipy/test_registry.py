"""Registry-driven tests of funcgrad.scipy: every registered function's values
against SciPy's, its first derivatives against central finite differences of
the SciPy function itself (float64), and its higher derivatives (the spec's
``order``) with ``check_grads``. A registered function without a spec fails."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

scipy = pytest.importorskip("scipy")

import funcgrad  # noqa: E402
from funcgrad.scipy import REGISTRY  # noqa: E402
from funcgrad.testing import check_grads  # noqa: E402
from funcgrad.testing._check import find_mismatch, numerical_jacobian  # noqa: E402
from funcgrad.tree_util import tree_flatten, tree_leaves, tree_unflatten  # noqa: E402

from .specs import SPECS  # noqa: E402

NAMES = sorted(REGISTRY)
NO_FORWARD_MODE = {"integrate.odeint"}  # a custom_vjp (adjoint): reverse mode only


def _scipy_function(name: str):
    import importlib
    parts = name.split(".")
    obj = importlib.import_module(f"scipy.{parts[0]}")
    for p in parts[1:]:
        obj = getattr(obj, p)
    return obj


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_function_has_a_spec(name):
    assert name in SPECS, f"funcgrad.scipy.{name} has no spec in tests/scipy/specs.py"


def test_every_primitive_has_a_jvp_rule():
    import gc
    from funcgrad._core import Primitive
    prims = [p for p in gc.get_objects() if isinstance(p, Primitive)
             and p.name.startswith("scipy.") and p.differentiable]
    assert len(prims) > 40
    assert [p.name for p in prims if p.jvp is None] == []


def test_no_spec_without_function():
    assert sorted(set(SPECS) - set(REGISTRY)) == []


def _cases():
    for name in NAMES:
        specs = SPECS.get(name, [])
        for k, spec in enumerate(specs if isinstance(specs, list) else [specs]):
            yield pytest.param(name, spec, id=f"{name}-{k}")


def _partial(fn, args, kwargs, argnums, canonical):
    def f(*diff):
        full = list(args)
        for i, v in zip(argnums, diff):
            full[i] = v
        out = fn(*full, **kwargs)
        return canonical(out) if canonical is not None else out
    return f


def _assert_close(got, want, name):
    got_l, want_l = tree_leaves(got), tree_leaves(want)
    assert len(got_l) == len(want_l), f"{name}: {len(want_l)} results expected"
    for g, w in zip(got_l, want_l):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-10, atol=1e-12,
                                   err_msg=f"value of {name}")


def _check_against_scipy_differences(f, ref, diff, name, spec):
    """VJP of a random cotangent vs central differences of SciPy's function."""
    out = f(*diff)
    rng = np.random.default_rng(0)
    cts = [rng.normal(size=np.shape(o)) for o in tree_leaves(out)]

    def scalar(fun):
        def s(*xs):
            return sum(np.sum(c * o) for c, o in zip(cts, tree_leaves(fun(*xs))))
        return s

    _, f_vjp = funcgrad.vjp(scalar(f), *diff)
    analytic = tree_leaves(f_vjp(np.float64(1.0)))
    leaves, tree = tree_flatten(tuple(diff))
    s_ref = scalar(ref)
    for j, (x, a) in enumerate(zip(leaves, analytic)):
        if np.asarray(x).dtype.kind != "f":
            continue

        def at(v, j=j):
            ls = list(leaves)
            ls[j] = v
            return s_ref(*tree_unflatten(tree, ls))
        eps = 1e-6 * max(1.0, float(np.max(np.abs(x), initial=0.0)))
        numeric = numerical_jacobian(at, np.asarray(x, np.float64), eps)
        bad = find_mismatch(np.asarray(a), numeric, spec.atol or 1e-6, spec.rtol or 1e-5)
        assert bad is None, f"gradient of {name} in argument leaf {j} vs SciPy:\n{bad.describe()}"


@pytest.mark.parametrize("name,spec", list(_cases()))
@settings(max_examples=6)  # ~300 cases: the file stays within its share of the test budget
@given(data=st.data())
def test_values_and_gradients(name, spec, data):
    fn = REGISTRY[name].fn
    ref_fn = spec.reference or _scipy_function(name)
    args, kwargs = data.draw(spec.args, label="arguments")
    if spec.compare_values:
        got, want = fn(*args, **kwargs), ref_fn(*args, **kwargs)
        if spec.canonical is not None:
            got, want = spec.canonical(got), spec.canonical(want)
        _assert_close(got, want, name)
    diff = tuple(args[i] for i in spec.argnums)
    f = _partial(fn, args, kwargs, spec.argnums, spec.canonical)
    ref = _partial(ref_fn, args, kwargs, spec.argnums, spec.canonical)
    _check_against_scipy_differences(f, ref, diff, name, spec)
    if spec.order >= 2:
        check_grads(f, diff, order=spec.order, atol=spec.atol, rtol=spec.rtol)
    if name not in NO_FORWARD_MODE:  # forward mode: <jvp(u), v> == <u, vjp(v)> and differences
        check_grads(f, diff, order=1, modes=("fwd",), atol=spec.atol, rtol=spec.rtol)
