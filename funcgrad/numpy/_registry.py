"""The table of every function funcgrad.numpy defines, for docs and tests.

Each family module registers its functions here. The test suite walks this
table (every differentiable entry must have declared test inputs) and
``scripts/gen_coverage.py`` renders it as ``docs/numpy-coverage.md``.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from .._core import Primitive, defvjp, defvjp_joint

_modules = sys.modules  # namespace() is a dict look-up, not an import statement per call


@dataclass(frozen=True)
class FunctionInfo:
    """One public function: its name in the namespace (``"linalg.inv"``), the
    callable, its family, whether gradients flow through it, and notes
    (conventions at non-differentiable points, unsupported arguments)."""

    name: str
    fn: Callable[..., Any]
    family: str
    differentiable: bool = True
    notes: str = ""


REGISTRY: dict[str, FunctionInfo] = {}
ALIASES: dict[str, str] = {}  # alias -> registered name ("abs" -> "absolute")


def record(table: dict, namespace: str, name: str, fn: Callable[..., Any], family: str, *,
           differentiable: bool = True, notes: str = "") -> Callable[..., Any]:
    """Record ``fn`` as ``<namespace>.<name>`` in ``table`` (a registry: this
    module's, or another namespace's such as funcgrad.scipy's) and return it."""
    if name in table:
        raise ValueError(f"{namespace}.{name} is registered twice")
    table[name] = FunctionInfo(name, fn, family, differentiable, notes)
    return fn


def register(name: str, fn: Callable[..., Any], family: str, *, differentiable: bool = True,
             notes: str = "") -> Callable[..., Any]:
    """Record ``fn`` as ``funcgrad.numpy.<name>`` and return it."""
    return record(REGISTRY, "funcgrad.numpy", name, fn, family, differentiable=differentiable,
                  notes=notes)


def alias(name: str, target: str) -> None:
    """Expose registered function ``target`` under a second name too."""
    if target not in REGISTRY:
        raise ValueError(f"alias {name!r} points to unregistered {target!r}")
    ALIASES[name] = target


def exports(prefix: str = "") -> dict:
    """Public names -> functions for one namespace (``""`` for funcgrad.numpy,
    ``"linalg."`` for funcgrad.numpy.linalg), aliases included."""
    out = {}
    for full, info in REGISTRY.items():
        if full.startswith(prefix):
            name = full[len(prefix):]
            if "." not in name and not name.startswith("_"):
                out[name] = info.fn
    for name, target in ALIASES.items():
        if name.startswith(prefix) and "." not in name[len(prefix):]:
            out[name[len(prefix):]] = REGISTRY[target].fn
    return out


def primitive(name: str, impl: Callable[..., Any], *rules: Optional[Callable[..., Any]],
              family: str, notes: str = "", register_as: Optional[str] = None,
              **flags: Any) -> Primitive:
    """Make a differentiable primitive with ``rules`` and register it.

    One line per NumPy function in the rule tables::

        exp = primitive("exp", np.exp, lambda g, ans, x: g * ans, family="elementwise")
    """
    prim = defvjp(Primitive(name, impl, **flags), *rules)
    prim.__doc__ = _doc_for(name, impl, notes)
    register(register_as or name, prim, family, notes=notes)
    return prim


def joint_primitive(name: str, impl: Callable[..., Any], rule: Callable[..., Any], *,
                    family: str, notes: str = "", register_as: Optional[str] = None,
                    **flags: Any) -> Primitive:
    """Like :func:`primitive`, with one rule returning every argument's cotangent."""
    prim = defvjp_joint(Primitive(name, impl, **flags), rule)
    prim.__doc__ = _doc_for(name, impl, notes)
    register(register_as or name, prim, family, notes=notes)
    return prim


def nondiff(name: str, impl: Callable[..., Any], *, family: str, notes: str = "",
            register_as: Optional[str] = None) -> Primitive:
    """Make a primitive whose result never carries a gradient and register it."""
    prim = Primitive(name, impl, differentiable=False)
    prim.__doc__ = _doc_for(name, impl, notes or "Not differentiable: the result is a constant.")
    register(register_as or name, prim, family, differentiable=False,
             notes=notes or "not differentiable: returns an untraced result")
    return prim


def _doc_for(name: str, impl: Callable[..., Any], notes: str) -> str:
    return (f"Differentiable ``numpy.{name}`` (same arguments and result).\n\n{notes}\n"
            f"\n>>> import funcgrad.numpy as fnp\n"
            f">>> fnp.{name}  # doctest: +ELLIPSIS\n<Primitive {name}>\n")


def namespace() -> Any:
    """The ``funcgrad.numpy`` module, for rule modules imported before it is complete."""
    return _modules["funcgrad.numpy"]


def dtype_of(x: Any) -> np.dtype:
    """The NumPy dtype of a value, box or array-like."""
    d = getattr(x, "dtype", None)
    return np.dtype(d) if d is not None else np.result_type(x)


def shape_of(x: Any) -> tuple:
    s = getattr(x, "shape", None)
    return tuple(s) if s is not None else np.shape(x)
