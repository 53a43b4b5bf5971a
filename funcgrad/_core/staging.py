"""The staging trace: record primitive applications into a program.

A :class:`StagingTrace` is a trace kind like :class:`~funcgrad._core.trace.ReverseTrace`
(its level comes from the same counter, so it nests in any order with the
other transforms), but instead of computing a value and a graph node it
appends an :class:`Equation` to a :class:`Program`. A staged box's
``_value`` is an :class:`Abstract` value: shape, dtype and the Python type
of the value, with no number a caller could read. The shapes, dtypes and
types are exact because the trace runs each primitive's implementation once
on example values (the first call's arguments), kept in the abstract value
while tracing and dropped once the program is built.

Anything that would turn a staged value into a Python value (``bool``,
``float``, ``int``, ``__index__``, ``.item()``, ``.tolist()``,
``np.asarray``) raises :class:`ConcretizationError`: the value does not
exist yet when the program is recorded, and the program must work for every
value of the same signature.

Boxes of outer traces met while tracing (a closure over a value another
transform is tracing) are not constants: they become extra inputs of the
program, listed in ``Program.captured``, and the caller evaluates the
program on them through the outer trace.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .primitive import Box, Primitive, bind
from .trace import Trace, _escaped, _levels


class ConcretizationError(TypeError):
    """A traced value was converted to a concrete Python or NumPy value
    (JAX's ``ConcretizationTypeError``)."""


_SHORT = {"float64": "f64", "float32": "f32", "float16": "f16", "complex128": "c128",
          "complex64": "c64", "int64": "i64", "int32": "i32", "int16": "i16", "int8": "i8",
          "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64", "bool": "bool"}


def type_string(shape: tuple, dtype: Any) -> str:
    """``f64[3,2]``: JAX's way of printing a shape and dtype.

    >>> type_string((3, 2), np.float64)
    'f64[3,2]'
    """
    d = np.dtype(dtype)
    return f"{_SHORT.get(d.name, d.name)}[{','.join(str(n) for n in shape)}]"


class Abstract:
    """A staged value: ``shape``, ``dtype`` and ``kind`` (the Python type of
    the value, e.g. ``np.ndarray``, ``np.float64`` or a weak ``float``), and
    while tracing an ``example`` (a value of that type, used to run the
    implementations). Reading its number raises :class:`ConcretizationError`."""

    __slots__ = ("shape", "dtype", "kind", "example")

    def __init__(self, example: Any) -> None:
        self.example = example
        self.kind = type(example)
        if isinstance(example, (np.ndarray, np.generic)):
            self.shape, self.dtype = example.shape, example.dtype
        else:
            a = np.asarray(example)
            self.shape, self.dtype = a.shape, a.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def weak(self) -> bool:
        """A Python scalar (JAX's *weak type*: it adopts the other operand's precision)."""
        return self.kind in (bool, int, float, complex)

    def same_type(self, other: "Abstract") -> bool:
        return self.kind is other.kind and self.shape == other.shape and self.dtype == other.dtype

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"ShapedArray({type_string(self.shape, self.dtype)}{', weak_type=True' if self.weak else ''})"

    def _refuse(self, what: str) -> ConcretizationError:
        return concretization_error(what, self)

    def __bool__(self) -> bool:
        raise self._refuse("a Python bool (an `if`, `while`, `and`/`or` or `assert` on it)")

    def __float__(self) -> float:
        raise self._refuse("a Python float")

    def __int__(self) -> int:
        raise self._refuse("a Python int")

    def __complex__(self) -> complex:
        raise self._refuse("a Python complex")

    def __index__(self) -> int:
        raise self._refuse("an index (a slice bound, a shape or a Python sequence index)")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise self._refuse("a NumPy array (np.asarray / np.array, or a function whose result "
                           "shape depends on the values, such as a boolean mask or nonzero)")

    def __array_ufunc__(self, ufunc: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        raise self._refuse(f"a NumPy array (a NumPy call, np.{ufunc.__name__}, on its value)")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func is np.shape:  # what NumPy may know of a staged value: its type
            return self.shape
        if func is np.ndim:
            return len(self.shape)
        if func is np.size and len(args) == 1 and not kwargs:
            return self.size
        if func in _TYPE_ONLY:  # these read types only: an empty stand-in will do
            return func(*[_stand_in(a) for a in args], **kwargs)
        raise self._refuse(f"a NumPy array (a NumPy call, np.{func.__name__}, on its value)")

    def item(self, *args: Any) -> Any:
        raise self._refuse("a Python scalar (.item())")

    def tolist(self) -> Any:
        raise self._refuse("a Python list (.tolist())")


_TYPE_ONLY = frozenset({np.result_type, np.iscomplexobj, np.isrealobj})


def _stand_in(a: Any) -> Any:
    """An object of ``a``'s type (shape, dtype, weak type) with no values that matter."""
    if isinstance(a, Abstract):
        return a.kind(0) if a.weak else np.empty(a.shape, a.dtype)
    return a


def concretization_error(what: str, aval: Abstract) -> ConcretizationError:
    """The error for reading the number of staged value ``aval`` as ``what``."""
    return ConcretizationError(
        f"Abstract tracer value encountered where a concrete value is expected: the "
        f"traced array {type_string(aval.shape, aval.dtype)} was converted to {what}. "
        "Inside funcgrad.jit the function is traced once per argument signature, so the "
        "values of its arguments are not known while the program is recorded, only their "
        "shapes and dtypes. If this value decides Python control flow, either mark the "
        "argument it comes from static (jit(f, static_argnums=...) or static_argnames=...; "
        "one program per distinct value), or use staged control flow: funcgrad.lax.cond, "
        "switch, while_loop, fori_loop, scan, or funcgrad.numpy.where. Functions whose "
        "result shape depends on the values (boolean masks, nonzero) cannot be staged."
    )


def staged_value(x: Any) -> Optional[Abstract]:
    """The :class:`Abstract` value under the boxes of ``x``, or ``None`` if
    ``x`` is concrete (not staged by any jit).

    >>> staged_value(np.ones(2)) is None
    True
    """
    while isinstance(x, Box):
        x = x._value
    return x if isinstance(x, Abstract) else None


def strip_to_staged(x: Any) -> Any:
    """``x`` with every box removed down to its staged box (if any): for
    arguments that carry no gradient but may be staged (``where``'s condition)."""
    while isinstance(x, Box) and not isinstance(x._value, Abstract):
        if not x._trace.concrete_values:  # a batched value (vmap) has no one value
            x._trace.no_concrete_value()
        x = x._value
    return x


def shape_dtype(x: Any) -> tuple:
    """``(shape, dtype)`` of ``x`` as the code running on it sees them,
    without reading a number: a batched value's per-example shape (each
    ``vmap`` level drops the leading axis of the value under it), a staged
    value's abstract shape (``jit``), a plain value's own. The one place
    that gives code written on array types (the torch facade's tensors) the
    shape of any box.

    >>> shape_dtype(np.ones((2, 3), np.float32))
    ((2, 3), dtype('float32'))
    """
    batch_axes = 0
    while isinstance(x, Box):
        if not x._trace.concrete_values:
            batch_axes += 1  # (the batch axis is axis 0 of the value under it)
        x = x._value
    if isinstance(x, (np.ndarray, np.generic, Abstract)):
        shape, dt = x.shape, x.dtype
    else:
        a = np.asarray(x)
        shape, dt = a.shape, a.dtype
    return (tuple(shape[batch_axes:]) if batch_axes else tuple(shape)), dt


def is_abstract(x: Any) -> bool:
    """Whether ``x`` has no one concrete value: batched by ``vmap`` or
    staged by ``jit`` (code that reads values must compute with primitives
    on it instead).

    >>> is_abstract(np.ones(2))
    False
    """
    while isinstance(x, Box):
        if not x._trace.concrete_values:
            return True
        x = x._value
    return isinstance(x, Abstract)


def example_of(x: Any) -> Any:
    """The concrete value of ``x`` (a staged value's example while tracing;
    for a batched value of ``vmap``, its first example: a value of the type
    the function sees)."""
    batch_axes = 0
    while isinstance(x, Box):
        if not x._trace.concrete_values:
            batch_axes += 1  # (the batch axis is axis 0 of the value under it)
        x = x._value
    x = x.example if isinstance(x, Abstract) else x
    if batch_axes:
        x = np.asarray(np.asarray(x)[(0,) * batch_axes])
    return x


# --- the program ------------------------------------------------------------
class Var:
    """A value of a program: its abstract value."""

    __slots__ = ("aval",)

    def __init__(self, aval: Abstract) -> None:
        self.aval = aval

    def __repr__(self) -> str:
        return f"Var({self.aval!r})"


class Literal:
    """A constant of a program (a closed-over array, a Python number...)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Equation:
    """``outvars = prim(*inputs, **params)``; ``inputs`` are :class:`Var` and
    :class:`Literal`, ``outvars`` one :class:`Var` per result."""

    __slots__ = ("prim", "inputs", "params", "outvars")

    def __init__(self, prim: Primitive, inputs: list, params: dict, outvars: list) -> None:
        self.prim = prim
        self.inputs = inputs
        self.params = params
        self.outvars = outvars


class Program:
    """Inputs (``invars``: the arguments' leaves, then ``captured``'s), the
    equations in order, and ``outvars`` (Vars or Literals)."""

    __slots__ = ("invars", "eqns", "outvars", "captured", "_fn", "derived")

    def __init__(self, invars: list, eqns: list, outvars: list, captured: list) -> None:
        self.invars = invars
        self.eqns = eqns
        self.outvars = outvars
        self.captured = captured
        self._fn = None
        self.derived: dict = {}  # jit's VJP / JVP functions of this program

    def run(self, args: list) -> tuple:
        """The program on concrete ``args``: its compiled Python function
        (:func:`~funcgrad._core.passes.compile_program`, built on first use)."""
        fn = self._fn
        if fn is None:
            from .passes import compile_program
            fn = self._fn = compile_program(self)[0]
        return fn(*args)

    def eval(self, args: list) -> list:
        """Run the equations with :func:`bind` on ``args`` (one per invar):
        boxes of an outer trace record every equation there (``grad`` of a
        jitted function differentiates its program)."""
        env = dict(zip(self.invars, args))
        for eqn in self.eqns:
            vals = [env[a] if type(a) is Var else a.value for a in eqn.inputs]
            out = bind(eqn.prim, vals, eqn.params)
            if eqn.prim.multiple_results:
                for v, o in zip(eqn.outvars, out):
                    env[v] = o
            else:
                env[eqn.outvars[0]] = out
        return [env[a] if type(a) is Var else a.value for a in self.outvars]

    def __str__(self) -> str:
        return format_program(self)


def format_program(prog: Program, indent: str = "") -> str:
    """JAX's jaxpr notation: ``{ lambda ; a:f64[3]. let b:f64[3] = sin a in (b,) }``."""
    names: dict = {}

    def name(v: Any) -> str:
        if type(v) is Literal:
            val = v.value
            if isinstance(val, (bool, int, float, complex, np.generic)) or (
                    isinstance(val, np.ndarray) and val.size == 1 and val.ndim == 0):
                return repr(val.item() if hasattr(val, "item") else val)
            return f"const:{type_string(np.shape(val), np.asarray(val).dtype)}"
        if v not in names:
            n = len(names)
            s = ""
            while True:
                s = chr(ord("a") + n % 26) + s
                n = n // 26 - 1
                if n < 0:
                    break
            names[v] = s
        return names[v]

    def decl(v: Var) -> str:
        return f"{name(v)}:{type_string(v.aval.shape, v.aval.dtype)}"

    ins = " ".join(decl(v) for v in prog.invars)
    lines = [f"{indent}{{ lambda ; {ins}. let"]
    for eqn in prog.eqns:
        outs = " ".join(decl(v) for v in eqn.outvars)
        params = ""
        if eqn.params:
            params = "[" + " ".join(f"{k}={_param_str(p)}" for k, p in eqn.params.items()) + "]"
        args = " ".join(name(a) for a in eqn.inputs)
        lines.append(f"{indent}    {outs} = {eqn.prim.name}{params} {args}".rstrip())
    outs = ", ".join(name(v) for v in prog.outvars)
    lines.append(f"{indent}  in ({outs}{',' if len(prog.outvars) == 1 else ''}) }}")
    return "\n".join(lines)


def _param_str(p: Any) -> str:
    if isinstance(p, Program):
        return "{...}"
    if isinstance(p, (tuple, list)) and p and all(isinstance(q, Program) for q in p):
        return f"({len(p)} programs)"
    if isinstance(p, np.ndarray):
        return f"const:{type_string(p.shape, p.dtype)}"
    if isinstance(p, np.dtype) or isinstance(p, type) and issubclass(p, np.generic):
        return np.dtype(p).name
    return repr(p)


# --- the trace -----------------------------------------------------------------
_box_types: dict = {}


def register_staged_box_type(value_type: type, box_type: type) -> None:
    """Stage arguments of ``value_type`` as boxes of ``box_type`` (a
    :class:`Box` subclass that adds no state), and box the results of a
    primitive applied to such an argument, or to a box of ``value_type``, the
    same way: the torch facade's tensors keep the Tensor API while staged,
    as they do under ``grad`` and ``vmap``. Other staged values are the
    default box (``funcgrad.numpy``'s tracer)."""
    _box_types[value_type] = box_type


class StagingTrace(Trace):
    """Records each primitive application as an :class:`Equation`."""

    __slots__ = ("eqns", "captured", "captured_vars")

    def __init__(self) -> None:
        Trace.__init__(self, next(_levels))
        self.eqns: list = []
        self.captured: list = []       # outer boxes, in order of first use
        self.captured_vars: dict = {}  # id(box) -> Var

    def new_input(self, example: Any, like: Any = None) -> Box:
        """A staged input with ``example``'s type; boxed for ``like``'s type
        when that is registered (:func:`register_staged_box_type`)."""
        var = Var(Abstract(example))
        cls = _box_types.get(type(like)) if _box_types else None
        return self.box(var.aval, var) if cls is None else cls(var.aval, var, self)

    def _atom(self, a: Any) -> tuple:
        """``(atom, example)`` for one argument of a primitive."""
        if isinstance(a, Box):
            if a._trace is self:
                var = a._node
                return var, var.aval.example
            var = self.captured_vars.get(id(a))
            if var is None:  # a closure over a value of an outer trace: an input
                var = self.captured_vars[id(a)] = Var(Abstract(example_of(a)))
                self.captured.append(a)
            return var, var.aval.example
        return Literal(a), a

    def process(self, prim: Primitive, args: Any, params: dict) -> Any:
        if not self.alive:
            raise _escaped()
        inputs, examples = [], []
        cls = None
        for a in args:
            atom, ex = self._atom(a)
            inputs.append(atom)
            examples.append(ex)
            if cls is None and _box_types:
                cls = _box_types.get(type(a))
        out = prim.impl(*examples, **params)
        if prim.multiple_results:
            outvars = [Var(Abstract(o)) for o in out]
            self.eqns.append(Equation(prim, inputs, params, outvars))
            if cls is not None:
                return tuple(cls(v.aval, v, self) for v in outvars)
            return tuple(self.box(v.aval, v) for v in outvars)
        var = Var(Abstract(out))
        self.eqns.append(Equation(prim, inputs, params, [var]))
        return self.box(var.aval, var) if cls is None else cls(var.aval, var, self)

    # A result without a gradient still depends on the values: stage it too.
    process_nondiff = process

    def output_atom(self, x: Any) -> Any:
        """The atom of one output leaf of the traced function."""
        if isinstance(x, Box):
            return self._atom(x)[0]
        return Literal(x)
