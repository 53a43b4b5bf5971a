"""Passes on a staged :class:`~funcgrad._core.staging.Program`, and its
translation to a plain Python function.

:func:`optimise` rewrites the equations: cotangent algebra (``x * 1``,
``x + 0``, ``x - 0``, ``x / 1``, ``stop_gradient(x)`` are ``x`` when the
result has ``x``'s shape, dtype and type), common subexpressions (one
equation per primitive, inputs and parameters) and dead-code elimination
(equations no output depends on). Constant folding needs no pass: values
computed from constants only never reach the trace.

:func:`compile_program` writes the optimised program as the source of one
Python function, straight-line calls of the primitives' implementations,
and ``exec``\\ s it once. It also decides, knowing every use of every value:

* NumPy arithmetic on operands the trace proved to be NumPy scalars or
  arrays is written with Python operators (``a * b``, as ``multiply``'s own
  implementation would compute it, without its call);
* an elementwise ufunc whose operand is a buffer no one else can hold (the
  fresh result of an earlier ufunc, read by ufuncs only, for the last time,
  not an output) writes its result into that buffer (``out=``): in-place
  accumulation and buffer reuse. Inputs, outputs, constants and anything a
  view may have been taken of are never overwritten;
* a value is deleted after its last use, so memory falls as the program
  runs, as in a hand-written backward pass;
* outputs that are constants, inputs or read-only views are copied, so the
  caller never holds a buffer the program (or its caller) holds too.

The function holds no state between calls: calls from several threads at
once are safe.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .staging import Equation, Literal, Program, Var

_INEXACT_SCALARS = frozenset({np.float16, np.float32, np.float64, np.longdouble,
                              np.complex64, np.complex128, np.clongdouble})
_PY_NUMBERS = frozenset({int, float, complex})
_PY_REALS = frozenset({int, float})
_OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/"}
_ADD_REDUCE = np.add.reduce
_UFUNCS = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply,
           "divide": np.divide}


# --- optimise ---------------------------------------------------------------------
def _equals(lit: Any, number: int) -> bool:
    v = lit.value
    try:
        if isinstance(v, (bool, int, float, complex)):
            return v == number and type(v) is not bool
        return bool(np.all(np.asarray(v) == number))
    except Exception:  # noqa: BLE001 - not a number: no rewrite
        return False


def _identity(name: str, ins: list, out: Var) -> Any:
    """The input that ``name(*ins)`` equals exactly (cotangent algebra), or None."""
    def var_like_out(a: Any) -> bool:
        return type(a) is Var and a.aval.same_type(out.aval)

    if len(ins) == 2:
        a, b = ins
        if name in ("multiply", "divide", "add", "subtract"):
            unit = 1 if name in ("multiply", "divide") else 0
            if type(b) is Literal and var_like_out(a) and _equals(b, unit):
                return a
            if name in ("multiply", "add") and type(a) is Literal and var_like_out(b) \
                    and _equals(a, unit):
                return b
    elif len(ins) == 1 and name == "stop_gradient" and var_like_out(ins[0]):
        return ins[0]
    return None


def _atom_key(a: Any) -> Any:
    if type(a) is Var:
        return a
    v = a.value
    if isinstance(v, (bool, int, float, complex, str, type(None))):
        return (type(v), v)
    return ("id", id(v))


def _cse_key(eqn: Equation, ins: list) -> Any:
    try:
        key = (eqn.prim, tuple(_atom_key(a) for a in ins),
               tuple(eqn.params.items()) if eqn.params else ())
        hash(key)
        return key
    except TypeError:  # an unhashable parameter: no sharing
        return None


def optimise(prog: Program) -> Program:
    """Cotangent algebra, common subexpressions, dead code (see module doc).

    >>> import numpy as np, funcgrad
    >>> jaxpr = funcgrad.make_jaxpr(funcgrad.grad(lambda x: np.sum(np.sin(x))))(np.ones(2))
    >>> [e.prim.name for e in jaxpr.eqns]
    ['sin', 'sum', 'cos', 'multiply']
    >>> [e.prim.name for e in optimise(jaxpr.program).eqns]  # sin, sum: dead; 1 * g: g
    ['cos']
    """
    subst: dict = {}
    seen: dict = {}
    eqns = []
    for eqn in prog.eqns:
        ins = [subst.get(a, a) if type(a) is Var else a for a in eqn.inputs]
        if not eqn.prim.multiple_results:
            same = _identity(eqn.prim.name, ins, eqn.outvars[0])
            if same is not None:
                subst[eqn.outvars[0]] = same
                continue
        key = _cse_key(eqn, ins)
        if key is not None:
            prev = seen.get(key)
            if prev is not None:
                subst.update(zip(eqn.outvars, prev.outvars))
                continue
        new = Equation(eqn.prim, ins, eqn.params, eqn.outvars)
        if key is not None:
            seen[key] = new
        eqns.append(new)
    outvars = [subst.get(a, a) if type(a) is Var else a for a in prog.outvars]
    return Program(prog.invars, _live(eqns, outvars), outvars, prog.captured)


def _live(eqns: list, outvars: list) -> list:
    """Dead-code elimination: the equations some output depends on."""
    needed = {a for a in outvars if type(a) is Var}
    kept = []
    for eqn in reversed(eqns):
        if any(v in needed for v in eqn.outvars):
            kept.append(eqn)
            needed.update(a for a in eqn.inputs if type(a) is Var)
    kept.reverse()
    return kept


# --- to Python ----------------------------------------------------------------------
def _is_ufunc_prim(eqn: Equation) -> bool:
    """An elementwise primitive whose implementation returns a fresh array."""
    prim = eqn.prim
    return not prim.multiple_results and (
        isinstance(prim.impl, np.ufunc) or prim.name in _UFUNCS)


def _raw_ufunc(eqn: Equation) -> Any:
    impl = eqn.prim.impl
    if isinstance(impl, np.ufunc):
        return impl if impl.signature is None else None
    return _UFUNCS.get(eqn.prim.name)


def _operator_ok(eqn: Equation) -> bool:
    """Whether ``a op b`` gives what ``eqn``'s implementation gives."""
    if eqn.prim.name not in _OPERATORS or eqn.params or len(eqn.inputs) != 2:
        return False
    kinds = [a.aval.kind if type(a) is Var else type(a.value) for a in eqn.inputs]
    tx, ty = kinds
    if tx in _INEXACT_SCALARS and (ty in _INEXACT_SCALARS or ty in _PY_NUMBERS) \
            or ty in _INEXACT_SCALARS and tx in _PY_REALS:
        return True  # NumPy scalar arithmetic, as _scalar_fast computes it
    arrays = (tx is np.ndarray) + (ty is np.ndarray)
    others_ok = all(k is np.ndarray or k in _INEXACT_SCALARS or k in _PY_NUMBERS
                    for k in kinds)
    return arrays >= 1 and others_ok  # ndarray operators call the same ufunc


