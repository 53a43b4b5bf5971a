"""``Optimizer``: the base class of every optimizer (PyTorch 2.x semantics).

An optimizer holds ``param_groups`` (a list of dicts: ``"params"`` and the
hyper-parameters of that group) and ``state`` (per-parameter buffers such as
momentum). Subclasses implement ``step``; the update runs without recording
a graph, on the parameters' data in place.
"""
from __future__ import annotations

import copy
import functools
from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

import funcgrad.torch as torch

__all__ = ["Optimizer", "required", "check_hyperparameters"]


class _RequiredParameter:
    """Marks a hyper-parameter without a default: a parameter group must then
    set it (as ``lr`` of ``SGD`` in PyTorch 1.x); shown as ``<required parameter>``.

    >>> from funcgrad.torch.optim.optimizer import required
    >>> required
    <required parameter>
    """

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

ParamsT = Union[Iterable[Any], Iterable[Dict[str, Any]]]


def check_hyperparameters(*, lr: Optional[float] = None, eps: Optional[float] = None,
                          betas: Optional[Tuple[float, float]] = None,
                          rho: Optional[float] = None, **nonnegative: float) -> None:
    """The constructors' argument checks, with PyTorch's messages: ``lr``,
    ``eps`` and the keyword ones must be >= 0, each beta in [0, 1), ``rho``
    in [0, 1].

    >>> check_hyperparameters(lr=-1)
    Traceback (most recent call last):
        ...
    ValueError: Invalid learning rate: -1
    >>> check_hyperparameters(lr=0.1, momentum_decay=-0.5)
    Traceback (most recent call last):
        ...
    ValueError: Invalid momentum_decay value: -0.5
    """
    if lr is not None and not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps is not None and not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if betas is not None:
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    if rho is not None and not 0.0 <= rho <= 1.0:
        raise ValueError(f"Invalid rho value: {rho}")
    for name, value in nonnegative.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {name} value: {value}")


def _typename(obj: Any) -> str:
    """``torch.typename``: ``torch.FloatTensor`` for a float32 tensor, else the class."""
    if _is_tensor(obj):
        names = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "int32": "IntTensor", "bool": "BoolTensor"}
        return "torch." + names.get(str(_array(obj).dtype), "Tensor")
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in (None, "builtins") else f"{module}.{name}"


def _is_tensor(obj: Any) -> bool:
    return isinstance(obj, torch.Tensor)


def _array(t: Any) -> np.ndarray:
    """The NumPy array holding a tensor's data (shared: writing it updates ``t``)."""
    return t.detach().numpy()


def _real_view(a: np.ndarray) -> np.ndarray:
    """Complex arrays as real views (PyTorch's ``view_as_real`` in the optimizers):
    a trailing axis of 2 (real, imaginary), sharing memory; 0-d arrays too.

    >>> _real_view(np.array(1 + 2j)).tolist()
    [1.0, 2.0]
    """
    return a[..., None].view(a.real.dtype) if a.dtype.kind == "c" else a


def _state_tensor(a: np.ndarray, like: Any) -> Any:
    """A new state tensor holding (a copy of) ``a``, a buffer computed on
    :func:`_real_view` arrays, with the shape and dtype of the parameter ``like``.

    >>> import funcgrad.torch as torch
    >>> _state_tensor(np.array([1.0, 2.0]), torch.tensor(0j)).shape
    torch.Size([])
    """
    p = _array(like)
    out = np.array(a, dtype=p.real.dtype, copy=True)
    if p.dtype.kind == "c":
        out = out.view(p.dtype)
    return torch.from_numpy(out.reshape(p.shape))


def _zeros_state(p: Any) -> Any:
    """A zero tensor shaped and typed like ``p`` (not requiring grad)."""
    return torch.from_numpy(np.zeros(_array(p).shape, _array(p).dtype))


