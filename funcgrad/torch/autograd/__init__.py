"""``torch.autograd``: ``backward``, ``grad``, ``Function``, ``Variable``,
anomaly detection and gradient checks, on funcgrad's engine.

>>> import funcgrad.torch as torch
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> torch.autograd.grad((x ** 2).sum(), x)
(tensor([2., 4.]),)
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from ..._core.primitive import Box
from .._grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                          set_grad_enabled)
from .._graph import _as_tensor, run_backward, sweep
from .._tensor import Tensor, _conj_value
from .anomaly_mode import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, \
    set_detect_anomaly
from .function import Function, FunctionCtx, NestedIOFunction, once_differentiable
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable
from . import graph  # noqa: F401
from . import functional  # noqa: F401

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "Variable",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "gradcheck",
           "gradgradcheck", "GradcheckError", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "NestedIOFunction",
           "is_anomaly_check_nan_enabled"]

TensorOrTensors = Union[Tensor, Sequence[Tensor]]
_array = np.array  # (read from NumPy's module on every call otherwise: not specialised)


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, Box):
        return (x,)
    if x is None:
        return ()
    return tuple(x)


def _implicit_grad(out: Any) -> np.ndarray:
    """The seed of an output given no grad_output: ones, for a real output
    with one element (PyTorch's rule)."""
    value = out._value
    dt = value.dtype
    if value.size != 1 and out.requires_grad:
        raise RuntimeError("grad can be implicitly created only for scalar outputs")
    if dt.kind == "c":
        raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                           f"but got {out.dtype}")
    shape = value.shape
    return np.ones(shape, dt) if shape else _array(1, dt)  # (the same; np.array is faster)


def _make_grads(outputs: tuple, grad_outputs: tuple, create_graph: bool) -> list:
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            grads.append(_implicit_grad(out))
            continue
        dt = out._value.dtype
        if isinstance(g, Box):
            gv = g._value if isinstance(g, Tensor) else None
            if gv is not None and tuple(gv.shape) != tuple(out._value.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                    f"output[{i}] has a shape of {out.shape}.")
            if not create_graph or not g.requires_grad:
                g = np.asarray(g._value if isinstance(g, Tensor) else g, dt)
        else:
            g = np.asarray(g, dt)
            if g.shape != out._value.shape:
                from .._tensor import Size
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g.shape)} and "
                    f"output[{i}] has a shape of {out.shape}.")
        if dt.kind == "c":  # PyTorch's convention is the conjugate of the engine's
            g = _conj_value(g)
        grads.append(g)
    return grads


def _check_outputs(outputs: tuple) -> None:
    for out in outputs:
        if type(out) is not Tensor or out._node is None:
            break
    else:
        return  # (the common case, tested first: tensors that have a node)
    for i, out in enumerate(outputs):
        if not isinstance(out, Box):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(out).__name__}")
        if not isinstance(out, Tensor):
            out.backward()  # a TensorTracer: raises its explanation
        if out._node is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")


def _seed_grads(outputs: tuple, grad_outputs: Any, create_graph: bool,
                count_error: str) -> list:
    """The seeds of a backward pass from ``outputs``: ``grad_outputs`` (one
    per output; ``None`` for implicit ones) checked and converted, then the
    outputs checked. ``count_error.format(n_grads, n_outputs)`` is the
    message when the counts differ (``backward`` and ``grad`` word it
    differently)."""
    if grad_outputs is None:  # the common case: every seed implicit
        grads = list(map(_implicit_grad, outputs))
    else:
        gouts = _as_tuple(grad_outputs)
        if len(gouts) != len(outputs):
            raise RuntimeError(count_error.format(len(gouts), len(outputs)))
        grads = _make_grads(outputs, gouts, create_graph)
    _check_outputs(outputs)
    return grads


_BACKWARD_COUNT_ERROR = "grad_tensors has {} entries but there are {} tensors"
_GRAD_COUNT_ERROR = "grad requires one grad_output per output: got {} grad_outputs and {} outputs"


def backward(tensors: TensorOrTensors, grad_tensors: Any = None,
             retain_graph: Optional[bool] = None, create_graph: bool = False,
             grad_variables: Any = None, inputs: Any = None) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``.

    >>> import funcgrad.torch as torch
    >>> x = torch.ones(2, requires_grad=True)
    >>> torch.autograd.backward([x * 2], [torch.ones(2)]); x.grad
    tensor([2., 2.])
    """
    outputs = _as_tuple(tensors)
    if grad_tensors is None and grad_variables is not None:
        grad_tensors = grad_variables
    grads = _seed_grads(outputs, grad_tensors, create_graph, _BACKWARD_COUNT_ERROR)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        import warnings
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    capture = None
    if inputs is not None:
        capture = list(_as_tuple(inputs))
        if not capture:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(outputs, grads, retain_graph=retain_graph, create_graph=create_graph,
                 capture=capture, accumulate=True)


def grad(outputs: TensorOrTensors, inputs: TensorOrTensors,
         grad_outputs: Any = None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, only_inputs: bool = True,
         allow_unused: Optional[bool] = None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs`` (a tuple),
    without touching any ``.grad``. ``create_graph=True`` records them, for
    higher-order derivatives.

    >>> import funcgrad.torch as torch
    >>> x = torch.tensor(2.0, requires_grad=True)
    >>> g, = torch.autograd.grad(x ** 3, x, create_graph=True)
    >>> g, torch.autograd.grad(g, x)
    (tensor(12., grad_fn=<MulBackward0>), (tensor(12.),))
    """
    if retain_graph is None:
        retain_graph = create_graph
    if type(outputs) is Tensor and type(inputs) is Tensor and grad_outputs is None \
            and not (is_grads_batched or materialize_grads):
        root, node = outputs._node, inputs._node
        if root is not None and node is not None and node.is_leaf:
            # The usual call, one output with an implicit seed and one leaf:
            # what the general path below does, without its generality.
            leaves = sweep([root], [_implicit_grad(outputs)], retain_graph, create_graph, False)
            return (_grad_result(inputs, leaves.get(node), 0, allow_unused, False,
                                 create_graph),)
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported by funcgrad.torch")
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if not allow_unused and materialize_grads:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    for t in ins:
        if not isinstance(t, Tensor) or t._node is None:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _seed_grads(outs, grad_outputs, create_graph, _GRAD_COUNT_ERROR)
    cts = run_backward(outs, grads, retain_graph=retain_graph, create_graph=create_graph,
                       capture=ins, accumulate=False)
    return tuple(_grad_result(t, ct, i, allow_unused, materialize_grads, create_graph)
                 for i, (t, ct) in enumerate(zip(ins, cts)))


def _grad_result(t: Tensor, ct: Any, i: int, allow_unused: Optional[bool],
                 materialize_grads: bool, create_graph: bool) -> Optional[Tensor]:
    """What ``grad`` returns for input ``t`` (at position ``i``), given the
    cotangent ``ct`` the backward pass gave its node (``None``: not
    reached)."""
    if ct is None:
        if not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been used in "
                "the graph. Set allow_unused=True if this is the desired behavior.")
        return Tensor._wrap(np.zeros(t._value.shape, t._value.dtype), None) \
            if materialize_grads else None
    if t._value.dtype.kind == "c":
        ct = _conj_value(ct)
    if isinstance(ct, Box):
        return ct if create_graph else Tensor._wrap(np.array(ct._value), None)
    if create_graph:  # a constant (say, the seed expanded by sum's rule): as it is
        return _as_tensor(ct)
    return Tensor._wrap(_array(ct, dtype=t._value.dtype, copy=True), None)
