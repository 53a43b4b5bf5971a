"""Tensor factories and the random number generator.

Factories honour ``requires_grad=True`` even under ``no_grad`` (the result is
a leaf). Random tensors come from NumPy's PCG64 generator seeded by
:func:`manual_seed`: the streams differ from PyTorch's, so the same seed gives
different numbers than in PyTorch (shapes, dtypes and distributions match).

>>> import funcgrad.torch as torch
>>> torch.zeros(2, 3).shape
torch.Size([2, 3])
>>> torch.tensor([1, 2]).dtype, torch.tensor([1.0]).dtype
(torch.int64, torch.float32)
"""
from __future__ import annotations

import contextvars
from typing import Any, Optional, Sequence

import numpy as np

from .._core.primitive import Box
from ._device import as_device, check_device, device
from ._dtype import as_dtype, get_default_dtype, to_complex_default
from ._graph import AccumulateGrad
from ._tensor import Tensor, _nested_values, _size_args

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
           "ones_like", "empty_like", "full_like", "rand", "randn", "randint", "rand_like",
           "randn_like", "randperm", "arange", "linspace", "eye", "manual_seed", "seed",
           "initial_seed", "Generator", "device", "normal"]


class Generator:
    """A random number generator (NumPy's PCG64 underneath).

    >>> import funcgrad.torch as torch
    >>> torch.Generator().manual_seed(0).initial_seed()
    0
    """

    def __init__(self, device: Any = "cpu") -> None:
        self.device = as_device(device)
        self._seed = 67280421310721
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> "Generator":
        self._seed = int(seed)
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(s)
        return s


default_generator = Generator()


RANDOMNESS: contextvars.ContextVar = contextvars.ContextVar("funcgrad_torch_randomness",
                                                            default=None)
"""``torch.func.vmap``'s ``randomness`` while its function runs (else ``None``)."""


