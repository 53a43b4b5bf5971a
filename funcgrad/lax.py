"""Structured control flow with JAX's names and semantics: ``cond``,
``switch``, ``while_loop``, ``fori_loop`` and ``scan``.

They run eagerly (plain Python control flow on concrete values), under
``funcgrad.jit`` (where Python control flow on a traced value raises
:class:`funcgrad.ConcretizationError`) and under the other transforms:

* ``cond`` / ``switch`` with a concrete predicate run the chosen branch only;
  with a staged one (inside ``jit``) every branch is computed and the result
  selected elementwise, as JAX does under ``vmap``. Derivatives flow through
  the selected branch only, in reverse and forward mode.
* ``scan`` and ``fori_loop`` with concrete bounds run their body once per
  step (inside ``jit`` the program holds one copy of the body per step):
  differentiable in reverse and forward mode.
* ``while_loop`` (and ``fori_loop`` with traced bounds) is a primitive of its
  own inside ``jit``: its trip count is unknown until it runs. It is
  forward-differentiable (``jvp``); reverse mode (``grad``, ``vjp``) raises
  ``ValueError``, as in JAX.

>>> import funcgrad, numpy as np
>>> from funcgrad import lax
>>> f = funcgrad.jit(lambda x: lax.cond(x > 0, np.sin, np.cos, x))
>>> bool(f(0.5) == np.sin(0.5)), bool(f(-0.5) == np.cos(-0.5))
(True, True)
>>> lax.fori_loop(0, 5, lambda i, s: s + i, 0)
10
>>> carry, ys = lax.scan(lambda c, x: (c + x, c * x), 0.0, np.arange(4.0))
>>> carry, ys
(np.float64(6.0), array([0., 0., 2., 9.]))
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from ._core import Box, Primitive, concrete
from ._core.primitive import bind, defjvp_joint, defvjp_joint
from ._core.staging import Abstract, Program, example_of, staged_value
from ._core.trace import ReverseTrace
from ._validate import check_callable
from .tree_util import tree_flatten, tree_map, tree_structure, tree_unflatten

__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan"]

_REVERSE_WHILE = (
    "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with "
    "dynamic start/stop values: the number of iterations is unknown until the loop runs, "
    "so the values of every iteration cannot be kept. Try using lax.scan, or lax.fori_loop "
    "with static (Python int) start/stop, or forward mode (funcgrad.jvp).")


def _fnp() -> Any:
    from . import numpy as fnp  # (the numpy layer imports the core; not the other way)
    return fnp


def _types(tree: Any) -> tuple:
    leaves, treedef = tree_flatten(tree)
    return treedef, [(np.shape(example_of(x)), _dtype(x)) for x in leaves]


def _dtype(x: Any) -> np.dtype:
    v = example_of(x)
    return v.dtype if hasattr(v, "dtype") else np.asarray(v).dtype


def _check_same(what: str, a: Any, b: Any) -> None:
    ta, tb = _types(a), _types(b)
    if ta[0] != tb[0]:
        raise TypeError(f"{what} must have the same pytree structure, got {ta[0]} and {tb[0]}.")
    for (sa, da), (sb, db) in zip(ta[1], tb[1]):
        if sa != sb or np.result_type(da, db) != da and np.result_type(da, db) != db:
            raise TypeError(f"{what} must have identical types, got shape {sa} dtype {da} "
                            f"and shape {sb} dtype {db}.")


def _has_one_value(x: Any) -> bool:
    """Whether ``x`` has one concrete value now (not staged by jit, not batched by vmap)."""
    while isinstance(x, Box):
        if not x._trace.concrete_values:
            return False
        x = x._value
    return not isinstance(x, Abstract)


def _scalar_index(x: Any, who: str, kind: str) -> None:
    """Check that ``x`` is a scalar (per example, under vmap)."""
    shape = np.shape(example_of(x))
    if shape != ():
        raise TypeError(f"{who}: {kind} must be a scalar, got an array of shape {shape}.")


# --- cond / switch ----------------------------------------------------------------------
def cond(pred: Any, true_fun: Callable[..., Any], false_fun: Callable[..., Any],
         *operands: Any) -> Any:
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``
    (JAX's ``lax.cond``). ``pred`` is a scalar (bool or number); both branches
    must return the same structure, shapes and dtypes.

    >>> from funcgrad import lax
    >>> lax.cond(True, lambda x: x + 1, lambda x: x - 1, 10)
    11
    """
    check_callable(true_fun, "cond (true_fun)")
    check_callable(false_fun, "cond (false_fun)")
    return switch(pred, [false_fun, true_fun], *operands, _who="cond", _kind="Pred")


