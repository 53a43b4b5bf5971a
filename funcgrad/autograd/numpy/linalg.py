"""``autograd.numpy.linalg``: funcgrad.numpy.linalg."""
from __future__ import annotations

from typing import Any

import funcgrad.numpy.linalg as _mod


def __getattr__(name: str) -> Any:
    return getattr(_mod, name)
