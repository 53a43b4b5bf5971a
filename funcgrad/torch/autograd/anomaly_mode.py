"""Anomaly detection: find the forward operation behind a bad backward.

Under ``detect_anomaly()`` every recorded operation keeps the stack of its
forward call; when a backward rule fails, or (with ``check_nan=True``)
returns NaN, a ``UserWarning`` shows that stack and a ``RuntimeError``
names the node, as in PyTorch.

>>> import warnings, funcgrad.torch as torch
>>> x = torch.tensor([0.0], requires_grad=True)
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     with torch.autograd.detect_anomaly():
...         y = torch.sqrt(x) * 0
...         try:
...             y.sum().backward()
...         except RuntimeError as e:
...             print(e)
Function 'SqrtBackward0' returned nan values in its 0th output.
"""
from __future__ import annotations

import warnings
from typing import Any

from .._graph import _ANOMALY, special_on

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled() -> bool:
    return _ANOMALY.get() is not None


def is_anomaly_check_nan_enabled() -> bool:
    state = _ANOMALY.get()
    return bool(state and state[0])


class detect_anomaly:
    """Context manager (and decorator) turning anomaly detection on."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._tokens: list = []
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        special_on("anomaly")  # from now on, recording and backward look at _ANOMALY
        self._tokens.append(_ANOMALY.set((self.check_nan,)))

    def __exit__(self, *exc: Any) -> None:
        _ANOMALY.reset(self._tokens.pop())

    def __call__(self, func: Any) -> Any:
        import functools

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off: at once, or for a ``with`` block."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = _ANOMALY.get()
        if mode:
            special_on("anomaly")  # from now on, recording and backward look at _ANOMALY
        _ANOMALY.set((check_nan,) if mode else None)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _ANOMALY.set(self._prev)
