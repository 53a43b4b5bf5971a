"""``autograd.numpy.random``: funcgrad.numpy.random."""
from __future__ import annotations

from typing import Any

import funcgrad.numpy.random as _mod


def __getattr__(name: str) -> Any:
    return getattr(_mod, name)
