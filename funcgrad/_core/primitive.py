"""Primitives and the dispatcher that routes them to the innermost trace.

A :class:`Primitive` is one differentiable operation: a name, a NumPy
implementation and one VJP rule per positional argument. Calling it with
plain values runs the implementation; calling it with boxed values hands the
call to the trace of the innermost (highest-level) box, which records a node
and recurses on the unboxed values, so outer traces see the call too.
"""
from __future__ import annotations

import dis
from typing import Any, Callable, Optional, Sequence

_NO_PARAMS: dict = {}
_CO_VARARGS = 0x04
_DYNAMIC_NAMES = frozenset({"locals", "vars", "eval", "exec"})


class Box:
    """A value recorded on a trace: ``_value`` (the primal, possibly a box of
    an outer trace), ``_node`` (its graph node) and ``_trace``."""

    __slots__ = ("_value", "_node", "_trace", "__weakref__")

    def __init__(self, value: Any, node: Any, trace: Any) -> None:
        self._value = value
        self._node = node
        self._trace = trace


def concrete(x: Any) -> Any:
    """The plain value under every box of ``x`` (``x`` itself if unboxed).
    A batched value (``vmap``) has no one concrete value: that raises.

    >>> concrete(3.0)
    3.0
    """
    while isinstance(x, Box):
        if not x._trace.concrete_values:
            x._trace.no_concrete_value()
        x = x._value
    return x


class Primitive:
    """One operation the engine knows how to differentiate.

    ``impl`` computes the value from unboxed arguments. ``vjps`` holds one
    rule per positional argument, ``rule(g, ans, *args, **params)`` returning
    the cotangent of that argument (``None`` for an argument with no
    gradient). Rules are written with :mod:`funcgrad.numpy` calls, so the
    backward pass is itself traced and transforms compose to any order.

    ``differentiable=False`` marks an operation whose result never carries a
    gradient (comparisons, ``argmax``, ``floor``): it strips every trace.
    ``multiple_results=True``: ``impl`` returns a tuple, and the rules receive
    a tuple cotangent in which missing entries are already zeros.
    ``saves_values=False``: the rules need only the shapes and dtypes of the
    arguments, so the node stays usable after its saved values are released.
    ``rule_params=False``: the rules take no keyword parameters; the call's
    (``dtype=`` and such for a ufunc) are not passed to them.
    A *joint* rule (:func:`defvjp_joint`) computes the cotangents of all
    arguments at once: for variadic primitives (``stack``) and for rules that
    share work between arguments (``solve``).

    >>> import numpy as np
    >>> neg = Primitive("negative", np.negative)
    >>> neg(np.array(2.0))
    np.float64(-2.0)
    """

    __slots__ = ("name", "impl", "vjps", "joint_vjp", "differentiable",
                 "multiple_results", "saves_values", "rule_params", "_residuals", "__dict__",
                 "batch")

    def __init__(self, name: str, impl: Callable[..., Any], *, differentiable: bool = True,
                 multiple_results: bool = False, saves_values: bool = True,
                 rule_params: bool = True) -> None:
        self.name = name
        self.impl = impl
        self.vjps: Optional[tuple] = None
        self.joint_vjp: Optional[Callable[..., Any]] = None
        self.differentiable = differentiable
        self.multiple_results = multiple_results
        self.saves_values = saves_values
        self.rule_params = rule_params
        self._residuals: dict = {}
        self.batch: Optional[Callable[..., Any]] = None  # vmap's rule: see defbatch

    def residuals(self, mask: int, nargs: int) -> tuple[bool, tuple]:
        """What the rules of the differentiated arguments read, for a call with
        ``nargs`` positional arguments of which those in bit set ``mask``
        are differentiated: ``(reads_ans, unread_argnums)``. Everything else
        need not be kept for the backward pass (``fit`` needs only shapes
        and dtypes). Found once per ``mask`` from the rules' bytecode;
        anything the analysis cannot see through counts as read.
        """
        key = (mask, nargs)
        found = self._residuals.get(key)
        if found is None:
            found = self._residuals[key] = self._find_residuals(mask, nargs)
        return found

    def _find_residuals(self, mask: int, nargs: int) -> tuple[bool, tuple]:
        if self.multiple_results:
            return True, ()
        if self.joint_vjp is not None:
            rules: list = [self.joint_vjp]
        else:
            vjps = self.vjps or ()
            rules = [vjps[i] if i < len(vjps) else vjps[-1]
                     for i in range(nargs) if mask >> i & 1 and vjps]
        reads_ans = False
        read: set = set()
        for rule in rules:
            if rule is None:
                continue
            ans, args = _rule_reads(rule)
            reads_ans = reads_ans or ans
            if args is None:
                read = set(range(nargs))
            else:
                read |= args
        if not self.saves_values:
            read = set()  # rules need only shapes and dtypes: fit's Meta will do
        return reads_ans, tuple(i for i in range(nargs) if i not in read)

    def __call__(self, *args: Any, **params: Any) -> Any:
        # bind(self, args, params), inlined: this is funcgrad's hottest call
        # (every operation, forward and backward), and a frame costs ~0.1 µs.
        top = None
        level = -1
        for a in args:
            if isinstance(a, Box):
                t = a._trace
                if t.level > level:
                    top = t
                    level = t.level
        if top is None:
            return self.impl(*args, **params) if params else self.impl(*args)
        if self.differentiable:
            return top.process(self, args, params)
        return top.process_nondiff(self, args, params)

    def __repr__(self) -> str:
        return f"<Primitive {self.name}>"


