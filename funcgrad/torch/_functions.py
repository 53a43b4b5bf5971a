"""The facade's math: ``torch.add``, ``torch.sum``, ``torch.matmul``, ...

Each function takes tensors (or, inside a functional transform, the boxes
that stand for them), applies PyTorch's type promotion, calls the engine's
primitives (``funcgrad.numpy`` and :mod:`funcgrad.torch._ops`) and names the
resulting ``grad_fn`` as PyTorch does. ``Tensor`` methods are these same
functions with the tensor first.

>>> import funcgrad.torch as torch
>>> x = torch.tensor([1.0, 4.0], requires_grad=True)
>>> torch.sqrt(x).sum()
tensor(3., grad_fn=<SumBackward0>)
"""
from __future__ import annotations

import builtins
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from .._core import concrete  # re-exported: the facade's modules import it from here
from .._core.staging import is_abstract, shape_dtype
from .. import numpy as fnp
from .._core.primitive import Box, Primitive
from . import _ops
from ._dims import dim_list, wrap_dim, wrap_dims
from ._dtype import as_dtype, dtype as _dtype_cls, get_default_dtype, to_complex_default
from ._graph import SCALAR_VALUES, node_class, record, set_name

_py_sum = builtins.sum
_py_max = builtins.max
_py_min = builtins.min
_py_abs = builtins.abs

Dim = Union[int, Sequence[int], None]


# --- recording with the node's name known ----------------------------------------
_NO_PARAMS: dict = {}
_ndarray = np.ndarray  # a module global: np.ndarray is not read at full speed (see _graph)
_T: Any = None  # funcgrad.torch.Tensor (set by _tensor.py, which imports this module)


def _call(prim: Any, cls: type, args: tuple, params: dict = _NO_PARAMS) -> Any:
    """``set_name(prim(*args, **params), cls.__name__)``, recorded straight on
    the eager trace with its final node class (``EagerTrace.process`` hands a
    call with boxes of a functional transform back to ``bind``)."""
    return record(prim, args, params, cls)


_ADD = node_class("AddBackward0")
_SUB = node_class("SubBackward0")
_MUL = node_class("MulBackward0")
_DIV = node_class("DivBackward0")
_RSUB1 = node_class("RsubBackward1")
# The fast paths' primitives as module globals (funcgrad.numpy has a module
# __getattr__, so CPython 3.11 does not specialise reads of fnp.add & co.)
_ADD_PRIM, _SUB_PRIM, _MUL_PRIM = fnp.add, fnp.subtract, fnp.multiply
_DIV_PRIM, _MATMUL_PRIM = fnp.divide, fnp.matmul


# --- helpers ------------------------------------------------------------------
def _Tensor() -> Any:
    return _T  # funcgrad.torch.Tensor (set when _tensor.py is imported)


def np_dtype(x: Any) -> np.dtype:
    """The NumPy dtype of a tensor, a box standing for one, or a value.

    >>> import funcgrad.torch as torch
    >>> torch._functions.np_dtype(torch.ones(1))
    dtype('float32')
    """
    return shape_dtype(x)[1]


def as_box(x: Any) -> Any:
    """``x`` if it is a tensor (or a box standing for one), else a new tensor.

    >>> import funcgrad.torch as torch
    >>> torch._functions.as_box([1.0, 2.0])
    tensor([1., 2.])
    """
    if isinstance(x, Box):
        return x
    from ._creation import tensor
    return tensor(x)


def _is_box_with_grad(x: Any) -> bool:
    Tensor = _Tensor()
    if isinstance(x, Tensor):
        return x._node is not None
    return isinstance(x, Box)


def cast(x: Any, dt: Any) -> Any:
    """``x`` converted to NumPy dtype ``dt`` (differentiably when needed).

    >>> import funcgrad.torch as torch
    >>> torch._functions.cast(torch.ones(1, requires_grad=True), 'float64')
    tensor([1.], dtype=torch.float64, grad_fn=<ToCopyBackward0>)
    """
    dt = np.dtype(dt)
    if not isinstance(x, Box):
        return x
    if np_dtype(x) == dt:
        return x
    if _is_box_with_grad(x):
        return set_name(fnp.astype(x, dt), "ToCopyBackward0")
    return _Tensor()._wrap(concrete(x).astype(dt), None)


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _scalar_category(s: Any) -> int:
    if isinstance(s, (bool, np.bool_)):
        return 0
    if isinstance(s, (int, np.integer)):
        return 1
    if isinstance(s, (float, np.floating)):
        return 2
    return 3


def result_dtype(*operands: Any) -> np.dtype:
    """PyTorch's type promotion: dimensioned tensors, then zero-dim tensors,
then Python scalars, a later group winning only with a higher category.

    >>> import funcgrad.torch as torch
    >>> torch._functions.result_dtype(torch.tensor([1, 2]), 2.5)
    dtype('float32')
    """
    dims, zeros, scalars = [], [], []
    for op in operands:
        if op is None:
            continue
        if isinstance(op, (Box, np.ndarray)):
            shape, dt = shape_dtype(op)
            (dims if shape else zeros).append(dt)
        elif isinstance(op, np.generic):
            zeros.append(op.dtype)
        else:
            scalars.append(op)
    res = np.result_type(*dims) if dims else None
    if zeros:
        z = np.result_type(*zeros)
        if res is None or _CATEGORY[z.kind] > _CATEGORY[res.kind]:
            if res is not None and z.kind == "c" and res == np.float64:
                z = np.result_type(z, np.complex128)
            res = z
    if scalars:
        cat = _py_max(_scalar_category(s) for s in scalars)
        if res is None or cat > _CATEGORY[res.kind]:
            if cat == 0:
                new = np.dtype(np.bool_)
            elif cat == 1:
                new = np.dtype(np.int64)
            elif cat == 2:
                new = get_default_dtype().dtype
            else:
                new = to_complex_default().dtype
                if res is not None and res in (np.dtype(np.float64),):
                    new = np.dtype(np.complex128)
            res = new
    return res if res is not None else get_default_dtype().dtype


def trailing_broadcast(sa: tuple, sb: tuple) -> bool:
    """Whether one shape ends with the other (a bias, a row): they broadcast
    to the longer one, with no further check.

    >>> trailing_broadcast((4, 3), (3,)), trailing_broadcast((4, 3), (4,))
    (True, False)
    """
    na, nb = len(sa), len(sb)
    return (na >= nb and sa[na - nb:] == sb) or (nb > na and sb[nb - na:] == sa)


def check_broadcast(a: Any, b: Any) -> None:
    """PyTorch's error (a ``RuntimeError``) for shapes that do not broadcast.

    >>> import funcgrad.torch as torch
    >>> torch._functions.check_broadcast(torch.ones(2, 3), torch.ones(3))
    >>> torch._functions.check_broadcast(torch.ones(2), torch.ones(3))
    Traceback (most recent call last):
    RuntimeError: The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0
    """
    check_shapes(_shape(a), _shape(b))


def check_shapes(sa: tuple, sb: tuple) -> None:
    """:func:`check_broadcast` on two shapes."""
    if sa == sb or trailing_broadcast(sa, sb):
        return
    n = _py_max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            raise RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b "
                               f"({pb[i]}) at non-singleton dimension {i}")


