"""``gradcheck`` / ``gradgradcheck``: analytical gradients of a facade
function against central finite differences, with PyTorch's defaults
(``eps=1e-6``, ``atol=1e-5``, ``rtol=1e-3``) and error text.

>>> import funcgrad.torch as torch
>>> x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
>>> torch.autograd.gradcheck(lambda x: (x ** 3).sum(), (x,))
True
>>> torch.autograd.gradgradcheck(lambda x: (x ** 3).sum(), (x,))
True
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Optional

import numpy as np

from .._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when the gradients do not match."""


def _tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _outputs(func: Callable[..., Any], inputs: tuple) -> tuple:
    from .._grad_mode import enable_grad
    with enable_grad():
        return tuple(o for o in _tuple(func(*inputs)) if isinstance(o, Tensor))


def _numerical(func: Callable[..., Any], inputs: tuple, out_idx: int, in_idx: int,
               eps: float) -> np.ndarray:
    from .._grad_mode import no_grad
    x = inputs[in_idx]
    arr = x._value
    with no_grad():
        out0 = _outputs(func, inputs)[out_idx]._value
        jac = np.zeros((out0.size, arr.size), dtype=np.result_type(arr, out0))
        flat = arr.reshape(-1)
        for j in range(arr.size):
            orig = flat[j].copy()
            flat[j] = orig + eps
            plus = np.array(_outputs(func, inputs)[out_idx]._value, copy=True)
            flat[j] = orig - eps
            minus = np.array(_outputs(func, inputs)[out_idx]._value, copy=True)
            flat[j] = orig
            jac[:, j] = ((plus - minus) / (2 * eps)).reshape(-1)
    return jac


def _analytical(func: Callable[..., Any], inputs: tuple, out_idx: int, in_idx: int) -> np.ndarray:
    from . import grad
    out = _outputs(func, inputs)[out_idx]
    x = inputs[in_idx]
    n_out = out._value.size
    jac = np.zeros((n_out, x._value.size), dtype=np.result_type(x._value, out._value))
    for k in range(n_out):
        e = np.zeros(out._value.shape, out._value.dtype)
        e.reshape(-1)[k] = 1
        if out._node is None:
            continue
        g, = grad(out, x, grad_outputs=Tensor._wrap(e, None), retain_graph=True,
                  allow_unused=True)
        if g is not None:
            jac[k] = g._value.reshape(-1)
    return jac


def _fmt(a: np.ndarray) -> str:
    return repr(Tensor._wrap(a, None))


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: Optional[bool] = None) -> bool:
    """Check ``func``'s gradients at ``inputs`` against finite differences.

    Real inputs only (complex inputs raise ``NotImplementedError``). Returns
    ``True``, or raises :class:`GradcheckError` (``False`` with
    ``raise_exception=False``) naming the first mismatching output/input.
    """
    inputs = _tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of the them have requires_grad=True.")
    for i in diff:
        dt = inputs[i]._value.dtype
        if dt.kind == "c":
            raise NotImplementedError("funcgrad.torch.autograd.gradcheck: complex inputs are "
                                      "not supported")
        if dt != np.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ", UserWarning, stacklevel=2)
    outs = _outputs(func, inputs)
    for o_idx in range(len(outs)):
        for i in diff:
            num = _numerical(func, inputs, o_idx, i, eps)
            ana = _analytical(func, inputs, o_idx, i)
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                msg = (f"Jacobian mismatch for output {o_idx} with respect to input {i},\n"
                       f"numerical:{_fmt(num)}\nanalytical:{_fmt(ana)}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: :func:`gradcheck` of the gradient of
    ``func`` (with random ``grad_outputs`` if not given)."""
    from . import grad
    inputs = _tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._wrap(rng.standard_normal(o._value.shape).astype(
            o._value.dtype), None).requires_grad_(True) for o in outs)
    grad_outputs = _tuple(grad_outputs)
    n = len(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_grads(*args: Any) -> tuple:
        ins, gos = args[:n], args[n:]
        os_ = _outputs(func, ins)
        gs = grad(os_, [ins[i] for i in diff], grad_outputs=gos, create_graph=True,
                  allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
