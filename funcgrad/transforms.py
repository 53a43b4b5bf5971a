"""JAX-style transforms: grad, value_and_grad, vjp, jacobian, hessian, jvp,
stop_gradient, custom_vjp and checkpoint.

Each transform call opens a fresh trace, boxes the inputs, runs the user's
function (building a graph for this one call), and sweeps backward. Traces
nest, so every transform composes with every other to any order.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Sequence, TypeVar, Union

import numpy as np
from typing_extensions import ParamSpec

from . import numpy as fnp
from ._core import Box, Node, Primitive, Trace, backward_pass, new_trace, ops
from ._core.backward import RELEASE_PLAIN
from ._core.forward import JVPTrace, new_jvp_trace, tangent_of
from ._core.trace import ItemNode
from ._validate import check_array_args, check_callable
from .numpy._registry import dtype_of, shape_of
from .tree_util import _LEAF, PyTreeDef, _node_type, tree_flatten, tree_map, tree_unflatten

P = ParamSpec("P")
T = TypeVar("T")
ArgNums = Union[int, Sequence[int]]

__all__ = ["grad", "value_and_grad", "vjp", "jacobian", "jacrev", "jacfwd", "hessian", "jvp", "linearize",
           "stop_gradient", "custom_vjp", "checkpoint", "float0"]

float0 = np.dtype([("float0", np.void, 0)])
"""The dtype of the (empty) cotangent of an integer input, as in JAX."""


# --- recording one call ---------------------------------------------------
class _Recording:
    """The graph of one call of ``fun``: inputs, outputs, and the pullback."""

    __slots__ = ("in_leaves", "in_tree", "in_nodes", "out", "out_leaves", "out_tree",
                 "out_nodes", "aux")

    def __init__(self, fun: Callable[..., Any], primals: tuple, has_aux: bool,
                 who: str, flat: Optional[tuple] = None) -> None:
        trace = new_trace()
        # ``flat``: ``tree_flatten(primals)`` when the caller already has it
        leaves, self.in_tree = flat if flat is not None else tree_flatten(primals)
        self.in_leaves = [_as_array(x) for x in leaves]
        boxed = [trace.new_input(x) if _is_inexact(x) else x for x in self.in_leaves]
        self.in_nodes = [b._node if b is not x else None for b, x in zip(boxed, self.in_leaves)]
        self._run(trace, fun, tree_unflatten(self.in_tree, boxed), has_aux, who)

    def _run(self, trace: Trace, fun: Callable[..., Any], args: tuple, has_aux: bool,
             who: str) -> None:
        """Call ``fun`` on boxed ``args`` and take its outputs apart."""
        try:
            result = fun(*args)
        finally:
            trace.alive = False
        self.aux = None
        if has_aux:
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise TypeError(
                    f"{who}(..., has_aux=True) requires the function to return a pair "
                    f"(output, auxiliary_data), but it returned {_describe(result)}.")
            result, aux = result
            self.aux = tree_map(lambda a: _unbox_at(a, trace), aux)
        self.take_outputs(result, trace)

    def take_outputs(self, result: Any, trace: Trace) -> None:
        """Split ``fun``'s ``result`` into values and the nodes of ``trace``."""
        if isinstance(result, Box) and result._trace is trace:  # one traced output
            self.out = result._value
            self.out_leaves, self.out_tree, self.out_nodes = [self.out], _LEAF, [result._node]
            return
        out_leaves, self.out_tree = tree_flatten(result)
        self.out_leaves, self.out_nodes = [], []
        for o in out_leaves:
            if isinstance(o, Box) and o._trace is trace:
                self.out_leaves.append(o._value)
                self.out_nodes.append(o._node)
            else:
                self.out_leaves.append(_as_array(o))
                self.out_nodes.append(None)
        self.out = tree_unflatten(self.out_tree, self.out_leaves)

    def pullback(self, cotangents: list, release: bool) -> list:
        """Input cotangents (flat) for flat output ``cotangents``."""
        roots, cts = [], []
        for node, ct in zip(self.out_nodes, cotangents):
            if node is not None:
                roots.append(node)
                cts.append(ct)
        leaves = backward_pass(roots, cts, release=release) if roots else {}
        return [np.zeros(shape_of(x), float0) if node is None else _gradient(leaves, node, x)
                for node, x in zip(self.in_nodes, self.in_leaves)]

    def check_cotangent(self, ct: Any) -> list:
        leaves, tree = tree_flatten(ct)
        if tree != self.out_tree:
            raise ValueError(
                f"vjp_fn: the cotangent must have the structure of the function's output, "
                f"expected {self.out_tree}, got {tree}.")
        fixed = []
        for i, (c, o) in enumerate(zip(leaves, self.out_leaves)):
            want_shape, want_dtype = shape_of(o), dtype_of(o)
            if not hasattr(c, "shape"):
                c = np.asarray(c, dtype=want_dtype if np.ndim(c) == 0 else None)
            if tuple(c.shape) != tuple(want_shape):
                raise ValueError(
                    f"vjp_fn: cotangent {i} has shape {tuple(c.shape)}, expected "
                    f"{tuple(want_shape)} (the shape of output {i}).")
            if dtype_of(c) != want_dtype:
                raise ValueError(
                    f"vjp_fn: cotangent {i} has dtype {dtype_of(c)}, expected {want_dtype} "
                    f"(the dtype of output {i}); cast it with .astype({want_dtype}).")
            fixed.append(c)
        return fixed


