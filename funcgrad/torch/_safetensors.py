"""State dicts as ``.safetensors`` files, through the optional ``safetensors``
package (``pip install safetensors``), imported only when such a file is
saved or loaded.

A safetensors file is a JSON header (names, dtypes, shapes, offsets) and raw
little-endian data: nothing in it can execute code, which is why the
ecosystem trusts it for untrusted weights. PyTorch writes it with
``safetensors.torch.save_file(model.state_dict(), path)``; its names are the
state dict's, so it loads by name into the matching funcgrad module.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping

import numpy as np

import funcgrad.torch as torch

__all__ = ["save_bytes", "load_bytes", "SAFETENSORS_MAGIC_MAX"]

SAFETENSORS_MAGIC_MAX = 100_000_000  # the header size limit of the safetensors format


def _module() -> Any:
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("saving or loading .safetensors files needs the optional "
                          "'safetensors' package: pip install safetensors "
                          "(or pip install 'funcgrad[safetensors]')") from None
    return safetensors.numpy


def save_bytes(obj: Any) -> bytes:
    """The safetensors encoding of the flat state dict ``obj`` (str -> tensor/array)."""
    if not isinstance(obj, Mapping):
        raise TypeError("a .safetensors file holds a flat state dict (str -> tensor), "
                        f"not a {type(obj).__name__}; save other objects as .pt (.npz)")
    arrays: Dict[str, np.ndarray] = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"safetensors keys are strings; got {key!r}")
        if isinstance(value, torch.Tensor):
            value = value.detach().numpy()
        if not isinstance(value, np.ndarray) or value.dtype.hasobject:
            raise TypeError(f"safetensors holds tensors only; {key!r} is a "
                            f"{type(value).__name__}")
        arrays[key] = np.ascontiguousarray(value)
    return _module().save(arrays, metadata={"format": "pt"})


def load_bytes(data: bytes) -> Dict[str, Any]:
    """The state dict (str -> tensor) encoded in ``data``; ``ValueError`` if malformed."""
    mod = _module()
    try:
        arrays = mod.load(data)
    except Exception as e:  # safetensors raises its own SafetensorError (and others)
        raise ValueError(f"{type(e).__name__}: {e}") from None
    return {key: torch.from_numpy(np.array(value)) for key, value in arrays.items()}
