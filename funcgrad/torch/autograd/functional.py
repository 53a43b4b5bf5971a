"""``torch.autograd.functional``: ``jacobian``, ``hessian``, ``vjp``, ``jvp``
for functions of facade tensors, via repeated ``autograd.grad`` calls.

>>> import funcgrad.torch as torch
>>> torch.autograd.functional.jacobian(lambda x: x ** 2, torch.tensor([1.0, 2.0]))
tensor([[2., 0.],
        [0., 4.]])
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["jacobian", "hessian", "vjp"]


def _grad(*args: Any, **kwargs: Any) -> Any:
    from . import grad
    return grad(*args, **kwargs)


def _prep(inputs: Any, create_graph: bool) -> tuple:
    single = not isinstance(inputs, (tuple, list))
    ins = (inputs,) if single else tuple(inputs)
    ins = tuple(x.detach().requires_grad_(True) if x.dtype.is_floating_point
                or x.dtype.is_complex else x.detach() for x in ins)
    return single, ins


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """Jacobian of ``func`` at ``inputs`` (shape ``out.shape + in.shape``).

    >>> import funcgrad.torch as torch
    >>> jacobian(lambda x: 3 * x, torch.ones(2))
    tensor([[3., 0.],
            [0., 3.]])
    """
    from .. import _functions as F
    from .._tensor import Tensor
    single, ins = _prep(inputs, create_graph)
    out = func(*ins)
    rows = []
    flat = F.reshape(out, (-1,))
    n = flat.shape[0]
    for k in range(n):
        gs = _grad(flat[k], ins, retain_graph=True, create_graph=create_graph, allow_unused=True)
        rows.append([g if g is not None else Tensor._wrap(np.zeros(x._value.shape,
                                                                   x._value.dtype), None)
                     for g, x in zip(gs, ins)])
    jacs = []
    for i, x in enumerate(ins):
        if rows:
            j = F.stack([r[i] for r in rows])
        else:
            j = Tensor._wrap(np.zeros((0,) + tuple(x.shape), x._value.dtype), None)
        j = F.reshape(j, tuple(out.shape) + tuple(x.shape))
        jacs.append(j if create_graph else j.detach())
    return jacs[0] if single else tuple(jacs)


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False) -> Any:
    """Hessian of a scalar ``func`` at ``inputs``.

    >>> import funcgrad.torch as torch
    >>> hessian(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    single = not isinstance(inputs, (tuple, list))

    def grad_fn(*xs: Any) -> Any:
        out = func(*xs)
        gs = _grad(out, xs, create_graph=True, allow_unused=True)
        return gs[0] if single else gs
    return jacobian(grad_fn, inputs, create_graph=create_graph)


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), v^T J)``.

    >>> import funcgrad.torch as torch
    >>> vjp(lambda x: x ** 2, torch.tensor([1.0, 2.0]), torch.ones(2))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    single, ins = _prep(inputs, create_graph)
    out = func(*ins)
    gs = _grad(out, ins, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    return out.detach(), (gs[0] if single else gs)
