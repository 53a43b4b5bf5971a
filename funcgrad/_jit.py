"""``jit`` and ``make_jaxpr``: trace once per signature, replay with NumPy.

``jit(f)(*args)`` looks up the program for the call's signature (pytree
structure; per leaf its type, shape and dtype, Python scalars being weakly
typed; the values of static arguments). On a miss, under a lock, it traces
``f`` on a :class:`~funcgrad._core.staging.StagingTrace`, optimises the
program and compiles it to a Python function
(:mod:`funcgrad._core.passes`). Later calls of the same signature run that
function on the leaves: plain NumPy calls, no tracers and no graph.

When an argument is a box of another transform (``grad(jit(f))``,
``vmap(jit(f))``, ``jit`` inside ``jit``), the program's equations are
evaluated through that transform with :func:`~funcgrad._core.primitive.bind`:
the program is differentiated (or batched, or inlined), and the Python
function is not run again.
"""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from ._core import Box, Primitive, ops
from ._core.forward import JVPTrace
from ._core.primitive import bind, defjvp_joint, defvjp_joint
from ._core.trace import SECOND_BACKWARD, ItemNode, Node, ReverseTrace
from ._core.passes import compile_program, optimise
from ._core.staging import Program, StagingTrace, Var, example_of, staged_value
from ._validate import ACCEPTED, check_callable
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["jit", "make_jaxpr", "Jaxpr"]

_PY_SCALARS = (bool, int, float, complex)


def _leaf_key(x: Any) -> Any:
    """The part of the signature one dynamic leaf contributes."""
    t = type(x)
    if t is np.ndarray:
        return (t, x.shape, x.dtype)
    if t in _PY_SCALARS or isinstance(x, np.generic):
        return t  # its type fixes its dtype and shape (Python scalars: weak types)
    if isinstance(x, Box):
        aval = staged_value(x)
        ex = _concrete_example(x)
        return (Box, type(ex), np.shape(ex), np.asarray(ex).dtype if aval is None else aval.dtype)
    raise TypeError(
        f"jit: Argument {x!r} of type {t} is not a valid funcgrad type. The dynamic "
        f"arguments of a jitted function are {ACCEPTED}; mark other arguments static "
        "with static_argnums or static_argnames.")


_concrete_example = example_of


def _as_leaf(x: Any) -> Any:
    """A leaf the signature can describe (lists of numbers become arrays)."""
    t = type(x)
    if t is np.ndarray or t in _PY_SCALARS or isinstance(x, (np.generic, Box)):
        return x
    if hasattr(x, "__array__") and not isinstance(x, (str, bytes)):
        return np.asarray(x)
    return x


class _Entry:
    """The program of one signature: the optimised program, its compiled
    function (which returns the output pytree itself) and the output structure."""

    __slots__ = ("program", "fn", "out_tree", "source", "cacheable")

    def __init__(self, program: Program, fn: Optional[Callable[..., tuple]], out_tree: Any,
                 source: str, cacheable: bool) -> None:
        self.program = program
        self.fn = fn
        self.out_tree = out_tree
        self.source = source
        self.cacheable = cacheable


