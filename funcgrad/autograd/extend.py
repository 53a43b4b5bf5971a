"""``autograd.extend``: define new primitives with their VJPs and JVPs, autograd's way.

``primitive(f)`` makes a funcgrad primitive of ``f`` (a function of plain
values); ``defvjp(f, *vjpmakers, argnums=...)`` declares, per argument, a
``vjpmaker(ans, *args, **kwargs) -> (g -> cotangent)``; ``defjvp(f, *jvpfuns)``
a ``jvpfun(g, ans, *args, **kwargs) -> tangent`` (or ``"same"`` for an argument
the function is linear in); ``defvjp_argnum``/``defjvp_argnum`` one maker for
every argument; ``def_linear(f)`` a function linear in each argument. The rules
are written with ``funcgrad.autograd.numpy``, so they differentiate to any order
and work under every funcgrad transform (``grad``, ``jvp``, ...).
"""
from __future__ import annotations

import functools
from itertools import count
from typing import Any, Callable

from .._core import Primitive, concrete, defvjp_joint
from .._core.primitive import defjvp_joint
from .._core.trace import ops
from ._unsupported import internals_error

__all__ = ["primitive", "notrace_primitive", "defvjp", "defvjp_argnum", "defvjp_argnums",
           "defjvp", "defjvp_argnum", "defjvp_argnums", "def_linear"]


def primitive(f_raw: Callable[..., Any]) -> Primitive:
    """Wrap ``f_raw`` as a primitive: called on traced values it is recorded as one
    operation, whose derivatives are declared with :func:`defvjp`/:func:`defjvp`."""
    prim = Primitive(getattr(f_raw, "__name__", "primitive"), f_raw)
    prim.vjps = ()
    prim._vjp_makers = {}  # argnum -> vjpmaker
    prim._vjp_argnums = None
    prim._jvp_makers = {}
    prim._jvp_argnums = None
    functools.update_wrapper(prim, f_raw, updated=())
    defvjp_joint(prim, functools.partial(_vjp_rule, prim))
    return prim


def notrace_primitive(f_raw: Callable[..., Any]) -> Callable[..., Any]:
    """``f_raw`` applied to the plain values under any traced box (no gradient)."""
    @functools.wraps(f_raw)
    def f(*args, **kwargs):
        return f_raw(*(concrete(a) for a in args), **{k: concrete(v) for k, v in kwargs.items()})
    return f


def _missing(prim: Primitive, argnum: int, kind: str) -> TypeError:
    return TypeError(f"{kind} of {prim.name} wrt argnum {argnum} not defined")


def _vjp_rule(prim: Primitive, g: Any, ans: Any, *args: Any, **kwargs: Any) -> list:
    if prim._vjp_argnums is not None:  # defvjp_argnum / defvjp_argnums
        nums = list(range(len(args)))
        return list(prim._vjp_argnums(nums, ans, args, kwargs)(g))
    out = []
    for i in range(len(args)):
        maker = prim._vjp_makers.get(i, _ABSENT)
        if maker is _ABSENT:
            out.append(_Lazy(prim, i))
        elif maker is None:
            out.append(None)
        else:
            out.append(maker(ans, *args, **kwargs)(g))
    return out


class _Lazy:
    """Stands for an argument without a VJP: an error if a traced argument needs it."""

    def __init__(self, prim: Primitive, argnum: int) -> None:
        self.prim, self.argnum = prim, argnum

    def __getattr__(self, name: str) -> Any:
        raise _missing(self.prim, self.argnum, "VJP")


_ABSENT = object()


def _check(prim: Any) -> Primitive:
    if not isinstance(prim, Primitive) or not hasattr(prim, "_vjp_makers"):
        raise TypeError("defvjp/defjvp take a function made with funcgrad.autograd.extend."
                        f"primitive, got {prim!r}")
    return prim


