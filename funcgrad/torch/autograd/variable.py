"""``Variable``: the pre-0.4 wrapper, now just a tensor.

``Variable(t, requires_grad=True)`` returns a leaf tensor sharing ``t``'s
data; every tensor is an instance of ``Variable``.

>>> import funcgrad.torch as torch
>>> from funcgrad.torch.autograd import Variable
>>> v = Variable(torch.Tensor([[1., 2.], [2., 3.]]), requires_grad=True)
>>> v.requires_grad, isinstance(torch.ones(1), Variable)
(True, True)
"""
from __future__ import annotations

from typing import Any

from .._tensor import Tensor

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy wrapper: returns a tensor (see module docstring)."""

    def __new__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False) -> Any:
        if data is None:
            from .._creation import tensor
            data = tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = data.detach()
        if requires_grad:
            t.requires_grad_(True)
        return t