def _promote(*operands: Any, floating: bool = False, broadcast: bool = False) -> Any:
    if len(operands) == 2:
        # Fastest path, ``tensor op python_number`` (the loop below, unrolled):
        # a floating tensor with an int or float, an integer tensor with an int.
        a, b = operands
        tb = type(b)
        if (tb is float or tb is int) and isinstance(a, Box):
            va = a._value
            tva = type(va)
            if tva is _ndarray or tva in SCALAR_VALUES:
                kind = va.dtype.kind
                if kind in "fc" or (kind in "iu" and tb is int and not floating):
                    return operands
        elif isinstance(b, Box) and isinstance(a, Box):
            # Two tensors of one dtype (NumPy's built-in dtypes are singletons):
            # the loop below would return them unchanged.
            va, vb = a._value, b._value
            if type(va) is _ndarray and type(vb) is _ndarray and va.dtype is vb.dtype \
                    and (not floating or va.dtype.kind in "fc"):
                sa, sb = va.shape, vb.shape
                if broadcast and sa != sb and not trailing_broadcast(sa, sb):
                    check_broadcast(a, b)  # (its quick tests done here first)
                return operands
    if broadcast and isinstance(operands[0], (Box, np.ndarray)) \
            and isinstance(operands[1], (Box, np.ndarray)):
        check_broadcast(operands[0], operands[1])
    # Fast path: tensors of one dtype with Python numbers of no higher kind.
    common = None
    top = -1
    for op in operands:
        if isinstance(op, Box):
            dt = np_dtype(op)
            if common is None:
                common = dt
            elif dt != common:
                break
        elif isinstance(op, (bool, int, float)) and not isinstance(op, np.generic):
            top = _py_max(top, _scalar_category(op))
        else:
            break
    else:
        if common is not None and top <= _CATEGORY[common.kind] and (
                not floating or common.kind in "fc"):
            return operands
    dt = result_dtype(*operands)
    if floating and dt.kind not in "fc":
        dt = get_default_dtype().dtype
    out = []
    for op in operands:
        if isinstance(op, Box):
            out.append(cast(op, dt))
        elif isinstance(op, np.ndarray):
            out.append(_Tensor()._wrap(op.astype(dt, copy=False), None))
        elif op is not None and not isinstance(op, (bool, int, float, complex, np.generic)):
            out.append(cast(as_box(op), dt))
        else:
            out.append(op)
    return out


def _float_input(x: Any) -> Any:
    """Integer and bool inputs of floating functions become the default float."""
    x = as_box(x)
    if np_dtype(x).kind not in "fc":
        return cast(x, get_default_dtype().dtype)
    return x


def _named(t: Any, name: str) -> Any:
    return set_name(t, name)


def _dims(dim: Dim, ndim: int) -> Any:
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        axes: Any = wrap_dims(dim, ndim)
    else:
        axes = wrap_dim(dim, ndim)
    return None if ndim == 0 else axes  # (a 0-d value has no axis for NumPy)


def _ndim(x: Any) -> int:
    return len(shape_dtype(x)[0])


def _shape(x: Any) -> tuple:
    """The shape of a tensor as the code running on it sees it (per example
    under ``vmap``, abstract under ``jit``: :func:`shape_dtype`)."""
    return shape_dtype(x)[0]


def values(x: Any) -> Any:
    """What a facade op that reads values (``argmax``, ``where``'s
    condition, masks, ``isnan``) computes on: ``x``'s concrete value, or
    under ``vmap``/``jit`` (where it has none) ``x`` itself, on which the
    ``funcgrad.numpy`` functions the op calls batch or stage.

    >>> import funcgrad.torch as torch
    >>> torch._functions.values(torch.ones(2))
    array([1., 1.], dtype=float32)
    """
    return x if is_abstract(x) else concrete(x)


def as_result(r: Any, dt: Any = None) -> Any:
    """A value computed from :func:`values` as a tensor with no gradient
    (of NumPy dtype ``dt`` if given): a new tensor, or the traced result.

    >>> import funcgrad.torch as torch
    >>> torch._functions.as_result(np.array([1, 0]), bool)
    tensor([ True, False])
    """
    if isinstance(r, Box):
        return r if dt is None or np_dtype(r) == dt else fnp.astype(r, dt)
    return _Tensor()._wrap(np.asarray(r) if dt is None else np.asarray(r, dt), None)


# --- arithmetic ---------------------------------------------------------------
def _scale_operand(input: Any, other: Any, alpha: Any, which: int) -> tuple:
    """``(input, other)`` with operand ``which`` (0 or 1) multiplied by
    ``alpha`` -- the ``alpha=`` of add, sub and rsub (untouched when 1)."""
    pair = [input, other]
    if alpha != 1:
        pair[which] = mul(pair[which], alpha)
    return tuple(pair)


def _number_operand(input: Any, other: Any, floating: bool) -> bool:
    """Whether ``input op other`` is a tensor and a Python number that need
    no type promotion (``_promote`` would return them unchanged): a floating
    tensor, or an integer one with an ``int`` when the result need not be
    ``floating``. Then the arithmetic ops record at once."""
    tb = type(other)
    if (tb is float or tb is int) and isinstance(input, _T):
        v = input._value
        tv = type(v)
        if tv is _ndarray or tv in SCALAR_VALUES:
            kind = v.dtype.kind
            return kind in "fc" or (not floating and kind in "iu" and tb is int)
    return False


