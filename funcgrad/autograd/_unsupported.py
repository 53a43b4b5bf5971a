"""The one error for autograd internals funcgrad does not have."""
from __future__ import annotations


def internals_error(name: str) -> ImportError:
    return ImportError(
        f"funcgrad.autograd does not provide HIPS autograd's {name}: funcgrad has its own "
        "engine (traces, boxes and nodes in funcgrad._core), not autograd's tracer/VSpace "
        "classes. Define new operations with funcgrad.autograd.extend.primitive and "
        "defvjp/defjvp (or funcgrad.custom_vjp); see docs/from-autograd.md.")