def _gradient(leaves: dict, node: Node, x: Any) -> Any:
    """Input ``x``'s gradient from a backward pass's ``leaves``, as an array of its own."""
    g = leaves.get(node)
    if g is None:
        return ops.like(ops.zeros_like(x), x)
    if type(g) is np.ndarray and not g.flags.writeable:
        g = g.copy()  # a broadcast view (grad of a sum)
    return ops.like(g, x)


def _as_array(x: Any) -> Any:
    if isinstance(x, (Box, np.ndarray, np.generic)):
        return x
    if isinstance(x, (bool, int, float, complex)):
        return np.asarray(x)
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return x
    return np.asarray(x)


_ARRAY_TYPES = frozenset({np.ndarray, float, complex, *(
    np.dtype(c).type for c in np.typecodes["AllFloat"])})
"""Types of leaves that :func:`value_and_grad` may take on its common path."""


def _seed(out: Any) -> Any:
    """The unit cotangent of scalar output ``out``. An output of another array
    type (a Dask array) gets a seed of its own type (``ones_like`` dispatches
    to its namespace), so the backward pass builds that type's lazy graph."""
    if type(out) in _ARRAY_TYPES or isinstance(out, (np.generic, Box)):
        return np.array(1, dtype_of(out))
    return np.ones_like(out)


def _is_inexact(x: Any) -> bool:
    return dtype_of(x).kind in "fc"


def _unbox_at(x: Any, trace: Trace) -> Any:
    return x._value if isinstance(x, Box) and x._trace is trace else x


def _describe(x: Any) -> str:
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of length {len(x)}"
    return f"a value of type {type(x).__name__}"


def _argnums(argnums: ArgNums, nargs: int, who: str) -> tuple[tuple[int, ...], bool]:
    single = isinstance(argnums, (int, np.integer))
    nums = (argnums,) if single else tuple(argnums)
    if not single and not nums:
        raise ValueError(f"{who}: argnums must name at least one argument, got ().")
    out = []
    for a in nums:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{who}: argnums must be an int or a tuple of ints, got {a!r}.")
        if not -nargs <= a < nargs:
            raise ValueError(
                f"{who}: argnums={argnums!r} is out of range for a call with {nargs} "
                f"positional argument{'s' if nargs != 1 else ''}.")
        out.append(int(a) % nargs)
    return tuple(out), single


def _check_inputs(leaves: list, who: str, allow_int: bool, holomorphic: bool) -> None:
    for x in leaves:
        kind = dtype_of(x).kind
        if holomorphic and kind != "c":
            raise TypeError(
                f"{who} with holomorphic=True requires inputs with complex dtype, but got "
                f"{dtype_of(x)}.")
        if kind not in "fc" and not allow_int:
            raise TypeError(
                f"{who} requires real- or complex-valued inputs (input dtype that is a "
                f"sub-dtype of np.inexact), but got {dtype_of(x)}. If you want to use "
                "integer- or boolean-valued inputs, use vjp or set allow_int to True.")


def _partial(fun: Callable[..., Any], args: tuple, kwargs: dict, nums: tuple) -> Callable[..., Any]:
    def f(*diff: Any) -> Any:
        full = list(args)
        for i, v in zip(nums, diff):
            full[i] = v
        return fun(*full, **kwargs)
    return f