def add(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``input + alpha * other``.

    >>> import funcgrad.torch as torch
    >>> torch.add(torch.ones(2), torch.ones(2), alpha=2)
    tensor([3., 3.])
    """
    if alpha != 1:
        other = mul(other, alpha)
    if _number_operand(input, other, False):  # tensor op number: no promotion needed
        return record(_ADD_PRIM, (input, other), _NO_PARAMS, _ADD, 1)
    a, b = _promote(input, other, broadcast=True)
    if not isinstance(a, Box):
        a, b = b, a
    return _call(_ADD_PRIM, _ADD, (a, b))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``input - alpha * other``.

    >>> import funcgrad.torch as torch
    >>> torch.sub(torch.ones(2), 1)
    tensor([0., 0.])
    """
    if alpha != 1:
        other = mul(other, alpha)
    if _number_operand(input, other, False):  # tensor op number: no promotion needed
        return record(_SUB_PRIM, (input, other), _NO_PARAMS, _SUB, 1)
    a, b = _promote(input, other, broadcast=True)
    if not isinstance(a, Box):
        return rsub(b, a)
    return _call(_SUB_PRIM, _SUB, (a, b))


subtract = sub


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``other - alpha * input``.

    >>> import funcgrad.torch as torch
    >>> torch.rsub(torch.ones(2), 3)
    tensor([2., 2.])
    """
    if type(alpha) is int and alpha == 1 and _number_operand(input, other, False):
        # number - tensor: what the lines below do, directly
        return record(_SUB_PRIM, (other, input), _NO_PARAMS, _RSUB1)
    a, b = _promote(*_scale_operand(input, other, alpha, 0), broadcast=True)
    if not isinstance(b, Box):
        return _named(fnp.subtract(b, a), "RsubBackward1")
    return _named(fnp.subtract(b, a), "RsubBackward0")


def mul(input: Any, other: Any) -> Any:
    """Elementwise product.

    >>> import funcgrad.torch as torch
    >>> torch.mul(torch.tensor([1., 2.]), 3)
    tensor([3., 6.])
    """
    if _number_operand(input, other, False):  # tensor op number: no promotion needed
        return record(_MUL_PRIM, (input, other), _NO_PARAMS, _MUL, 1)
    a, b = _promote(input, other, broadcast=True)
    if not isinstance(a, Box):
        a, b = b, a
    return _call(_MUL_PRIM, _MUL, (a, b))


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: Optional[str] = None) -> Any:
    """True division (``rounding_mode=None``), ``"floor"`` or ``"trunc"``.

    >>> import funcgrad.torch as torch
    >>> torch.div(torch.tensor([1, 2]), 2)
    tensor([0.5000, 1.0000])
    """
    if rounding_mode is not None:
        a, b = _promote(input, other)
        q = fnp.floor_divide(a, b) if rounding_mode == "floor" else None
        if q is None:
            q = _Tensor()._wrap(np.trunc(np.divide(concrete(a), concrete(b))).astype(
                result_dtype(a, b)), None)
        return q
    if _number_operand(input, other, True):  # tensor op number: no promotion needed
        return record(_DIV_PRIM, (input, other), _NO_PARAMS, _DIV, 1)
    a, b = _promote(input, other, floating=True, broadcast=True)
    if not isinstance(a, Box):
        return mul(reciprocal(b), a)
    return _call(_DIV_PRIM, _DIV, (a, b))


divide = true_divide = div


def reciprocal(input: Any) -> Any:
    """``1 / input``.

    >>> import funcgrad.torch as torch
    >>> torch.reciprocal(torch.tensor([2.0]))
    tensor([0.5000])
    """
    x = _float_input(input)
    return _named(fnp.divide(1, x), "ReciprocalBackward0")


def neg(input: Any) -> Any:
    """``-input``.

    >>> import funcgrad.torch as torch
    >>> torch.neg(torch.tensor([1.0]))
    tensor([-1.])
    """
    return _named(fnp.negative(as_box(input)), "NegBackward0")


negative = neg


def pow(input: Any, exponent: Any) -> Any:
    """``input ** exponent``; a Python number as either side is a constant.

    >>> import funcgrad.torch as torch
    >>> torch.pow(torch.tensor([2.0]), 3)
    tensor([8.])
    """
    if not isinstance(exponent, (Box, np.ndarray)) and isinstance(input, Box):
        x = input
        if np_dtype(x).kind in "biu" and isinstance(exponent, (float, complex)):
            x = cast(x, result_dtype(x, exponent))
        return _named(_ops.pow_scalar(x, exponent=exponent), "PowBackward0")
    a, b = _promote(input, exponent, broadcast=True)
    if not isinstance(a, Box):
        return _named(fnp.power(a, b), "PowBackward2")
    return _named(fnp.power(a, b), "PowBackward1")


def square(input: Any) -> Any:
    """``input ** 2``.

    >>> import funcgrad.torch as torch
    >>> torch.square(torch.tensor([3.0]))
    tensor([9.])
    """
    return pow(as_box(input), 2)


def remainder(input: Any, other: Any) -> Any:
    """Python-style remainder (the sign of the divisor).

    >>> import funcgrad.torch as torch
    >>> torch.remainder(torch.tensor([5.0, -5.0]), 3)
    tensor([2., 1.])
    """
    a, b = _promote(input, other, broadcast=True)
    return _named(fnp.remainder(a, b), "RemainderBackward0")


def floor_divide(input: Any, other: Any) -> Any:
    """Division rounded down (no gradient).

    >>> import funcgrad.torch as torch
    >>> torch.floor_divide(torch.tensor([7, -7]), 2)
    tensor([ 3, -4])
    """
    a, b = _promote(input, other, broadcast=True)
    return fnp.floor_divide(a, b)


def _unary(fn: Any, name: str) -> Any:
    cls = node_class(name)
    direct = isinstance(fn, Primitive)

    def op(input: Any) -> Any:
        if direct and isinstance(input, _T) and input._value.dtype.kind in "fc":
            return record(fn, (input,), _NO_PARAMS, cls, 1)  # (lead: see process)
        return _named(fn(_float_input(input)), name)
    return op


exp = _unary(fnp.exp, "ExpBackward0")
log = _unary(fnp.log, "LogBackward0")
sqrt = _unary(fnp.sqrt, "SqrtBackward0")
sin = _unary(fnp.sin, "SinBackward0")
cos = _unary(fnp.cos, "CosBackward0")
tan = _unary(fnp.tan, "TanBackward0")
tanh = _unary(fnp.tanh, "TanhBackward0")
sigmoid = _unary(_ops.sigmoid, "SigmoidBackward0")
log1p = _unary(_ops.log1p, "Log1PBackward0")
expm1 = _unary(_ops.expm1, "Expm1Backward0")
for _f, _doc in ((exp, "exp"), (log, "log"), (sqrt, "sqrt"), (sin, "sin"), (cos, "cos"),
                 (tan, "tan"), (tanh, "tanh"), (sigmoid, "sigmoid"), (log1p, "log1p"),
                 (expm1, "expm1")):
    _f.__name__ = _f.__qualname__ = _doc
    _f.__doc__ = (f"Elementwise ``{_doc}`` (integer inputs become the default float).\n\n"
                  f">>> import funcgrad.torch as torch\n"
                  f">>> torch.{_doc}(torch.zeros(1)).shape\ntorch.Size([1])\n")


def log2(input: Any) -> Any:
    """Base-2 logarithm.

    >>> import funcgrad.torch as torch
    >>> torch.log2(torch.tensor([8.0]))
    tensor([3.])
    """
    return _named(div(log(input), float(np.log(2))), "Log2Backward0")


def log10(input: Any) -> Any:
    """Base-10 logarithm.

    >>> import funcgrad.torch as torch
    >>> torch.log10(torch.tensor([100.0]))
    tensor([2.])
    """
    return _named(div(log(input), float(np.log(10))), "Log10Backward0")


def rsqrt(input: Any) -> Any:
    """``1 / sqrt(input)``.

    >>> import funcgrad.torch as torch
    >>> torch.rsqrt(torch.tensor([4.0]))
    tensor([0.5000])
    """
    x = _float_input(input)
    return _named(_ops.pow_scalar(x, exponent=-0.5), "RsqrtBackward0")


def abs(input: Any) -> Any:
    """``|input|`` (gradient 0 at 0, as PyTorch).

    >>> import funcgrad.torch as torch
    >>> torch.abs(torch.tensor([-2.0]))
    tensor([2.])
    """
    return _named(fnp.absolute(as_box(input)), "AbsBackward0")


absolute = abs


def relu(input: Any) -> Any:
    """``max(input, 0)``.

    >>> import funcgrad.torch as torch
    >>> torch.relu(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return _named(_ops.relu(as_box(input)), "ReluBackward0")


def _zero_grad_unary(np_fn: Any, name: str) -> Any:
    def op(input: Any) -> Any:
        x = as_box(input)
        if np_dtype(x).kind not in "fc":
            return _Tensor()._wrap(np.asarray(np_fn(concrete(x))), None)
        return _named(_ops.zero_grad_op(x, fn=np_fn), name)
    op.__name__ = op.__qualname__ = np_fn.__name__
    op.__doc__ = f"Elementwise ``{np_fn.__name__}``; its gradient is zero."
    return op


sign = _zero_grad_unary(np.sign, "SignBackward0")
floor = _zero_grad_unary(np.floor, "FloorBackward0")
ceil = _zero_grad_unary(np.ceil, "CeilBackward0")
round = _zero_grad_unary(np.round, "RoundBackward0")
trunc = _zero_grad_unary(np.trunc, "TruncBackward0")


def clamp(input: Any, min: Any = None, max: Any = None) -> Any:
    """Limit values to ``[min, max]``; gradient 1 inside (bounds included).

    >>> import funcgrad.torch as torch
    >>> torch.clamp(torch.tensor([-1.0, 0.5, 2.0]), 0, 1)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = as_box(input)
    if isinstance(min, Box) or isinstance(max, Box):
        out = x
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return _named(out, "ClampBackward0")
    return _named(_ops.clamp(x, lo=min, hi=max), "ClampBackward1")


clip = clamp


def clamp_min(input: Any, min: Any) -> Any:
    """``clamp(input, min=min)``.

    >>> import funcgrad.torch as torch
    >>> torch.clamp_min(torch.tensor([-1.0, 2.0]), 0)
    tensor([0., 2.])
    """
    return _named(clamp(input, min=min), "ClampMinBackward0")


def clamp_max(input: Any, max: Any) -> Any:
    """``clamp(input, max=max)``.

    >>> import funcgrad.torch as torch
    >>> torch.clamp_max(torch.tensor([-1.0, 2.0]), 0)
    tensor([-1.,  0.])
    """
    return _named(clamp(input, max=max), "ClampMaxBackward0")


def maximum(input: Any, other: Any) -> Any:
    """Elementwise maximum (ties share the gradient).

    >>> import funcgrad.torch as torch
    >>> torch.maximum(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 2.0]))
    tensor([2., 3.])
    """
    a, b = _promote(as_box(input), as_box(other), broadcast=True)
    return _named(fnp.maximum(a, b), "MaximumBackward0")


def minimum(input: Any, other: Any) -> Any:
    """Elementwise minimum (ties share the gradient).

    >>> import funcgrad.torch as torch
    >>> torch.minimum(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 2.0]))
    tensor([1., 2.])
    """
    a, b = _promote(as_box(input), as_box(other), broadcast=True)
    return _named(fnp.minimum(a, b), "MinimumBackward0")


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` holds, else ``other``.

    >>> import funcgrad.torch as torch
    >>> torch.where(torch.tensor([True, False]), torch.ones(2), torch.zeros(2))
    tensor([1., 0.])
    """
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    shape = _shape(condition)
    for operand in (input, other):
        if isinstance(operand, (Box, np.ndarray)):
            check_shapes(shape, _shape(operand))
            shape = np.broadcast_shapes(shape, _shape(operand))
    c = values(condition)
    a, b = _promote(input, other)
    if isinstance(c, Box):
        c = c if np_dtype(c) == np.bool_ else fnp.not_equal(c, 0)
        return _named(fnp.where(c, a, b), "WhereBackward0")
    if not isinstance(a, Box) and not isinstance(b, Box):
        return _Tensor()._wrap(np.where(c, a, b), None)
    return _named(fnp.where(np.asarray(c, bool), a, b), "WhereBackward0")


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """Indices of the nonzero entries (a 2-D tensor, or a tuple with ``as_tuple=True``).

    >>> import funcgrad.torch as torch
    >>> torch.nonzero(torch.tensor([0, 3, 0, 4]))
    tensor([[1],
            [3]])
    """
    v = concrete(input)
    T = _Tensor()
    if as_tuple:
        return tuple(T._wrap(i.astype(np.int64), None) for i in np.nonzero(v))
    return T._wrap(np.argwhere(v).astype(np.int64), None)