def switch(index: Any, branches: Sequence[Callable[..., Any]], *operands: Any,
           _who: str = "switch", _kind: str = "index") -> Any:
    """``branches[index](*operands)``, ``index`` clamped to the valid range
    (JAX's ``lax.switch``).

    >>> from funcgrad import lax
    >>> [lax.switch(i, [lambda x: x, lambda x: 2 * x, lambda x: 3 * x], 1.0) for i in (-1, 1, 5)]
    [1.0, 2.0, 3.0]
    """
    branches = list(branches)
    if not branches:
        raise ValueError(f"{_who}: expected at least one branch.")
    for b in branches:
        check_callable(b, _who)
    _scalar_index(index, _who, _kind)
    n = len(branches)
    if _has_one_value(index):
        v = concrete(index)
        k = bool(v) if _who == "cond" else int(v)
        return branches[min(max(int(k), 0), n - 1)](*operands)
    # staged or batched: every branch, then a select (elementwise, per example)
    fnp = _fnp()
    outs = [b(*operands) for b in branches]
    for o in outs[1:]:
        _check_same(f"{_who}: the branches' outputs", outs[0], o)
    if _who == "cond":
        index = fnp.not_equal(index, 0)
        return tree_map(lambda f, t: fnp.where(index, t, f), outs[0], outs[1])
    result = outs[-1]
    for k in range(n - 2, -1, -1):
        pick = fnp.less_equal(index, k)
        result = tree_map(lambda a, r, pick=pick: fnp.where(pick, a, r), outs[k], result)
    return result


