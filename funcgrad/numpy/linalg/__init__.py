"""Differentiable ``numpy.linalg``."""
from __future__ import annotations
