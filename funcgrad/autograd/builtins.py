"""``autograd.builtins``: containers and type tests that see through traced values.

funcgrad traces through Python's own tuples, lists and dicts (they are pytrees),
so ``tuple``, ``list`` and ``dict`` are Python's; ``isinstance`` and ``type``
look at the value under a traced box, as autograd's do.
"""
from __future__ import annotations

import builtins as _b
from typing import Any

from .._core import Box, concrete

tuple = _b.tuple
list = _b.list
dict = _b.dict
SequenceBox = DictBox = None  # autograd's box classes: containers need no boxes here


def isinstance(obj: Any, classinfo: Any) -> bool:
    """``isinstance`` of the value under any traced box (``isinstance(x, np.ndarray)``
    is true for a traced array, as in autograd)."""
    return _b.isinstance(obj, classinfo) or (
        _b.isinstance(obj, Box) and _b.isinstance(concrete(obj), classinfo))


def type(obj: Any) -> Any:
    """The type of the value under any traced box."""
    return _b.type(concrete(obj))


__all__ = ["tuple", "list", "dict", "isinstance", "type"]
