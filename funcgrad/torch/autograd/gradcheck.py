"""``gradcheck`` / ``gradgradcheck``: analytical gradients of a facade
function against central finite differences, with PyTorch's defaults
(``eps=1e-6``, ``atol=1e-5``, ``rtol=1e-3``) and error text. The finite
differences and the comparison are :mod:`funcgrad.testing`'s (shared with
``check_grads``); the analytical side is the facade's own backward.

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

from ...testing._check import _random_like, find_mismatch, numerical_jacobian
from .._graph import own_array
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
    """Input-major ``(x.numel(), out.numel())`` Jacobian by central differences
    (:func:`funcgrad.testing._check.numerical_jacobian`), perturbing the input
    tensor's data in place as PyTorch does; complex inputs combine both
    directions in PyTorch's convention, ``d/dRe + 1j * d/dIm``."""
    from .._grad_mode import no_grad
    arr = own_array(inputs[in_idx])  # (written into below)
    saved = arr.copy()

    def f(moved: np.ndarray) -> np.ndarray:
        np.copyto(arr, moved)
        with no_grad():
            return np.array(_outputs(func, inputs)[out_idx]._value, copy=True)

    try:
        jac = numerical_jacobian(f, saved, eps)
        if arr.dtype.kind == "c":
            jac = jac + 1j * numerical_jacobian(f, saved, eps, direction=1j)
    finally:
        np.copyto(arr, saved)
    return jac.reshape(arr.size, -1)


def _analytical(func: Callable[..., Any], inputs: tuple, out_idx: int, in_idx: int) -> np.ndarray:
    """Input-major Jacobian through the facade's own backward: one
    ``torch.autograd.grad`` per output element."""
    from . import grad
    out = _outputs(func, inputs)[out_idx]
    x = inputs[in_idx]
    n_out = out._value.size
    jac = np.zeros((x._value.size, n_out), dtype=np.result_type(x._value, out._value))
    if out._node is None:
        return jac
    for k in range(n_out):
        e = np.zeros(out._value.shape, out._value.dtype)
        e.reshape(-1)[k] = 1
        g, = grad(out, x, grad_outputs=Tensor._wrap(e, None), retain_graph=True,
                  allow_unused=True)
        if g is not None:
            jac[:, k] = g._value.reshape(-1)
    return jac


def _fmt(a: np.ndarray) -> str:
    return repr(Tensor._wrap(a, None))


def _output_part(func: Callable[..., Any], part: str) -> Callable[..., Any]:
    """``func`` with its complex outputs replaced by their real or imaginary
    part (through the facade's differentiable ``.real`` / ``.imag``)."""
    def fn(*args: Any) -> tuple:
        return tuple(getattr(o, part) if isinstance(o, Tensor) and o.is_complex() else o
                     for o in _tuple(func(*args)))
    return fn


def _first_mismatch(func: Callable[..., Any], inputs: tuple, diff: list, eps: float,
                    atol: float, rtol: float, prefix: Callable[[int], str]) -> Optional[str]:
    outs = _outputs(func, inputs)
    for o_idx in range(len(outs)):
        for i in diff:
            num = _numerical(func, inputs, o_idx, i, eps)
            ana = _analytical(func, inputs, o_idx, i)
            if find_mismatch(ana, num, atol, rtol, equal_nan=False) is not None:
                return (f"{prefix(o_idx)}Jacobian mismatch for output {o_idx} with respect to "
                        f"input {i},\nnumerical:{_fmt(num)}\nanalytical:{_fmt(ana)}\n")
    return None


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: Optional[bool] = None) -> bool:
    """Check ``func``'s gradients at ``inputs`` against finite differences.

    For every output and every input with ``requires_grad``, the analytical
    Jacobian (rows from ``torch.autograd.grad``, i.e. this facade's backward)
    is compared with central differences of step ``eps`` from
    :func:`funcgrad.testing._check.numerical_jacobian`, elementwise
    ``|analytical - numerical| <= atol + rtol * |numerical|`` (the comparison
    :func:`funcgrad.testing.check_grads` also uses). Both Jacobians are
    input-major, ``(input.numel(), output.numel())``, as PyTorch prints them.

    Complex inputs follow PyTorch's convention (gradient ``d/dRe + 1j * d/dIm``,
    the conjugate of JAX's); complex outputs are checked through their
    imaginary and then their real part, the message then starting "While
    considering the imaginary (real) part of complex outputs only, ".

    Returns ``True``, or raises :class:`GradcheckError` (``False`` with
    ``raise_exception=False``) naming the first mismatching output/input.
    The remaining keyword arguments are accepted for PyTorch compatibility
    and do not change the check.

    >>> import funcgrad.torch as torch
    >>> z = torch.tensor([1.0 + 2.0j], dtype=torch.complex128, requires_grad=True)
    >>> torch.autograd.gradcheck(lambda z: z * z.conj(), (z,))
    True
    """
    inputs = _tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of the them have requires_grad=True.")
    for i in diff:
        if inputs[i]._value.dtype not in (np.float64, np.complex128):
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ", UserWarning, stacklevel=2)
    outs = _outputs(func, inputs)
    complex_outs = {k for k, o in enumerate(outs) if o.is_complex()}
    if complex_outs:
        def part_prefix(part: str) -> Callable[[int], str]:
            return lambda o: (f"While considering the {part} part of complex outputs only, "
                              if o in complex_outs else "")
        checks = [(_output_part(func, "imag"), part_prefix("imaginary")),
                  (_output_part(func, "real"), part_prefix("real"))]
    else:
        checks = [(func, lambda o: "")]
    for fn, prefix in checks:
        msg = _first_mismatch(fn, inputs, diff, eps, atol, rtol, prefix)
        if msg is not None:
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
    ``func`` (with random ``grad_outputs`` if not given: standard normal, with
    a random imaginary part for complex outputs).

    >>> import funcgrad.torch as torch
    >>> z = torch.tensor([0.5 - 1.0j], dtype=torch.complex128, requires_grad=True)
    >>> torch.autograd.gradgradcheck(lambda z: z.exp() * z.conj(), (z,))
    True
    """
    from . import grad
    inputs = _tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._wrap(_random_like(o._value, rng), None).requires_grad_(True)
                             for o in outs)
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
