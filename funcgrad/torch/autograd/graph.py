"""``torch.autograd.graph``: the node classes of the facade's graph.

>>> import funcgrad.torch as torch
>>> x = torch.ones(1, requires_grad=True)
>>> isinstance((x * 2).grad_fn, torch.autograd.graph.Node)
True
"""
from __future__ import annotations

from .._graph import AccumulateGrad, BackwardNode as Node

__all__ = ["Node", "AccumulateGrad"]
