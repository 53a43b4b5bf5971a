"""Forward mode from the registry: every differentiable function's JVP
against central finite differences and against its VJP
(``<jvp(u), v> == <u, vjp(v)>``) in float64, to the second order (forward
over reverse), over the hypothesis-drawn arguments of its spec (0-d,
broadcasting and complex inputs included); and every differentiable
primitive has a JVP rule."""
from __future__ import annotations

import gc
import importlib
import pkgutil

import pytest
from hypothesis import given, settings, strategies as st

from funcgrad._core import Primitive
from funcgrad.numpy import REGISTRY
from funcgrad.testing import check_grads

from .specs import collect
from .test_registry import _call_with

SPECS = collect()
DIFFERENTIABLE = sorted(n for n in REGISTRY
                        if not n.split(".")[-1].startswith("_") and REGISTRY[n].differentiable)


def _import_rule_modules() -> None:
    """Import every module that may define primitives (optional extras that
    are not installed are skipped), so the list below does not depend on
    which other tests ran first."""
    for pkg in ("numpy", "torch", "scipy", "lax", "autograd"):
        try:
            mod = importlib.import_module(f"funcgrad.{pkg}")
        except ImportError:
            continue
        for info in pkgutil.walk_packages(getattr(mod, "__path__", []), mod.__name__ + "."):
            try:
                importlib.import_module(info.name)
            except ImportError:
                pass


def _primitives() -> list:
    _import_rule_modules()
    return sorted({p for p in gc.get_objects() if isinstance(p, Primitive) and p.differentiable},
                  key=lambda p: p.name)


@pytest.mark.parametrize("prim", _primitives(), ids=lambda p: p.name)
def test_every_differentiable_primitive_has_a_jvp_rule(prim):
    assert prim.jvp is not None, (
        f"primitive {prim.name!r} has a VJP rule but no JVP rule: declare one in the "
        "'JVP rules (forward mode)' section of its family module.")


def _cases():
    for name in DIFFERENTIABLE:
        for k, spec in enumerate(SPECS.get(name, [])):
            yield pytest.param(name, spec, id=f"{name}-{k}")


@pytest.mark.parametrize("name,spec", list(_cases()))
@settings(max_examples=3)
@given(data=st.data())
def test_jvp_matches_finite_differences_and_vjp(name, spec, data):
    args, kwargs = data.draw(spec.args, label="arguments")
    f = _call_with(REGISTRY[name].fn, args, kwargs, spec.argnums)
    # order 2: forward mode over the VJP too (the JVP rules of the VJP rules' primitives)
    check_grads(f, tuple(args[i] for i in spec.argnums), order=min(spec.order, 2),
                modes=("fwd",), atol=spec.atol, rtol=spec.rtol)
