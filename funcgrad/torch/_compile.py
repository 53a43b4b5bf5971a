"""``torch.compile``: the function or module staged by funcgrad's ``jit``.

``torch.compile(fn)`` traces ``fn`` once per signature (the structure of the
arguments; per tensor its shape and dtype; the values of the other
arguments; the train/eval mode of every module the code called) into a
program of primitive applications, optimises it and compiles it to one
Python function of NumPy calls (:mod:`funcgrad._core.passes`). Later calls
of that signature run the program:

- with no tensor that requires grad (inference, ``torch.no_grad()``): the
  compiled function, on the tensors' arrays;
- otherwise as ONE recorded operation (``grad_fn`` ``CompiledFunctionBackward``)
  whose backward is the program's VJP, itself staged and compiled once
  (it recomputes the forward it needs), so ``loss.backward()`` gives the
  eager gradients.

A module is compiled as a function of its parameters and buffers
(``functional_call``): they are arguments of the program, not constants, so
an optimizer's in-place updates between calls are seen. Tensors closed over
(a model called from a compiled function) are passed to the program on each
call too: the live objects. A new shape or dtype traces again. Code that
cannot be staged -- Python control flow on tensor values, ``.item()``,
random operations (dropout in training mode), in-place updates of buffers
(BatchNorm's running statistics in training mode) -- falls back to eager
execution with one warning, for good.

As in PyTorch, compiling a module returns an ``OptimizedModule`` holding the
original as ``_orig_mod`` (so its ``state_dict`` keys are prefixed
``_orig_mod.``) and forwarding attribute access to it. ``mode``, ``options``,
``fullgraph``, ``dynamic`` and ``backend`` are checked and accepted; the
program is the same for all of them.

>>> import funcgrad.torch as torch
>>> model = torch.nn.Linear(2, 1)
>>> compiled = torch.compile(model, mode="reduce-overhead")
>>> compiled
OptimizedModule(
  (_orig_mod): Linear(in_features=2, out_features=1, bias=True)
)
>>> x = torch.ones(3, 2)
>>> torch.allclose(compiled(x), model(x)), compiled.weight is model.weight
(True, True)
>>> compiled(x).grad_fn
<CompiledFunctionBackward object at ...>
"""
from __future__ import annotations

import functools
import sys
import threading
import warnings
from typing import Any, Callable, Dict, Optional, Union

import numpy as np

from .._core import concrete
from .._core.passes import compile_program, optimise
from .._core.primitive import Box, bind
from .._jit import _drop_examples, _pjit_p, stage
from ..tree_util import tree_flatten, tree_unflatten
from . import _creation
from ._grad_mode import _GRAD_ENABLED
from ._tensor import Tensor
from .nn import module as _module
from .nn.module import Module  # (imported lazily by funcgrad.torch, after the Tensor)

__all__ = ["compile", "OptimizedModule"]

MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
BACKENDS = ("inductor", "eager", "aot_eager", "cudagraphs")


def _check(mode: Optional[str], options: Optional[Dict[str, Any]],
           backend: Union[str, Callable, None]) -> None:
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(MODES)}")
    if isinstance(backend, str) and backend not in BACKENDS:
        raise RuntimeError(f"Invalid backend: {backend!r}, see "
                           "`torch._dynamo.list_backends()` for available backends.")
    if backend is not None and not isinstance(backend, str) and not callable(backend):
        raise RuntimeError(f"Invalid backend: {backend!r}")


class _Staged:
    """The program of one signature: the optimised program, its compiled
    function, the output structure, which outputs are tensors, the tensors
    closed over (passed on every call) and the modules' modes it assumed."""

    __slots__ = ("program", "fn", "out_tree", "tensor_out", "captured", "modes")

    def __init__(self, program: Any, fn: Callable, out_tree: Any, tensor_out: list,
                 captured: list, modes: list) -> None:
        self.program, self.fn, self.out_tree = program, fn, out_tree
        self.tensor_out, self.captured, self.modes = tensor_out, captured, modes

    def holds(self) -> bool:
        return all(m.training == t for m, t in self.modes)


