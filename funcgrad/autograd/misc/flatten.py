"""``autograd.misc.flatten``: ``flatten(value) -> (flat, unflatten)``, which is
:func:`funcgrad.flatten_util.ravel_pytree` (differentiable both ways)."""
from __future__ import annotations

from typing import Any

from ...flatten_util import ravel_pytree

__all__ = ["flatten"]


def flatten(value: Any) -> tuple:
    """One 1-D array of every leaf of ``value`` (dict keys sorted) and its inverse."""
    return ravel_pytree(value)