def defvjp(fun: Any, *vjpmakers: Any, **kwargs: Any) -> None:
    """``vjpmaker(ans, *args, **kwargs)`` returns ``g -> cotangent`` of one argument;
    ``None`` means a zero gradient. ``argnums=`` says which arguments (default 0, 1, ...)."""
    prim = _check(fun)
    for argnum, maker in zip(kwargs.get("argnums", count()), vjpmakers):
        if maker is not None and not callable(maker):
            raise TypeError(f"Bad VJP '{maker}' for '{prim.name}'")
        prim._vjp_makers[argnum] = maker


def defvjp_argnums(fun: Any, vjpmaker: Callable[..., Any]) -> None:
    """``vjpmaker(argnums, ans, args, kwargs)`` returns ``g -> cotangents`` of ``argnums``."""
    _check(fun)._vjp_argnums = vjpmaker


def defvjp_argnum(fun: Any, vjpmaker: Callable[..., Any]) -> None:
    """``vjpmaker(argnum, ans, args, kwargs)`` returns ``g -> cotangent`` of ``argnum``."""
    def argnums_maker(argnums, ans, args, kwargs):
        vjps = [vjpmaker(i, ans, args, kwargs) for i in argnums]
        return lambda g: [v(g) for v in vjps]
    defvjp_argnums(fun, argnums_maker)


def _jvp_rule(prim: Primitive, tangents: Any, ans: Any, *args: Any, **kwargs: Any) -> Any:
    total = None
    live = [(i, t) for i, t in enumerate(tangents) if t is not None]
    if prim._jvp_argnums is not None:
        if not live:
            return None
        return prim._jvp_argnums([i for i, _ in live], [t for _, t in live], ans, args, kwargs)
    for i, t in live:
        fn = prim._jvp_makers.get(i, _ABSENT)
        if fn is _ABSENT:
            raise _missing(prim, i, "JVP")
        if fn is None:
            continue
        if fn == "same":
            full = list(args)
            full[i] = t
            part = prim(*full, **kwargs)
        else:
            part = fn(t, ans, *args, **kwargs)
        total = part if total is None else ops.add(total, part)
    return total


def defjvp(fun: Any, *jvpfuns: Any, **kwargs: Any) -> None:
    """``jvpfun(g, ans, *args, **kwargs)`` is one argument's tangent contribution;
    ``"same"``: the function is linear in that argument; ``None``: zero."""
    prim = _check(fun)
    for argnum, fn in zip(kwargs.get("argnums", count()), jvpfuns):
        prim._jvp_makers[argnum] = fn
    defjvp_joint(prim, functools.partial(_jvp_rule, prim))


def defjvp_argnums(fun: Any, jvpmaker: Callable[..., Any]) -> None:
    """``jvpmaker(argnums, gs, ans, args, kwargs)`` is the result's tangent."""
    prim = _check(fun)
    prim._jvp_argnums = jvpmaker
    defjvp_joint(prim, functools.partial(_jvp_rule, prim))


def defjvp_argnum(fun: Any, jvpmaker: Callable[..., Any]) -> None:
    """``jvpmaker(argnum, g, ans, args, kwargs)`` is one argument's contribution."""
    def argnums_maker(argnums, gs, ans, args, kwargs):
        total = None
        for i, g in zip(argnums, gs):
            part = jvpmaker(i, g, ans, args, kwargs)
            total = part if total is None else ops.add(total, part)
        return total
    defjvp_argnums(fun, argnums_maker)


def def_linear(fun: Any) -> None:
    """``fun`` is linear in each argument separately: its JVP applies it to the tangent."""
    def jvp(argnum, g, ans, args, kwargs):
        full = list(args)
        full[argnum] = g
        return fun(*full, **kwargs)
    defjvp_argnum(fun, jvp)


_INTERNALS = {"Box", "VSpace", "vspace", "VJPNode", "JVPNode", "SparseObject",
              "register_notrace", "Node", "trace", "new_box"}


def __getattr__(name: str) -> Any:
    if name in _INTERNALS:
        raise internals_error(f"autograd.extend.{name}")
    raise AttributeError(f"module 'funcgrad.autograd.extend' has no attribute {name!r}")
