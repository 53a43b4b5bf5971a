"""Tools for testing gradients: :func:`check_grads` and hypothesis strategies
(:mod:`funcgrad.testing.strategies`)."""
from ._check import check_grads

__all__ = ["check_grads"]
