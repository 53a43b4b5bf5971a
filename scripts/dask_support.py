#!/usr/bin/env python
"""Which funcgrad.numpy functions work on Dask arrays, found by running them.

For every public function of the registry, the first test spec of
tests/numpy/specs_*.py draws one example (deterministically, with arrays of
at least two elements); the differentiated arguments become Dask arrays
whose chunks do not divide them evenly. The function and (when it is
differentiable) its VJP then run on them, and the result is compared with
the same computation on the NumPy arrays. A function *works* when

* its value and its gradients are Dask arrays (lazy: Dask executed no task
  before ``dask.compute``, and gave no "not implemented by Dask array"
  warning, which is Dask computing the input to call NumPy instead), and
* the computed values equal NumPy's.

Otherwise the reason is recorded: the error raised, "computes eagerly", or
"differs". scripts/gen_coverage.py puts the verdicts in the Dask column of
docs/numpy-coverage.md, and tests/dask/test_coverage_column.py checks that
the column is current.

    python scripts/dask_support.py            # print the verdicts
"""
from __future__ import annotations

import pathlib
import sys
import warnings
from typing import Any

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _example(spec: Any) -> tuple:
    from hypothesis import HealthCheck, Phase, find, settings

    def big_enough(drawn: Any) -> bool:
        args = drawn[0]
        return any(i < len(args) and np.ndim(args[i]) >= 1 and np.size(args[i]) >= 2
                   and np.asarray(args[i]).dtype.kind in "fc" for i in spec.argnums)

    # The same draws whatever the caller imported or loaded (the test suite's
    # modules and "ci" profile): hypothesis mixes in literals it finds in the
    # source of every imported local module, so the draw runs without them
    # (a private hook of hypothesis, pinned to 6.155.2 in the test extra).
    # No shrinking: one example is enough.
    from hypothesis.internal.conjecture import providers
    quiet = settings(settings.get_profile("default"), database=None, max_examples=500,
                     derandomize=True, deadline=None, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck))
    collect = providers._get_local_constants
    providers._get_local_constants = lambda: providers.Constants()
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        try:
            return find(spec.args, big_enough, settings=quiet)
        except Exception:  # noqa: BLE001  (no example of that size: use the smallest)
            return find(spec.args, lambda drawn: True, settings=quiet)
    finally:
        providers._get_local_constants = collect
        providers.CONSTANTS_CACHE.cache.clear()


def _to_dask(a: Any) -> Any:
    import dask.array as da
    a = np.asarray(a)
    if a.ndim == 0 or a.dtype.kind not in "fc":
        return a
    return da.from_array(a, chunks=tuple(max(1, (s + 1) // 2) for s in a.shape))


def _leaves(x: Any) -> list:
    import funcgrad
    return funcgrad.tree_util.tree_leaves(x)


def _run(info: Any, spec: Any, args: list, kwargs: dict, like_dask: bool) -> Any:
    """The value, and the VJP of all-ones cotangents, of one call."""
    import dask.array as da
    import funcgrad
    if not info.differentiable:
        return info.fn(*args, **kwargs), ()

    def f(*diff: Any) -> Any:
        full = list(args)
        for i, v in zip(spec.argnums, diff):
            full[i] = v
        return info.fn(*full, **kwargs)

    out, f_vjp = funcgrad.vjp(f, *[args[i] for i in spec.argnums])

    def ones(o: Any) -> Any:
        if like_dask and isinstance(o, da.Array):
            return da.ones_like(o)
        return np.ones(np.shape(o), np.result_type(o))
    return out, f_vjp(funcgrad.tree_util.tree_map(ones, out))


def verdict(name: str) -> str:
    """``"yes"`` or the reason funcgrad.numpy.``name`` does not work on Dask arrays."""
    import dask
    import dask.array as da
    from dask.callbacks import Callback
    from funcgrad.numpy import REGISTRY

    info = REGISTRY[name]
    spec = _specs()[name][0]
    args, kwargs = _example(spec)
    dargs = list(args)
    for i in spec.argnums:
        if i < len(dargs):
            dargs[i] = _to_dask(dargs[i])
    if not any(isinstance(a, da.Array) for a in dargs):
        return "no array argument to chunk"
    executed: list = []

    class _Count(Callback):
        def _pretask(self, key: Any, dsk: Any, state: Any) -> None:
            executed.append(key)

    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # Dask's "not implemented" fallback
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        try:
            with _Count(), dask.config.set(scheduler="sync"):
                out, grads = _run(info, spec, dargs, kwargs, like_dask=True)
        except FutureWarning as w:
            return "computes eagerly: " + str(w).split(".")[1].split(" ")[0] + " is not in Dask"
        except Exception as e:  # noqa: BLE001  (the verdict is the error)
            return f"{type(e).__name__}: " + " ".join(str(e).split())[:90]
    arrays = [v for v in _leaves(out) + _leaves(grads)
              if isinstance(v, (np.ndarray, np.generic, da.Array))]
    if not any(isinstance(v, da.Array) for v in arrays):
        return "returns NumPy values"
    if executed or not all(isinstance(v, da.Array) for v in arrays):
        return "computes eagerly"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        try:
            got = dask.compute(out, grads, scheduler="sync")
        except Exception as e:  # noqa: BLE001  (the verdict is the error)
            return f"{type(e).__name__} when computed: " + " ".join(str(e).split())[:70]
        want = _run(info, spec, list(args), kwargs, like_dask=False)
    for g, w in zip(_leaves(got), _leaves(want)):
        if not np.allclose(np.asarray(g), np.asarray(w), rtol=1e-10, atol=1e-12, equal_nan=True):
            return "differs from NumPy"
    return "yes"


_SPECS: dict = {}


def _specs() -> dict:
    if not _SPECS:
        sys.path.insert(0, str(ROOT))
        from tests.numpy.specs import collect
        _SPECS.update(collect())
    return _SPECS


_VERDICTS: dict = {}


def verdicts() -> dict:
    """``{name: verdict}`` for every public function of the registry (found
    once per process)."""
    from funcgrad.numpy import REGISTRY
    if not _VERDICTS:
        _VERDICTS.update((name, verdict(name)) for name in sorted(REGISTRY)
                         if not name.split(".")[-1].startswith("_") and name in _specs())
    return dict(_VERDICTS)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    found = verdicts()
    for name, v in found.items():
        print(f"{name:28s} {v}")
    print(sum(v == "yes" for v in found.values()), "of", len(found), "work on Dask arrays")