# --- scan / fori_loop -------------------------------------------------------------------
def scan(f: Callable[[Any, Any], tuple], init: Any, xs: Any = None,
         length: Optional[int] = None, reverse: bool = False, unroll: int = 1) -> tuple:
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``,
    returning the final carry and the stacked ``y`` s (JAX's ``lax.scan``).
    ``reverse=True`` runs from the last element; the ``y`` s stay in the
    order of ``xs``. ``unroll`` is accepted for compatibility (every step is
    unrolled).

    >>> import numpy as np
    >>> from funcgrad import lax
    >>> lax.scan(lambda c, x: (c * x, c), 1.0, np.array([2.0, 3.0, 4.0]))
    (np.float64(24.0), array([1., 2., 6.]))
    """
    check_callable(f, "scan")
    x_leaves, x_tree = tree_flatten(xs)
    sizes = {np.shape(example_of(x))[0] if np.ndim(example_of(x)) else None
             for x in x_leaves} if x_leaves else set()
    if None in sizes:
        raise ValueError("scan got a value with no leading axis to scan over (a 0-d array).")
    if length is not None:
        sizes.add(int(length))
    if len(sizes) > 1:
        raise ValueError(f"scan got values with different leading axis sizes: {sorted(sizes)}.")
    if not sizes:
        raise ValueError("scan got no xs and no length: pass length= to scan without xs.")
    n = sizes.pop()
    fnp = _fnp()
    carry, ys = init, [None] * n
    order = range(n - 1, -1, -1) if reverse else range(n)
    for i in order:
        x = tree_unflatten(x_tree, [x[i] for x in x_leaves])
        out = f(carry, x)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("scan body function must return a pair (carry, y), got "
                            f"{type(out).__name__}.")
        new_carry, ys[i] = out
        _check_same("scan body function carry input and carry output", carry, new_carry)
        carry = new_carry
    if n == 0:  # the ys' types come from one (discarded) call on zeros
        fake = tree_unflatten(x_tree, [np.zeros(np.shape(example_of(x))[1:], _dtype(x))
                                       for x in x_leaves])
        y_leaves, y_tree = tree_flatten(f(init, fake)[1])
        return carry, tree_unflatten(y_tree, [np.zeros((0,) + np.shape(example_of(y)),
                                                       _dtype(y)) for y in y_leaves])
    y_tree = tree_structure(ys[0])
    columns = zip(*(tree_flatten(y)[0] for y in ys))
    return carry, tree_unflatten(y_tree, [fnp.stack(list(c)) for c in columns])


def _static_int(x: Any) -> Optional[int]:
    if isinstance(x, (bool, Box)) or staged_value(x) is not None:
        return None
    if isinstance(x, (int, np.integer)) or (isinstance(x, np.ndarray) and x.ndim == 0
                                            and x.dtype.kind in "iu"):
        return int(x)
    return None


def fori_loop(lower: Any, upper: Any, body_fun: Callable[[Any, Any], Any], init_val: Any) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)`` (JAX's
    ``lax.fori_loop``). With Python-int bounds the loop runs step by step
    (reverse-differentiable); with traced bounds it is a ``while_loop``.

    >>> from funcgrad import lax
    >>> lax.fori_loop(1, 4, lambda i, v: v * i, 1.0)
    6.0
    """
    check_callable(body_fun, "fori_loop")
    lo, hi = _static_int(lower), _static_int(upper)
    if lo is not None and hi is not None:
        val = init_val
        for i in range(lo, hi):
            val = body_fun(i, val)
        return val
    fnp = _fnp()
    _, _, val = while_loop(lambda s: fnp.less(s[0], s[1]),
                           lambda s: (s[0] + 1, s[1], body_fun(s[0], s[2])),
                           (fnp.asarray(lower), fnp.asarray(upper), init_val))
    return val


# --- while_loop -----------------------------------------------------------------------------
def while_loop(cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any],
               init_val: Any) -> Any:
    """``val = body_fun(val)`` while ``cond_fun(val)`` (JAX's
    ``lax.while_loop``). ``body_fun`` must keep the carry's structure, shapes
    and dtypes. Forward-differentiable only: under ``grad`` it raises
    ``ValueError`` (use :func:`scan` or :func:`fori_loop` with static bounds).

    >>> from funcgrad import lax
    >>> lax.while_loop(lambda v: v < 100, lambda v: v * 2, 1)
    np.int64(128)
    """
    check_callable(cond_fun, "while_loop (cond_fun)")
    check_callable(body_fun, "while_loop (body_fun)")
    leaves, tree = tree_flatten(init_val)
    return tree_unflatten(tree, _staged_while(cond_fun, body_fun, leaves, tree))


def _refuse_reverse(leaves: list) -> None:
    for x in leaves:
        while isinstance(x, Box):
            if isinstance(x._trace, ReverseTrace):
                raise ValueError(_REVERSE_WHILE)
            x = x._value


