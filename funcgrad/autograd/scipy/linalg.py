"""``autograd.scipy.linalg``: funcgrad.scipy.linalg (SciPy's names and signatures)."""
from __future__ import annotations

from typing import Any

from funcgrad.scipy import linalg as _mod


def __getattr__(name: str) -> Any:
    return getattr(_mod, name)