class _Names:
    def __init__(self) -> None:
        self.glob: dict = {"_np_array": np.array}
        self.local: dict = {}
        self.consts: dict = {}

    def var(self, v: Var) -> str:
        name = self.local.get(v)
        if name is None:
            name = self.local[v] = f"v{len(self.local)}"
        return name

    def const(self, value: Any, prefix: str = "c") -> str:
        t = type(value)
        if value is None or t is bool or t is int or t is str:
            return repr(value)
        if t is float and math.isfinite(value):
            return repr(value)
        if t is tuple and all(type(x) is int for x in value):
            return repr(value)
        key = id(value)
        name = self.consts.get(key)
        if name is None:
            name = self.consts[key] = f"_{prefix}{len(self.consts)}"
            self.glob[name] = value
        return name

    def atom(self, a: Any) -> str:
        return self.var(a) if type(a) is Var else self.const(a.value)


def compile_program(prog: Program, name: str = "program",
                    out_tree: Any = None) -> tuple[Callable[..., Any], str]:
    """``(function, source)``: the program as a Python function of its
    inputs returning the tuple of its outputs, or, given ``out_tree`` (a
    :class:`~funcgrad.tree_util.PyTreeDef` of the outputs), the output pytree
    itself, built in its return statement (see module doc)."""
    names = _Names()
    eqns = prog.eqns
    outputs = {a for a in prog.outvars if type(a) is Var}
    last_use: dict = {}
    consumers: dict = {}
    producer: dict = {}
    for i, eqn in enumerate(eqns):
        for a in eqn.inputs:
            if type(a) is Var:
                last_use[a] = i
                consumers.setdefault(a, []).append(eqn)
        for v in eqn.outvars:
            producer[v] = eqn
    inputs = set(prog.invars)

    def owned(v: Any, i: int) -> bool:
        """``v``'s buffer may be overwritten by equation ``i``."""
        if type(v) is not Var or v in inputs or v in outputs or last_use.get(v) != i:
            return False
        src = producer.get(v)
        return (src is not None and _is_ufunc_prim(src) and v.aval.kind is np.ndarray
                and all(_is_ufunc_prim(c) for c in consumers[v]))

    args = [names.var(v) for v in prog.invars]
    body = []
    for i, eqn in enumerate(eqns):
        ins = [names.atom(a) for a in eqn.inputs]
        outs = [names.var(v) if v in last_use or v in outputs else "_" for v in eqn.outvars]
        lhs = outs[0] if not eqn.prim.multiple_results else (
            ", ".join(outs) + ("," if len(outs) == 1 else ""))
        out_aval = eqn.outvars[0].aval
        target = None
        raw = _raw_ufunc(eqn) if not eqn.params and out_aval.kind is np.ndarray else None
        if raw is not None and raw.nin == len(eqn.inputs):
            for a in eqn.inputs:
                if owned(a, i) and a.aval.same_type(out_aval):
                    target = names.var(a)
                    break
        if target is not None:
            body.append(f"{lhs} = {names.const(raw, 'u')}({', '.join(ins)}, out={target})")
        elif _operator_ok(eqn):
            body.append(f"{lhs} = {ins[0]} {_OPERATORS[eqn.prim.name]} {ins[1]}")
        elif (direct := _direct_call(eqn, ins, names)) is not None:
            body.append(f"{lhs} = {direct}")
        else:
            call = ", ".join(ins + [f"{k}={names.const(p, 'p')}" for k, p in eqn.params.items()])
            body.append(f"{lhs} = {names.const(eqn.prim.impl, 'f')}({call})")
        dead = [names.var(a) for a in dict.fromkeys(eqn.inputs)
                if type(a) is Var and last_use.get(a) == i and a not in outputs
                and a not in inputs]
        if dead:
            body.append(f"del {', '.join(dead)}")
    results = []
    for a in prog.outvars:
        s = names.atom(a)
        copy = (type(a) is Literal and isinstance(a.value, np.ndarray)) or (
            type(a) is Var and a.aval.kind is np.ndarray and (
                a in inputs or _read_only(a)))
        results.append(f"_np_array({s})" if copy else s)
    if out_tree is None:
        ret = "(" + ", ".join(results) + ("," if len(results) == 1 else "") + ")"
    else:
        ret = _tree_source(out_tree, iter(results), names)
    source = "\n".join([f"def {name}({', '.join(args)}):", *("    " + b for b in body),
                        f"    return {ret}"])
    code = compile(source, f"<funcgrad.jit {name}>", "exec")
    scope = dict(names.glob)
    exec(code, scope)  # noqa: S102 - our own generated source
    return scope[name], source