# --- public transforms ----------------------------------------------------
def vjp(fun: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """Evaluate ``fun(*primals)`` and return ``(out, vjp_fn)`` (plus ``aux``
    with ``has_aux=True``). ``vjp_fn(cotangent)`` returns a tuple with one
    cotangent per primal, and may be called many times.

    >>> import funcgrad, numpy as np
    >>> out, f_vjp = funcgrad.vjp(lambda x: x * x, np.array([1.0, 3.0]))
    >>> f_vjp(np.array([1.0, 1.0]))
    (array([2., 6.]),)
    """
    check_callable(fun, "vjp")
    check_array_args(primals, range(len(primals)), "vjp")
    rec = _Recording(fun, primals, has_aux, "vjp")

    def vjp_fn(cotangent: Any) -> tuple:
        grads = rec.pullback(rec.check_cotangent(cotangent), release=False)
        return tree_unflatten(rec.in_tree, grads)

    if has_aux:
        return rec.out, vjp_fn, rec.aux
    return rec.out, vjp_fn


def value_and_grad(fun: Callable[P, Any], argnums: ArgNums = 0, has_aux: bool = False,
                   holomorphic: bool = False, allow_int: bool = False) -> Callable[P, Any]:
    """Like :func:`grad`, returning ``(value, gradient)``
    (``((value, aux), gradient)`` with ``has_aux=True``).

    >>> import funcgrad, numpy as np
    >>> funcgrad.value_and_grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0]))
    (np.float64(5.0), array([2., 4.]))
    """
    check_callable(fun, "value_and_grad")
    return functools.wraps(fun)(_value_and_grad(fun, argnums, has_aux, holomorphic, allow_int,
                                                "value_and_grad"))


def _value_and_grad(fun: Callable[..., Any], argnums: ArgNums, has_aux: bool,
                    holomorphic: bool, allow_int: bool, who: str) -> Callable[..., Any]:
    """:func:`value_and_grad` without ``functools.wraps`` (which costs more
    than a small gradient: ``grad`` wraps only once); ``who`` names the
    transform in error messages."""
    # The common case, ``argnums`` one int and that argument one array (or
    # scalar, or box), takes a path with no pytree handling.
    at = argnums if type(argnums) is int and argnums >= 0 and not has_aux else -1
    kinds = "c" if holomorphic else "fc"

    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        if 0 <= at < len(args):
            x = args[at]
            if (type(x) in _ARRAY_TYPES or isinstance(x, Box)) and dtype_of(x).kind in kinds:
                return _value_and_grad_at(fun, args, kwargs, at, holomorphic)
        nums, single = _argnums(argnums, len(args), who)
        check_array_args(args, nums, who)
        diff = tuple(args[i] for i in nums)
        flat = tree_flatten(diff)
        _check_inputs(flat[0], "grad", allow_int, holomorphic)
        rec = _Recording(_partial(fun, args, kwargs, nums), diff, has_aux, "grad", flat)
        out = _check_scalar_output(rec, holomorphic)
        grads = rec.pullback([_seed(out)], release=True)
        g = tree_unflatten(rec.in_tree, grads)
        g = g[0] if single else g
        return ((out, rec.aux) if has_aux else out), g

    return value_and_grad_f


def _value_and_grad_at(fun: Callable[..., Any], args: tuple, kwargs: dict, i: int,
                       holomorphic: bool) -> tuple:
    """``value_and_grad`` with respect to ``args[i]``, one array, scalar or
    box: one trace, one input, and (usually) one traced output, with no
    pytree handling."""
    trace = new_trace()
    x = _as_array(args[i])
    box = trace.new_input(x)
    try:
        result = fun(*args[:i], box, *args[i + 1:], **kwargs)
    finally:
        trace.alive = False
    if not (isinstance(result, Box) and result._trace is trace):  # a constant, or an error
        rec = _Recording.__new__(_Recording)
        rec.in_leaves, rec.in_tree, rec.in_nodes, rec.aux = [x], _LEAF, [box._node], None
        rec.take_outputs(result, trace)
        out = _check_scalar_output(rec, holomorphic)
        return out, rec.pullback([_seed(out)], release=True)[0]
    out = result._value
    _check_scalar_value(out, holomorphic)
    leaves = backward_pass([result._node], [_seed(out)], release=RELEASE_PLAIN)
    return out, _gradient(leaves, box._node, x)


def grad(fun: Callable[P, Any], argnums: ArgNums = 0, has_aux: bool = False,
         holomorphic: bool = False, allow_int: bool = False) -> Callable[P, Any]:
    """The gradient of a scalar-valued ``fun`` with respect to argument(s)
    ``argnums`` (an int, or a tuple giving a tuple of gradients). Arguments
    may be pytrees; the gradient has the argument's structure, shape and
    dtype. ``has_aux=True``: ``fun`` returns ``(output, aux)`` and ``grad``
    returns ``(gradient, aux)``.

    >>> import funcgrad, numpy as np
    >>> funcgrad.grad(np.sin)(0.0)
    np.float64(1.0)
    >>> funcgrad.grad(funcgrad.grad(np.sin))(0.0)
    np.float64(-0.0)
    """
    check_callable(fun, "grad")
    vg = _value_and_grad(fun, argnums, has_aux, holomorphic, allow_int, "grad")

    @functools.wraps(fun)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f


def _check_scalar_output(rec: _Recording, holomorphic: bool) -> Any:
    if len(rec.out_leaves) != 1 or rec.out_tree.nodetype is not None:
        raise TypeError(
            "Gradient only defined for scalar-output functions, but the function "
            f"returned a {rec.out_tree}. Return a single scalar (use has_aux=True to "
            "return extra values), or use jacobian / vjp.")
    out = rec.out_leaves[0]
    _check_scalar_value(out, holomorphic)
    return out


def _check_scalar_value(out: Any, holomorphic: bool) -> None:
    shape = tuple(shape_of(out))
    if shape != ():
        raise TypeError(
            f"Gradient only defined for scalar-output functions. Output had shape: "
            f"{shape}. Reduce it to a scalar (e.g. with .sum()), or use jacobian / vjp "
            "for non-scalar outputs.")
    kind = dtype_of(out).kind
    if holomorphic and kind != "c":
        raise TypeError(
            f"grad with holomorphic=True requires a complex output, got {dtype_of(out)}.")
    if not holomorphic and kind == "c":
        raise TypeError(
            f"grad requires real-valued outputs (output dtype that is a sub-dtype of "
            f"np.floating), but got {dtype_of(out)}. For holomorphic differentiation, "
            "pass holomorphic=True. For differentiating a complex-valued function that "
            "is not holomorphic, use vjp directly, or take its real part.")
    if kind not in "fc":
        raise TypeError(
            f"grad requires a floating-point output, but got {dtype_of(out)}: an "
            "integer or boolean output has no gradient.")


def _differentiated(args: tuple, argnums: ArgNums, who: str, allow_int: bool,
                     holomorphic: bool) -> tuple:
    """The arguments ``argnums`` selects, checked: ``(nums, single, diff,
    tree_flatten(diff))`` (``single``: ``argnums`` was one int)."""
    nums, single = _argnums(argnums, len(args), who)
    check_array_args(args, nums, who)
    diff = tuple(args[i] for i in nums)
    flat = tree_flatten(diff)
    _check_inputs(flat[0], who, allow_int, holomorphic)
    return nums, single, diff, flat


def jacobian(fun: Callable[P, Any], argnums: ArgNums = 0, has_aux: bool = False,
             holomorphic: bool = False, allow_int: bool = False) -> Callable[P, Any]:
    """The Jacobian of ``fun`` by reverse mode: one backward pass pulling
    every output basis cotangent back at once (``vmap`` of the pullback over
    the cotangents), so its cost grows with the output size; :func:`jacfwd`
    is the choice for few inputs. For an output of shape ``S`` and an input
    of shape ``I`` the result has shape ``S + I``. Pytree outputs give a
    pytree of Jacobians. ``jacrev`` is the same function.

    >>> import funcgrad, numpy as np
    >>> funcgrad.jacobian(lambda x: x ** 2)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    who = "jacobian"
    check_callable(fun, who)

    @functools.wraps(fun)
    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        from ._vmap import vmap

        nums, single, diff, flat = _differentiated(args, argnums, who, allow_int, holomorphic)
        rec = _Recording(_partial(fun, args, kwargs, nums), diff, has_aux, who, flat)
        outs = rec.out_leaves
        for j, out in enumerate(outs):
            if dtype_of(out).kind == "c" and not holomorphic:
                raise TypeError(
                    f"jacobian requires real-valued outputs, but output {j} is "
                    f"{dtype_of(out)}; pass holomorphic=True for holomorphic functions.")
        basis, sizes = _basis(outs)
        total = sum(sizes)
        if total:
            rows = vmap(lambda *cts: rec.pullback(list(cts), release=False),
                        axis_size=total)(*basis)
        else:
            rows = [np.zeros((0,) + tuple(shape_of(x)), dtype_of(x)) for x in rec.in_leaves]
        per_output, start = [], 0
        for out, n in zip(outs, sizes):
            jac = [fnp.reshape(r[start:start + n], tuple(shape_of(out)) + tuple(shape_of(x)))
                   if dtype_of(r) != float0 else np.zeros(tuple(shape_of(out)) + tuple(shape_of(x)), float0)
                   for r, x in zip(rows, rec.in_leaves)]
            start += n
            g = tree_unflatten(rec.in_tree, jac)
            per_output.append(g[0] if single else g)
        result = tree_unflatten(rec.out_tree, per_output)
        return (result, rec.aux) if has_aux else result

    return jacobian_f


def _basis(leaves: list) -> tuple:
    """The unit vectors of the concatenated ``leaves``, stacked: for each leaf
    an array of shape ``(total,) + leaf.shape`` whose rows ``start..start+n``
    are that leaf's one-hot vectors and whose other rows are zero; and the
    leaves' sizes."""
    sizes = [int(np.prod(shape_of(x), dtype=np.int64)) for x in leaves]
    total = sum(sizes)
    basis, start = [], 0
    for x, n in zip(leaves, sizes):
        e = np.zeros((total, n), dtype_of(x))
        e[start:start + n] = np.eye(n, dtype=dtype_of(x))
        basis.append(e.reshape((total,) + tuple(shape_of(x))))
        start += n
    return basis, sizes


jacrev = jacobian


def jacfwd(fun: Callable[P, Any], argnums: ArgNums = 0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable[P, Any]:
    """The Jacobian of ``fun`` by forward mode: one ``jvp`` pushing every
    basis tangent at once (``vmap`` over the tangents), so its cost grows
    with the input size; :func:`jacrev` is the choice for few outputs.
    Same layout as :func:`jacobian`: shape ``S + I`` for an output of shape
    ``S`` and an input of shape ``I``; pytrees of Jacobians for pytrees.

    >>> import funcgrad, numpy as np
    >>> funcgrad.jacfwd(lambda x: np.stack([x[0] * x[1], np.sin(x[0])]))(np.array([0.0, 2.0]))
    array([[2., 0.],
           [1., 0.]])
    """
    who = "jacfwd"
    check_callable(fun, who)

    @functools.wraps(fun)
    def jacfwd_f(*args: Any, **kwargs: Any) -> Any:
        from ._vmap import vmap

        nums, single, diff, (leaves, in_tree) = _differentiated(args, argnums, who, False,
                                                                holomorphic)
        leaves = [_as_array(x) for x in leaves]
        basis, sizes = _basis(leaves)
        total = sum(sizes)
        primals = tree_unflatten(in_tree, leaves)
        f = _partial(fun, args, kwargs, nums)

        def push(*tangent_leaves: Any) -> Any:
            out = jvp(f, primals, tree_unflatten(in_tree, list(tangent_leaves)), has_aux=has_aux)
            return (out[1], out[2]) if has_aux else out[1]

        pushed = vmap(push, out_axes=(0, None) if has_aux else 0, axis_size=total)(*basis)
        tangents, aux = pushed if has_aux else (pushed, None)
        t_leaves, out_tree = tree_flatten(tangents)
        per_output = []
        for t in t_leaves:
            out_shape = tuple(shape_of(t))[1:]
            jac, start = [], 0
            for x, n in zip(leaves, sizes):
                block = fnp.reshape(t[start:start + n], tuple(shape_of(x)) + out_shape)
                jac.append(fnp.moveaxis(block, tuple(range(len(shape_of(x)))),
                                        tuple(range(-len(shape_of(x)), 0))))
                start += n
            g = tree_unflatten(in_tree, jac)
            per_output.append(g[0] if single else g)
        result = tree_unflatten(out_tree, per_output)
        return (result, aux) if has_aux else result

    return jacfwd_f


def hessian(fun: Callable[P, Any], argnums: ArgNums = 0, has_aux: bool = False,
            holomorphic: bool = False) -> Callable[P, Any]:
    """The Hessian of a scalar-valued ``fun``: ``jacfwd(jacrev(fun))``
    (forward over reverse, as JAX's).
    For an input of shape ``I`` the result has shape ``I + I``.

    >>> import funcgrad, numpy as np
    >>> funcgrad.hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    check_callable(fun, "hessian")
    inner = jacobian(fun, argnums, has_aux=has_aux, holomorphic=holomorphic)
    outer = jacfwd(inner, argnums, has_aux=has_aux, holomorphic=holomorphic)

    @functools.wraps(fun)
    def hessian_f(*args: Any, **kwargs: Any) -> Any:
        check_array_args(args, _argnums(argnums, len(args), "hessian")[0], "hessian")
        return outer(*args, **kwargs)

    return hessian_f


def jvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
        has_aux: bool = False) -> tuple:
    """Forward mode: ``(fun(*primals), J @ tangents)`` in one pass.

    Each operation pushes its tangent forward by its JVP rule while it
    computes its value (no graph, no backward pass). ``primals`` and
    ``tangents`` are tuples (or lists) with one entry per argument, of the
    same pytree structure, shapes and dtypes (an integer or boolean primal
    takes a :data:`float0` tangent). ``has_aux=True``: ``fun`` returns
    ``(output, aux)`` and ``jvp`` returns ``(output, tangent, aux)``.

    >>> import funcgrad, numpy as np
    >>> funcgrad.jvp(np.sin, (0.0,), (2.0,))
    (np.float64(0.0), np.float64(2.0))
    >>> funcgrad.jvp(lambda x, y: x * y, (np.array([1.0, 2.0]), 3.0), (np.ones(2), 0.0))
    (array([3., 6.]), array([3., 3.]))
    """
    check_callable(fun, "jvp")
    p_leaves, p_tree, t_leaves = _check_tangents(primals, tangents, "jvp")
    trace = new_jvp_trace()
    boxed = [trace.new_input(p, t) for p, t in zip(p_leaves, t_leaves)]
    try:
        result = fun(*tree_unflatten(p_tree, boxed))
    finally:
        trace.alive = False
    aux = None
    if has_aux:
        result, aux = _split_aux(result, "jvp")
        aux = tree_map(lambda a: _unbox_at(a, trace), aux)
    out_leaves, out_tree = tree_flatten(result)
    outs, t_outs = [], []
    for o in out_leaves:
        t = tangent_of(o, trace)
        o = _as_array(_unbox_at(o, trace))
        outs.append(o)
        t_outs.append(_zero_tangent(o) if t is None else t)
    out, t_out = tree_unflatten(out_tree, outs), tree_unflatten(out_tree, t_outs)
    return (out, t_out, aux) if has_aux else (out, t_out)


def _split_aux(result: Any, who: str) -> tuple:
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError(
            f"{who}(..., has_aux=True) requires the function to return a pair "
            f"(output, auxiliary_data), but it returned {_describe(result)}.")
    return result[0], result[1]


def _zero_tangent(x: Any) -> Any:
    """The tangent of a value no input's tangent reaches: zeros (``float0``
    for an integer or boolean value, as in JAX)."""
    if _is_inexact(x):
        return ops.like(ops.zeros_like(x), x)
    return np.zeros(shape_of(x), float0)


def _check_tangents(primals: Any, tangents: Any, who: str) -> tuple:
    """Flatten ``primals`` and ``tangents``, checking them as JAX does:
    ``(primal_leaves, tree, tangent_leaves)``, a tangent ``None`` where it
    is zero (a ``float0`` tangent of an integer primal)."""
    for name, v in (("primal", primals), ("tangent", tangents)):
        if not isinstance(v, (tuple, list)):
            raise TypeError(
                f"{name} and tangent arguments to funcgrad.{who} must be tuples or lists "
                f"(one entry per argument of the function); found {type(v).__name__}.")
    check_array_args(tuple(primals), range(len(primals)), who)
    p_leaves, p_tree = tree_flatten(tuple(primals))
    t_leaves, t_tree = tree_flatten(tuple(tangents))
    if p_tree != t_tree:
        raise TypeError(
            f"primal and tangent arguments to funcgrad.{who} must have the same tree "
            f"structure; primals have tree structure {p_tree} whereas tangents have tree "
            f"structure {t_tree}.")
    ps, ts = [], []
    for p, t in zip(p_leaves, t_leaves):
        if type(p) is np.ndarray and type(t) is np.ndarray and p.dtype is t.dtype and \
                p.shape == t.shape and p.dtype.kind in "fc":  # the usual case, at once
            ps.append(p)
            ts.append(t)
            continue
        p, t = _as_array(p), _as_tangent(t, p)
        p_shape, t_shape = tuple(shape_of(p)), tuple(shape_of(t))
        if p_shape != t_shape:
            raise ValueError(
                f"funcgrad.{who} called with different primal and tangent shapes; got "
                f"primal shape {p_shape} and tangent shape {t_shape}.")
        p_dtype, t_dtype = dtype_of(p), dtype_of(t)
        want = p_dtype if p_dtype.kind in "fc" else float0
        if t_dtype != want:
            raise TypeError(
                f"primal and tangent arguments to funcgrad.{who} do not match; dtypes must "
                "be equal, or in case of int/bool primal dtype the tangent dtype must be "
                f"float0. Got primal dtype {p_dtype} and so expected tangent dtype {want}, "
                f"but got tangent dtype {t_dtype} instead.")
        ps.append(p)
        ts.append(t if want is not float0 else None)
    return ps, p_tree, ts


def _as_tangent(t: Any, primal: Any) -> Any:
    """A tangent leaf as an array; a Python number takes its primal's dtype
    (``jvp(f, (x32,), (1.0,))``), as weakly typed values do in JAX."""
    if isinstance(t, (bool, int, float, complex)) and not isinstance(primal, (bool, int)):
        d = dtype_of(primal)
        if d.kind in "fc":
            return np.asarray(t, d)
    return _as_array(t)


def linearize(fun: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """``(fun(*primals), f_jvp)``: ``f_jvp(*tangents)`` is the JVP at
    ``primals`` as a linear function, evaluated without running ``fun``'s
    primal computation again.

    ``fun`` runs once under forward mode with symbolic tangents: the
    tangent operations are recorded as a small linear program whose
    constants are the primal values they read (residuals); ``f_jvp``
    replays only that program.

    >>> import funcgrad, numpy as np
    >>> out, f_jvp = funcgrad.linearize(np.sin, np.array([0.0, np.pi]))
    >>> f_jvp(np.array([1.0, 2.0]))
    array([ 1., -2.])
    """
    check_callable(fun, "linearize")
    check_array_args(primals, range(len(primals)), "linearize")
    from ._core.linear import LinearProgram
    p_leaves, p_tree = tree_flatten(primals)
    p_leaves = [_as_array(p) for p in p_leaves]
    program = LinearProgram([p if _is_inexact(p) else None for p in p_leaves])
    trace = new_jvp_trace()
    boxed = [trace.new_input(p, t) for p, t in zip(p_leaves, program.inputs)]
    try:
        result = fun(*tree_unflatten(p_tree, boxed))
    finally:
        trace.alive = False
        program.close()
    aux = None
    if has_aux:
        result, aux = _split_aux(result, "linearize")
        aux = tree_map(lambda a: _unbox_at(a, trace), aux)
    out_leaves, out_tree = tree_flatten(result)
    outs = [_as_array(_unbox_at(o, trace)) for o in out_leaves]
    program.set_outputs([tangent_of(o, trace) for o in out_leaves], outs)
    out = tree_unflatten(out_tree, outs)

    def f_jvp(*tangents: Any) -> Any:
        _, _, t_leaves = _check_tangents(primals, tangents, "linearize")
        return tree_unflatten(out_tree, [
            _zero_tangent(o) if t is None else t for t, o in zip(program(t_leaves), outs)])

    return (out, f_jvp, aux) if has_aux else (out, f_jvp)


# --- stop_gradient ----------------------------------------------------------
_stop_gradient = Primitive("stop_gradient", lambda x: x, differentiable=False)


def stop_gradient(x: Any) -> Any:
    """``x`` as a constant: no gradient flows through it, at any nesting level.
    Works on pytrees.

    >>> import funcgrad, numpy as np
    >>> funcgrad.grad(lambda x: x * funcgrad.stop_gradient(x))(3.0)
    np.float64(3.0)
    """
    return tree_map(_stop_gradient, x)


# --- custom_vjp -------------------------------------------------------------
class _CustomVJPNode(Node):
    """A node whose VJP is a user's ``bwd(*nondiff, residuals, g)``."""

    __slots__ = ("fun", "bwd", "res", "nondiff", "in_tree", "out_tree", "n_out", "leaf_meta",
                 "diff_positions")

    def contributions(self, g: Any):
        if self.res is _FREED:
            raise RuntimeError("custom_vjp: the residuals of this call were already freed")
        if self.n_out > 1 or isinstance(g, tuple):
            g = tuple(ops.zeros_like(m) if gi is None else gi for gi, m in zip(g, self.out))
        g_tree = tree_unflatten(self.out_tree, list(g) if isinstance(g, tuple) else [g])
        cts = self.bwd(*self.nondiff, self.res, g_tree)
        ct_leaves = _bwd_cotangents(cts, self.in_tree, self.leaf_meta, self.fun, self.bwd)
        for k, parent in self.parents:
            ct = ct_leaves[k]
            if ct is not None:
                yield parent, ops.fit(ct, self.leaf_meta[k])

    def release(self) -> None:
        self.res = _FREED


_FREED = object()

_BWD_STRUCTURE = (
    "Custom VJP bwd rule must produce an output with the same container (pytree) structure "
    "as the args tuple of the primal function, and in particular must produce a tuple of "
    "length equal to the number of arguments to the primal function, but got bwd output "
    "structure {got} for primal input structure {want}{where} ({names}). A cotangent may "
    "be None for a zero cotangent of a whole argument or subtree.")
_BWD_AVAL = (
    "Custom VJP bwd rule must produce an output with the same shape/dtypes as the args tuple "
    "of the primal function. At output{where}, the bwd rule produced an output of "
    "shape/dtype {got} corresponding to an input of shape/dtype {want} ({names}).")


def _bwd_names(fun: Any, bwd: Any) -> str:
    name = lambda f: getattr(f, "__qualname__", None) or repr(f)  # noqa: E731
    return f"custom_vjp function {name(fun)!r}, bwd rule {name(bwd)!r}"


def _bwd_cotangents(cts: Any, in_tree: PyTreeDef, metas: list, fun: Any, bwd: Any) -> list:
    """The leaves of a ``bwd`` rule's output ``cts``, checked against the
    primal arguments (structure ``in_tree``, leaves ``metas``) as JAX checks
    them: the same containers (``None`` standing for zeros of any subtree),
    and each leaf's shape and dtype (a Python scalar is weakly typed: it
    fits any 0-d primal of its kind or a wider one). ``None`` leaves mean
    zero."""
    n_args = len(in_tree.children)
    if not isinstance(cts, (tuple, list)) or len(cts) != n_args:
        raise TypeError(_BWD_STRUCTURE.format(got=tree_flatten(cts)[1], want=in_tree, where="",
                                              names=_bwd_names(fun, bwd)))
    leaves: list = []
    for k, (arg_ct, arg_def) in enumerate(zip(cts, in_tree.children)):
        _cotangent_leaves(arg_ct, arg_def, f"[{k}]", leaves, cts, in_tree, fun, bwd)
    for where, ct, meta in zip(_leaf_paths(in_tree), leaves, metas):
        if ct is not None and not _fits_primal(ct, meta):
            raise ValueError(_BWD_AVAL.format(where=where, got=_aval_str(ct), want=_aval_str(meta),
                                              names=_bwd_names(fun, bwd)))
    return leaves


def _cotangent_leaves(ct: Any, td: PyTreeDef, where: str, out: list, cts: Any,
                      in_tree: PyTreeDef, fun: Any, bwd: Any) -> None:
    """Append ``ct``'s leaves, of structure ``td`` (module-level recursion: a
    recursive closure would be a reference cycle)."""
    if ct is None:  # zeros for the whole subtree
        out.extend([None] * td.num_leaves)
        return
    children, tree = _children(ct)
    if td.nodetype is None and tree is None:
        out.append(ct)
        return
    if td.nodetype is None or tree is None or tree.nodetype is not td.nodetype or tree.aux != td.aux \
            or len(children) != len(td.children):
        raise TypeError(_BWD_STRUCTURE.format(
            got=tree_flatten(cts)[1], want=in_tree, where=f" (at output{where})",
            names=_bwd_names(fun, bwd)))
    for k, (c, c_def) in enumerate(zip(children, td.children)):
        _cotangent_leaves(c, c_def, f"{where}[{_key(td, k)}]", out, cts, in_tree, fun, bwd)


def _children(x: Any) -> tuple:
    """``x``'s children and its one-level structure (``None``: a leaf)."""
    kind = _node_type(x)
    if kind is None:
        return (), None
    children, aux = kind.flatten(x)
    children = list(children)
    return children, PyTreeDef(type(x), aux, tuple(_LEAF for _ in children))


def _key(td: PyTreeDef, k: int) -> str:
    return repr(td.aux[k]) if td.nodetype is dict else str(k)


def _leaf_paths(in_tree: PyTreeDef) -> list:
    """Key paths (``"[0]['w']"``) of the leaves of ``in_tree``, in order."""
    paths: list = []
    _paths_into(in_tree, "", paths)
    return paths


def _paths_into(td: PyTreeDef, where: str, paths: list) -> None:
    if td.nodetype is None:
        paths.append(where)
        return
    for k, c in enumerate(td.children):
        _paths_into(c, f"{where}[{_key(td, k)}]", paths)


_PY_FITS = {bool: "", int: "fc", float: "fc", complex: "c"}
"""The dtype kinds of the 0-d primals a Python scalar cotangent fits (it is
weakly typed, as in JAX: ``(0,)`` or ``(1.0,)`` for a float32 scalar)."""


def _fits_primal(ct: Any, meta: "_Shape") -> bool:
    """Whether cotangent ``ct`` has primal ``meta``'s shape and (tangent)
    dtype: the same dtype; ``float0`` or the primal's own dtype for an
    integer or boolean primal; a Python scalar for a 0-d primal whose kind
    is one it fits (``_PY_FITS``)."""
    kinds = _PY_FITS.get(type(ct))
    if kinds is not None:
        return meta.shape == () and meta.dtype.kind in kinds
    try:
        shape, dtype = tuple(shape_of(ct)), dtype_of(ct)
    except (TypeError, ValueError):
        return False
    if shape != meta.shape:
        return False
    if meta.dtype.kind in "fc":
        return dtype == meta.dtype
    return dtype == float0 or dtype == meta.dtype


def _aval_str(x: Any) -> str:
    """JAX's short form of a shape and dtype: ``float64[3]``, ``float32[]``."""
    if type(x) in _PY_FITS:
        return f"{type(x).__name__} (a Python scalar, shape [])"
    try:
        shape, dtype = tuple(shape_of(x)), dtype_of(x)
    except (TypeError, ValueError):
        return f"a value of type {type(x).__name__}"
    name = "float0" if dtype == float0 else dtype.name
    return f"{name}[{','.join(map(str, shape))}]"


class custom_vjp:
    """A function with a hand-written VJP (JAX semantics).

    >>> import funcgrad, numpy as np
    >>> @funcgrad.custom_vjp
    ... def clip_gradient(x):
    ...     return x
    >>> def fwd(x):
    ...     return x, None
    >>> def bwd(res, g):
    ...     return (np.clip(g, -1.0, 1.0),)
    >>> clip_gradient.defvjp(fwd, bwd)
    >>> funcgrad.grad(lambda x: 5.0 * clip_gradient(x))(2.0)
    np.float64(1.0)

    ``fwd(*args) -> (output, residuals)``; ``bwd(*nondiff_args, residuals,
    g) -> tuple`` with one cotangent (or ``None``) per differentiable
    argument. Under nested transforms the outer ones differentiate ``fwd``
    and ``bwd`` as ordinary code, as in JAX.
    """

    def __init__(self, fun: Callable[..., Any], nondiff_argnums: Sequence[int] = ()) -> None:
        check_callable(fun, "custom_vjp")
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd: Optional[Callable[..., Any]] = None
        self.bwd: Optional[Callable[..., Any]] = None
        self.forward_is_fun = False  # (checkpoint: fwd computes fun itself)

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> None:
        check_callable(fwd, "custom_vjp.defvjp (fwd)")
        check_callable(bwd, "custom_vjp.defvjp (bwd)")
        self.fwd = fwd
        self.bwd = bwd

    def __call__(self, *args: Any) -> Any:
        if self.fwd is None or self.bwd is None:
            raise TypeError(
                f"custom_vjp function {getattr(self.fun, '__name__', self.fun)!r} has no "
                "VJP rule: call .defvjp(fwd, bwd) before using it.")
        nondiff_pos = tuple(i % len(args) for i in self.nondiff_argnums)
        diff_pos = tuple(i for i in range(len(args)) if i not in nondiff_pos)
        diff_args = tuple(args[i] for i in diff_pos)
        leaves, in_tree = tree_flatten(diff_args)
        top = None
        for x in leaves:
            if isinstance(x, Box) and (top is None or x._trace.level > top.level):
                top = x._trace
        if top is None:
            return self.fun(*args)
        if isinstance(top, JVPTrace):
            if self.forward_is_fun:  # checkpoint: forward mode differentiates fun itself
                return self.fun(*args)
            raise TypeError(
                "can't apply forward-mode autodiff (jvp) to a custom_vjp function "
                f"({getattr(self.fun, '__name__', self.fun)!r}): it defines only a VJP. "
                "Use reverse mode (grad, vjp, jacrev) for it.")
        vals, parents = top.unbox(leaves)
        full = list(args)
        for i, v in zip(diff_pos, tree_unflatten(in_tree, vals)):
            full[i] = v
        result = self.fwd(*full)
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError("custom_vjp fwd rule must return a pair (output, residuals), "
                            f"got {_describe(result)}.")
        out, res = result
        out_leaves, out_tree = tree_flatten(out)
        node = _CustomVJPNode(None, (), {}, tuple(out_leaves), parents)
        node.fun = self.fun
        node.bwd = self.bwd
        node.res = res
        node.nondiff = tuple(args[i] for i in nondiff_pos)
        node.in_tree = in_tree
        node.out_tree = out_tree
        node.n_out = len(out_leaves)
        node.leaf_meta = [_Shape(v) for v in vals]
        if out_tree.nodetype is None:
            return top.box(out_leaves[0], node)
        boxes = [top.box(o, ItemNode(node, k, len(out_leaves))) for k, o in enumerate(out_leaves)]
        return tree_unflatten(out_tree, boxes)


class _Shape:
    __slots__ = ("shape", "dtype")

    def __init__(self, x: Any) -> None:
        self.shape = tuple(shape_of(x))
        self.dtype = dtype_of(x)


def checkpoint(fun: Callable[P, T]) -> Callable[P, T]:
    """Rematerialisation: ``fun``'s intermediate values are not kept for the
    backward pass but recomputed when needed, trading compute for memory.

    >>> import funcgrad, numpy as np
    >>> deep = funcgrad.checkpoint(lambda x: np.sin(np.sin(x)))
    >>> float(funcgrad.grad(deep)(0.0))
    1.0
    """
    check_callable(fun, "checkpoint")

    def fwd(*args: Any) -> tuple:
        return fun(*args), args

    def bwd(args: tuple, g: Any) -> tuple:
        _, f_vjp = vjp(fun, *args)
        return f_vjp(g)

    wrapped = custom_vjp(fun)
    wrapped.defvjp(fwd, bwd)
    wrapped.forward_is_fun = True
    return functools.wraps(fun)(lambda *args: wrapped(*args))  # type: ignore[return-value]
