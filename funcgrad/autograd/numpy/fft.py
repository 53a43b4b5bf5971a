"""``autograd.numpy.fft``: funcgrad.numpy.fft."""
from __future__ import annotations

from typing import Any

import funcgrad.numpy.fft as _mod


def __getattr__(name: str) -> Any:
    return getattr(_mod, name)