# --- direct calls: what a wrapper would compute, without the wrapper ----------------------
def _array_input(eqn: Equation) -> bool:
    a = eqn.inputs[0] if eqn.inputs else None
    return type(a) is Var and a.aval.kind is np.ndarray


def _swapaxes_source(eqn: Equation, ins: list, names: "_Names") -> Any:
    """``x.swapaxes(a, b)`` (``x.T`` for a 2-d array): ``np.swapaxes``'s
    result, a view, without its dispatch through ``fromnumeric``."""
    if eqn.prim.impl is not np.swapaxes or eqn.params or len(eqn.inputs) != 3 \
            or not _array_input(eqn) or not all(
                type(a) is Literal and type(a.value) is int for a in eqn.inputs[1:]):
        return None
    ndim = eqn.inputs[0].aval.ndim
    a, b = (lit.value for lit in eqn.inputs[1:])
    if ndim == 2 and {a % 2, b % 2} == {0, 1} and -2 <= min(a, b) and max(a, b) <= 1:
        return f"{ins[0]}.T"
    return f"{ins[0]}.swapaxes({ins[1]}, {ins[2]})"


def _transpose_source(eqn: Equation, ins: list, names: "_Names") -> Any:
    """``x.transpose(axes)``: ``np.transpose``'s result without its wrapper."""
    if eqn.prim.impl.__name__ != "_transpose_impl" or len(eqn.inputs) != 1 \
            or set(eqn.params) - {"axes"} or not _array_input(eqn):
        return None
    axes = eqn.params.get("axes")
    if axes is None and eqn.inputs[0].aval.ndim == 2:
        return f"{ins[0]}.T"
    return f"{ins[0]}.transpose({names.const(axes, 'p')})"