def _rule_reads(rule: Callable[..., Any]) -> tuple[bool, Optional[set]]:
    """Which of ``ans`` and the positional arguments ``rule(g, ans, *args,
    **params)`` reads: ``(reads_ans, {argnum, ...})``, or ``(True, None)``
    (everything) when its code cannot be inspected (not a plain function,
    ``*args``, ``locals()``...)."""
    while hasattr(rule, "__wrapped__"):  # a forwarding wrapper names what it wraps
        rule = rule.__wrapped__
    code = getattr(rule, "__code__", None)
    if code is None or code.co_flags & _CO_VARARGS or _DYNAMIC_NAMES & set(code.co_names):
        return True, None
    params = code.co_varnames[:code.co_argcount]
    used = set(code.co_cellvars)  # captured by an inner function
    for ins in dis.get_instructions(code):
        if ins.opname.startswith(("LOAD_", "DELETE_")):
            arg = ins.argval
            used.update(arg if isinstance(arg, tuple) else (arg,))
    reads_ans = len(params) < 2 or params[1] in used
    return reads_ans, {k - 2 for k, name in enumerate(params) if k >= 2 and name in used}


def defvjp(prim: Primitive, *rules: Optional[Callable[..., Any]]) -> Primitive:
    """Declare ``prim``'s VJP rules, one per positional argument.

    >>> import numpy as np
    >>> sin = Primitive("sin", np.sin)
    >>> _ = defvjp(sin, lambda g, ans, x: g * np.cos(x))
    """
    prim.vjps = tuple(rules)
    prim._residuals = {}
    return prim


def defvjp_joint(prim: Primitive, rule: Callable[..., Any]) -> Primitive:
    """Declare one rule ``rule(g, ans, *args, **params)`` returning a sequence
    with the cotangent of every positional argument (``None`` for none).

    >>> import numpy as np
    >>> stack = Primitive("stack", lambda *xs: np.stack(xs))
    >>> _ = defvjp_joint(stack, lambda g, ans, *xs: [g[i] for i in range(len(xs))])
    """
    prim.joint_vjp = rule
    prim.vjps = ()
    prim._residuals = {}
    return prim


def defbatch(rule: Callable[..., Any], *prims: Primitive) -> None:
    """Declare the batching rule (``vmap``) of ``prims``:
    ``rule(prim, vals, batched, params)`` gets the arguments with the batch
    axis of the batched ones (``batched[i]`` true) at axis 0, and returns
    ``prim``'s result with the batch axis at 0 (see funcgrad/_core/batching.py).

    >>> import numpy as np
    >>> neg = Primitive("negative", np.negative)
    >>> defbatch(lambda prim, vals, batched, params: prim.impl(*vals), neg)
    """
    for prim in prims:
        prim.batch = rule


