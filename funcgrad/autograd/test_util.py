"""``autograd.test_util``: ``check_grads(f, argnum=0, modes=["fwd", "rev"], order=2)(*args)``
(curried, as autograd's), ``check_vjp``, ``check_jvp``, ``combo_check``, over
:func:`funcgrad.testing.check_grads` (central differences in float64)."""
from __future__ import annotations

from itertools import product
from typing import Any, Callable

from ..testing import check_grads as _check_grads
from .differential_operators import unary_to_nary

__all__ = ["check_grads", "check_vjp", "check_jvp", "combo_check", "scalar_close"]

TOL = 1e-6
RTOL = 1e-6


def scalar_close(a: Any, b: Any) -> bool:
    """``a`` and ``b`` agree to 1e-6, absolutely or relatively (autograd's test)."""
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


@unary_to_nary
def check_grads(f: Callable[..., Any], x: Any, modes: Any = ("fwd", "rev"), order: int = 2) -> None:
    """Check ``f``'s derivatives at ``x`` in the given modes, to ``order``."""
    modes = tuple(modes)
    if not all(m in ("fwd", "rev") for m in modes):
        raise ValueError(f"modes must be 'fwd' and/or 'rev', got {modes!r}")
    _check_grads(f, (x,), order=order, modes=modes)


def check_vjp(f: Callable[..., Any], x: Any) -> None:
    _check_grads(f, (x,), order=1, modes=("rev",))


def check_jvp(f: Callable[..., Any], x: Any) -> None:
    _check_grads(f, (x,), order=1, modes=("fwd",))


def combo_check(fun: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., None]:
    """Check every combination of the given argument and keyword values."""
    def _combo_check(*arg_values, **kwarg_values):
        keyed = [[(k, v) for v in vs] for k, vs in kwarg_values.items()]
        for a in product(*arg_values):
            for kw in product(*keyed):
                check_grads(fun, *args, **kwargs)(*a, **dict(kw))
    return _combo_check