def _sum_source(eqn: Equation, ins: list, names: "_Names") -> Any:
    """``np.add.reduce(x, axis, dtype, None, keepdims)``, positionally: what
    ``np.sum`` (and funcgrad's ``sum`` implementation) calls for an ndarray."""
    if eqn.prim.impl.__name__ != "_sum_impl" or len(eqn.inputs) != 1 \
            or set(eqn.params) - {"axis", "keepdims", "dtype"} or not _array_input(eqn):
        return None
    p = eqn.params
    args = ", ".join(names.const(v, "p") for v in (
        p.get("axis"), p.get("dtype"), None, p.get("keepdims", False)))
    return f"{names.const(_ADD_REDUCE, 'r')}({ins[0]}, {args})"


_DIRECT = {"swapaxes": _swapaxes_source, "transpose": _transpose_source, "sum": _sum_source}


def _direct_call(eqn: Equation, ins: list, names: "_Names") -> Any:
    """The source of a cheaper call that gives exactly what ``eqn``'s
    implementation gives (a method of the array, a ufunc's ``reduce`` with
    positional arguments), or ``None``: the implementation is called."""
    write = _DIRECT.get(eqn.prim.name)
    return None if write is None else write(eqn, ins, names)


def _tree_source(td: Any, leaves: Any, names: _Names) -> str:
    """The expression that builds a pytree of structure ``td`` from the
    leaf expressions ``leaves``, as ``tree_unflatten`` would.

    >>> from funcgrad.tree_util import tree_flatten
    >>> _tree_source(tree_flatten((1, [2, 3], {"a": 4}, None))[1], iter("pqrs"), _Names())
    "(p, [q, r], {'a': s}, None)"
    """
    from ..tree_util import _registry
    kind = td.nodetype
    if kind is None:
        return next(leaves)
    children = [_tree_source(c, leaves, names) for c in td.children]
    if kind is tuple:
        return "(" + ", ".join(children) + ("," if len(children) == 1 else "") + ")"
    if kind is list:
        return "[" + ", ".join(children) + "]"
    if kind is type(None):
        return "None"
    if kind is dict:
        return "{" + ", ".join(f"{names.const(k, 'k')}: {c}"
                               for k, c in zip(td.aux, children)) + "}"
    node = _registry.get(kind)
    if node is None:  # a namedtuple
        return f"{names.const(kind, 't')}({', '.join(children)})"
    return (f"{names.const(node.unflatten, 't')}({names.const(td.aux, 'a')}, "
            f"[{', '.join(children)}])")


def _read_only(v: Var) -> bool:
    ex = v.aval.example
    return isinstance(ex, np.ndarray) and not ex.flags.writeable
