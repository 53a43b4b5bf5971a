"""``torch.compile``: accepted with PyTorch's signature and argument checks,
and -- for now -- an honest pass-through: the returned callable runs the
original function or module eagerly, so results are exactly the eager ones.
Nothing is traced or staged yet (that will build on funcgrad's ``jit`` once
it covers the facade); ``backend`` is checked but never called.

As in PyTorch, compiling a module returns an ``OptimizedModule`` holding the
original as ``_orig_mod`` (so its ``state_dict`` keys are prefixed
``_orig_mod.``) and forwarding attribute access to it.

>>> import funcgrad.torch as torch
>>> model = torch.nn.Linear(2, 1)
>>> compiled = torch.compile(model, mode="reduce-overhead")
>>> compiled
OptimizedModule(
  (_orig_mod): Linear(in_features=2, out_features=1, bias=True)
)
>>> x = torch.ones(3, 2)
>>> torch.equal(compiled(x), model(x)), compiled.weight is model.weight
(True, True)
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional, Union

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


class OptimizedModule(Module):
    """A compiled module: calls ``_orig_mod``; other attributes are the
    original's."""

    def __init__(self, mod: Module) -> None:
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._orig_mod(*args, **kwargs)

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
    """``model`` (a function or ``nn.Module``) behind a callable with the same
    results; without ``model``, a decorator. Today a pass-through (see the
    module docstring): ``fullgraph``, ``dynamic``, ``mode``, ``options`` are
    checked and accepted, and change nothing.

    >>> import funcgrad.torch as torch
    >>> @torch.compile(fullgraph=True)
    ... def f(x):
    ...     return torch.sin(x) ** 2
    >>> f(torch.tensor([0.5]))
    tensor([0.2298])
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

    @functools.wraps(model)
    def compiled(*args: Any, **kw: Any) -> Any:
        return model(*args, **kw)
    return compiled