# --- comparisons (no gradient) ------------------------------------------------------
def _compare(fn: Any) -> Any:
    def op(input: Any, other: Any) -> Any:
        a, b = _promote(input, other, broadcast=True)
        return fn(a, b)
    return op


eq = _compare(fnp.equal)
ne = _compare(fnp.not_equal)
lt = less = _compare(fnp.less)
le = less_equal = _compare(fnp.less_equal)
gt = greater = _compare(fnp.greater)
ge = greater_equal = _compare(fnp.greater_equal)


def isnan(input: Any) -> Any:
    """Where ``input`` is NaN.

    >>> import funcgrad.torch as torch
    >>> torch.isnan(torch.tensor([1.0, float('nan')]))
    tensor([False,  True])
    """
    return as_result(fnp.isnan(values(input)))


def isfinite(input: Any) -> Any:
    """Where ``input`` is finite.

    >>> import funcgrad.torch as torch
    >>> torch.isfinite(torch.tensor([1.0, float('inf')]))
    tensor([ True, False])
    """
    return as_result(fnp.isfinite(values(input)))


def isinf(input: Any) -> Any:
    """Where ``input`` is infinite.

    >>> import funcgrad.torch as torch
    >>> torch.isinf(torch.tensor([1.0, float('inf')]))
    tensor([False,  True])
    """
    return as_result(fnp.isinf(values(input)))


