"""``autograd.numpy``: funcgrad.numpy under autograd's module path
(``import funcgrad.autograd.numpy as np``; ``.random``, ``.linalg``, ``.fft``)."""
from __future__ import annotations

from typing import Any

import funcgrad.numpy as _fnp

from . import fft, linalg, random  # noqa: F401


def __getattr__(name: str) -> Any:
    return getattr(_fnp, name)


def __dir__() -> list:
    return sorted(set(dir(_fnp)) | {"fft", "linalg", "random"})
