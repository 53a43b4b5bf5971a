"""``vmap``: map a function over an axis of its arguments, by batching rules.

The function runs once, on batched values (boxes of a
:class:`~funcgrad._core.batching.BatchTrace`) that look like one example;
each primitive's batching rule computes the whole batch at once.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar

import numpy as np

from . import numpy as fnp
from ._core import Box, ops
from ._core.batching import BatchTrace, new_batch_trace
from .numpy._registry import shape_of
from .tree_util import tree_flatten, tree_unflatten

from ._core import defbatch as _defbatch  # noqa: E402
from .numpy import _batching as _B  # noqa: E402
from .transforms import _stop_gradient  # noqa: E402

_defbatch(_B.broadcasting, _stop_gradient)  # (its family is the transforms module)

F = TypeVar("F", bound=Callable[..., Any])


def vmap(fun: Callable[..., Any], in_axes: Any = 0, out_axes: Any = 0,
         axis_size: Optional[int] = None) -> Callable[..., Any]:
    """Vectorise ``fun`` over an axis of its arguments (JAX's ``vmap``).

    ``in_axes``: an int, ``None`` (not mapped) or a tuple/pytree prefix of
    the positional arguments giving each one's mapped axis (negative axes
    count from the end); keyword arguments are mapped along axis 0.
    ``out_axes``: likewise for the outputs (``None``: an output that does not
    depend on the mapped axis, returned once). ``axis_size``: the batch size
    when no argument is mapped.

    The function runs once: each primitive's batching rule handles the
    whole batch (no Python loop), and transforms compose with ``vmap`` in
    any order (``vmap(grad(f))`` gives per-example gradients).

    >>> import funcgrad, numpy as np
    >>> funcgrad.vmap(lambda x: x @ x)(np.arange(6.0).reshape(3, 2))
    array([ 1., 13., 41.])
    >>> w = np.array([1.0, 2.0])
    >>> loss = lambda w, x, y: (np.tanh(x @ w) - y) ** 2
    >>> xs, ys = np.eye(2), np.array([0.0, 1.0])
    >>> funcgrad.vmap(funcgrad.grad(loss), in_axes=(None, 0, 0))(w, xs, ys).shape
    (2, 2)
    >>> funcgrad.vmap(lambda a, b: a * b, in_axes=(0, None))(np.ones(3), 2.0)
    array([2., 2., 2.])
    """
    if not callable(fun):
        raise TypeError(f"vmap requires a callable as its first argument, got {fun!r}")
    _check_axes_spec(in_axes, "in_axes")
    _check_axes_spec(out_axes, "out_axes")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)  # (JAX: a list is a pytree prefix like a tuple)

    @functools.wraps(fun)
    def batched(*args: Any, **kwargs: Any) -> Any:
        leaves, axes, treedef = _flat_axes(args, kwargs, in_axes)
        size = _batch_size(leaves, axes, axis_size, args, kwargs, in_axes)
        trace = new_batch_trace(size)
        boxed = [x if ax is None else _enter(trace, x, ax) for x, ax in zip(leaves, axes)]
        b_args, b_kwargs = tree_unflatten(treedef, boxed)
        try:
            out = fun(*b_args, **b_kwargs)
        finally:
            trace.alive = False
        # (an output computed as a plain array comes back as the kind of the
        # mapped arguments: a facade tensor for tensors)
        kind = next((x for x, ax in zip(leaves, axes) if ax is not None), None)
        return _leave(trace, out, out_axes, size, kind)

    return batched


def _check_axes_spec(spec: Any, what: str) -> None:
    for leaf in tree_flatten(spec, is_leaf=lambda x: x is None)[0]:
        if leaf is not None and not isinstance(leaf, (int, np.integer)) or isinstance(leaf, bool):
            raise TypeError(f"vmap {what} must be an int, None, or (nested) container with "
                            f"those types as leaves, but got {leaf!r}.")


def _match_prefix(spec: Any, tree: Any, what: str, path: str) -> list:
    if spec is None or isinstance(spec, (int, np.integer)):
        return [spec] * len(tree_flatten(tree)[0])
    if isinstance(spec, (tuple, list)) and isinstance(tree, (tuple, list)) and \
            not hasattr(tree, "_fields") and not hasattr(spec, "_fields"):
        if len(spec) != len(tree):
            raise ValueError(
                f"vmap {what} specification must be a tree prefix of the corresponding "
                f"value, got specification {spec!r} for value of length {len(tree)}{path}: "
                f"{what} has {len(spec)} entries for {len(tree)} values.")
        out = []
        for k, (s, t) in enumerate(zip(spec, tree)):
            out.extend(_match_prefix(s, t, what, f"{path}[{k}]"))
        return out
    if isinstance(spec, dict) and isinstance(tree, dict):
        if set(spec) != set(tree):
            raise ValueError(
                f"vmap {what} specification must be a tree prefix of the corresponding "
                f"value: dict keys {sorted(map(str, spec))} do not match "
                f"{sorted(map(str, tree))}{path}.")
        out = []
        for k in sorted(tree):
            out.extend(_match_prefix(spec[k], tree[k], what, f"{path}[{k!r}]"))
        return out
    if hasattr(spec, "_fields") and type(spec) is type(tree):  # namedtuples
        out = []
        for name in spec._fields:
            out.extend(_match_prefix(getattr(spec, name), getattr(tree, name), what,
                                     f"{path}.{name}"))
        return out
    s_leaves, s_def = tree_flatten(spec, is_leaf=lambda x: x is None)
    if s_def == tree_flatten(tree)[1]:  # other registered nodes: the full structure
        return s_leaves
    raise ValueError(
        f"vmap {what} specification must be a tree prefix of the corresponding value, "
        f"got specification {spec!r} for value {_kind(tree)}{path}.")


def _kind(x: Any) -> str:
    return f"of type {type(x).__name__}"


def _flat_axes(args: tuple, kwargs: dict, in_axes: Any) -> tuple:
    if isinstance(in_axes, tuple) and len(in_axes) != len(args):
        raise ValueError(
            f"vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
            f"positional arguments passed to the function, but got len(in_axes)="
            f"{len(in_axes)}, len(args)={len(args)}")
    axes = _match_prefix(in_axes, args, "in_axes", "") if not isinstance(in_axes, dict) \
        else _match_prefix((in_axes,), args, "in_axes", "")
    axes = axes + _match_prefix(0, kwargs, "in_axes", "")
    leaves, treedef = tree_flatten((args, kwargs))
    if len(leaves) != len(axes):  # (cannot happen: both walk the same tree)
        raise ValueError("vmap: in_axes do not match the arguments")
    return leaves, axes, treedef


def _ndim(x: Any) -> int:
    return len(shape_of(x))


def _batch_size(leaves: list, axes: list, axis_size: Optional[int], args: tuple,
                kwargs: dict, in_axes: Any) -> int:
    sizes = []
    for x, ax in zip(leaves, axes):
        if ax is None:
            continue
        nd = _ndim(x)
        if not -nd <= ax < nd:
            raise ValueError(
                f"vmap was requested to map its argument along axis {ax}, which implies that "
                f"its rank should be at least {ax + 1 if ax >= 0 else -ax}, but is only {nd} "
                f"(its shape is {tuple(shape_of(x))})")
        sizes.append(shape_of(x)[ax])
    if not sizes:
        if axis_size is None:
            raise ValueError("vmap must have at least one non-None value in in_axes "
                             "(or be given axis_size)")
        return int(axis_size)
    if axis_size is not None and any(s != axis_size for s in sizes):
        raise ValueError(f"vmap got inconsistent sizes for array axes to be mapped: "
                         f"axis_size={axis_size} but the mapped axes have sizes {sorted(set(sizes))}")
    if any(s != sizes[0] for s in sizes):
        lines = []
        k = 0
        for i, arg in enumerate(args):
            for x, ax in zip(*_arg_leaves(arg, leaves, axes, k)):
                if ax is not None:
                    lines.append(f"  * argument {i} (leaf of shape {tuple(shape_of(x))}) has "
                                 f"axis {ax} of size {shape_of(x)[ax]}")
            k += len(tree_flatten(arg)[0])
        for name, v in sorted(kwargs.items()):
            for x in tree_flatten(v)[0]:
                lines.append(f"  * keyword argument {name!r} (shape {tuple(shape_of(x))}) has "
                             f"axis 0 of size {shape_of(x)[0]}")
        raise ValueError("vmap got inconsistent sizes for array axes to be mapped:\n"
                         + "\n".join(lines))
    return sizes[0]


def _arg_leaves(arg: Any, leaves: list, axes: list, k: int) -> tuple:
    n = len(tree_flatten(arg)[0])
    return leaves[k:k + n], axes[k:k + n]


def _enter(trace: BatchTrace, x: Any, ax: int) -> Box:
    if not isinstance(x, Box) and not isinstance(x, np.ndarray):
        x = np.asarray(x)
    nd = _ndim(x)
    ax = ax % nd
    if ax:
        x = fnp.moveaxis(x, ax, 0)
    return trace.box(x)


def _leave(trace: BatchTrace, out: Any, out_axes: Any, size: int, kind: Any = None) -> Any:
    leaves, treedef = tree_flatten(out)
    axes = _match_prefix(out_axes, out, "out_axes", "")
    result = []
    for x, ax in zip(leaves, axes):
        batched = isinstance(x, Box) and _is_of(x, trace)
        if not batched and not isinstance(x, (Box, np.ndarray, np.generic, int, float, complex)):
            result.append(x)  # (not an array: a dtype, a string... returned as it is)
            continue
        if ax is None:
            if batched:
                raise ValueError(
                    "vmap has mapped output but out_axes is None: an output that depends on "
                    "the mapped arguments cannot be returned unmapped")
            result.append(x)
            continue
        if batched:
            value = x._value
        else:  # the same for every example: broadcast along the new axis
            shape = tuple(shape_of(x))
            value = fnp.broadcast_to(x, (size,) + shape) if isinstance(x, Box) else \
                ops.like(np.broadcast_to(np.asarray(x), (size,) + shape), kind)
        nd = _ndim(value)
        if not -nd <= ax < nd:
            raise ValueError(f"vmap out_axes={ax} is out of range for an output of rank "
                             f"{nd - 1} (batched rank {nd})")
        ax %= nd
        result.append(fnp.moveaxis(value, 0, ax) if ax else value)
    return tree_unflatten(treedef, result)


def _is_of(x: Box, trace: BatchTrace) -> bool:
    return x._trace is trace
