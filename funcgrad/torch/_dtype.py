"""Facade dtypes: ``torch.float32`` and friends.

Each :class:`dtype` wraps a NumPy dtype in its ``.dtype`` attribute, so
``np.dtype(torch.float32)`` is ``dtype('float32')`` and the engine, which only
knows NumPy dtypes, handles tensors' dtypes without knowing the facade.

>>> import numpy as np, funcgrad.torch as torch
>>> torch.float32, np.dtype(torch.float64)
(torch.float32, dtype('float64'))
>>> torch.float32.is_floating_point, torch.int64.is_floating_point
(True, False)
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["dtype", "as_dtype", "to_numpy_dtype", "get_default_dtype", "set_default_dtype"]


class dtype:
    """A tensor element type; ``.dtype`` is the NumPy dtype behind it.

    >>> import funcgrad.torch as torch
    >>> torch.float16.itemsize, torch.complex64.to_real()
    (2, torch.float32)
    """

    __slots__ = ("name", "dtype", "__weakref__")

    def __init__(self, name: str, np_dtype: Any) -> None:
        self.name = name
        self.dtype = np.dtype(np_dtype)

    @property
    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.dtype.kind == "c"

    @property
    def is_signed(self) -> bool:
        return self.dtype.kind in "fci"

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def kind(self) -> str:
        """NumPy's kind code (``"f"``, ``"c"``, ``"i"``, ``"b"``, ...), so code
        written for NumPy dtypes (the engine's rules) reads tensors' too."""
        return self.dtype.kind

    @property
    def char(self) -> str:
        return self.dtype.char

    def to_real(self) -> "dtype":
        return as_dtype(np.empty(0, self.dtype).real.dtype)

    def to_complex(self) -> "dtype":
        return as_dtype(np.result_type(self.dtype, np.complex64))

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
complex64 = cfloat = dtype("complex64", np.complex64)
complex128 = cdouble = dtype("complex128", np.complex128)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)

_ALL = [float16, float32, float64, complex64, complex128, uint8, int8, int16, int32, int64, bool]
_BY_NUMPY = {d.dtype: d for d in _ALL}
_DEFAULT = [float32]


def as_dtype(x: Any) -> dtype:
    """The facade dtype for a facade dtype, a NumPy dtype or a Python type.

    >>> import numpy as np
    >>> as_dtype(np.int32), as_dtype(float)
    (torch.int32, torch.float32)
    """
    if isinstance(x, dtype):
        return x
    import builtins
    if x is builtins.float:
        return _DEFAULT[0]
    if x is builtins.int:
        return int64
    if x is builtins.bool:
        return bool
    if x is builtins.complex:
        return to_complex_default()
    d = np.dtype(x)
    try:
        return _BY_NUMPY[d]
    except KeyError:
        raise TypeError(f"funcgrad.torch has no dtype matching NumPy's {d}") from None


def to_numpy_dtype(x: Any) -> np.dtype:
    """The NumPy dtype of a facade dtype (or anything ``np.dtype`` accepts).

    >>> to_numpy_dtype(float64)
    dtype('float64')
    """
    if isinstance(x, dtype):
        return x.dtype
    return as_dtype(x).dtype


def get_default_dtype() -> dtype:
    """The dtype of tensors created from Python floats (``torch.float32``).

    >>> import funcgrad.torch as torch
    >>> torch.get_default_dtype()
    torch.float32
    """
    return _DEFAULT[0]


def set_default_dtype(d: dtype) -> None:
    """Make ``d`` (float32 or float64) the default floating dtype.

    >>> import funcgrad.torch as torch
    >>> torch.set_default_dtype(torch.float64); torch.tensor(1.0).dtype
    torch.float64
    >>> torch.set_default_dtype(torch.float32)
    """
    d = as_dtype(d)
    if d.dtype.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    _DEFAULT[0] = d


def to_complex_default() -> dtype:
    """The complex dtype matching the default float (complex64 for float32).

    >>> to_complex_default()
    torch.complex64
    """
    return complex128 if _DEFAULT[0] is float64 else complex64