def _staged_while(cond_fun: Callable, body_fun: Callable, leaves: list, tree: Any) -> list:
    """The loop as one ``while`` primitive: ``cond_fun`` and ``body_fun``
    staged into programs of the carry (their closures over traced values
    become extra inputs). On concrete values it runs at once (the programs
    compiled); inside ``jit`` it is one equation of the program; under
    ``jvp`` its JVP is a loop over (carry, tangent); under ``grad`` it is
    refused."""
    from ._jit import stage_function
    cond_prog = stage_function(lambda *c: cond_fun(tree_unflatten(tree, list(c))), leaves)
    body_prog = stage_function(lambda *c: tuple(tree_flatten(body_fun(
        tree_unflatten(tree, list(c))))[0]), leaves)
    if len(body_prog.outvars) != len(leaves):
        raise TypeError("while_loop: body_fun output and input must have the same pytree "
                        "structure.")
    for v, x in zip(body_prog.outvars, leaves):
        aval = v.aval if hasattr(v, "aval") else None
        shape = aval.shape if aval is not None else np.shape(v.value)
        if shape != np.shape(example_of(x)):
            raise TypeError(f"while_loop: body_fun output and input must have identical "
                            f"types, got shape {shape} for a carry of shape "
                            f"{np.shape(example_of(x))}.")
    args = list(leaves) + list(cond_prog.captured) + list(body_prog.captured)
    _refuse_reverse(args)
    out = bind(_while_p, args, {"cond_prog": cond_prog, "body_prog": body_prog,
                                "n_carry": len(leaves), "n_cond": len(cond_prog.captured)})
    return list(out)


def _split(args: tuple, n_carry: int, n_cond: int) -> tuple:
    return list(args[:n_carry]), list(args[n_carry:n_carry + n_cond]), \
        list(args[n_carry + n_cond:])


def _while_impl(*args: Any, cond_prog: Program, body_prog: Program, n_carry: int,
                n_cond: int) -> tuple:
    carry, ccap, bcap = _split(args, n_carry, n_cond)
    while bool(cond_prog.run(carry + ccap)[0]):
        carry = list(body_prog.run(carry + bcap))
    return tuple(c if hasattr(c, "shape") else np.asarray(c) for c in carry)


def _while_jvp(tangents: Sequence[Any], ans: Any, *args: Any, cond_prog: Program,
               body_prog: Program, n_carry: int, n_cond: int) -> tuple:
    """The loop over (carry, tangent): the body's JVP, with the same
    condition. Integer and boolean values carry no tangent."""
    from .transforms import jvp
    fnp = _fnp()
    carry, ccap, bcap = _split(args, n_carry, n_cond)
    tc, _, tb = _split(tuple(tangents), n_carry, n_cond)
    c_idx = [i for i, a in enumerate(carry) if _dtype(a).kind in "fc"]
    b_idx = [i for i, a in enumerate(bcap) if _dtype(a).kind in "fc" and tb[i] is not None]
    t0 = tuple(fnp.zeros_like(carry[i]) if tc[i] is None else tc[i] for i in c_idx)
    tb = tuple(tb[i] for i in b_idx)

    def body_of(c, diff_c, diff_b):
        c = list(c)
        for i, v in zip(c_idx, diff_c):
            c[i] = v
        b = list(bcap)
        for i, v in zip(b_idx, diff_b):
            b[i] = v
        return tuple(body_prog.eval(c + b))

    def cond2(ct):
        return cond_prog.eval(list(ct[0]) + ccap)[0]

    def body2(ct):
        c, t = ct
        out, tout = jvp(lambda dc, db: tuple(body_of(c, dc, db)[i] for i in c_idx),
                        (tuple(c[i] for i in c_idx), tuple(bcap[i] for i in b_idx)), (t, tb))
        new = list(body_of(c, [c[i] for i in c_idx], [bcap[i] for i in b_idx]))
        for i, v in zip(c_idx, out):
            new[i] = v
        return tuple(new), tuple(tout)

    _, tout = while_loop(cond2, body2, (tuple(carry), t0))
    result: list = [None] * n_carry
    for i, t in zip(c_idx, tout):
        result[i] = t
    return tuple(result)


def _while_vjp(g: Any, ans: Any, *args: Any, **params: Any) -> Any:
    raise ValueError(_REVERSE_WHILE)


_while_p = Primitive("while", _while_impl, multiple_results=True)
defvjp_joint(_while_p, _while_vjp)
defjvp_joint(_while_p, _while_jvp)
# vmap: no batching rule yet (a batched predicate would need a masked loop):
# one loop per example (docs/functional.md)
from .numpy._batching import declare_looped as _declare_looped  # noqa: E402

_declare_looped(_while_p)
