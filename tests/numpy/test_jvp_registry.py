"""Forward mode from the registry: every differentiable function's JVP
against central finite differences and against its VJP
(``<jvp(u), v> == <u, vjp(v)>``) in float64, over the hypothesis-drawn
arguments of its spec (0-d, broadcasting and complex inputs included), and
every differentiable primitive has a JVP rule."""
from __future__ import annotations

import gc

import pytest
from hypothesis import given, settings, strategies as st

import funcgrad.numpy  # noqa: F401  (the primitives)
import funcgrad.torch  # noqa: F401
import funcgrad.torch.nn  # noqa: F401
from funcgrad._core import Primitive
from funcgrad.numpy import REGISTRY
from funcgrad.testing import check_grads

from .specs import collect
from .test_registry import _call_with

SPECS = collect()
DIFFERENTIABLE = sorted(n for n in REGISTRY
                        if not n.split(".")[-1].startswith("_") and REGISTRY[n].differentiable)


def _primitives() -> list:
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
@settings(max_examples=4)
@given(data=st.data())
def test_jvp_matches_finite_differences_and_vjp(name, spec, data):
    args, kwargs = data.draw(spec.args, label="arguments")
    f = _call_with(REGISTRY[name].fn, args, kwargs, spec.argnums)
    check_grads(f, tuple(args[i] for i in spec.argnums), order=1, modes=("fwd",),
                atol=spec.atol, rtol=spec.rtol)
