"""``Tensor``: a box of the facade's eager trace, with PyTorch's API.

A tensor holds a NumPy array (``_value``; the 0-d floating result of an
elementwise operation on 0-d tensors is kept as a NumPy scalar until
something writes into it or shares it: ``_graph.own_array``), its graph node (``_node``: an
``AccumulateGrad`` for a leaf that requires grad, the ``grad_fn`` for a
result, ``None`` when no gradient is tracked) and the eager trace. Extra
slots hold ``.grad``, the version counter shared with ``detach()``-ed aliases
and views, and ``retains_grad``.

Inside a functional transform (``funcgrad.grad(f)(w)`` with a tensor ``w``)
tensors are boxed by the transform's trace as :class:`TensorTracer`, which
keeps the tensor API (math methods, operators, shapes) so facade code runs
unchanged there.

>>> import funcgrad.torch as torch
>>> x = torch.tensor(2.0, requires_grad=True)
>>> y = x ** 2 + 1
>>> y
tensor(5., grad_fn=<AddBackward0>)
>>> y.backward(); x.grad
tensor(4.)
"""
from __future__ import annotations

import collections
import warnings
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np

from .. import numpy as fnp
from .._core import ops as engine_ops, register_box_type
from .._core.batching import register_batch_box_type
from .._core.staging import register_staged_box_type
from .._core.primitive import Box
from . import _functions as F
from . import _ops
from ._dtype import _BY_NUMPY as _DTYPE_BY_NUMPY
from ._dims import wrap_dim
from ._dtype import as_dtype, dtype as _dtype_cls, get_default_dtype
from . import _graph
from ._graph import (EAGER, NO_GRAD_VIEW_INPLACE, SCALAR_VALUES, AccumulateGrad, BackwardNode,
                     NoGradViewLeaf, VersionCounter,
                     _add_hook, _as_tensor, _as_value, _BACKWARD, _TracerType, display_name,
                     own_array, present, record, set_name)
from ._grad_mode import _GRAD_ENABLED
from ._printing import dtype_suffix, format_tensor

__all__ = ["Tensor", "TensorTracer", "Size", "legacy_type_name", "return_types"]

_LEGACY = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
           "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
           "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
           "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = ("a view of a leaf Variable that requires grad is being used in an "
                     "in-place operation.")

# Primitives whose VJP reads their output: modifying that output in place
# must fail at backward (PyTorch saves the result for these).
_USES_OUTPUT = frozenset({"exp", "sqrt", "tanh", "tan", "sigmoid", "softmax", "log_softmax",
                          "expm1", "norm2", "logsumexp"})


def legacy_type_name(np_dtype: Any) -> str:
    """``torch.FloatTensor`` for float32, ... (used in error messages).

    >>> legacy_type_name("float64")
    'torch.DoubleTensor'
    """
    return "torch." + _LEGACY.get(str(np.dtype(np_dtype)), "Tensor")


