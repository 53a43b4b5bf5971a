"""``autograd.scipy.signal``: funcgrad.scipy.signal (SciPy's names and signatures)."""
from __future__ import annotations

from typing import Any

from funcgrad.scipy import signal as _mod


def __getattr__(name: str) -> Any:
    return getattr(_mod, name)