def _static_spec(fun: Callable[..., Any], static_argnums: Union[int, Sequence[int]],
                 static_argnames: Union[str, Sequence[str]]) -> tuple[frozenset, frozenset]:
    """Static positions and names, each completed from the other through
    ``fun``'s signature (as JAX does)."""
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
    for n in nums:
        if not isinstance(n, (int, np.integer)):
            raise TypeError(f"jit: static_argnums must be ints, got {n!r}.")
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [p.name for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    nums_set = {int(n) % len(positional) if positional and n < 0 else int(n) for n in nums}
    names_set = set(names)
    for n in list(nums_set):
        if n < len(positional) and params[n].kind is not params[n].POSITIONAL_ONLY:
            names_set.add(positional[n])
    for name in list(names_set):
        if name in positional:
            nums_set.add(positional.index(name))
    return frozenset(nums_set), frozenset(names_set)


def _hashable(value: Any, where: str) -> Any:
    try:
        hash(value)
    except TypeError as e:
        raise ValueError(
            f"Non-hashable static arguments are not supported. An error occurred while "
            f"trying to hash an object of type {type(value)}, {value!r} ({where}). The "
            f"error was:\nTypeError: {e}") from None
    return value


class _Jitted:
    """The function ``jit`` returns (see :func:`jit`)."""

    def __init__(self, fun: Callable[..., Any], static_argnums: Any, static_argnames: Any) -> None:
        functools.update_wrapper(self, fun)
        self._fun = fun
        self._static_nums, self._static_names = _static_spec(fun, static_argnums, static_argnames)
        self._cache: dict = {}
        self._fast: dict = {}  # _fast_signature key -> _Entry (plain-array calls)
        self._lock = threading.RLock()
        self._traces = 0  # how many times ``fun`` was traced (for tests and users)

    # --- the call ------------------------------------------------------------------
    def _split(self, args: tuple, kwargs: dict) -> tuple:
        """``(key, dynamic leaves, rebuild)``."""
        static_nums = self._static_nums
        if static_nums:
            statics = tuple((i, _hashable(args[i], f"static argument {i}"))
                            for i in sorted(static_nums) if i < len(args))
            dyn_args = tuple(a for i, a in enumerate(args) if i not in static_nums)
        else:
            statics, dyn_args = (), args
        if kwargs:
            skw = tuple(sorted((k, _hashable(v, f"static argument {k!r}"))
                               for k, v in kwargs.items() if k in self._static_names))
            dkw = {k: v for k, v in kwargs.items() if k not in self._static_names}
        else:
            skw, dkw = (), {}
        leaves, tree = tree_flatten((dyn_args, dkw))
        leaves = [_as_leaf(x) for x in leaves]
        key = (len(args), statics, skw, tree, tuple(_leaf_key(x) for x in leaves))
        return key, leaves, tree, statics, skw

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs:
            sig = _fast_signature(args, self._static_nums)
            if sig is not None:
                try:
                    entry = self._fast.get(sig[0])
                except TypeError:  # an unhashable static value: the general path says so
                    return self._call(args, kwargs, None)
                if entry is not None:
                    return entry.fn(*sig[1])
                return self._call(args, kwargs, sig[0])
        return self._call(args, kwargs, None)

    def _call(self, args: tuple, kwargs: dict, fast_key: Any) -> Any:
        """The general call: the full signature, tracing on a miss, boxed
        arguments; remembers the entry under ``fast_key`` when given."""
        key, leaves, tree, statics, skw = self._split(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            with self._lock:
                entry = self._cache.get(key)
                if entry is None:
                    entry = self._trace(len(args), leaves, tree, statics, skw)
                    if entry.cacheable:
                        self._cache[key] = entry
        if entry.fn is not None and not any(isinstance(x, Box) for x in leaves):
            if fast_key is not None:
                self._fast[fast_key] = entry
            return entry.fn(*leaves)
        args = leaves + entry.program.captured
        top = _top_trace(args)
        outs = residual_call(top, entry.program, args) if type(top) is ReverseTrace else None
        if outs is not None:  # (grad of a jitted function: one node, saved residuals)
            pass
        elif isinstance(top, (ReverseTrace, JVPTrace)):
            outs = bind(_pjit_p, args, {"program": entry.program})  # a staged VJP / JVP
        else:  # staged again (jit in jit: inlined) or another transform
            outs = entry.program.eval(args)
        kind = next((x for x in leaves if type(x) in ops.value_boxes), None)
        if kind is not None:  # (a constant output as the arguments' kind: a facade tensor)
            outs = [ops.like(o, kind) for o in outs]
        return tree_unflatten(entry.out_tree, outs)

    def _trace(self, nargs: int, leaves: list, tree: Any, statics: tuple, skw: tuple) -> _Entry:
        program, out_tree = stage(self._fun, nargs, leaves, tree, statics, skw)
        self._traces += 1
        program = optimise(program)
        captured = bool(program.captured)
        fn, source = (None, "") if captured else compile_program(
            program, _py_name(self._fun), out_tree)
        _drop_examples(program)
        return _Entry(program, fn, out_tree, source, cacheable=not captured)

    # --- inspection --------------------------------------------------------------------
    def lower_source(self, *args: Any, **kwargs: Any) -> str:
        """The Python source of the program for these arguments' signature."""
        key, leaves, tree, statics, skw = self._split(args, kwargs)
        self(*args, **kwargs)
        entry = self._cache.get(key)
        return entry.source if entry is not None else ""

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else functools.partial(self, obj)

    def __repr__(self) -> str:
        return f"<funcgrad.jit of {getattr(self._fun, '__qualname__', self._fun)!r}>"


_STATIC = object()  # marks a static argument's value in a fast signature
_FAST_SCALARS = frozenset({bool, int, float, complex, *(
    t for t in set(np.sctypeDict.values()) if issubclass(t, (np.number, np.bool_)))})
_NONE = type(None)


def _fast_signature(args: tuple, static_nums: frozenset) -> Optional[tuple]:
    """``(key, leaves)`` of a call whose arguments are NumPy arrays, NumPy or
    Python scalars and ``None`` in (nested) lists, tuples and dicts, or
    ``None`` for any other call (it takes the general path).

    ``key`` is a flat tuple that determines the general signature: per
    container its type and length (a dict: its sorted keys), per leaf its
    type (an array: also its shape and dtype), per static argument a marker
    and its value. Two calls with the same key have the same signature, so
    the key can find the program without building the pytree structure.

    >>> _fast_signature(([np.ones(2), 1.0],), frozenset())[0]
    (1, <class 'list'>, 2, <class 'numpy.ndarray'>, (2,), dtype('float64'), <class 'float'>)
    """
    key: list = [len(args)]
    leaves: list = []
    for i, a in enumerate(args):
        if i in static_nums:
            key.append(_STATIC)
            key.append(a)
        elif not _fast_into(a, key, leaves):
            return None
    return tuple(key), leaves


def _fast_into(x: Any, key: list, leaves: list) -> bool:
    """Append ``x``'s part of a fast signature; ``False`` if it has none."""
    t = type(x)
    if t is np.ndarray:
        key += (t, x.shape, x.dtype)
        leaves.append(x)
        return True
    if t in _FAST_SCALARS:
        key.append(t)
        leaves.append(x)
        return True
    if t is list or t is tuple:
        key += (t, len(x))
        for c in x:
            tc = type(c)
            if tc is np.ndarray:
                key += (tc, c.shape, c.dtype)
                leaves.append(c)
            elif not _fast_into(c, key, leaves):
                return False
        return True
    if t is dict:
        try:
            names = tuple(sorted(x))
        except TypeError:
            return False
        key += (t, names)
        return all(_fast_into(x[k], key, leaves) for k in names)
    if t is _NONE:
        key.append(t)
        return True
    return False


def _top_trace(args: list) -> Any:
    top, level = None, -1
    for a in args:
        if isinstance(a, Box) and a._trace.level > level:
            top, level = a._trace, a._trace.level
    return top


# --- the jitted function as a primitive: its VJP and JVP are jitted programs too ----------
def _inexact(x: Any) -> bool:
    aval = staged_value(x)
    dt = aval.dtype if aval is not None else np.asarray(example_of(x)).dtype
    return dt.kind in "fc"


def _pjit_impl(*args: Any, program: Program) -> tuple:
    return tuple(program.run(list(args)))


def _derived(program: Program, kind: str) -> Any:
    """``program``'s jitted VJP or JVP function (built once per program)."""
    from .transforms import jvp, vjp
    cache = program.derived
    fn = cache.get(kind)
    if fn is None:
        def restricted(args: list, diff: tuple, outs: tuple) -> Callable[..., tuple]:
            """The program as a function of its inputs ``diff`` only, giving
            its outputs ``outs`` only (the inexact ones)."""
            def f(*d: Any) -> tuple:
                full = list(args)
                for i, v in zip(diff, d):
                    full[i] = v
                res = program.eval(full)
                return tuple(res[k] for k in outs)
            return f

        if kind == "vjp":
            def fn(args, diff, cts, outs):
                return vjp(restricted(args, diff, outs), *[args[i] for i in diff])[1](cts)
        else:
            def fn(args, diff, ts, outs):
                return jvp(restricted(args, diff, outs), tuple(args[i] for i in diff), ts)[1]
        fn = cache[kind] = jit(fn, static_argnums=(1, 3))
    return fn


def _pjit_vjp(g: tuple, ans: tuple, *args: Any, program: Program) -> list:
    diff = tuple(i for i, a in enumerate(args) if _inexact(a))
    outs = tuple(k for k, o in enumerate(ans) if _inexact(o))
    grads = _derived(program, "vjp")(list(args), diff, tuple(g[k] for k in outs), outs)
    result: list = [None] * len(args)
    for i, gi in zip(diff, grads):
        result[i] = gi
    return result


def _pjit_jvp(tangents: list, ans: tuple, *args: Any, program: Program) -> Any:
    diff = tuple(i for i, (a, t) in enumerate(zip(args, tangents))
                 if t is not None and _inexact(a))
    if not diff:
        return None
    outs = tuple(k for k, o in enumerate(ans) if _inexact(o))
    ts = tuple(tangents[i] for i in diff)
    t_out = _derived(program, "jvp")(list(args), diff, ts, outs)
    result: list = [None] * len(ans)
    for k, t in zip(outs, t_out):
        result[k] = t
    return tuple(result)


# --- grad of a jitted function: a forward program that also returns the residuals -------
class _Split:
    """A program's VJP split in two (JAX's partial evaluation of the
    linearised program, done on our staged programs): ``forward`` computes
    the outputs and the *residuals*, the values the backward part reads;
    ``backward`` maps ``(*residuals, *cotangents)`` to the cotangents of the
    inputs ``diff``. ``outs`` are the outputs that take a cotangent (the
    inexact ones)."""

    __slots__ = ("forward", "backward", "diff", "outs", "n_out", "out_meta")

    def __init__(self, forward: Program, backward: Program, diff: tuple, outs: tuple,
                 out_meta: list) -> None:
        self.forward, self.backward = forward, backward
        self.diff, self.outs, self.out_meta = diff, outs, out_meta
        self.n_out = len(out_meta)


_SPLIT_LOCK = threading.Lock()


def _split_program(program: Program, vals: list) -> Optional[_Split]:
    """``program``'s :class:`_Split` (built once, on the concrete ``vals``
    of its first differentiated call), or ``None`` when no inexact input or
    output makes a VJP.

    The joint program ``(args, cts) -> (outputs, input cotangents)`` is
    staged and optimised (common subexpressions merge the outputs' forward
    with the VJP's); every equation that does not depend on a cotangent
    goes to the forward part, the rest to the backward part, and the
    forward values the backward part reads become the residuals."""
    split = program.derived.get("split", False)
    if split is not False:
        return split
    with _SPLIT_LOCK:
        split = program.derived.get("split", False)
        if split is not False:
            return split
        split = program.derived["split"] = _build_split(program, vals)
    return split


def _build_split(program: Program, vals: list) -> Optional[_Split]:
    from .transforms import vjp
    diff = tuple(i for i, v in enumerate(program.invars) if v.aval.dtype.kind in "fc")
    outs = tuple(k for k, o in enumerate(program.outvars)
                 if type(o) is Var and o.aval.dtype.kind in "fc")
    if not diff or not outs:
        return None
    n = len(vals)
    examples = program.run(vals)
    out_meta = [_Meta(o) for o in examples]
    ct_examples = [np.ones(out_meta[k].shape, out_meta[k].dtype) for k in outs]

    def joint(*xs: Any) -> tuple:
        args = list(xs[:n])

        def restricted(*d: Any) -> tuple:
            full = list(args)
            for i, v in zip(diff, d):
                full[i] = v
            res = program.eval(full)
            return tuple(res[k] for k in outs)

        _, f_vjp = vjp(restricted, *[args[i] for i in diff])
        return tuple(program.eval(args)) + tuple(f_vjp(tuple(xs[n:])))

    joint_prog = stage_function(joint, list(vals) + ct_examples)
    _drop_examples(joint_prog)
    depends = set(joint_prog.invars[n:])  # the cotangents, then what reads them
    fwd_eqns, bwd_eqns = [], []
    for eqn in joint_prog.eqns:
        if any(type(a) is Var and a in depends for a in eqn.inputs):
            bwd_eqns.append(eqn)
            depends.update(eqn.outvars)
        else:
            fwd_eqns.append(eqn)
    residuals: dict = {}  # (ordered set)
    for eqn in bwd_eqns:
        for a in eqn.inputs:
            if type(a) is Var and a not in depends:
                residuals[a] = None
    grads = joint_prog.outvars[len(examples):]
    for a in grads:
        if type(a) is Var and a not in depends:
            residuals[a] = None
    res = list(residuals)
    forward = Program(joint_prog.invars[:n], fwd_eqns, joint_prog.outvars[:len(examples)] + res, [])
    backward = Program(res + joint_prog.invars[n:], bwd_eqns, grads, [])
    return _Split(forward, backward, diff, outs, out_meta)


class _Meta:
    """A value's shape and dtype (what ``ops.fit`` and zero cotangents need)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, x: Any) -> None:
        self.shape, self.dtype = np.shape(x), np.asarray(x).dtype


class _ResidualNode(Node):
    """The node of one call of a jitted function under ``grad``: it holds the
    residuals its forward program returned; its VJP is the backward program."""

    __slots__ = ("split", "res", "in_meta")

    def contributions(self, g: Any):
        res = self.res
        if res is None:
            raise RuntimeError(SECOND_BACKWARD)
        split = self.split
        if type(g) is not tuple:
            g = (g,)
        meta = split.out_meta
        cts = [np.zeros(meta[k].shape, meta[k].dtype) if g[k] is None else g[k]
               for k in split.outs]
        ins = res + cts
        boxed = any(isinstance(c, Box) for c in cts)  # (vmap over cotangents, jvp of vjp)
        grads = split.backward.eval(ins) if boxed else split.backward.run(ins)
        grad_of = dict(zip(split.diff, grads))
        for i, parent in self.parents:
            ct = grad_of.get(i)
            if ct is not None:
                yield parent, ops.fit(ct, self.in_meta[i])

    def release(self) -> None:
        self.res = None


def residual_call(top: ReverseTrace, program: Program, args: list) -> Optional[list]:
    """``program`` on ``args`` recorded on ``top`` as one node that keeps the
    residuals of its VJP (see :class:`_Split`), or ``None`` when the values
    under ``top``'s boxes are boxes themselves (higher order: the caller
    binds the recomputing ``pjit`` primitive, which outer transforms
    differentiate) or the program has no VJP."""
    vals, parents = top.unbox(args)
    if any(isinstance(v, Box) for v in vals):
        return None
    split = _split_program(program, vals)
    if split is None:
        return None
    result = split.forward.run(vals)
    n = split.n_out
    node = _ResidualNode(None, (), {}, None, parents)
    node.split = split
    node.res = list(result[n:])
    node.in_meta = {i: _Meta(vals[i]) for i, _ in parents}
    if n == 1:
        return [top.box(result[0], node)]
    return [top.box(o, ItemNode(node, k, n)) for k, o in enumerate(result[:n])]


_pjit_p = Primitive("pjit", _pjit_impl, multiple_results=True)
defvjp_joint(_pjit_p, _pjit_vjp)
defjvp_joint(_pjit_p, _pjit_jvp)


def _py_name(fun: Any) -> str:
    name = getattr(fun, "__name__", "program")
    return name if name.isidentifier() and not name.startswith("<") else "program"


def stage(fun: Callable[..., Any], nargs: int, leaves: list, tree: Any, statics: tuple,
          skw: tuple) -> tuple[Program, Any]:
    """Trace ``fun`` on staged leaves: ``(program, output tree)``."""
    trace = StagingTrace()
    boxed = [trace.new_input(_concrete_example(x), like=x) for x in leaves]
    invars = [b._node for b in boxed]
    dyn_args, dkw = tree_unflatten(tree, boxed)
    it = iter(dyn_args)
    static = dict(statics)
    args = [static[i] if i in static else next(it) for i in range(nargs)]
    kwargs = dict(dkw, **dict(skw))
    try:
        result = fun(*args, **kwargs)
        out_leaves, out_tree = tree_flatten(result)
        outvars = [trace.output_atom(o) for o in out_leaves]
    finally:
        trace.alive = False
    capvars = [trace.captured_vars[id(b)] for b in trace.captured]
    return Program(invars + capvars, trace.eqns, outvars, list(trace.captured)), out_tree


def stage_function(fun: Callable[..., Any], leaves: list) -> Program:
    """``fun(*leaves)`` staged into an optimised program (for the loop bodies
    of :mod:`funcgrad.lax`): ``leaves`` may be concrete or staged; boxes of
    other traces ``fun`` closes over become ``Program.captured`` inputs."""
    program, out_tree = stage(fun, len(leaves), list(leaves), tree_flatten(
        (tuple(leaves), {}))[1], (), ())
    return optimise(program)


def _drop_examples(program: Program) -> None:
    """Forget the example values (the first call's arrays and every
    intermediate): the program keeps only shapes, dtypes and types."""
    for v in program.invars:
        v.aval.example = None
    for eqn in program.eqns:
        for v in eqn.outvars:
            v.aval.example = None
        for p in eqn.params.values():
            if isinstance(p, Program):
                _drop_examples(p)


def jit(fun: Callable[..., Any], static_argnums: Union[int, Sequence[int]] = (),
        static_argnames: Union[str, Sequence[str]] = ()) -> Callable[..., Any]:
    """``fun`` traced once per argument signature into a program of primitive
    applications, later calls replaying that program with plain NumPy calls
    (JAX's ``jax.jit``).

    The signature is the pytree structure of the arguments and, per leaf, its
    type, shape and dtype (Python scalars are weakly typed: a Python float
    adopts a float32 operand's precision, as in eager code), plus the values of
    the static arguments (``static_argnums`` / ``static_argnames``, which must
    be hashable). Python control flow on traced values raises
    :class:`funcgrad.ConcretizationError`: make the argument static, or use
    :mod:`funcgrad.lax`. Closed-over arrays are constants of the program.

    >>> import funcgrad, numpy as np
    >>> f = funcgrad.jit(funcgrad.value_and_grad(lambda w: np.sum(np.tanh(w) ** 2)))
    >>> v, g = f(np.array([0.5, -1.0]))
    >>> v, g = f(np.array([0.1, 0.2]))  # same signature: the program is replayed
    >>> round(float(v), 6), g.round(4)
    (0.048891, array([0.1974, 0.3794]))
    """
    check_callable(fun, "jit")
    return _Jitted(fun, static_argnums, static_argnames)


# --- make_jaxpr ------------------------------------------------------------------------
class Jaxpr:
    """A staged program, printable in JAX's jaxpr notation: ``str(jaxpr)``
    shows the inputs, one equation per line (outputs with shapes and dtypes,
    primitive, parameters, inputs) and the outputs. ``.program`` is the
    :class:`~funcgrad._core.staging.Program` itself; ``.eqns``, ``.invars``
    and ``.outvars`` its parts."""

    def __init__(self, program: Program, out_tree: Any) -> None:
        self.program = program
        self.out_tree = out_tree

    @property
    def eqns(self) -> list:
        return self.program.eqns

    @property
    def invars(self) -> list:
        return self.program.invars

    @property
    def outvars(self) -> list:
        return self.program.outvars

    @property
    def out_avals(self) -> list:
        return [a.aval if type(a) is Var else a for a in self.program.outvars]

    def __str__(self) -> str:
        return str(self.program)

    __repr__ = __str__


def make_jaxpr(fun: Callable[..., Any], static_argnums: Union[int, Sequence[int]] = (),
               optimize: bool = False) -> Callable[..., Jaxpr]:
    """A function that traces ``fun`` on its arguments and returns the program
    as a :class:`Jaxpr` (JAX's ``jax.make_jaxpr``). ``optimize=True`` shows it
    after jit's passes (dead code, common subexpressions, cotangent algebra).

    >>> import funcgrad, numpy as np
    >>> print(funcgrad.make_jaxpr(lambda x, y: np.sin(x) * y)(np.ones(3), 2.0))
    { lambda ; a:f64[3] b:f64[]. let
        c:f64[3] = sin a
        d:f64[3] = multiply c b
      in (d,) }
    """
    check_callable(fun, "make_jaxpr")
    nums, _ = _static_spec(fun, static_argnums, ())

    def make(*args: Any, **kwargs: Any) -> Jaxpr:
        statics = tuple((i, args[i]) for i in sorted(nums) if i < len(args))
        dyn = tuple(a for i, a in enumerate(args) if i not in nums)
        leaves, tree = tree_flatten((dyn, kwargs))
        leaves = [_as_leaf(x) for x in leaves]
        for x in leaves:
            _leaf_key(x)  # the same validation as jit
        program, out_tree = stage(fun, len(args), leaves, tree, statics, ())
        if optimize:
            program = optimise(program)
        _drop_examples(program)
        return Jaxpr(program, out_tree)

    return make


# vmap: a pjit met by vmap (vmap(grad(jit(f)))) runs once per example (jit of vmap, or vmap
# of jit without grad, evaluates the program under vmap instead: batched rules)
from .numpy._batching import declare_looped as _declare_looped  # noqa: E402

_declare_looped(_pjit_p)