class _Compiled:
    """What ``torch.compile`` makes of a function (see the module docstring)."""

    def __init__(self, fn: Callable, name: str) -> None:
        self._fn = fn
        self._name = name
        self._cache: dict = {}
        self._lock = threading.RLock()
        self._warned = False
        self.traces = 0  # how many times the code was traced

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        leaves, tree = tree_flatten((args, kwargs))
        dyn, key = [], [tree]
        for x in leaves:
            if isinstance(x, Tensor):
                v = x._value
                dyn.append(x)
                key.append((v.shape, v.dtype))
            elif isinstance(x, Box):  # inside a funcgrad transform: its trace runs the code
                return self._fn(*args, **kwargs)
            else:
                key.append(("static", type(x), x))
        try:
            key_t = tuple(key)
            hash(key_t)
        except TypeError:  # an unhashable argument: it cannot select a program
            self._warn(TypeError("an argument that is not a tensor is not hashable"))
            return self._fn(*args, **kwargs)
        entry = next((e for e in self._cache.get(key_t, ()) if e.holds()), None)
        if entry is None:
            with self._lock:
                entry = self._trace(leaves, tree, dyn)
                self._cache.setdefault(key_t, []).append(entry)
        if entry.program is None:  # (this signature cannot be staged)
            return self._fn(*args, **kwargs)
        vals = dyn + entry.captured
        if _GRAD_ENABLED.get() and any(v.requires_grad for v in vals):
            outs = bind(_pjit_p, vals, {"program": entry.program})  # one recorded node
        else:
            outs = [Tensor._wrap(o if type(o) is np.ndarray else np.asarray(o), None) if t
                    else o for o, t in zip(entry.fn(*[concrete(v) for v in vals]),
                                           entry.tensor_out)]
        return tree_unflatten(entry.out_tree, list(outs))

    def _trace(self, leaves: list, tree: Any, dyn: list) -> _Staged:
        is_dyn = [isinstance(x, Tensor) for x in leaves]

        def pure(*tensors: Any) -> Any:
            it = iter(tensors)
            full = [next(it) if d else x for x, d in zip(leaves, is_dyn)]
            args, kwargs = tree_unflatten(tree, full)
            return self._fn(*args, **kwargs)

        seen: list = []
        tokens = (_creation.RANDOMNESS.set("compile"), _module.CALLED.set(seen))
        try:
            program, out_tree = stage(pure, len(dyn), dyn, tree_flatten((tuple(dyn), {}))[1],
                                      (), ())
            for c in program.captured:
                if not isinstance(c, Tensor):
                    raise TypeError(f"the code closes over a value of another transform: {c!r}")
        except Exception as e:  # noqa: BLE001 -- run eagerly: eager gives the code's own errors
            self._warn(e)
            return _Staged(None, None, None, [], [], _modes(seen))
        finally:
            _module.CALLED.reset(tokens[1])
            _creation.RANDOMNESS.reset(tokens[0])
        captured = list(program.captured)
        self.traces += 1
        program = optimise(program)
        fn, _ = compile_program(program, "compiled")
        program._fn = fn
        tensor_out = [type(v).__name__ == "Var" for v in program.outvars]
        _drop_examples(program)
        return _Staged(program, fn, out_tree, tensor_out, captured, _modes(seen))

    def _warn(self, error: Exception) -> None:
        """The one warning of a compiled callable that runs eagerly."""
        if self._warned:
            return
        self._warned = True
        first = str(error).splitlines()[0] if str(error) else ""
        frame, level = sys._getframe(0), 1  # (point at the user's call, past our frames)
        while frame is not None and frame.f_globals.get("__name__", "").startswith("funcgrad."):
            frame, level = frame.f_back, level + 1
        warnings.warn(
            f"torch.compile: {self._name} cannot be staged by funcgrad.jit "
            f"({type(error).__name__}: {first[:300]}); it runs eagerly for these arguments "
            "(and modules' train/eval modes).", UserWarning, stacklevel=level)


def _modes(seen: list) -> list:
    """``(module, training)`` for each module called while tracing."""
    return [(m, m.training) for m in {id(m): m for m in seen}.values()]


def _module_function(mod: Module) -> Callable:
    """``mod``'s forward as a function of its parameters and buffers."""
    from .func import functional_call

    def forward(tensors: dict, args: tuple, kwargs: dict) -> Any:
        return functional_call(mod, tensors, args, kwargs)
    return forward


class OptimizedModule(Module):
    """A compiled module: ``_orig_mod``'s forward staged as a function of its
    parameters, buffers and inputs; other attributes are the original's."""

    def __init__(self, mod: Module) -> None:
        super().__init__()
        self._orig_mod = mod
        object.__setattr__(self, "_compiled", _Compiled(_module_function(mod),
                                                        type(mod).__name__))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        mod = self._orig_mod
        tensors = dict(mod.named_parameters())
        tensors.update(mod.named_buffers())
        return self._compiled(tensors, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "_orig_mod" or "_modules" not in self.__dict__:
                raise
            return getattr(self._orig_mod, name)


def compile(model: Optional[Callable] = None, *, fullgraph: bool = False,
            dynamic: Optional[bool] = None, backend: Union[str, Callable, None] = None,
            mode: Optional[str] = None, options: Optional[Dict[str, Any]] = None,
            name: Optional[str] = None, disable: bool = False, **kwargs: Any) -> Any:
    """``model`` (a function or ``nn.Module``) staged by funcgrad's ``jit``
    (see the module docstring); without ``model``, a decorator.
    ``disable=True`` returns ``model`` itself.

    >>> import funcgrad.torch as torch
    >>> @torch.compile(fullgraph=True)
    ... def f(x):
    ...     return torch.sin(x) ** 2
    >>> f(torch.tensor([0.5]))
    tensor([0.2298])
    >>> f.traces, f(torch.tensor([0.1])).shape, f.traces  # same signature: no new trace
    (1, torch.Size([1]), 1)
    """
    _check(mode, options, backend)
    if model is None:
        def decorate(fn: Callable) -> Any:
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, name=name, disable=disable, **kwargs)
        return decorate
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model)
    compiled = _Compiled(model, getattr(model, "__qualname__", repr(model)))
    functools.update_wrapper(compiled, model)
    return compiled
