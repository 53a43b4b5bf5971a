"""Differentiable ``numpy.linalg``: functions registered as ``"linalg.<name>"``."""
from __future__ import annotations

from typing import Any

import numpy as _np

from .._registry import exports as _exports


def __getattr__(name: str) -> Any:
    fns = _exports("linalg.")
    if name in fns:
        return fns[name]
    return getattr(_np.linalg, name)