def equal(input: Any, other: Any) -> bool:
    """True if both have the same shape and elements.

    >>> import funcgrad.torch as torch
    >>> torch.equal(torch.ones(2), torch.ones(2))
    True
    """
    a, b = concrete(input), concrete(other)
    return bool(a.shape == b.shape and np.array_equal(a, b))


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """``|input - other| <= atol + rtol * |other|`` everywhere.

    >>> import funcgrad.torch as torch
    >>> torch.allclose(torch.tensor([1.0]), torch.tensor([1.0 + 1e-9]))
    True
    """
    return bool(np.allclose(concrete(input), concrete(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Any:
    """Elementwise ``|input - other| <= atol + rtol * |other|``.

    >>> import funcgrad.torch as torch
    >>> torch.isclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.1]))
    tensor([ True, False])
    """
    return as_result(fnp.isclose(values(input), values(other), rtol=rtol, atol=atol,
                                 equal_nan=equal_nan))


def logical_not(input: Any) -> Any:
    """Elementwise NOT.

    >>> import funcgrad.torch as torch
    >>> torch.logical_not(torch.tensor([True, False]))
    tensor([False,  True])
    """
    return as_result(fnp.logical_not(values(input)))


def logical_and(input: Any, other: Any) -> Any:
    """Elementwise AND.

    >>> import funcgrad.torch as torch
    >>> torch.logical_and(torch.tensor([True, False]), torch.tensor([True, True]))
    tensor([ True, False])
    """
    return as_result(fnp.logical_and(values(input), values(other)))


def logical_or(input: Any, other: Any) -> Any:
    """Elementwise OR.

    >>> import funcgrad.torch as torch
    >>> torch.logical_or(torch.tensor([True, False]), torch.tensor([False, False]))
    tensor([ True, False])
    """
    return as_result(fnp.logical_or(values(input), values(other)))


# --- reductions ----------------------------------------------------------------
def _accumulating_input(input: Any, dtype: Any) -> Any:
    """The input of sum / prod: cast to ``dtype`` if given, else bool and
    integer tensors widened to int64 (as PyTorch accumulates them)."""
    x = as_box(input)
    if dtype is not None:
        return cast(x, as_dtype(dtype).dtype)
    if np_dtype(x).kind in "bui":
        return cast(x, np.int64)
    return x


def sum(input: Any, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """Sum of all elements, or over ``dim`` (an int or a tuple).

    >>> import funcgrad.torch as torch
    >>> torch.sum(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), 0)
    tensor([4., 6.])
    """
    if dim is None and dtype is None and _SUM_PRIM is not None and isinstance(input, _T):
        v = input._value
        if type(v) is _ndarray and v.dtype.kind in "fc":
            # fnp.sum(x, axis=None, keepdims=keepdim): its primitive, directly
            return record(_SUM_PRIM, (input,),
                          {"axis": None, "keepdims": keepdim, "dtype": None}, _SUM0, 1)
    x = _accumulating_input(input, dtype)
    axis = _dims(dim, _ndim(x))
    out = fnp.sum(x, axis=axis, keepdims=keepdim)
    return _named(out, "SumBackward0" if dim is None else "SumBackward1")


def _sum_primitive() -> Any:
    """The primitive ``fnp.sum`` applies (``None`` if the layout changed)."""
    from ..numpy import reductions
    prim = getattr(reductions, "_sum", None)
    return prim if isinstance(prim, Primitive) and prim.name == "sum" else None


_SUM_PRIM = _sum_primitive()
_SUM0 = node_class("SumBackward0")


def mean(input: Any, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """Mean of all elements, or over ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.mean(torch.tensor([1.0, 2.0]))
    tensor(1.5000)
    """
    x = as_box(input)
    if dtype is not None:
        x = cast(x, as_dtype(dtype).dtype)
    kind = np_dtype(x).kind
    if kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_scalar_type_name(np_dtype(x))}")
    axis = _dims(dim, _ndim(x))
    out = _ops.mean(x, axis=axis, keepdims=keepdim)
    return _named(out, "MeanBackward0" if dim is None else "MeanBackward1")


def _scalar_type_name(dt: np.dtype) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half",
            "complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(str(dt), str(dt))


def var(input: Any, dim: Dim = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Any:
    """Variance (Bessel's correction by default, as PyTorch).

    >>> import funcgrad.torch as torch
    >>> torch.var(torch.tensor([1.0, 2.0, 3.0]))
    tensor(1.)
    """
    return _named(_spread(fnp.var, input, dim, unbiased, keepdim, correction), "VarBackward0")


def _spread(fn: Callable[..., Any], input: Any, dim: Dim, unbiased: Any, keepdim: bool,
            correction: Any) -> Any:
    """``fnp.var`` or ``fnp.std`` (``fn``) with PyTorch's arguments: Bessel's
    correction by default; the gradient of ``std`` at zero spread is 0."""
    x = _float_input(input)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return fn(x, axis=_dims(dim, _ndim(x)), ddof=correction, keepdims=keepdim)


def std(input: Any, dim: Dim = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Any:
    """Standard deviation (square root of :func:`var`; gradient 0, not NaN,
    where all the values are equal, as PyTorch).

    >>> import funcgrad.torch as torch
    >>> torch.std(torch.tensor([1.0, 2.0, 3.0]))
    tensor(1.)
    >>> x = torch.tensor([2.0, 2.0], requires_grad=True)
    >>> x.std().backward(); x.grad
    tensor([0., 0.])
    """
    return _named(_spread(fnp.std, input, dim, unbiased, keepdim, correction), "StdBackward0")


def prod(input: Any, dim: Optional[int] = None, keepdim: bool = False, *,
         dtype: Any = None) -> Any:
    """Product of the elements (or along ``dim``); exact gradients with zeros.

    >>> import funcgrad.torch as torch
    >>> torch.prod(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
    tensor([ 2., 12.])
    """
    x = _accumulating_input(input, dtype)
    axis = _dims(dim, _ndim(x))
    out = _ops.prod(x, axis=axis, keepdims=keepdim and dim is not None)
    return _named(out, "ProdBackward0" if dim is None else "ProdBackward1")


def _max_min(input: Any, dim: Any, keepdim: bool, is_max: bool, other: Any = None) -> Any:
    if other is not None:
        return maximum(input, other) if is_max else minimum(input, other)
    x = as_box(input)
    prim = _ops.amax if is_max else _ops.amin
    which = "Max" if is_max else "Min"
    if dim is None:
        if _py_min(_shape(x) or (1,)) == 0:
            raise RuntimeError(
                f"{which.lower()}(): Expected reduction dim to be specified for input.numel() "
                "== 0. Specify the reduction dim with the 'dim' argument.")
        return _named(prim(x), f"{which}Backward1")
    nd = _ndim(x)
    axis = _dims(dim, nd)
    if nd:
        idx = (fnp.argmax if is_max else fnp.argmin)(values(x), axis=axis)
        idx_k = fnp.expand_dims(idx, axis)
        found = _ops.gather(x, idx_k, axis)
        if not keepdim:
            found = fnp.reshape(found, _shape(idx))
    else:
        idx = idx_k = np.array(0)
        found = x * 1
    found = _named(found, f"{which}Backward0")
    indices = as_result(idx_k if keepdim else idx, np.int64)
    from ._tensor import return_types
    return return_types(which.lower(), found, indices)


def max(input: Any, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
    """Largest element; with ``dim``, ``(values, indices)`` along it; with a
    tensor as second argument, the elementwise maximum.

    >>> import funcgrad.torch as torch
    >>> torch.max(torch.tensor([[1.0, 5.0], [3.0, 2.0]]), 1)
    torch.return_types.max(
    values=tensor([5., 3.]),
    indices=tensor([1, 0]))
    """
    if isinstance(dim, (Box, np.ndarray)):
        return maximum(input, dim)
    return _max_min(input, dim, keepdim, True)


def min(input: Any, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
    """Smallest element; see :func:`max`.

    >>> import funcgrad.torch as torch
    >>> torch.min(torch.tensor([[1.0, 5.0], [3.0, 2.0]]), 1).values
    tensor([1., 2.])
    """
    if isinstance(dim, (Box, np.ndarray)):
        return minimum(input, dim)
    return _max_min(input, dim, keepdim, False)


def amax(input: Any, dim: Dim = (), keepdim: bool = False) -> Any:
    """Largest values over ``dim`` (ties share the gradient).

    >>> import funcgrad.torch as torch
    >>> torch.amax(torch.tensor([[1.0, 5.0], [3.0, 2.0]]), 0)
    tensor([3., 5.])
    """
    x = as_box(input)
    axis = _dims(dim, _ndim(x))
    return _named(_ops.amax(x, axis=axis, keepdims=keepdim), "AmaxBackward0")


def amin(input: Any, dim: Dim = (), keepdim: bool = False) -> Any:
    """Smallest values over ``dim`` (ties share the gradient).

    >>> import funcgrad.torch as torch
    >>> torch.amin(torch.tensor([[1.0, 5.0], [3.0, 2.0]]), 0)
    tensor([1., 2.])
    """
    x = as_box(input)
    axis = _dims(dim, _ndim(x))
    return _named(_ops.amin(x, axis=axis, keepdims=keepdim), "AminBackward0")


def _arg_extreme(np_fn: Callable[..., Any], input: Any, dim: Optional[int],
                 keepdim: bool) -> Any:
    """``argmax`` / ``argmin`` (``np_fn``): int64 indices, not differentiable."""
    dim = _dims(dim, _ndim(input))
    r = np_fn(values(input), axis=dim)
    if keepdim and dim is not None:
        r = fnp.expand_dims(r, dim)
    return as_result(r, np.int64)


def argmax(input: Any, dim: Optional[int] = None, keepdim: bool = False) -> Any:
    """Index of the largest element (of the flattened tensor, or along ``dim``).

    >>> import funcgrad.torch as torch
    >>> torch.argmax(torch.tensor([1.0, 5.0, 3.0]))
    tensor(1)
    """
    return _arg_extreme(fnp.argmax, input, dim, keepdim)


def argmin(input: Any, dim: Optional[int] = None, keepdim: bool = False) -> Any:
    """Index of the smallest element (of the flattened tensor, or along ``dim``).

    >>> import funcgrad.torch as torch
    >>> torch.argmin(torch.tensor([1.0, 5.0, 3.0]))
    tensor(0)
    """
    return _arg_extreme(fnp.argmin, input, dim, keepdim)


def all(input: Any, dim: Optional[int] = None, keepdim: bool = False) -> Any:
    """Whether every element is true (or along ``dim``).

    >>> import funcgrad.torch as torch
    >>> torch.all(torch.tensor([True, False]))
    tensor(False)
    """
    return as_result(fnp.all(values(input), axis=_dims(dim, _ndim(input)), keepdims=keepdim))


def any(input: Any, dim: Optional[int] = None, keepdim: bool = False) -> Any:
    """Whether some element is true (or along ``dim``).

    >>> import funcgrad.torch as torch
    >>> torch.any(torch.tensor([True, False]))
    tensor(True)
    """
    return as_result(fnp.any(values(input), axis=_dims(dim, _ndim(input)), keepdims=keepdim))


def norm(input: Any, p: Any = "fro", dim: Dim = None, keepdim: bool = False,
         dtype: Any = None) -> Any:
    """Vector 2-norm of all elements (``p=2``/``"fro"``), or the ``p``-norm
    along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.norm(torch.tensor([3.0, 4.0]))
    tensor(5.)
    """
    x = _float_input(input)
    if dim is None and p in ("fro", 2, 2.0) and not keepdim:
        return _named(_ops.norm2(x), "LinalgVectorNormBackward0")
    if p == "fro":
        p = 2
    # funcgrad.numpy's vector norm: gradient 0 (not NaN) at x == 0 for every p,
    # ties sharing it for p = +-inf, as PyTorch
    out = fnp.linalg.vector_norm(x, ord=p, axis=_dims(dim, _ndim(x)), keepdims=keepdim)
    return _named(out, "LinalgVectorNormBackward0")


def cumsum(input: Any, dim: int, *, dtype: Any = None) -> Any:
    """Cumulative sum along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.cumsum(torch.tensor([1.0, 2.0, 3.0]), 0)
    tensor([1., 3., 6.])
    """
    x = as_box(input)
    if dtype is not None:
        x = cast(x, as_dtype(dtype).dtype)
    d = wrap_dim(dim, _ndim(x))
    if _ndim(x) == 0:  # PyTorch: a 0-d tensor is its own cumulative sum
        return _named(fnp.reshape(_ops.cumsum(fnp.reshape(x, (1,)), 0), ()), "CumsumBackward0")
    return _named(_ops.cumsum(x, d), "CumsumBackward0")


def logsumexp(input: Any, dim: Dim, keepdim: bool = False) -> Any:
    """``log(sum(exp(input), dim))``, computed stably.

    >>> import funcgrad.torch as torch
    >>> torch.logsumexp(torch.tensor([0.0, 0.0]), 0)
    tensor(0.6931)
    """
    x = _float_input(input)
    axis = _dims(dim, _ndim(x))
    return _named(_ops.logsumexp(x, axis, keepdims=keepdim), "LogsumexpBackward0")


def softmax(input: Any, dim: int, dtype: Any = None) -> Any:
    """``exp(x) / sum(exp(x))`` along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.softmax(torch.zeros(2), 0)
    tensor([0.5000, 0.5000])
    """
    x = _float_input(input) if dtype is None else cast(as_box(input), as_dtype(dtype).dtype)
    return _named(_ops.softmax(x, wrap_dim(dim, _ndim(x))), "SoftmaxBackward0")


def log_softmax(input: Any, dim: int, dtype: Any = None) -> Any:
    """``log(softmax(x))`` along ``dim``, computed stably.

    >>> import funcgrad.torch as torch
    >>> torch.log_softmax(torch.zeros(2), 0)
    tensor([-0.6931, -0.6931])
    """
    x = _float_input(input) if dtype is None else cast(as_box(input), as_dtype(dtype).dtype)
    return _named(_ops.log_softmax(x, wrap_dim(dim, _ndim(x))), "LogSoftmaxBackward0")


# --- products -------------------------------------------------------------------
def matmul(input: Any, other: Any) -> Any:
    """Matrix product with PyTorch's rank rules (``mm``, ``mv``, ``dot``, batched).

    >>> import funcgrad.torch as torch
    >>> (torch.ones(2, 3) @ torch.ones(3)).grad_fn is None
    True
    """
    if isinstance(input, _T) and isinstance(other, _T):
        va, vb = input._value, other._value
        if type(va) is _ndarray and type(vb) is _ndarray and va.dtype is vb.dtype:
            cls = _MATMUL_CLASSES.get((va.ndim, vb.ndim))
            # mm, mv, dot of one dtype with matching inner sizes: as below, directly
            if cls is not None and va.shape[-1] == vb.shape[0 if vb.ndim == 1 else -2]:
                return record(_MATMUL_PRIM, (input, other), _NO_PARAMS, cls, 2)  # (lead)
    a, b = _promote(as_box(input), as_box(other))
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 1 and nb == 2:
        prod2 = _named(fnp.matmul(_named(fnp.reshape(a, (1, -1)), "UnsqueezeBackward0"), b),
                       "MmBackward0")
        return _named(fnp.reshape(prod2, (_shape(b)[1],)), "SqueezeBackward4")
    _check_matmul_shapes(a, b)
    return _call(_MATMUL_PRIM, _MATMUL_CLASSES.get((na, nb), _UNSAFE_VIEW), (a, b))


_MATMUL_CLASSES = {(2, 2): node_class("MmBackward0"), (2, 1): node_class("MvBackward0"),
                   (1, 1): node_class("DotBackward0")}
_UNSAFE_VIEW = node_class("UnsafeViewBackward0")


def _check_matmul_shapes(a: Any, b: Any) -> None:
    sa, sb = _shape(a), _shape(b)
    k1 = sa[-1]
    k2 = sb[0] if len(sb) == 1 else sb[-2]
    if k1 != k2:
        if len(sa) == 1 and len(sb) == 1:
            raise RuntimeError(
                "inconsistent tensor size, expected tensor [%d] and src [%d] to have the same "
                "number of elements, but got %d and %d elements respectively"
                % (sa[0], sb[0], sa[0], sb[0]))
        left = sa if len(sa) == 2 else sa
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_mat_desc(left)} and "
            f"{_mat_desc(sb)})")


def _mat_desc(s: tuple) -> str:
    if len(s) == 1:
        return f"1x{s[0]}"
    rows = int(np.prod(s[:-1]))
    return f"{rows}x{s[-1]}"


def mm(input: Any, mat2: Any) -> Any:
    """2-D matrix product.

    >>> import funcgrad.torch as torch
    >>> torch.mm(torch.ones(2, 3), torch.ones(3, 1))
    tensor([[3.],
            [3.]])
    """
    if _ndim(input) != 2 or _ndim(mat2) != 2:
        raise RuntimeError("self must be a matrix")
    return matmul(input, mat2)


def mv(input: Any, vec: Any) -> Any:
    """Matrix-vector product.

    >>> import funcgrad.torch as torch
    >>> torch.mv(torch.ones(2, 3), torch.ones(3))
    tensor([3., 3.])
    """
    return matmul(input, vec)


def dot(input: Any, other: Any) -> Any:
    """Inner product of two 1-D tensors.

    >>> import funcgrad.torch as torch
    >>> torch.dot(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
    tensor(11.)
    """
    if _ndim(input) != 1 or _ndim(other) != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {_ndim(input)}D and {_ndim(other)}D tensors")
    return matmul(input, other)


def bmm(input: Any, mat2: Any) -> Any:
    """Batched matrix product.

    >>> import funcgrad.torch as torch
    >>> torch.bmm(torch.ones(2, 1, 3), torch.ones(2, 3, 1)).shape
    torch.Size([2, 1, 1])
    """
    return _named(matmul(input, mat2), "BmmBackward0")


def outer(input: Any, vec2: Any) -> Any:
    """Outer product of two vectors.

    >>> import funcgrad.torch as torch
    >>> torch.outer(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 10.0]))
    tensor([[ 1., 10.],
            [ 2., 20.]])
    """
    a = reshape(as_box(input), (-1, 1))
    return mul(a, vec2)


ger = outer


# --- shapes ---------------------------------------------------------------------------
def _shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(input: Any, *shape: Any) -> Any:
    """Same elements, new shape (``-1`` infers one dimension).

    >>> import funcgrad.torch as torch
    >>> torch.arange(6).reshape(2, 3).shape
    torch.Size([2, 3])
    """
    x = as_box(input)
    shp = _shape_arg(shape)
    _check_view_shape(x, shp)
    return _named(fnp.reshape(x, shp), "ViewBackward0")


def _check_view_shape(x: Any, shp: tuple) -> None:
    n = int(np.prod(_shape(x), dtype=np.int64))
    known = int(np.prod([s for s in shp if s != -1], dtype=np.int64))
    if (-1 not in shp and known != n) or (-1 in shp and (known == 0 or n % known)):
        raise RuntimeError(f"shape '{list(shp)}' is invalid for input of size {n}")


view = reshape


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    """Merge dimensions ``start_dim`` to ``end_dim`` into one.

    >>> import funcgrad.torch as torch
    >>> torch.flatten(torch.ones(2, 3, 4), 1).shape
    torch.Size([2, 12])
    """
    x = as_box(input)
    s = _shape(x)
    start, end = wrap_dim(start_dim, len(s)), wrap_dim(end_dim, len(s))
    if not s:
        return reshape(x, (1,))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    new = s[:start] + (int(np.prod(s[start:end + 1], dtype=np.int64)),) + s[end + 1:]
    if new == s:
        return x
    return reshape(x, new)


def squeeze(input: Any, dim: Dim = None) -> Any:
    """Drop dimensions of size 1 (all, or those in ``dim``).

    >>> import funcgrad.torch as torch
    >>> torch.squeeze(torch.ones(2, 1, 3)).shape
    torch.Size([2, 3])
    """
    x = as_box(input)
    s = _shape(x)
    if dim is None:
        new = tuple(d for d in s if d != 1)
        name = "SqueezeBackward0"
    else:
        dims = set(wrap_dims(dim_list(dim), len(s)))
        new = tuple(d for i, d in enumerate(s) if not (i in dims and d == 1))
        name = "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2"
    return _named(fnp.reshape(x, new), name)


def unsqueeze(input: Any, dim: int) -> Any:
    """Insert a dimension of size 1 at ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.unsqueeze(torch.ones(3), 0).shape
    torch.Size([1, 3])
    """
    x = as_box(input)
    s = list(_shape(x))
    s.insert(wrap_dim(dim, len(s) + 1), 1)
    return _named(fnp.reshape(x, tuple(s)), "UnsqueezeBackward0")


def transpose(input: Any, dim0: int, dim1: int) -> Any:
    """Swap dimensions ``dim0`` and ``dim1``.

    >>> import funcgrad.torch as torch
    >>> torch.transpose(torch.ones(2, 3), 0, 1).shape
    torch.Size([3, 2])
    """
    x = as_box(input)
    n = _ndim(x)
    dim0, dim1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    if n < 2:
        return x
    return _named(fnp.swapaxes(x, dim0, dim1), "TransposeBackward0")


swapaxes = swapdims = transpose


def t(input: Any) -> Any:
    """Transpose of a matrix (0-D and 1-D tensors are returned as they are).

    >>> import funcgrad.torch as torch
    >>> torch.t(torch.tensor([[1.0, 2.0]]))
    tensor([[1.],
            [2.]])
    """
    x = as_box(input)
    n = _ndim(x)
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n < 2:
        return x
    return _named(fnp.swapaxes(x, 0, 1), "TBackward0")


def permute(input: Any, *dims: Any) -> Any:
    """Reorder the dimensions.

    >>> import funcgrad.torch as torch
    >>> torch.permute(torch.ones(2, 3, 4), (2, 0, 1)).shape
    torch.Size([4, 2, 3])
    """
    x = as_box(input)
    n = _ndim(x)
    d = _shape_arg(dims)
    if len(d) != n:
        raise RuntimeError(
            "permute(): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
            f"len(dims) = {len(d)}")
    d = tuple(wrap_dim(i, n) for i in d)
    if len(set(d)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _named(fnp.transpose(x, d), "PermuteBackward0")


def expand(input: Any, *sizes: Any) -> Any:
    """A broadcast view to ``sizes`` (``-1`` keeps a dimension).

    >>> import funcgrad.torch as torch
    >>> torch.ones(3).expand(2, -1).shape
    torch.Size([2, 3])
    """
    x = as_box(input)
    sizes = _shape_arg(sizes)
    s = _shape(x)
    if len(sizes) < len(s):
        from ._tensor import legacy_type_name
        raise RuntimeError(
            f"expand({legacy_type_name(np_dtype(x))}{{{list(s)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(s)})")
    full = tuple(s[i - (len(sizes) - len(s))] if n == -1 else n for i, n in enumerate(sizes))
    return _named(fnp.broadcast_to(x, full), "ExpandBackward0")


def broadcast_to(input: Any, size: Sequence[int]) -> Any:
    """``input`` broadcast to ``size``.

    >>> import funcgrad.torch as torch
    >>> torch.broadcast_to(torch.tensor([1.0, 2.0]), (2, 2))
    tensor([[1., 2.],
            [1., 2.]])
    """
    return expand(input, tuple(size))


def repeat(input: Any, *sizes: Any) -> Any:
    """Tile ``input`` ``sizes`` times along each dimension.

    >>> import funcgrad.torch as torch
    >>> torch.tensor([1.0, 2.0]).repeat(2)
    tensor([1., 2., 1., 2.])
    """
    x = as_box(input)
    reps = _shape_arg(sizes)
    if len(reps) < _ndim(x):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    s = (1,) * (len(reps) - _ndim(x)) + _shape(x)
    x = fnp.reshape(x, s)
    inter = []
    for r, n in zip(reps, s):
        inter += [1, n]
    x = fnp.reshape(x, tuple(inter))
    big = []
    for r, n in zip(reps, s):
        big += [r, n]
    x = fnp.broadcast_to(x, tuple(big))
    return _named(fnp.reshape(x, tuple(r * n for r, n in zip(reps, s))), "RepeatBackward0")


def cat(tensors: Sequence[Any], dim: int = 0) -> Any:
    """Concatenate along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.cat([torch.ones(1), torch.zeros(2)])
    tensor([1., 0., 0.])
    """
    ts = _promote(*[as_box(t_) for t_ in tensors])
    if ts:
        dim = wrap_dim(dim, _ndim(ts[0]))
    return _named(fnp.concatenate(ts, axis=dim), "CatBackward0")


concat = concatenate = cat


def stack(tensors: Sequence[Any], dim: int = 0) -> Any:
    """Stack equal-shaped tensors along a new ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.stack([torch.ones(2), torch.zeros(2)]).shape
    torch.Size([2, 2])
    """
    ts = _promote(*[as_box(t_) for t_ in tensors])
    if ts:
        dim = wrap_dim(dim, _ndim(ts[0]) + 1)
    return _named(fnp.stack(ts, axis=dim), "StackBackward0")


def split(tensor: Any, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Split into chunks of ``split_size_or_sections`` along ``dim``.

    >>> import funcgrad.torch as torch
    >>> [t.shape for t in torch.split(torch.arange(5.0), 2)]
    [torch.Size([2]), torch.Size([2]), torch.Size([1])]
    """
    x = as_box(tensor)
    dim = wrap_dim(dim, _ndim(x))
    n = _shape(x)[dim]
    if isinstance(split_size_or_sections, int):
        sizes = [split_size_or_sections] * (n // split_size_or_sections)
        if n % split_size_or_sections:
            sizes.append(n % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
    out, start = [], 0
    for k in sizes:
        idx = (slice(None),) * dim + (slice(start, start + k),)
        out.append(_named(fnp.getitem(x, idx), "SplitBackward0"))
        start += k
    return tuple(out)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` nearly equal parts along ``dim``.

    >>> import funcgrad.torch as torch
    >>> [t.tolist() for t in torch.chunk(torch.arange(5.0), 2)]
    [[0.0, 1.0, 2.0], [3.0, 4.0]]
    """
    dim = wrap_dim(dim, _ndim(input))
    n = _shape(input)[dim]
    size = -(-n // chunks)
    return split(input, size, dim)


def unbind(input: Any, dim: int = 0) -> tuple:
    """The slices along ``dim``, as a tuple.

    >>> import funcgrad.torch as torch
    >>> torch.unbind(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    (tensor([1., 2.]), tensor([3., 4.]))
    """
    x = as_box(input)
    d = wrap_dim(wrap_dim(dim, _ndim(x)), _ndim(x), scalar=False)  # (PyTorch's two checks)
    return tuple(_named(fnp.getitem(x, (slice(None),) * d + (i,)), "UnbindBackward0")
                 for i in range(_shape(x)[d]))


def narrow(input: Any, dim: int, start: int, length: int) -> Any:
    """``length`` entries from ``start`` along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.narrow(torch.arange(5.0), 0, 1, 2)
    tensor([1., 2.])
    """
    x = as_box(input)
    d = wrap_dim(dim, _ndim(x))
    return _named(fnp.getitem(x, (slice(None),) * d + (slice(start, start + length),)),
                  "SliceBackward0")


def gather(input: Any, dim: int, index: Any) -> Any:
    """Values at ``index`` along ``dim`` (gradient scattered back).

    >>> import funcgrad.torch as torch
    >>> torch.gather(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), 1, torch.tensor([[1], [0]]))
    tensor([[2.],
            [3.]])
    """
    x = as_box(input)
    idx = np.asarray(concrete(index), np.int64)
    d = wrap_dim(dim, _ndim(x))
    if _ndim(x) == 0:  # a 0-d tensor gathers as a 1-element vector
        out = _ops.gather(fnp.reshape(x, (1,)), idx.reshape(-1), 0)
        return _named(fnp.reshape(out, idx.shape), "GatherBackward0")
    return _named(_ops.gather(x, idx, d), "GatherBackward0")


def masked_fill(input: Any, mask: Any, value: Any) -> Any:
    """``value`` where ``mask`` holds, ``input`` elsewhere.

    >>> import funcgrad.torch as torch
    >>> torch.tensor([1.0, -2.0]).masked_fill(torch.tensor([False, True]), 0.0)
    tensor([1., 0.])
    """
    x = as_box(input)
    m = np.asarray(concrete(mask), bool)
    if isinstance(value, Box):
        value = cast(value, np_dtype(x))
    return _named(fnp.where(m, value, x), "MaskedFillBackward0")


def flip(input: Any, dims: Sequence[int]) -> Any:
    """Reverse the order along ``dims``.

    >>> import funcgrad.torch as torch
    >>> torch.flip(torch.tensor([1.0, 2.0, 3.0]), [0])
    tensor([3., 2., 1.])
    """
    x = as_box(input)
    idx = [slice(None)] * _ndim(x)
    for d in wrap_dims(dim_list(dims), _ndim(x)):
        if idx:  # (a 0-d tensor flips to itself)
            idx[d] = slice(None, None, -1)
    return _named(fnp.getitem(x, tuple(idx)), "FlipBackward0")


def diag(input: Any, diagonal: int = 0) -> Any:
    """The diagonal of a matrix, or the diagonal matrix of a vector.

    >>> import funcgrad.torch as torch
    >>> torch.diag(torch.tensor([1.0, 2.0]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    x = as_box(input)
    if _ndim(x) == 1:
        n = _shape(x)[0] + _py_abs(diagonal)
        eye_ = np.eye(n, k=diagonal, dtype=np_dtype(x))
        rows = np.nonzero(eye_)
        from ._ops import index_put
        base = _Tensor()._wrap(np.zeros((n, n), np_dtype(x)), None)
        return _named(index_put(base, x, rows), "DiagEmbedBackward0")
    n = _py_min(_shape(x))
    i = np.arange(n)
    rows, cols = (i, i + diagonal) if diagonal >= 0 else (i - diagonal, i)
    keep = (rows < _shape(x)[0]) & (cols < _shape(x)[1])
    return _named(fnp.getitem(x, (rows[keep], cols[keep])), "DiagonalBackward0")


def trace(input: Any) -> Any:
    """Sum of the diagonal.

    >>> import funcgrad.torch as torch
    >>> torch.trace(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5.)
    """
    return _named(sum(diag(input)), "TraceBackward0")


def _complex_only(fn: Callable[[Any], Any], input: Any, name: str) -> Any:
    """``fn(input)`` named ``name`` for a complex tensor; a real one as it is."""
    x = as_box(input)
    if np_dtype(x).kind != "c":
        return x
    return _named(fn(x), name)


def conj(input: Any) -> Any:
    """Complex conjugate (real tensors are returned as they are).

    >>> import funcgrad.torch as torch
    >>> torch.conj(torch.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    return _complex_only(fnp.conjugate, input, "ConjBackward0")


def real(input: Any) -> Any:
    """Real part (real tensors are returned as they are).

    >>> import funcgrad.torch as torch
    >>> torch.real(torch.tensor([1 + 2j]))
    tensor([1.])
    """
    return _complex_only(fnp.real, input, "RealBackward0")


def imag(input: Any) -> Any:
    """Imaginary part of a complex tensor.

    >>> import funcgrad.torch as torch
    >>> torch.imag(torch.tensor([1 + 2j]))
    tensor([2.])
    """
    x = as_box(input)
    if np_dtype(x).kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _named(fnp.imag(x), "ImagBackward0")


def clone(input: Any, *, memory_format: Any = None) -> Any:
    """A copy that does not share data (its grad flows back to ``input``).

    >>> import funcgrad.torch as torch
    >>> torch.clone(torch.ones(1, requires_grad=True))
    tensor([1.], grad_fn=<CloneBackward0>)
    """
    return _named(_ops.clone(as_box(input)), "CloneBackward0")


def numel(input: Any) -> int:
    """Number of elements.

    >>> import funcgrad.torch as torch
    >>> torch.numel(torch.ones(2, 3))
    6
    """
    n = 1
    for d in _shape(input):
        n *= d
    return n


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a facade tensor.

    >>> import funcgrad.torch as torch
    >>> torch.is_tensor(torch.ones(1)), torch.is_tensor([1.0])
    (True, False)
    """
    return isinstance(obj, _Tensor())


def is_floating_point(input: Any) -> bool:
    """Whether the dtype is a floating-point one.

    >>> import funcgrad.torch as torch
    >>> torch.is_floating_point(torch.ones(1))
    True
    """
    return np_dtype(input).kind == "f"


def is_complex(input: Any) -> bool:
    """Whether the dtype is complex.

    >>> import funcgrad.torch as torch
    >>> torch.is_complex(torch.ones(1))
    False
    """
    return np_dtype(input).kind == "c"


def detach(input: Any) -> Any:
    """``input.detach()``.

    >>> import funcgrad.torch as torch
    >>> torch.detach(torch.ones(1, requires_grad=True)).requires_grad
    False
    """
    return as_box(input).detach()


def result_type(tensor1: Any, tensor2: Any) -> _dtype_cls:
    """The dtype PyTorch's promotion gives ``tensor1 op tensor2``.

    >>> import funcgrad.torch as torch
    >>> torch.result_type(torch.tensor([1, 2]), 1.0)
    torch.float32
    """
    return as_dtype(result_dtype(tensor1, tensor2))


def promote_types(type1: Any, type2: Any) -> _dtype_cls:
    """The smallest dtype both can be converted to.

    >>> import funcgrad.torch as torch
    >>> torch.promote_types(torch.int64, torch.float32)
    torch.float64
    """
    return as_dtype(np.promote_types(as_dtype(type1).dtype, as_dtype(type2).dtype))


# --- more elementwise math, routed to funcgrad.numpy ------------------------------
def _fnp_unary(np_name: str, torch_name: str, grad_name: str) -> Any:
    def op(input: Any) -> Any:
        return _named(getattr(fnp, np_name)(_float_input(input)), grad_name)
    op.__name__ = op.__qualname__ = torch_name
    op.__doc__ = (f"Elementwise ``{torch_name}`` (``numpy.{np_name}``).\n\n"
                  f">>> import funcgrad.torch as torch\n"
                  f">>> torch.{torch_name}(torch.zeros(1)).shape\ntorch.Size([1])\n")
    return op


asin = arcsin = _fnp_unary("arcsin", "asin", "AsinBackward0")
acos = arccos = _fnp_unary("arccos", "acos", "AcosBackward0")
atan = arctan = _fnp_unary("arctan", "atan", "AtanBackward0")
sinh = _fnp_unary("sinh", "sinh", "SinhBackward0")
cosh = _fnp_unary("cosh", "cosh", "CoshBackward0")
asinh = arcsinh = _fnp_unary("arcsinh", "asinh", "AsinhBackward0")
acosh = arccosh = _fnp_unary("arccosh", "acosh", "AcoshBackward0")
atanh = arctanh = _fnp_unary("arctanh", "atanh", "AtanhBackward0")
exp2 = _fnp_unary("exp2", "exp2", "Exp2Backward0")


def atan2(input: Any, other: Any) -> Any:
    """Elementwise ``atan2(input, other)``.

    >>> import funcgrad.torch as torch
    >>> torch.atan2(torch.tensor([1.0]), torch.tensor([1.0]))
    tensor([0.7854])
    """
    a, b = _promote(as_box(input), as_box(other), floating=True, broadcast=True)
    return _named(fnp.arctan2(a, b), "Atan2Backward0")


arctan2 = atan2


def sort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """Sorted values (differentiable) and their indices along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.sort(torch.tensor([3.0, 1.0, 2.0])).indices
    tensor([1, 2, 0])
    """
    x = as_box(input)
    v = concrete(x)
    if v.ndim == 0:
        idx = np.zeros((), np.int64)
        from ._tensor import return_types
        wrap_dim(dim, 0)
        return return_types("sort", x, _Tensor()._wrap(idx, None))
    d = wrap_dim(dim, v.ndim)
    key = -v if descending else v
    idx = np.argsort(key, axis=d, kind="stable").astype(np.int64)
    values = _named(_ops.gather(x, idx, d), "SortBackward0")
    from ._tensor import return_types
    return return_types("sort", values, _Tensor()._wrap(idx, None))


def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """Indices that sort ``input`` along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.argsort(torch.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    return sort(input, dim, descending, stable).indices


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The ``k`` largest (or smallest) values along ``dim`` and their indices.

    >>> import funcgrad.torch as torch
    >>> torch.topk(torch.tensor([3.0, 1.0, 2.0]), 2).values
    tensor([3., 2.])
    """
    x = as_box(input)
    v = concrete(x)
    d = wrap_dim(dim, v.ndim)
    key = -v if largest else v
    if v.ndim == 0:
        if k not in (0, 1):
            raise RuntimeError("selected index k out of range")
        idx = np.zeros((), np.int64) if k else np.zeros((0,), np.int64)
        values = _named(gather(x, 0, idx), "TopkBackward0")
        from ._tensor import return_types
        return return_types("topk", values, _Tensor()._wrap(idx, None))
    idx = np.take(np.argsort(key, axis=d, kind="stable"), np.arange(k), axis=d).astype(np.int64)
    values = _named(_ops.gather(x, idx, d), "TopkBackward0")
    from ._tensor import return_types
    return return_types("topk", values, _Tensor()._wrap(idx, None))


def index_select(input: Any, dim: int, index: Any) -> Any:
    """Entries ``index`` (a 1-D integer tensor) along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.index_select(torch.tensor([1.0, 2.0, 3.0]), 0, torch.tensor([2, 0]))
    tensor([3., 1.])
    """
    x = as_box(input)
    d = wrap_dim(dim, _ndim(x))
    idx = np.asarray(concrete(index), np.int64)
    if _ndim(x) == 0:  # one index into a 0-d tensor: the tensor
        return _named(fnp.reshape(fnp.getitem(fnp.reshape(x, (1,)), idx), ()),
                      "IndexSelectBackward0")
    return _named(fnp.getitem(x, (slice(None),) * d + (idx, Ellipsis)), "IndexSelectBackward0")


def masked_select(input: Any, mask: Any) -> Any:
    """The entries where ``mask`` holds, as a 1-D tensor.

    >>> import funcgrad.torch as torch
    >>> torch.masked_select(torch.tensor([1.0, -2.0, 3.0]), torch.tensor([True, False, True]))
    tensor([1., 3.])
    """
    x = as_box(input)
    m = np.broadcast_to(np.asarray(concrete(mask), bool), _shape(x))
    if m.shape != _shape(x):
        x = fnp.broadcast_to(x, m.shape)
    return _named(fnp.getitem(x, m), "MaskedSelectBackward0")


def einsum(equation: str, *operands: Any) -> Any:
    """Einstein summation (``numpy.einsum`` semantics, differentiable).

    >>> import funcgrad.torch as torch
    >>> torch.einsum('ij,j->i', torch.ones(2, 3), torch.ones(3))
    tensor([3., 3.])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ops_ = _promote(*[as_box(o) for o in operands])
    return fnp.einsum(equation, *ops_)


# --- JVP rules (forward mode) -----------------------------------------------

# --- batching rules (vmap) ------------------------------------------------