def _rng(generator: Optional[Generator] = None) -> np.random.Generator:
    """The NumPy generator behind every random operation of the facade."""
    mode = RANDOMNESS.get()
    if mode is not None and mode != "same":
        if mode == "error":
            raise RuntimeError(
                "vmap: called random operation while in randomness error mode. Please either "
                "use the 'same' or 'different' randomness flags on vmap or perform the "
                "randomness outside of vmap")
        raise NotImplementedError(
            "vmap: randomness='different' is not supported by funcgrad.torch.func.vmap (a "
            "random operation draws one sample of the per-example shape, shared by every "
            "example: randomness='same'); draw the random values outside vmap and pass them "
            "in mapped instead")
    return (generator or default_generator)._rng


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (the numbers differ from PyTorch's).

    >>> import funcgrad.torch as torch
    >>> _ = torch.manual_seed(0); a = torch.rand(2)
    >>> _ = torch.manual_seed(0); torch.equal(a, torch.rand(2))
    True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator with fresh entropy; returns the seed.

    >>> import funcgrad.torch as torch
    >>> isinstance(torch.seed(), int)
    True
    """
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with.

    >>> import funcgrad.torch as torch
    >>> torch.manual_seed(7).initial_seed()
    7
    """
    return default_generator.initial_seed()


def _finish(value: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(value, None)
    if requires_grad:
        if value.dtype.kind in "fc":  # a new leaf: what _set_requires_grad does
            t._node = AccumulateGrad(t)
        else:
            t._set_requires_grad(True, "factory")  # (raises PyTorch's error)
    return t


def _infer_dtype(data: Any) -> np.dtype:
    """PyTorch's dtype for Python data: floats -> default float, ints ->
    int64, bools -> bool, complex -> default complex; arrays keep theirs."""
    if isinstance(data, np.ndarray):
        return data.dtype
    if isinstance(data, np.generic):
        return data.dtype
    arr = np.asarray(data)
    kind = arr.dtype.kind
    if kind == "f":
        return get_default_dtype().dtype
    if kind == "c":
        return to_complex_default().dtype
    if kind in "iu":
        return np.dtype(np.int64)
    if kind == "b":
        return np.dtype(np.bool_)
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data``.

    >>> import funcgrad.torch as torch
    >>> torch.tensor([[1., 2, 3], [3, 2, 1]], requires_grad=True)
    tensor([[1., 2., 3.],
            [3., 2., 1.]], requires_grad=True)
    """
    check_device(device)
    if type(data) is np.ndarray and dtype is None:  # the path below, for an array:
        # its copy, layout and dtype kept (what np.array(data, copy=True) makes, faster)
        return _finish(data.copy("K"), requires_grad)
    if isinstance(data, Box):
        import warnings
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        from ._functions import concrete
        value = np.array(concrete(data), copy=True)
    else:
        values = _nested_values(data)
        dt = as_dtype(dtype).dtype if dtype is not None else _infer_dtype(values)
        value = np.array(values, dtype=dt, copy=True)
    if dtype is not None:
        value = value.astype(as_dtype(dtype).dtype, copy=False)
    return _finish(value, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor`, sharing memory with a NumPy array or tensor when
no conversion is needed.

    >>> import funcgrad.torch as torch
    >>> torch.as_tensor([1, 2])
    tensor([1, 2])
    """
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or as_dtype(dtype).dtype == data._value.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or as_dtype(dtype).dtype == data.dtype):
        return Tensor._wrap(data, None)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (its dtype kept).

    >>> import numpy as np, funcgrad.torch as torch
    >>> a = np.zeros(2); t = torch.from_numpy(a); a[0] = 5; t
    tensor([5., 0.], dtype=torch.float64)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    as_dtype(ndarray.dtype)
    return Tensor._wrap(ndarray, None)


def _dt(dtype: Any) -> np.dtype:
    return as_dtype(dtype).dtype if dtype is not None else get_default_dtype().dtype


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          out: Any = None) -> Tensor:
    """A tensor of zeros (default dtype float32).

    >>> import funcgrad.torch as torch
    >>> torch.zeros(3)
    tensor([0., 0., 0.])
    """
    check_device(device)
    return _finish(np.zeros(_size_args(size), _dt(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         out: Any = None) -> Tensor:
    """A tensor of ones.

    >>> import funcgrad.torch as torch
    >>> torch.ones(5)
    tensor([1., 1., 1., 1., 1.])
    """
    check_device(device)
    return _finish(np.ones(_size_args(size), _dt(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          out: Any = None) -> Tensor:
    """An uninitialised tensor (zeros here).

    >>> import funcgrad.torch as torch
    >>> torch.empty(2)
    tensor([0., 0.])
    """
    check_device(device)
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (dtype inferred from it).

    >>> import funcgrad.torch as torch
    >>> torch.full((2,), 7)
    tensor([7, 7])
    """
    check_device(device)
    dt = as_dtype(dtype).dtype if dtype is not None else _infer_dtype(fill_value)
    return _finish(np.full(tuple(size), fill_value, dt), requires_grad)


def _like(input: Any, dtype: Any) -> tuple:
    from ._functions import concrete
    v = concrete(input)
    return v.shape, (as_dtype(dtype).dtype if dtype is not None else v.dtype)


def zeros_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros with ``input``'s shape and dtype.

    >>> import funcgrad.torch as torch
    >>> torch.zeros_like(torch.tensor([1, 2]))
    tensor([0, 0])
    """
    check_device(device)
    shape, dt = _like(input, dtype)
    return _finish(np.zeros(shape, dt), requires_grad)


def ones_like(input: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Ones with ``input``'s shape and dtype.

    >>> import funcgrad.torch as torch
    >>> torch.ones_like(torch.tensor([1.5]))
    tensor([1.])
    """
    check_device(device)
    shape, dt = _like(input, dtype)
    return _finish(np.ones(shape, dt), requires_grad)


def empty_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised (zero) tensor like ``input``.

    >>> import funcgrad.torch as torch
    >>> torch.empty_like(torch.ones(2))
    tensor([0., 0.])
    """
    check_device(device)
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(input: Any, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` with ``input``'s shape and dtype.

    >>> import funcgrad.torch as torch
    >>> torch.full_like(torch.ones(2), 7)
    tensor([7., 7.])
    """
    check_device(device)
    shape, dt = _like(input, dtype)
    return _finish(np.full(shape, fill_value, dt), requires_grad)


def rand(*size: Any, generator: Optional[Generator] = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in ``[0, 1)``.

    >>> import funcgrad.torch as torch
    >>> torch.rand(2, 3).shape
    torch.Size([2, 3])
    """
    check_device(device)
    v = _rng(generator).random(_size_args(size))
    return _finish(np.asarray(v, _dt(dtype)), requires_grad)


def randn(*size: Any, generator: Optional[Generator] = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples.

    >>> import funcgrad.torch as torch
    >>> torch.randn(5, 3, requires_grad=True).shape
    torch.Size([5, 3])
    """
    check_device(device)
    v = _rng(generator).standard_normal(_size_args(size))
    return _finish(np.asarray(v, _dt(dtype)), requires_grad)


def normal(mean: float = 0.0, std: float = 1.0, size: Any = None, *,
           generator: Optional[Generator] = None, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples with ``mean`` and ``std``.

    >>> import funcgrad.torch as torch
    >>> torch.normal(0.0, 1.0, (3,)).shape
    torch.Size([3])
    """
    check_device(device)
    v = _rng(generator).normal(mean, std, tuple(size) if size is not None else ())
    return _finish(np.asarray(v, _dt(dtype)), requires_grad)


def randint(low: int, high: Any = None, size: Any = None, *,
            generator: Optional[Generator] = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers in ``[low, high)`` (``randint(high, size)`` starts at 0).

    >>> import funcgrad.torch as torch
    >>> torch.randint(0, 10, (4,)).dtype
    torch.int64
    """
    check_device(device)
    if size is None:
        low, high, size = 0, low, high
    v = _rng(generator).integers(low, high, tuple(size))
    dt = as_dtype(dtype).dtype if dtype is not None else np.dtype(np.int64)
    return _finish(np.asarray(v, dt), requires_grad)


def randperm(n: int, *, generator: Optional[Generator] = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1``.

    >>> import funcgrad.torch as torch
    >>> sorted(torch.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    check_device(device)
    dt = as_dtype(dtype).dtype if dtype is not None else np.dtype(np.int64)
    return _finish(_rng(generator).permutation(n).astype(dt), requires_grad)


def rand_like(input: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Uniform samples shaped like ``input``.

    >>> import funcgrad.torch as torch
    >>> torch.rand_like(torch.ones(2, 2)).shape
    torch.Size([2, 2])
    """
    check_device(device)
    shape, dt = _like(input, dtype)
    return _finish(np.asarray(_rng().random(shape), dt), requires_grad)


def randn_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Standard normal samples shaped like ``input``.

    >>> import funcgrad.torch as torch
    >>> torch.randn_like(torch.ones(2, 2)).shape
    torch.Size([2, 2])
    """
    check_device(device)
    shape, dt = _like(input, dtype)
    return _finish(np.asarray(_rng().standard_normal(shape), dt), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps; int64 for integer arguments, else float32.

    >>> import funcgrad.torch as torch
    >>> torch.arange(3), torch.arange(0, 1, 0.5)
    (tensor([0, 1, 2]), tensor([0.0000, 0.5000]))
    """
    check_device(device)
    if end is None:
        start, end = 0, start
    args = [float(a) if isinstance(a, Box) else a for a in (start, end, step)]
    if dtype is not None:
        dt = as_dtype(dtype).dtype
    elif all(isinstance(a, (int, np.integer)) for a in args):
        dt = np.dtype(np.int64)
    else:
        dt = get_default_dtype().dtype
    n = int(np.ceil((args[1] - args[0]) / args[2]))
    v = args[0] + np.arange(max(n, 0), dtype=np.float64 if dt.kind == "f" else np.int64) * args[2]
    return _finish(v.astype(dt), requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``.

    >>> import funcgrad.torch as torch
    >>> torch.linspace(0, 1, 3)
    tensor([0.0000, 0.5000, 1.0000])
    """
    check_device(device)
    return _finish(np.linspace(start, end, steps).astype(_dt(dtype)), requires_grad)


def eye(n: int, m: Optional[int] = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix.

    >>> import funcgrad.torch as torch
    >>> torch.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    check_device(device)
    return _finish(np.eye(n, m, dtype=_dt(dtype)), requires_grad)
