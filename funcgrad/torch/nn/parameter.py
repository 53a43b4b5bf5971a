"""``Parameter``: a tensor that a ``Module`` registers as one of its parameters."""
from __future__ import annotations

from typing import Any, Optional

import funcgrad.torch as torch

__all__ = ["Parameter"]


class Parameter(torch.Tensor):
    """A leaf tensor that requires grad (by default) and that ``Module``
    registers when assigned to one of its attributes.

    It shares ``data``'s values and is a leaf even when created under
    ``no_grad`` or from a tensor with history.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.ones(2))
    >>> w
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    >>> w.is_leaf, w.requires_grad
    (True, True)
    """

    __slots__ = ()
    _is_param = True  # the facade's repr puts "Parameter containing:" first

    def __new__(cls, data: Optional[Any] = None, requires_grad: bool = True) -> "Parameter":
        if data is None:
            data = torch.zeros(0)
        if not isinstance(data, torch.Tensor):
            raise TypeError(f"Parameter(data): expected a Tensor, got {type(data).__name__}")
        return torch.Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, data: Optional[Any] = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (Parameter, (self.detach().clone(), self.requires_grad))
