"""``torch.accelerator``: no accelerator is available (funcgrad runs on the CPU).

The device-selection line of current PyTorch tutorials runs unchanged:

>>> import funcgrad.torch as torch
>>> acc = torch.accelerator.current_accelerator()
>>> device = acc.type if torch.accelerator.is_available() else "cpu"
>>> acc, device, torch.accelerator.device_count()
(None, 'cpu', 0)
"""
from __future__ import annotations

from typing import Any, NoReturn, Optional

from ._device import device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "set_device_index", "synchronize"]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> Optional[device]:
    """None: there is no accelerator."""
    return None


def device_count() -> int:
    return 0


def _none_available(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError(_NONE)


current_device_index = set_device_index = synchronize = _none_available