_tuple_new = tuple.__new__


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``.

    >>> import funcgrad.torch as torch
    >>> torch.ones(2, 3).shape
    torch.Size([2, 3])
    """

    def __new__(cls, sizes: Sequence[int] = ()) -> "Size":
        return super().__new__(cls, (int(s) for s in sizes))

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, item: Any) -> Any:
        out = super().__getitem__(item)
        return Size(out) if isinstance(item, slice) else out


def return_types(name: str, values: Any, indices: Any) -> Any:
    """``torch.return_types.max(values=..., indices=...)``.

    >>> import funcgrad.torch as torch
    >>> return_types("max", torch.tensor(2.0), torch.tensor(1)).indices
    tensor(1)
    """
    return _RETURN_TYPES[name](values, indices)


def _make_return_type(name: str) -> type:
    base = collections.namedtuple(name, ["values", "indices"])

    def __repr__(self: Any) -> str:
        return (f"torch.return_types.{name}(\nvalues={self.values!r},\n"
                f"indices={self.indices!r})")
    return type(name, (base,), {"__repr__": __repr__, "__slots__": ()})


_RETURN_TYPES = {n: _make_return_type(n) for n in ("max", "min", "sort", "topk", "kthvalue",
                                                   "median", "mode")}


# What an arithmetic operator accepts (else NotImplemented, so Python raises
# its usual TypeError, as with PyTorch).
_NUMBERS = (int, float, complex, bool, np.generic, np.ndarray, Box)
_ndarray = np.ndarray  # a module global: np.ndarray is not read at full speed (see _graph)
_dtype_of_numpy = _DTYPE_BY_NUMPY.get  # (and a method of an imported object is bound per call)


def _index_value(index: Any) -> Any:
    """A facade index with tensors replaced by arrays (and lists by arrays)."""
    if isinstance(index, tuple):
        return tuple(_index_value(i) for i in index)
    if isinstance(index, Box):
        v = F.concrete(index)
        if v.ndim == 0 and v.dtype.kind in "iu":
            return int(v)
        return v
    if isinstance(index, list):
        return np.asarray([F.concrete(i) if isinstance(i, Box) else i for i in index])
    return index


def _index_error(e: IndexError, ndim: int) -> IndexError:
    """NumPy's indexing errors in PyTorch's words."""
    msg = str(e)
    if msg.startswith("too many indices"):
        return IndexError(f"too many indices for tensor of dimension {ndim}")
    return IndexError(msg.replace(" for axis ", " for dimension "))


def _index_name(index: Any, shape: Optional[tuple] = None) -> str:
    """PyTorch's ``grad_fn`` name for ``x[index]``: that of the last view it
    applies, left to right (``x[-1, 1:4]``: a select, then a slice:
    ``SliceBackward0``). In a tuple a slice covering its whole dimension is
    skipped, as PyTorch does; a lone slice always counts.

    >>> _index_name((-1, slice(1, 4)), (3, 5)), _index_name((slice(None), 0), (3, 5))
    ('SliceBackward0', 'SelectBackward0')
    """
    if isinstance(index, slice):
        return "SliceBackward0"
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(p, (np.ndarray, bool, np.bool_)) for p in parts):
        return "IndexBackward0"
    name, dim = "AliasBackward0", 0
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    for p in parts:
        if p is None:
            name = "UnsqueezeBackward0"
        elif p is Ellipsis:
            dim += (len(shape) - consumed) if shape is not None else 0
        elif isinstance(p, slice):
            n = shape[dim] if shape is not None and dim < len(shape) else None
            if n is None or p.indices(n) != (0, n, 1):
                name = "SliceBackward0"
            dim += 1
        else:  # an integer
            name = "SelectBackward0"
            dim += 1
    return name


def _size_args(args: tuple) -> tuple:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


class _TensorBase(Box):
    """The tensor API shared by :class:`Tensor` and :class:`TensorTracer`:
    shapes, operators and math methods (the functions of
    :mod:`funcgrad.torch._functions` with the tensor first)."""

    __slots__ = ()
    __array_priority__ = 1000.0

    # --- shape -------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        v = self._value
        if type(v) is _ndarray:  # its shape is a tuple of ints already
            return _tuple_new(Size, v.shape)
        return _tuple_new(Size, F._shape(self))

    def size(self, dim: Optional[int] = None) -> Any:
        s = self.shape
        if dim is None:
            return s
        return s[wrap_dim(dim, len(s), scalar=False)]

    @property
    def ndim(self) -> int:
        v = self._value
        if type(v) is _ndarray:
            return v.ndim
        return F._ndim(self)

    def dim(self) -> int:
        return self.ndim

    ndimension = dim

    def numel(self) -> int:
        return F.numel(self)

    nelement = numel

    @property
    def dtype(self) -> _dtype_cls:
        v = self._value
        if type(v) is _ndarray:
            found = _dtype_of_numpy(v.dtype)
            if found is not None:
                return found
        return as_dtype(F.np_dtype(self))

    @property
    def device(self) -> Any:
        from ._device import device
        return device("cpu")

    @property
    def is_cuda(self) -> bool:
        return False

    def element_size(self) -> int:
        return F.np_dtype(self).itemsize

    def is_floating_point(self) -> bool:
        return F.np_dtype(self).kind == "f"

    def is_complex(self) -> bool:
        return F.np_dtype(self).kind == "c"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        if F.is_abstract(self):
            return True  # (a traced value has no layout of its own)
        return bool(F.concrete(self).flags.c_contiguous)

    def contiguous(self, memory_format: Any = None) -> Any:
        return self

    def __len__(self) -> int:
        s = self.shape
        if not s:
            raise TypeError("len() of a 0-d tensor")
        return s[0]

    def __iter__(self) -> Iterator[Any]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(F.unbind(self, 0))

    __hash__ = object.__hash__

    # --- arithmetic operators ----------------------------------------------------
    def __add__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.add(self, other)

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.add(self, other)

    def __sub__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.sub(self, other)

    def __rsub__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.rsub(self, other)

    def __mul__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.mul(self, other)

    def __rmul__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.mul(self, other)

    def __truediv__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.div(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.div(other, self)

    def __floordiv__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.floor_divide(other, self)

    def __mod__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.remainder(self, other)

    def __rmod__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.remainder(other, self)

    def __pow__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.pow(self, other)

    def __rpow__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.pow(other, self)

    def __matmul__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return F.matmul(other, self)

    def __neg__(self) -> Any: return F.neg(self)
    def __pos__(self) -> Any: return self
    def __abs__(self) -> Any: return F.abs(self)
    def __invert__(self) -> Any:
        if F.np_dtype(self) == np.bool_:
            return F.logical_not(self)
        return Tensor._wrap(np.asarray(~F.concrete(self)), None)

    def __and__(self, other: Any) -> Any: return F.logical_and(self, other)
    def __or__(self, other: Any) -> Any: return F.logical_or(self, other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        if other is None:
            return False
        return F.eq(self, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        if other is None:
            return True
        return F.ne(self, other)

    def __lt__(self, other: Any) -> Any: return F.lt(self, other)
    def __le__(self, other: Any) -> Any: return F.le(self, other)
    def __gt__(self, other: Any) -> Any: return F.gt(self, other)
    def __ge__(self, other: Any) -> Any: return F.ge(self, other)

    # --- indexing ----------------------------------------------------------------
    def __getitem__(self, index: Any) -> Any:
        idx = _index_value(index)
        name = _index_name(idx, self.shape)
        # A trailing Ellipsis makes NumPy return a view even for a single
        # element (x[0] of a vector), so views share data as in PyTorch.
        parts = idx if isinstance(idx, tuple) else (idx,)
        if not any(p is Ellipsis for p in parts):
            idx = parts + (Ellipsis,)
        try:
            return set_name(fnp.getitem(self, idx), name)
        except IndexError as e:
            raise _index_error(e, self.ndim) from None

    # --- NumPy protocol ----------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return fnp._dispatch_ufunc(ufunc, method, inputs, kwargs)

    # --- properties ----------------------------------------------------------------
    @property
    def T(self) -> Any:
        n = self.ndim
        if n == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity "
                          "in these cases.", UserWarning, stacklevel=2)
            return self
        if n > 2:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
        return F.permute(self, tuple(range(n))[::-1])

    @property
    def mT(self) -> Any:
        return F.transpose(self, -2, -1)

    @property
    def H(self) -> Any:
        return F.conj(F.t(self))

    @property
    def real(self) -> Any:
        return F.real(self)

    @property
    def imag(self) -> Any:
        return F.imag(self)

    # --- conversions ----------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Any:
        """``to(dtype)``, ``to(device)`` (only the CPU; ``"cuda"`` raises
        PyTorch's CPU-build error), ``to(device, dtype)``, ``to(other)``;
        ``copy=True`` always copies."""
        from ._device import check_device, is_device_like
        dt = kwargs.get("dtype")
        check_device(kwargs.get("device"))
        for a in args:
            if isinstance(a, _dtype_cls):
                dt = a
            elif isinstance(a, _TensorBase):
                dt = a.dtype
            elif is_device_like(a):
                check_device(a)
            elif a is not None and not isinstance(a, bool):
                raise TypeError(f"to() received an invalid combination of arguments - got "
                                f"({type(a).__name__})")
        if dt is None or as_dtype(dt).dtype == F.np_dtype(self):
            return F.clone(self) if kwargs.get("copy") else self
        return F.cast(self, as_dtype(dt).dtype)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return legacy_type_name(F.np_dtype(self))
        if isinstance(dtype, str):
            names = {v: k for k, v in _LEGACY.items()}
            dtype = names[dtype.split(".")[-1]]
        return self.to(as_dtype(dtype))

    def type_as(self, other: Any) -> Any:
        return self.to(other.dtype)

    def float(self) -> Any: return self.to(as_dtype("float32"))
    def double(self) -> Any: return self.to(as_dtype("float64"))
    def half(self) -> Any: return self.to(as_dtype("float16"))
    def long(self) -> Any: return self.to(as_dtype("int64"))
    def int(self) -> Any: return self.to(as_dtype("int32"))
    def bool(self) -> Any: return self.to(as_dtype("bool"))
    def cfloat(self) -> Any: return self.to(as_dtype("complex64"))
    def cdouble(self) -> Any: return self.to(as_dtype("complex128"))

    def cpu(self) -> Any:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Any:
        from ._device import check_device
        check_device("cuda")  # raises PyTorch's CPU-build AssertionError

    def get_device(self) -> int:
        return -1  # PyTorch's answer for a CPU tensor

    def pin_memory(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def is_pinned(self, *args: Any, **kwargs: Any) -> bool:
        return False

    # --- shape methods with varargs ---------------------------------------------
    def view(self, *shape: Any) -> Any:
        if len(shape) == 1 and isinstance(shape[0], _dtype_cls):
            raise NotImplementedError("view(dtype) is not supported by funcgrad.torch")
        return F.view(self, *shape)

    def reshape(self, *shape: Any) -> Any:
        return F.reshape(self, *shape)

    def view_as(self, other: Any) -> Any:
        return F.view(self, tuple(other.shape))

    def reshape_as(self, other: Any) -> Any:
        return F.reshape(self, tuple(other.shape))

    def expand(self, *sizes: Any) -> Any:
        return F.expand(self, *sizes)

    def expand_as(self, other: Any) -> Any:
        return F.expand(self, tuple(other.shape))

    def repeat(self, *sizes: Any) -> Any:
        return F.repeat(self, *sizes)

    def permute(self, *dims: Any) -> Any:
        return F.permute(self, *dims)

    def flip(self, *dims: Any) -> Any:
        return F.flip(self, dims[0] if len(dims) == 1 else dims)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        from ._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        from ._creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        from ._creation import ones
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None,
                 requires_grad: bool = False) -> Any:
        from ._creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)


# Methods that are the namespace functions with the tensor first.
for _name in ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
              "neg", "negative", "pow", "square", "exp", "log", "log2", "log10", "log1p",
              "expm1", "sqrt", "rsqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs",
              "absolute", "sign", "floor", "ceil", "round", "trunc", "clamp", "clip",
              "clamp_min", "clamp_max", "maximum", "minimum", "reciprocal", "remainder",
              "sum", "mean", "var", "std", "prod", "max", "min", "amax", "amin", "argmax",
              "argmin", "all", "any", "norm", "cumsum", "logsumexp", "softmax", "log_softmax",
              "matmul", "mm", "mv", "dot", "bmm", "outer", "flatten", "squeeze", "unsqueeze",
              "transpose", "swapaxes", "t", "split", "chunk", "unbind", "narrow", "gather",
              "masked_fill", "diag", "trace", "conj", "clone", "eq", "ne", "lt", "le",
              "gt", "ge", "isnan", "isfinite", "isinf", "allclose", "isclose", "equal",
              "logical_not", "logical_and", "logical_or", "nonzero", "rsub", "where", "asin",
              "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh", "asinh", "arcsinh",
              "acosh", "arccosh", "atanh", "arctanh", "exp2", "atan2", "arctan2", "sort",
              "argsort", "topk", "index_select", "masked_select"):
    _fn = getattr(F, _name)
    setattr(_TensorBase, _name, _fn)
_TensorBase.where = lambda self, condition, other: F.where(condition, self, other)  # type: ignore
_TensorBase.less = F.lt  # type: ignore[attr-defined]
_TensorBase.greater = F.gt  # type: ignore[attr-defined]


class Tensor(_TensorBase):
    """A multi-dimensional array that records operations for autograd.

    ``torch.Tensor(data)`` makes a float32 tensor from nested lists (the
    legacy constructor); ``torch.Tensor(2, 3)`` an uninitialised (here:
    zero) one. Prefer :func:`funcgrad.torch.tensor`.

    >>> import funcgrad.torch as torch
    >>> torch.Tensor([[1, 2], [3, 4]])
    tensor([[1., 2.],
            [3., 4.]])
    """

    __slots__ = ("_vc", "__dict__")
    # Rarely set, so class defaults until they are (in the instance's
    # __dict__): .grad, retain_grad(), and a view's base. A recorded
    # operation's result then sets three fields fewer.
    _grad = None
    _retains_grad = False
    _base = None
    _is_param = False  # nn.Parameter sets True: its repr says "Parameter containing:"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _register_tracer(cls)
        engine_ops.value_boxes |= {cls}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        dt = get_default_dtype().dtype
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            data = args[0]
            value = np.array(F.concrete(data) if isinstance(data, Box) else
                             _nested_values(data), dtype=dt)
        else:
            value = np.zeros(_size_args(args), dt)
        self._init(value, None, None)

    def _init(self, value: np.ndarray, node: Any, counter: Optional[VersionCounter]) -> None:
        self._value = value
        self._node = node
        self._trace = EAGER
        self._vc = counter  # None: made when first needed (_version_counter)

    @staticmethod
    def _wrap(value: np.ndarray, node: Any, counter: Optional[VersionCounter] = None) -> Any:
        """A new :class:`Tensor` (never a subclass) holding ``value`` with
        graph node ``node``; built without ``__init__`` (a static method:
        no bound method per call)."""
        t = _new_tensor(Tensor)
        t._value = value
        t._node = node
        t._trace = EAGER
        t._vc = counter  # None: made when first needed (_version_counter)
        return t

    @staticmethod
    def _make_subclass(cls: type, data: Any, require_grad: bool = False) -> Any:
        """A ``cls`` instance sharing ``data``'s array and version counter
        (how ``nn.Parameter`` is built, as in PyTorch)."""
        t = object.__new__(cls)
        t._init(own_array(data), None, data._version_counter)
        if require_grad:
            t.requires_grad_(True)
        return t

    # --- autograd state ---------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._node is not None

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._set_requires_grad(value, "setter")

    def _set_requires_grad(self, value: bool, how: str) -> None:
        if not self.is_leaf:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach().")
            return
        if value:
            if self._value.dtype.kind not in "fc":
                if how == "factory":
                    raise RuntimeError(
                        "Only Tensors of floating point and complex dtype can require gradients")
                raise RuntimeError("only Tensors of floating point dtype can require gradients")
            if self._node is None:
                self._node = AccumulateGrad(self)
        else:
            self._node = None

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place (leaves only); returns ``self``.

        >>> import funcgrad.torch as torch
        >>> torch.ones(2).requires_grad_()
        tensor([1., 1.], requires_grad=True)
        """
        self._set_requires_grad(requires_grad, "method")
        return self

    @property
    def is_leaf(self) -> bool:
        node = self._node
        return node is None or node.is_leaf

    @property
    def grad_fn(self) -> Any:
        node = self._node
        if node is None or node.is_leaf:
            return None
        return present(node)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def grad(self) -> Any:
        grad = self._grad
        if grad is None and not self._retains_grad and not self.is_leaf:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if tuple(value.shape) != tuple(self.shape):
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size")
            if value._value.dtype != self._value.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value._value.dtype)}' "
                    f"to a tensor with grad_dtype '{_scalar_name(self._value.dtype)}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    "dtype).")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` at backward.

        >>> import funcgrad.torch as torch
        >>> x = torch.tensor(1.0, requires_grad=True)
        >>> y = x + 1; y.retain_grad(); (y ** 2).backward(); y.grad
        tensor(4.)
        """
        if self._node is None:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.is_leaf or self._retains_grad:
            return
        self._retains_grad = True
        import weakref
        ref = weakref.ref(self)

        def retain(g: Any) -> None:  # (in backward() and in autograd.grad(), as PyTorch)
            t = ref()
            if t is not None:
                t._accumulate_grad(g, _BACKWARD.get()[0], conj=True)
        retain._retains_grad = True  # type: ignore[attr-defined]
        _add_hook(self._node, retain)

    def register_hook(self, hook: Callable[[Any], Any]) -> Any:
        """``hook(grad)`` runs when this tensor's gradient is computed; a
        tensor it returns replaces the gradient. Returns a handle with
        ``.remove()``.

        >>> import funcgrad.torch as torch
        >>> x = torch.ones(2, requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 2)
        >>> x.sum().backward(); x.grad
        tensor([2., 2.])
        """
        if self._node is None:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        complex_ = self._value.dtype.kind == "c"

        def wrapper(g: Any) -> Any:
            gt = _as_tensor(_conj_value(g) if complex_ else g)
            out = hook(gt)
            if out is None:
                return None
            out_v = _as_value(out)
            return _conj_value(out_v) if complex_ else out_v
        return _add_hook(self._node, wrapper)

    def _accumulate_grad(self, g: Any, create_graph: bool, conj: bool = True,
                         owned: bool = False) -> None:
        """Add ``g`` (the engine's cotangent) into ``.grad``, PyTorch-style.
        ``owned``: ``g`` is an array no one else holds; a new ``.grad`` takes
        it without a copy when its dtype and shape are the tensor's."""
        value = self._value
        dt = value.dtype
        if conj and dt.kind == "c":
            g = _conj_value(g)
        if isinstance(g, Box) and not create_graph:
            g = F.concrete(g)
        grad = self._grad
        if grad is None:
            if isinstance(g, Box):
                self._grad = set_name(_ops.clone(g), "CopyBackwards")
            elif owned and g.dtype == dt and g.shape == value.shape:
                self._grad = Tensor._wrap(g, None)
            else:
                self._grad = Tensor._wrap(np.array(g, dtype=dt, copy=True), None)
        elif isinstance(g, Box):
            self._grad = grad + g
        elif create_graph:  # (a constant: still out of place, as PyTorch in grad mode)
            self._grad = grad + _as_tensor(g)
        else:
            # As PyTorch: accumulate in place when the graph is not recorded.
            grad._value += g
            grad._version_counter.bump()
        # (getattr: reading self.__dict__ would give every leaf a dict)
        hooks = getattr(self, "_post_accumulate_hooks", None)
        if hooks and self.is_leaf:
            for hook in list(hooks):
                hook(self)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Any], None]) -> Any:
        """``hook(tensor)`` runs after a leaf's ``.grad`` was accumulated.

        >>> import funcgrad.torch as torch
        >>> w = torch.ones(2, requires_grad=True)
        >>> _ = w.register_post_accumulate_grad_hook(lambda t: print(t.grad))
        >>> (w * 3).sum().backward()
        tensor([3., 3.])
        """
        if self._node is None:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if not self.is_leaf:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        from ._graph import _RemovableHandle
        hooks = self.__dict__.setdefault("_post_accumulate_hooks", [])
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    @property
    def _version_counter(self) -> VersionCounter:
        """The version counter, shared with ``detach()`` aliases and views;
        made on first use (most results are never modified, saved or
        aliased, and a fresh counter reads 0)."""
        c = self._vc
        if c is None:
            c = self._vc = VersionCounter()
        return c

    @_version_counter.setter
    def _version_counter(self, counter: VersionCounter) -> None:
        self._vc = counter

    @property
    def _version(self) -> int:
        return self._version_counter.value

    def _bump_version(self) -> None:
        self._version_counter.bump()

    @property
    def output_nr(self) -> int:
        return 0

    # --- data access ---------------------------------------------------------------
    def detach(self) -> "Tensor":
        """A tensor sharing this one's data (and version counter) that is
        not part of any graph.

        >>> import funcgrad.torch as torch
        >>> (torch.ones(1, requires_grad=True) * 2).detach().requires_grad
        False
        """
        return Tensor._wrap(own_array(self), None, self._version_counter)

    def detach_(self) -> "Tensor":
        self._node = None
        return self

    @property
    def data(self) -> "Tensor":
        return Tensor._wrap(own_array(self), None)

    @data.setter
    def data(self, value: Any) -> None:
        if isinstance(value, Tensor) and value._trace is EAGER:
            self._value = own_array(value)  # (shared from now on)
        else:
            self._value = F.concrete(value) if isinstance(value, Box) else np.asarray(value)

    def item(self) -> Any:
        """The single element as a Python number.

        >>> import funcgrad.torch as torch
        >>> torch.tensor([2.5]).item()
        2.5
        """
        n = self._value.size
        if n != 1:
            raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        return self._value.reshape(()).item()

    def tolist(self) -> Any:
        return self._value.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array holding the data (shared, not copied).

        >>> import funcgrad.torch as torch
        >>> torch.ones(2).numpy()
        array([1., 1.], dtype=float32)
        """
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return np.array(self._value, copy=True) if force else own_array(self)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.numpy()
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return arr

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        fn = getattr(fnp, getattr(func, "__name__", ""), None)
        if fn is None or fn is func or not callable(fn):
            return func(*_arrays_of(args), **_arrays_of(kwargs))
        return fn(*args, **kwargs)

    def __float__(self) -> float:
        if self._value.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self._value.reshape(()))

    def __int__(self) -> int:
        if self._value.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self._value.reshape(()))

    def __complex__(self) -> complex:
        return complex(self._value.reshape(()))

    def __index__(self) -> int:
        if self._value.dtype.kind not in "iub" or self._value.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._value.reshape(()))

    def __bool__(self) -> bool:
        if self._value.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._value.reshape(()))

    def __contains__(self, element: Any) -> bool:
        return bool((self == element).any())

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0 and type(self) is Tensor:
            return self._value.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, proto: Any) -> Any:
        return (_rebuild, (np.array(self._value), self.requires_grad))

    def __deepcopy__(self, memo: dict) -> "Tensor":
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = object.__new__(type(self))
        new._init(np.array(self._value, copy=True), None, None)
        if self.requires_grad:
            new.requires_grad_(True)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        if hasattr(self, "__dict__"):
            new.__dict__.update({k: v for k, v in self.__dict__.items() if k != "_grad"})
        memo[id(self)] = new
        return new

    # --- printing -----------------------------------------------------------------
    def __repr__(self, *, tensor_contents: Any = None) -> str:
        node = self._node
        grad_fn = None
        if node is not None and not node.is_leaf:
            grad_fn = display_name(node)
        return format_tensor(np.asarray(self._value), dtype_suffix=dtype_suffix(self._value.dtype,
                                                                    get_default_dtype().dtype),
                             grad_fn_name=grad_fn, requires_grad=self.requires_grad,
                             is_parameter=self._is_param)

    __str__ = __repr__

    # --- backward -------------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: Optional[bool] = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate the gradient of this tensor into the leaves' ``.grad``.

        ``gradient`` is needed unless the tensor has one element. The graph's
        saved values are freed unless ``retain_graph=True`` (default:
        ``create_graph``). ``create_graph=True`` records the backward pass,
        for higher-order derivatives. ``inputs`` restricts accumulation.

        >>> import funcgrad.torch as torch
        >>> x = torch.tensor(3.0, requires_grad=True)
        >>> (x * x).backward(create_graph=True)  # doctest: +SKIP
        >>> x.grad  # doctest: +SKIP
        tensor(6., grad_fn=<CopyBackwards>)
        """
        backward = _AUTOGRAD_BACKWARD[0] if _AUTOGRAD_BACKWARD else _autograd_backward()
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # --- in-place operations --------------------------------------------------------
    def _inplace(self, new: Any) -> "Tensor":
        """Make ``self`` hold ``new`` (a result computed from it), in place:
        the data is written into ``self``'s array (views and ``detach()``
        aliases see it), the version counter is bumped and, when ``new`` was
        recorded, ``self`` takes over its ``grad_fn``."""
        recording = _GRAD_ENABLED.get()
        if recording and self._node is not None and self._node.is_leaf:
            raise RuntimeError(NO_GRAD_VIEW_INPLACE if type(self._node) is NoGradViewLeaf
                               else LEAF_INPLACE)
        base = self._base
        if recording and base is not None and base._node is not None:
            if base._node.is_leaf:
                raise RuntimeError(VIEW_LEAF_INPLACE)
            raise RuntimeError(
                "funcgrad.torch does not support in-place operations on a view of a tensor "
                "that requires grad (PyTorch would rewrite the base tensor's history). Modify "
                "the base tensor itself (e.g. base[idx] = value), or clone() the view first.")
        new_v = F.concrete(new)
        buf = own_array(self)
        if new_v.dtype != buf.dtype and not np.can_cast(new_v.dtype, buf.dtype, "same_kind"):
            raise RuntimeError(f"result type {_scalar_name(new_v.dtype)} can't be cast to the "
                               f"desired output type {_scalar_name(buf.dtype)}")
        if np.broadcast_shapes(new_v.shape, buf.shape) != buf.shape:
            raise RuntimeError(
                f"output with shape {list(buf.shape)} doesn't match the broadcast shape "
                f"{list(np.broadcast_shapes(new_v.shape, buf.shape))}")
        if not buf.flags.writeable:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation.")
        old_node = self._node
        if isinstance(old_node, BackwardNode) and old_node.out is buf and (
                old_node.prim is None or old_node.prim.name not in _USES_OUTPUT):
            old_node.out = buf.copy()
        new_node = new._node if isinstance(new, Tensor) else None
        if isinstance(new_node, BackwardNode) and new_node.args is not None:
            # The new node saved the old value of self: give it its own copy
            # (a 0-d value saved as a NumPy scalar is one already, but the
            # tensor its rules see under create_graph must be one too).
            snap = None
            args = list(new_node.args)
            targs = list(new_node.tensor_args or ())
            for i, a in enumerate(args):
                if a is buf or (isinstance(a, np.generic) and i < len(targs)
                                and targs[i] is self):
                    if snap is None:
                        snap = buf.copy()
                    if a is buf:
                        args[i] = snap
            if snap is not None:
                new_node.args = args
                for i, a in enumerate(targs):
                    if a is self:
                        targs[i] = Tensor._wrap(snap, old_node)
                if new_node.tensor_args is not None:  # (else no rule reads self's value)
                    new_node.tensor_args = tuple(targs)
                if isinstance(new_node.saved_info, list):  # (positions need no change:
                    # the snapshot tensor that replaced self has version 0)
                    new_node.saved_info = [s for s in new_node.saved_info
                                           if s[0] is not self._version_counter]
        np.copyto(buf, new_v, casting="unsafe")
        self._version_counter.bump()
        if recording and new_node is not None:
            if isinstance(new_node, BackwardNode) and new_node.out is not None:
                new_node.out = new_v if type(new_v) in SCALAR_VALUES else \
                    np.array(new_v, copy=False)
            self._node = new_node
        return self

    def _check_inplace_target(self) -> None:
        if _GRAD_ENABLED.get() and self._node is not None and self._node.is_leaf:
            raise RuntimeError(NO_GRAD_VIEW_INPLACE if type(self._node) is NoGradViewLeaf
                               else LEAF_INPLACE)

    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.add(self, other, alpha=alpha))

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.sub(self, other, alpha=alpha))

    def mul_(self, other: Any) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.mul(self, other))

    def div_(self, other: Any, *, rounding_mode: Optional[str] = None) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.div(self, other, rounding_mode=rounding_mode))

    def pow_(self, exponent: Any) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.pow(self, exponent))

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.clamp(self, min, max))

    clip_ = clamp_

    def neg_(self) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.neg(self))

    def exp_(self) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.exp(self))

    def sqrt_(self) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.sqrt(self))

    def abs_(self) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.abs(self))

    def relu_(self) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.relu(self))

    def sigmoid_(self) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.sigmoid(self))

    def tanh_(self) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.tanh(self))

    def zero_(self) -> "Tensor":
        """Fill with zeros, in place.

        >>> import funcgrad.torch as torch
        >>> torch.ones(2).zero_()
        tensor([0., 0.])
        """
        self._check_inplace_target()
        if self._node is not None and _GRAD_ENABLED.get():
            return self._inplace(set_name(F.mul(self, 0), "ZeroBackward0"))
        return self._inplace(Tensor._wrap(np.zeros_like(self._value), None))

    def fill_(self, value: Any) -> "Tensor":
        self._check_inplace_target()
        if isinstance(value, Box) or (self._node is not None and _GRAD_ENABLED.get()):
            return self._inplace(set_name(F.add(F.mul(self, 0), value), "FillBackward2"))
        return self._inplace(Tensor._wrap(np.full_like(self._value, value), None))

    def copy_(self, src: Any, non_blocking: bool = False) -> "Tensor":
        """Copy ``src``'s values into this tensor (broadcasting), in place."""
        self._check_inplace_target()
        src = F.as_box(src)
        if (isinstance(src, Tensor) and src._node is None) or not _GRAD_ENABLED.get():
            v = np.broadcast_to(F.concrete(src), self._value.shape).astype(self._value.dtype)
            return self._inplace(Tensor._wrap(v, None))
        s = F.cast(src, self._value.dtype)
        new = F.add(F.mul(self, 0), F.expand(s, tuple(self.shape)))
        return self._inplace(set_name(new, "CopyBackwards"))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> "Tensor":
        from ._creation import _rng
        self._check_inplace_target()
        v = _rng(generator).uniform(a, b, self._value.shape)
        return self._inplace(Tensor._wrap(np.asarray(v, self._value.dtype), None))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> "Tensor":
        from ._creation import _rng
        self._check_inplace_target()
        v = _rng(generator).normal(mean, std, self._value.shape)
        return self._inplace(Tensor._wrap(np.asarray(v, self._value.dtype), None))

    def masked_fill_(self, mask: Any, value: Any) -> "Tensor":
        self._check_inplace_target()
        return self._inplace(F.masked_fill(self, mask, value))

    def __iadd__(self, other: Any) -> "Tensor": return self.add_(other)
    def __isub__(self, other: Any) -> "Tensor": return self.sub_(other)
    def __imul__(self, other: Any) -> "Tensor": return self.mul_(other)
    def __itruediv__(self, other: Any) -> "Tensor": return self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = _index_value(index)
        if type(self._node) is NoGradViewLeaf and _GRAD_ENABLED.get():
            # PyTorch writes through a view of the view (none for x[...], x[:], x[idx_array])
            kind = _index_name(idx if isinstance(idx, tuple) else (idx,), self.shape)
            if kind not in ("AliasBackward0", "IndexBackward0"):
                raise RuntimeError(f"Output 0 of {kind[:-len('Backward0')]} is a view of a view "
                                   "which was created in no_grad mode and is being modified "
                                   "inplace with grad mode enabled."
                                   + NO_GRAD_VIEW_INPLACE.split("enabled.", 1)[1])
        self._check_inplace_target()
        if isinstance(value, Box):
            v = F.cast(value, self._value.dtype)
        else:
            v = np.asarray(F.concrete(value) if isinstance(value, Box) else value,
                           dtype=self._value.dtype)
        if (self._node is not None or isinstance(v, Box) and v._node is not None) \
                and _GRAD_ENABLED.get():
            new = _ops.index_put(self, v, idx)
            advanced = _index_name(idx) == "IndexBackward0"
            set_name(new, "IndexPutBackward0" if advanced else "CopySlices")
            self._inplace(new)
        else:
            own_array(self)[idx] = F.concrete(v)
            self._version_counter.bump()