def _bump_version(p: Any) -> None:
    """Tell the facade ``p`` was modified in place (its version counter)."""
    bump = getattr(p, "_bump_version", None)
    if bump is not None:
        bump()


class Optimizer:
    """Base class for all optimizers.

    ``params`` is an iterable of tensors, or of dicts defining parameter
    groups (``{"params": [...], "lr": 0.01}``); ``defaults`` holds the
    hyper-parameters used for groups that do not set them.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.ones(2))
    >>> opt = torch.optim.SGD([w], lr=0.5)
    >>> w.sum().backward(); opt.step()
    >>> w
    Parameter containing:
    tensor([0.5000, 0.5000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, defaults: Dict[str, Any]) -> None:
        if defaults.get("differentiable"):
            raise NotImplementedError("funcgrad's optimizers do not support differentiable=True")
        self.defaults = defaults
        self._step_count = 0
        if _is_tensor(params):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state: Dict[Any, Dict[str, Any]] = defaultdict(dict)
        self.param_groups: List[Dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # --- groups ------------------------------------------------------------
    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """Add a group of parameters (a dict with ``"params"`` and optional
        hyper-parameters; missing ones come from ``defaults``).

        >>> import funcgrad.torch as torch
        >>> a, b = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))
        >>> opt = torch.optim.SGD([a], lr=0.1)
        >>> opt.add_param_group({"params": [b], "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_typename(param_group)}")
        params = param_group["params"]
        if _is_tensor(params):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        for p in param_group["params"]:
            if not _is_tensor(p):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        ids = [id(p) for p in param_group["params"]]
        if len(set(ids)) != len(ids):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        if seen & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # --- gradients -----------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized parameters: to ``None``
        (default, as PyTorch 2.x) or to zeros.

        >>> import funcgrad.torch as torch
        >>> w = torch.nn.Parameter(torch.ones(2)); opt = torch.optim.SGD([w], lr=0.1)
        >>> w.sum().backward(); opt.zero_grad(); print(w.grad)
        None
        """
        from ..nn.utils import zero_grads_
        zero_grads_((p for group in self.param_groups for p in group["params"]), set_to_none)

    # --- stepping ------------------------------------------------------------
    def _run_closure(self, closure: Optional[Callable[[], Any]]) -> Any:
        if closure is None:
            return None
        with torch.enable_grad():
            return closure()

    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """Perform one optimization step (implemented by each optimizer).

        ``closure`` re-evaluates the model and returns the loss; it runs with
        gradients enabled, the update itself without.

        >>> import funcgrad.torch as torch
        >>> w = torch.nn.Parameter(torch.tensor([3.0]))
        >>> opt = torch.optim.SGD([w], lr=0.25)
        >>> def closure():
        ...     opt.zero_grad(); loss = (w ** 2).sum(); loss.backward(); return loss
        >>> opt.step(closure), w.detach()
        (tensor(9., grad_fn=<SumBackward0>), tensor([1.5000]))
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not implement step(); subclasses of Optimizer must.")

    def _grad_array(self, p: Any) -> Optional[np.ndarray]:
        grad = p.grad
        if grad is None:
            return None
        return _array(grad)

    def _note_step(self) -> None:
        self._step_count += 1

    # --- saving --------------------------------------------------------------
    def state_dict(self) -> Dict[str, Any]:
        """The optimizer's state: ``{"state": {index: {...}}, "param_groups":
        [{..., "params": [indices]}]}``, parameters replaced by their index.

        >>> import funcgrad.torch as torch
        >>> w = torch.nn.Parameter(torch.ones(2))
        >>> torch.optim.SGD([w], lr=0.1).state_dict()["param_groups"][0]["params"]
        [0]
        """
        index: Dict[int, int] = {}
        start = 0
        packed_groups = []
        for group in self.param_groups:
            for offset, p in enumerate(group["params"]):
                index.setdefault(id(p), start + offset)
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(group["params"])
            packed_groups.append(packed)
        packed_state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state and index[id(p)] not in packed_state:
                    packed_state[index[id(p)]] = self.state[p]
        return {"state": packed_state, "param_groups": packed_groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (tensors are copied and cast
        to their parameter's dtype, except ``step``).

        >>> import funcgrad.torch as torch
        >>> w = torch.nn.Parameter(torch.ones(2))
        >>> opt = torch.optim.SGD([w], lr=0.1); opt.load_state_dict({"state": {},
        ...     "param_groups": [dict(opt.state_dict()["param_groups"][0], lr=0.5)]})
        >>> opt.param_groups[0]["lr"]
        0.5
        """
        state_dict = _copy_state(state_dict)
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = {}
        for g, s in zip(groups, saved_groups):
            for old, p in zip(s["params"], g["params"]):
                id_map[old] = p
        state: Dict[Any, Dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                p = id_map[key]
                state[p] = {k: self._cast_state(p, k, v) for k, v in value.items()}
            else:
                state[key] = value
        new_groups = []
        for g, s in zip(groups, saved_groups):
            merged = dict(s)
            merged["params"] = g["params"]
            new_groups.append(merged)
        self.state = state
        self.param_groups = new_groups

    @staticmethod
    def _cast_state(p: Any, key: str, value: Any) -> Any:
        if _is_tensor(value) and key != "step":
            arr = np.array(_array(value), dtype=_array(p).dtype, copy=True)
            return torch.from_numpy(arr)
        if _is_tensor(value):
            return torch.from_numpy(np.array(_array(value), copy=True))
        return value

    # --- display -------------------------------------------------------------
    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += "\n"
            text += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        text += ")"
        return text

    def __getstate__(self) -> Dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_step_count", 0)


def _copy_state(obj: Any) -> Any:
    """Deep-copy a state dict, copying tensors by value."""
    if _is_tensor(obj):
        return torch.from_numpy(np.array(_array(obj), copy=True))
    if isinstance(obj, dict):
        return {k: _copy_state(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_copy_state(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_copy_state(v) for v in obj)
    return copy.deepcopy(obj)


def _no_grad_step(step: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate an optimizer's ``step``: run the update without recording a
    graph, and count steps (for the learning-rate schedulers' order check)."""

    @functools.wraps(step)
    def wrapper(self: Optimizer, closure: Optional[Callable[[], Any]] = None) -> Any:
        loss = self._run_closure(closure)
        with torch.no_grad():
            step(self)
        self._note_step()
        return loss

    return wrapper


class PerParameterOptimizer(Optimizer):
    """An optimizer that updates each parameter on its own from its gradient
    and its state buffers (all of them but LBFGS).

    Subclasses name their zero-initialised buffers in :meth:`_buffers` and
    give the NumPy update in :meth:`_update`; the state of a parameter is
    ``step`` (a float tensor, as PyTorch's) and those buffers, created at its
    first step. Complex parameters and buffers reach ``_update`` as real views.
    """

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        raise NotImplementedError

    def _init_state(self, p: Any, group: Dict[str, Any]) -> Dict[str, Any]:
        state = {"step": torch.tensor(0.0)}
        for name in self._buffers(group):
            state[name] = _zeros_state(p)
        return state

    def _update(self, param: np.ndarray, grad: np.ndarray, buffers: Dict[str, np.ndarray],
                step: int, group: Dict[str, Any]) -> None:
        raise NotImplementedError

    @_no_grad_step
    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:  # type: ignore[override]
        """Update every parameter that has a gradient; returns ``closure()``'s
        loss when a closure is given."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = self._grad_array(p)
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state.update(self._init_state(p, group))
                step_arr = _array(state["step"])
                step_arr += 1
                buffers = {k: _real_view(_array(v)) for k, v in state.items()
                           if k != "step" and _is_tensor(v)}
                self._update(_real_view(_array(p)), _real_view(grad), buffers,
                             int(step_arr), group)
                _bump_version(p)
