"""Devices: ``torch.device`` and the one shared check of every ``device=`` argument.

funcgrad runs on the CPU. ``torch.device("cuda")`` can be *named* (as in
PyTorch, where constructing a device object never touches the hardware), but
placing a tensor or a module on it fails as it does in a CPU-only PyTorch
build: ``AssertionError: Torch not compiled with CUDA enabled``.

>>> import funcgrad.torch as torch
>>> torch.device("cuda:1")
device(type='cuda', index=1)
>>> torch.zeros(2, device="cpu").device
device(type='cpu')
>>> torch.zeros(2, device="cuda")
Traceback (most recent call last):
    ...
AssertionError: Torch not compiled with CUDA enabled
"""
from __future__ import annotations

from typing import Any, Optional, Union

__all__ = ["device", "as_device", "check_device", "set_default_device", "get_default_device",
           "CUDA_ERROR"]

# The device types PyTorch's parser knows, in its order (for its error message).
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
          "privateuseone")

CUDA_ERROR = "Torch not compiled with CUDA enabled"


class device:
    """A device name: ``type`` (``"cpu"``, ``"cuda"``, ...) and optional ``index``.

    Accepts ``"cpu"``, ``"cuda:1"``, ``("cuda", 1)`` or another device.
    Only ``"cpu"`` can hold tensors.

    >>> import funcgrad.torch as torch
    >>> torch.device('cpu'), torch.device('cuda', 0).index
    (device(type='cpu'), 0)
    >>> torch.device('cpu') == torch.device('cpu:0'), str(torch.device('cuda:0'))
    (False, 'cuda:0')
    >>> torch.device('gpu')
    Traceback (most recent call last):
        ...
    RuntimeError: Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, \
ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start \
of device string: gpu
    """

    __slots__ = ("type", "index", "_saved")

    def __init__(self, type: Union[str, "device"] = "cpu", index: Optional[int] = None) -> None:
        if isinstance(type, device):
            if index is not None:
                raise ValueError("device(): the index is given by the device argument")
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError("device() received an invalid combination of arguments - got "
                            f"({builtins_type_name(type)})")
        name, sep, idx = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError("Expected one of " + ", ".join(_TYPES)
                               + f" device type at start of device string: {type}")
        if sep:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index "
                                   f"was passed explicitly: {type}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> Any:
        return (device, (self.type, self.index))

    # ``with torch.device("cpu"):`` sets the default device for factories.
    def __enter__(self) -> "device":
        self._saved = get_default_device()
        set_default_device(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        set_default_device(self._saved)


def builtins_type_name(x: Any) -> str:
    return type(x).__name__


_CPU = device("cpu")
_DEFAULT = [_CPU]


def as_device(d: Any) -> device:
    """``d`` (a string, a device, or an int index) as a device funcgrad can
    place tensors on (the CPU), else PyTorch's error for that device.

    ``None`` is the default device (see :func:`set_default_device`).

    >>> as_device("cpu:0"), as_device(None)
    (device(type='cpu', index=0), device(type='cpu'))
    >>> as_device("mps")
    Traceback (most recent call last):
        ...
    RuntimeError: funcgrad.torch runs on the CPU only: device 'mps' is not available
    """
    if d is None:
        return _DEFAULT[0]
    if isinstance(d, bool):
        raise TypeError(f"expected a device, got {d!r}")
    if isinstance(d, int):  # an accelerator index
        raise RuntimeError("Cannot access accelerator device when none is available.")
    dev = d if isinstance(d, device) else device(d)
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda":
        raise AssertionError(CUDA_ERROR)
    raise RuntimeError(f"funcgrad.torch runs on the CPU only: device '{dev}' is not available")


def check_device(d: Any) -> None:
    """Validate a ``device=`` argument (the one check every factory, ``.to``
    and module constructor uses).

    >>> check_device("cpu"); check_device(None)
    """
    as_device(d)


def is_device_like(x: Any) -> bool:
    """Whether a positional argument of ``.to(...)`` names a device."""
    return isinstance(x, (str, device)) or (isinstance(x, int) and not isinstance(x, bool))


def set_default_device(d: Any) -> None:
    """Set the device new tensors go to; only ``"cpu"`` (or ``None``, the
    CPU) is possible here, ``"cuda"`` raises PyTorch's CPU-build error.

    >>> import funcgrad.torch as torch
    >>> torch.set_default_device("cpu"); torch.get_default_device()
    device(type='cpu')
    """
    dev = _CPU if d is None else as_device(d)
    _DEFAULT[0] = device(dev.type)


def get_default_device() -> device:
    """The device new tensors are created on: ``device(type='cpu')``.

    >>> import funcgrad.torch as torch
    >>> torch.get_default_device()
    device(type='cpu')
    """
    return _DEFAULT[0]