def bind(prim: Primitive, args: Sequence[Any], params: dict = _NO_PARAMS) -> Any:
    """Apply ``prim`` to ``args``: directly, or through the innermost trace.
    (``Primitive.__call__`` inlines this: keep the two alike.)"""
    top = None
    level = -1
    for a in args:
        if isinstance(a, Box):
            t = a._trace
            if t.level > level:
                top = t
                level = t.level
    if top is None:
        return prim.impl(*args, **params)
    if prim.differentiable:
        return top.process(prim, args, params)
    return top.process_nondiff(prim, args, params)


# --- JVP rules (forward mode) ------------------------------------------------
# A primitive's JVP rule is ``prim.jvp(tangents, ans, *args, **params)``:
# ``tangents`` has one entry per positional argument, ``None`` for a symbolic
# zero; it returns the result's tangent (``None`` for zero; a tuple, with
# ``None`` entries, for a multiple-result primitive). Rules get the call's
# keyword parameters only when ``prim.rule_params`` is true, as VJP rules do.
Primitive.jvp = None  # (a class default: the instance's own rule once declared)


def defjvp_joint(prim: Primitive, rule: Callable[..., Any]) -> Primitive:
    """Declare ``prim``'s JVP rule ``rule(tangents, ans, *args, **params)``.

    >>> import numpy as np
    >>> sin = Primitive("sin", np.sin)
    >>> _ = defjvp_joint(sin, lambda ts, ans, x: ts[0] * np.cos(x))
    """
    prim.jvp = rule
    return prim


def defjvp(prim: Primitive, *rules: Optional[Callable[..., Any]]) -> Primitive:
    """Declare one JVP rule per positional argument, ``rule(t, ans, *args,
    **params)`` giving that argument's contribution to the result's tangent
    (the contributions are summed; ``None``: the argument has no tangent).
    The last rule serves any further arguments.

    >>> import numpy as np
    >>> mul = Primitive("multiply", np.multiply)
    >>> _ = defjvp(mul, lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t)
    """
    def jvp(tangents, ans, *args, **params):
        out = None
        n = len(rules)
        for i, t in enumerate(tangents):
            if t is not None:
                rule = rules[i] if i < n else rules[-1]
                if rule is None:
                    continue
                part = rule(t, ans, *args, **params)
                out = part if out is None else out + part
        return out
    return defjvp_joint(prim, jvp)


def defjvp_from_vjp(prim: Primitive) -> Primitive:
    """The JVP of an elementwise primitive from its VJP rules: its Jacobian is
    diagonal, so argument ``i``'s contribution is its VJP rule applied to the
    (broadcast) tangent, ``vjp_i(t, ans, *args)``. Exact for real functions
    and holomorphic ones under the complex convention the VJP rules follow
    (a cotangent ``c`` is ``dz -> Re(c dz)``: a holomorphic rule multiplies by
    ``f'(z)``); non-holomorphic primitives (``abs``, ``angle``, ``real``...)
    need their own rules."""
    return defjvp(prim, *prim.vjps)


def defjvp_linear(prim: Primitive, argnums: Optional[Sequence[int]] = (0,)) -> Primitive:
    """``prim`` is linear (jointly) in the arguments ``argnums`` (``None``:
    all positional arguments) and the others are constants (shapes, axes,
    indices): the result's tangent is ``prim`` applied to the tangents,
    zeros standing in for those of arguments without one.

    >>> import numpy as np
    >>> neg = defjvp_linear(Primitive("negative", np.negative))
    """
    def jvp(tangents, ans, *args, **params):
        full = list(args)
        for i in (range(len(args)) if argnums is None else argnums):
            t = tangents[i]
            full[i] = _ops().zeros_like(args[i]) if t is None else t
        return prim(*full, **params)
    return defjvp_joint(prim, jvp)


def defjvp_multilinear(prim: Primitive) -> Primitive:
    """``prim`` is linear in each positional argument separately (``matmul``,
    products): the product rule, ``sum_i prim(x_1, ..., t_i, ..., x_n)``."""
    def jvp(tangents, ans, *args, **params):
        out = None
        for i, t in enumerate(tangents):
            if t is not None:
                part = prim(*args[:i], t, *args[i + 1:], **params)
                out = part if out is None else out + part
        return out
    return defjvp_joint(prim, jvp)


def _ops() -> Any:
    from .trace import ops
    return ops
