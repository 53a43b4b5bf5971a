"""``torch.cuda`` as in a CPU-only PyTorch build: no CUDA device is available.

The queries answer as PyTorch's CPU build does (``is_available()`` is
False, ``device_count()`` is 0), seeding is a no-op, and anything that needs
a device raises ``AssertionError: Torch not compiled with CUDA enabled``.
So the usual device-selection line runs unchanged:

>>> import funcgrad.torch as torch
>>> device = "cuda" if torch.cuda.is_available() else "cpu"
>>> device, torch.cuda.device_count()
('cpu', 0)
>>> torch.cuda.current_device()
Traceback (most recent call last):
    ...
AssertionError: Torch not compiled with CUDA enabled
"""
from __future__ import annotations

from typing import Any, NoReturn

from ._device import CUDA_ERROR

__all__ = ["is_available", "device_count", "is_initialized", "init", "current_device",
           "get_device_name", "get_device_properties", "get_device_capability", "set_device",
           "synchronize", "manual_seed", "manual_seed_all", "seed", "seed_all",
           "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "is_bf16_supported"]


def _not_compiled(*args: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError(CUDA_ERROR)


def is_available() -> bool:
    """False: funcgrad runs on the CPU."""
    return False


def device_count() -> int:
    """0 CUDA devices."""
    return 0


def is_initialized() -> bool:
    return False


def _nothing(*args: Any, **kwargs: Any) -> None:
    """What PyTorch's CPU build does for these calls: nothing."""


def _zero(*args: Any, **kwargs: Any) -> int:
    return 0


# Seeding and cache control are silently ignored without CUDA, as in PyTorch.
manual_seed = manual_seed_all = seed = seed_all = empty_cache = _nothing
memory_allocated = max_memory_allocated = memory_reserved = _zero
# Everything that needs a device fails as PyTorch's CPU build does.
init = current_device = get_device_name = get_device_properties = _not_compiled
get_device_capability = set_device = synchronize = _not_compiled


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False
