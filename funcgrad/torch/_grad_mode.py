"""Grad mode: whether operations on tensors are recorded for backward.

The flag lives in a :mod:`contextvars` variable, so it is per thread (a new
thread starts with grad mode on) and per asyncio task. ``no_grad``,
``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` are context
managers and decorators, as in PyTorch.

>>> import funcgrad.torch as torch
>>> x = torch.ones(2, requires_grad=True)
>>> with torch.no_grad():
...     y = x * 2
>>> y.requires_grad
False
"""
from __future__ import annotations

import contextvars
import functools
import inspect
from typing import Any, Callable, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]

F = TypeVar("F", bound=Callable[..., Any])

_GRAD_ENABLED: contextvars.ContextVar = contextvars.ContextVar("funcgrad_grad_enabled",
                                                               default=True)
_INFERENCE: contextvars.ContextVar = contextvars.ContextVar("funcgrad_inference_mode",
                                                            default=False)


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded (thread-local).

    >>> import funcgrad.torch as torch
    >>> torch.is_grad_enabled()
    True
    """
    return _GRAD_ENABLED.get()


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode()`` block is active (thread-local).

    >>> import funcgrad.torch as torch
    >>> with torch.inference_mode():
    ...     torch.is_inference_mode_enabled()
    True
    """
    return _INFERENCE.get()


class _GradModeContext:
    """Base of the grad-mode context managers; usable as decorators too."""

    _mode: bool = True

    def __init__(self) -> None:
        self._tokens: list = []

    def __enter__(self) -> None:
        self._tokens.append(_GRAD_ENABLED.set(self._mode))

    def __exit__(self, *exc: Any) -> None:
        _GRAD_ENABLED.reset(self._tokens.pop())

    def clone(self) -> "_GradModeContext":
        return self.__class__()

    def __call__(self, func: F) -> F:
        if inspect.isclass(func):
            raise TypeError(f"{type(self).__name__} cannot decorate a class")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                gen = func(*args, **kwargs)
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            try:
                                response = gen.send(request)
                            except StopIteration as stop:
                                return stop.value
            return gen_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)
        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Disable gradient recording: a context manager and a decorator.

    Results computed inside have ``requires_grad=False``; factories called
    with ``requires_grad=True`` still make leaves that require grad, and
    leaves may be updated in place (that is how optimizers step).

    >>> import funcgrad.torch as torch
    >>> @torch.no_grad()
    ... def double(t):
    ...     return t * 2
    >>> double(torch.ones(1, requires_grad=True)).requires_grad
    False
    """

    _mode = False

    def __new__(cls, orig_func: Any = None) -> Any:
        # ``@torch.no_grad`` without parentheses decorates directly.
        if orig_func is not None and callable(orig_func) and cls is no_grad:
            return cls()(orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func: Any = None) -> None:
        super().__init__()


class enable_grad(_GradModeContext):
    """Enable gradient recording inside a ``no_grad`` block (or as decorator).

    >>> import funcgrad.torch as torch
    >>> x = torch.ones(1, requires_grad=True)
    >>> with torch.no_grad():
    ...     with torch.enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

    _mode = True

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is not None and callable(orig_func) and cls is enable_grad:
            return cls()(orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func: Any = None) -> None:
        super().__init__()


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``: takes effect at once when called (a plain
    call works like PyTorch's), and as a context manager or decorator the
    previous mode is restored on exit.

    >>> import funcgrad.torch as torch
    >>> with torch.set_grad_enabled(False):
    ...     torch.is_grad_enabled()
    False
    >>> _ = torch.set_grad_enabled(False); torch.is_grad_enabled()
    False
    >>> _ = torch.set_grad_enabled(True)
    """

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._prev = _GRAD_ENABLED.get()
        _GRAD_ENABLED.set(self._mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _GRAD_ENABLED.set(self._prev)

    def __call__(self, func: F) -> F:
        _GRAD_ENABLED.set(self._prev)  # decorating: do not change the mode now
        return super().__call__(func)

    def clone(self) -> "_GradModeContext":
        return _ScopedMode(self._mode)


class _ScopedMode(_GradModeContext):
    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = mode


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (this facade has no separate inference tensors);
    ``inference_mode(False)`` leaves grad mode unchanged.

    >>> import funcgrad.torch as torch
    >>> with torch.inference_mode():
    ...     (torch.ones(1, requires_grad=True) * 2).requires_grad
    False
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._inf_tokens: list = []

    def __enter__(self) -> None:
        if self.mode:
            self._tokens.append(_GRAD_ENABLED.set(False))
        self._inf_tokens.append(_INFERENCE.set(self.mode))

    def __exit__(self, *exc: Any) -> None:
        _INFERENCE.reset(self._inf_tokens.pop())
        if self.mode:
            _GRAD_ENABLED.reset(self._tokens.pop())

    def clone(self) -> "inference_mode":
        return inference_mode(self.mode)
