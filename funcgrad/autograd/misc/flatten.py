"""``autograd.misc.flatten``: ``flatten(value) -> (flat, unflatten)``, which is
:func:`funcgrad.flatten_util.ravel_pytree` (differentiable both ways)."""
from __future__ import annotations

from typing import Any

from ...flatten_util import ravel_pytree

__all__ = ["flatten", "flatten_func"]


def flatten(value: Any) -> tuple:
    """One 1-D array of every leaf of ``value`` (dict keys sorted) and its inverse."""
    return ravel_pytree(value)


def flatten_func(func: Any, example: Any) -> tuple:
    """``(flat_func, unflatten, flat_example)``: ``func`` of a pytree shaped like
    ``example``, as a function of one flat vector (for ``scipy.optimize``)."""
    flat_example, unflatten = ravel_pytree(example)

    def flat_func(flat: Any, *args: Any, **kwargs: Any) -> Any:
        return func(unflatten(flat), *args, **kwargs)
    return flat_func, unflatten, flat_example
