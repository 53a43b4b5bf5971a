"""Registry-driven vmap tests: for every registered function and each of its
specs (tests/numpy/specs_*.py), ``vmap(f)`` over a batch of perturbed
examples equals the stacked per-example results, with hypothesis drawing
which arguments are batched (the others broadcast against the batch) and
their batch axes (negative ones included). A primitive with no batching
rule must be a documented fallback (docs/numpy-coverage.md)."""
from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import funcgrad
import funcgrad.numpy as fnp
import funcgrad.torch  # noqa: F401  (its primitives are counted too)
from funcgrad._core import Primitive
from funcgrad._core import batching
from funcgrad.numpy import REGISTRY
from funcgrad.numpy._batching import LOOPED, looped_primitives

from .specs import collect

SPECS = collect()
PUBLIC = sorted(n for n in REGISTRY if not n.split(".")[-1].startswith("_"))
BATCH = 3


def _cases():
    for name in PUBLIC:
        for k, spec in enumerate(SPECS.get(name, [])):
            yield pytest.param(name, spec, id=f"{name}-{k}")


def _example(x, k):
    """Example ``k`` of a batch built from ``x``: a perturbed copy."""
    x = np.asarray(x)
    if x.dtype.kind in "fc":
        return x * (1.0 - 0.1 * k)
    return x


def _counting_loops(calls):
    original = batching.loop_rule

    def counting(prim, *a):
        calls.append(prim.name)
        return original(prim, *a)
    return original, counting


def _close(got, want, name):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), name
        for g, w in zip(got, want):
            _close(g, w, name)
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"vmap of {name}: shape {got.shape} != {want.shape}"
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, equal_nan=True,
                                   err_msg=f"vmap of {name}")
    else:
        np.testing.assert_array_equal(got, want, err_msg=f"vmap of {name}")


def _stack(results, axis):
    if isinstance(results[0], (tuple, list)):
        parts = [_stack([r[j] for r in results], axis) for j in range(len(results[0]))]
        return type(results[0])(*parts) if hasattr(results[0], "_fields") else type(results[0])(parts)
    return np.stack([np.asarray(r) for r in results], axis=axis)


@pytest.mark.parametrize("name,spec", list(_cases()))
@settings(max_examples=4)
@given(data=st.data())
def test_vmap_matches_stacked_examples(name, spec, data):
    check_vmap_matches_stacked_examples(REGISTRY[name].fn, spec, data, name)


def check_vmap_matches_stacked_examples(fn, spec, data, name):
    """``vmap(fn)`` over a batch built from the spec's drawn arguments (which
    ones are batched, and along which axes, drawn too) equals the stacked
    per-example results; a loop it takes must be declared (also used by
    tests/scipy)."""
    args, kwargs = data.draw(spec.args, label="arguments")
    candidates = [i for i in spec.argnums if isinstance(args[i], (np.ndarray, float, int, complex))
                  and not isinstance(args[i], bool)]
    if not candidates:
        return
    mapped = [i for i in candidates if data.draw(st.booleans(), label=f"batch argument {i}")]
    if not mapped:
        mapped = [candidates[0]]
    in_axes = [None] * len(args)
    batched_args = list(args)
    for i in mapped:
        nd = np.ndim(args[i])
        ax = data.draw(st.integers(-(nd + 1), nd), label=f"axis of argument {i}")
        in_axes[i] = ax
        batched_args[i] = np.stack([_example(args[i], k) for k in range(BATCH)], axis=ax)

    def per_example(k):
        full = [(_example(a, k) if i in mapped else a) for i, a in enumerate(args)]
        return fn(*full, **kwargs)

    if not spec.compare_values:  # (text, dtypes, uninitialised memory): runs, that is all
        with np.errstate(all="ignore"):
            funcgrad.vmap(lambda *a: fn(*a, **kwargs), in_axes=tuple(in_axes))(*batched_args)
        return
    try:
        want = [per_example(k) for k in range(BATCH)]
    except (ValueError, np.linalg.LinAlgError, FloatingPointError, ZeroDivisionError):
        return  # a perturbed example outside the function's domain
    want = _stack(want, 0)
    calls: list = []
    original, batching.loop_rule = _counting_loops(calls)
    try:
        with np.errstate(all="ignore"):
            got = funcgrad.vmap(lambda *a: fn(*a, **kwargs), in_axes=tuple(in_axes))(*batched_args)
    finally:
        batching.loop_rule = original
    _close(got, want, name)
    unexpected = sorted(set(calls) - looped_primitives())
    assert not unexpected, f"{name} batched by a loop over {unexpected}: not documented"


def _primitives():
    return [o for o in gc.get_objects() if isinstance(o, Primitive)]


def test_every_primitive_has_a_batching_rule_or_a_documented_fallback():
    missing = sorted(p.name for p in _primitives() if p.batch is None)
    assert sorted(set(missing) - looped_primitives()) == []


def test_loop_fallback_covers_at_most_5_percent_of_differentiable_functions():
    diff = [n for n in PUBLIC if REGISTRY[n].differentiable]
    looped = [n for n in LOOPED if n in REGISTRY and REGISTRY[n].differentiable]
    assert len(looped) <= 0.05 * len(diff), looped