_new_tensor = object.__new__
_AUTOGRAD_BACKWARD: list = []  # autograd.backward (that package imports this module)


def _autograd_backward() -> Any:
    from .autograd import backward
    _AUTOGRAD_BACKWARD.append(backward)
    return backward


def _rebuild(value: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(value, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _arrays_of(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.numpy()
    if isinstance(x, (list, tuple)):
        return type(x)(_arrays_of(v) for v in x)
    if isinstance(x, dict):
        return {k: _arrays_of(v) for k, v in x.items()}
    return x


def _conj_value(g: Any) -> Any:
    """Conjugate between the engine's (JAX's) and PyTorch's complex
    convention; a zero imaginary part stays +0 (PyTorch prints ``2.+0.j``)."""
    if isinstance(g, Box):
        return F.conj(g)
    g = np.asarray(g)
    if g.dtype.kind != "c":
        return g
    out = np.empty_like(g)
    out.real = g.real
    out.imag = -g.imag + 0.0
    return out


def _scalar_name(dt: np.dtype) -> str:
    return F._scalar_type_name(np.dtype(dt))


def _c_name(dt: np.dtype) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "complex64": "c10::complex<float>", "complex128": "c10::complex<double>",
            "int64": "long int", "int32": "int", "bool": "bool"}.get(str(np.dtype(dt)), str(dt))


def _nested_values(data: Any) -> Any:
    if isinstance(data, Box):
        return F.concrete(data)
    if isinstance(data, (list, tuple)):
        return [_nested_values(d) for d in data]
    return data


# --- the box functional transforms use for tensors --------------------------------------
def _concretization(what: str) -> TypeError:
    from ..numpy._tracer import _concretization_error
    return _concretization_error(what)


class TensorTracer(_TensorBase):
    """A tensor inside a functional transform (``funcgrad.grad`` of code
    written with facade tensors): the math of the Tensor API, recorded on
    the transform's trace. Converting it to a concrete value raises, as for
    any traced value; ``detach()`` is ``funcgrad.stop_gradient``.

    >>> import funcgrad, funcgrad.torch as torch
    >>> funcgrad.grad(lambda w: (w * w.detach()).sum())(torch.tensor([3.0]))
    tensor([3.])
    """

    __slots__ = ()

    @property
    def requires_grad(self) -> bool:
        return True

    @property
    def is_leaf(self) -> bool:
        return False

    @property
    def grad_fn(self) -> Any:
        return None

    @property
    def grad(self) -> Any:
        return None

    def detach(self) -> Any:
        from ..transforms import stop_gradient
        return stop_gradient(self)

    @property
    def data(self) -> Any:
        return self.detach()

    def item(self) -> Any:
        raise _concretization("a Python scalar (.item())")

    def tolist(self) -> Any:
        raise _concretization("a Python list (.tolist())")

    def numpy(self, *, force: bool = False) -> Any:
        raise _concretization("a NumPy array (.numpy())")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise _concretization("a NumPy array (np.asarray / np.array)")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return fnp._dispatch_function(func, args, kwargs)

    def __float__(self) -> float:
        raise _concretization("a Python float")

    def __int__(self) -> int:
        raise _concretization("a Python int")

    def __bool__(self) -> bool:
        return bool(F.concrete(self))

    def backward(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            "backward() was called on a value traced by a funcgrad transform. Return the "
            "loss from the function you pass to funcgrad.grad instead; the transform computes "
            "the gradient.")

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError("In-place assignment to a tensor inside a funcgrad transform would "
                        "break the recorded graph. Use torch.where or out-of-place operations.")

    def _inplace_error(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("In-place operations on a tensor inside a funcgrad transform are not "
                        "supported; use the out-of-place form (x = x + y).")

    add_ = sub_ = mul_ = div_ = zero_ = fill_ = copy_ = clamp_ = _inplace_error

    def __repr__(self) -> str:
        return f"TensorTracer(shape={list(self.shape)}, dtype={self.dtype}, " \
               f"level={self._trace.level})"


def _number_operator(prim: Any, cls: type, fn: Any, name: str, floating: bool) -> Any:
    """``Tensor.__mul__`` and its kind: ``tensor op python_number``, and
    ``tensor op tensor`` of one floating dtype whose shapes broadcast without
    a check (equal, or one a trailing part of the other: a bias),
    recorded at once (the conditions of ``F._promote``'s fast paths);
    anything else as the ``_TensorBase`` operator does (``fn(self, other)``
    for an operand it accepts, else ``NotImplemented``)."""
    def op(self: Any, other: Any) -> Any:
        tb = type(other)
        if tb is float or tb is int:
            v = self._value
            tv = type(v)
            if tv is _ndarray or tv in SCALAR_VALUES:
                kind = v.dtype.kind
                if kind in "fc" or (not floating and kind in "iu" and tb is int):
                    return record(prim, (self, other), F._NO_PARAMS, cls, 1)  # (lead)
        elif tb is Tensor or isinstance(other, Tensor):  # (a Parameter too)
            v, w = self._value, other._value
            if type(v) is _ndarray and type(w) is _ndarray and v.dtype is w.dtype \
                    and v.dtype.kind in "fc":
                sv, sw = v.shape, w.shape
                if sv == sw or F.trailing_broadcast(sv, sw):  # (a bias, a row)
                    return record(prim, (self, other), F._NO_PARAMS, cls, 2)  # (lead)
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return fn(self, other)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = getattr(_TensorBase, name).__doc__
    return op


for _op, _prim, _cls, _fn, _floating in (("__mul__", fnp.multiply, F._MUL, F.mul, False),
                                         ("__rmul__", fnp.multiply, F._MUL, F.mul, False),
                                         ("__add__", fnp.add, F._ADD, F.add, False),
                                         ("__radd__", fnp.add, F._ADD, F.add, False),
                                         ("__sub__", fnp.subtract, F._SUB, F.sub, False),
                                         ("__truediv__", fnp.divide, F._DIV, F.div, True)):
    setattr(Tensor, _op, _number_operator(_prim, _cls, _fn, _op, _floating))

_TracerType[0] = TensorTracer
_graph._TENSOR_CLS = F._T = Tensor


def _register_tracer(cls: type) -> None:
    """Tensors (and the tracers standing for them) are boxed as
    :class:`TensorTracer` by every transform: ``grad``/``jvp`` (the value's
    type), ``vmap`` (the per-example view) and ``jit`` (staged)."""
    register_box_type(cls, TensorTracer)
    register_batch_box_type(cls, TensorTracer)
    register_staged_box_type(cls, TensorTracer)


_register_tracer(Tensor)
_register_tracer(TensorTracer)
engine_ops.value_boxes |= {Tensor}
engine_ops.from_array = lambda a: Tensor._wrap(np.array(a), None)  # (own data: never a view)
