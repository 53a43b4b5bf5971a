"""Test inputs for every function in funcgrad.numpy's registry.

Each registered public function needs an entry in ``SPECS`` (a :class:`Spec`
or a list of them); ``test_registry.py`` fails for any that lacks one. A spec
says how to draw arguments and which of them to differentiate; the harness
compares values with NumPy and gradients (to ``order``) with central finite
differences in float64, and checks float32 stays float32.

Family modules add their specs in ``tests/numpy/specs_<family>.py`` as a
dict ``SPECS`` merged here.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@dataclass
class Spec:
    """How to test one function.

    ``args``: a strategy drawing ``(args, kwargs)``. ``argnums``: positions
    of the arguments to differentiate. ``reference``: the NumPy function to
    compare values with (default: the NumPy function of the same name;
    ``None`` with ``compare_values=False`` to skip). ``order``: highest
    derivative order checked. ``float32``: also check that float32 inputs
    give float32 values and gradients.
    """

    args: Any
    argnums: tuple = (0,)
    reference: Optional[Callable[..., Any]] = None
    compare_values: bool = True
    order: int = 2
    float32: bool = True
    atol: Optional[float] = None
    rtol: Optional[float] = None
    canonical: Optional[Callable[[Any], Any]] = None  # applied to both values before comparing


# --- strategy helpers -------------------------------------------------------
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def arrays(shape, lo: float = -2.0, hi: float = 2.0, dtype=np.float64):
    """Float arrays with elements in [lo, hi] (finite, well scaled)."""
    return hnp.arrays(dtype, shape, elements=st.floats(lo, hi, allow_nan=False,
                                                       allow_infinity=False, width=64))


def away_from(values, gap: float = 0.05):
    """A filter: elements at least ``gap`` from each of ``values`` (kinks)."""
    def ok(x):
        return all(np.all(np.abs(np.asarray(x) - v) >= gap) for v in values)
    return ok


def unary(lo: float = -2.0, hi: float = 2.0, avoid=(), **kwargs: Any):
    """One array argument of any shape (0-d included) with elements in [lo, hi]."""
    s = shapes().flatmap(lambda shp: arrays(shp, lo, hi))
    if avoid:
        s = s.filter(away_from(avoid))
    return s.map(lambda x: ((x,), dict(kwargs)))


def binary(lo: float = -2.0, hi: float = 2.0, lo2: Optional[float] = None,
           hi2: Optional[float] = None, avoid=(), avoid2=(), where: Optional[Callable] = None):
    """Two arrays of mutually broadcastable shapes; ``where(a, b)`` (optional)
    must hold elementwise, e.g. to keep away from ties of ``maximum``."""
    lo2 = lo if lo2 is None else lo2
    hi2 = hi if hi2 is None else hi2

    @st.composite
    def draw(d):
        (s1, s2), _ = d(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                          max_side=3))
        a = arrays(s1, lo, hi)
        b = arrays(s2, lo2, hi2)
        if avoid:
            a = a.filter(away_from(avoid))
        if avoid2:
            b = b.filter(away_from(avoid2))
        x, y = d(a), d(b)
        if where is not None:
            from hypothesis import assume
            assume(np.all(where(x, y)))
        return (x, y), {}
    return draw()


def fixed(*args: Any, **kwargs: Any):
    """Exactly these arguments."""
    return st.just((args, kwargs))


def numpy_function(name: str) -> Optional[Callable[..., Any]]:
    """NumPy's function ``name`` (``"linalg.inv"``), or None when the installed
    NumPy lacks it (a NumPy 2 name on NumPy 1.26: funcgrad.numpy provides it
    anyway, see ``funcgrad.numpy._compat.NEW_IN_NUMPY``)."""
    obj: Any = np
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def numpy_accepts(fn: Callable[..., Any], kwargs: dict) -> bool:
    """Does the installed NumPy's ``fn`` take these keywords? (NumPy 2 added
    some: ``cholesky(upper=)``, ``var(mean=, correction=)``.)"""
    import inspect
    try:
        inspect.signature(fn).bind_partial(**kwargs)
    except TypeError:
        return False
    except ValueError:  # no signature (a ufunc): every ufunc keyword is old
        return True
    return True


def lacks(name: str, what: str = "") -> str:
    """A skip reason naming the installed NumPy version."""
    return f"NumPy {np.__version__} has no numpy.{name}{what} (a NumPy 2 API)"


def collect() -> dict:
    """All specs from ``tests/numpy/specs_*.py``."""
    import tests.numpy as pkg
    merged: dict = {}
    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name.startswith("specs_"):
            m = importlib.import_module(f"tests.numpy.{mod.name}")
            for name, spec in m.SPECS.items():
                if name in merged:
                    raise ValueError(f"two specs for {name}")
                merged[name] = spec if isinstance(spec, list) else [spec]
    return merged
