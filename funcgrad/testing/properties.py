"""Ready-made gradient properties for property-based tests.

Each ``assert_*`` function checks one identity that correct derivatives
satisfy, at given arguments, and raises ``AssertionError`` with the worst
entry when it fails. Arguments may be pytrees; floating and complex leaves
are differentiated, integer leaves held fixed. Random vectors come from
``numpy.random.default_rng(seed)``.

Pairings follow JAX's convention: ``<a, b> = Re(sum(a * b))`` (no complex
conjugate), under which a cotangent ``c`` of ``z`` is the functional
``dz -> Re(c * dz)``.

>>> import numpy as np
>>> from funcgrad.testing import assert_vjp_jvp_consistent, assert_hessian_symmetric
>>> f = lambda x, y: np.sin(x) * y
>>> assert_vjp_jvp_consistent(f, (np.array([0.1, 0.2]), np.array(3.0)))
>>> assert_hessian_symmetric(lambda x, y: np.sum(f(x, y)), (np.array([0.1, 0.2]), np.array(3.0)))
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..numpy._registry import dtype_of
from ..tree_util import tree_flatten, tree_unflatten
from ._check import _leaf_names, _lowest_precision, _random_like

__all__ = ["assert_vjp_jvp_consistent", "assert_vjp_linear", "assert_hessian_symmetric",
           "assert_functional_facade_agree"]

# (atol, rtol) per precision for identities that hold up to rounding only.
_EXACT_TOLERANCES = {
    np.dtype(np.float16): (1e-2, 1e-2),
    np.dtype(np.float32): (1e-4, 1e-4),
    np.dtype(np.float64): (1e-10, 1e-9),
}


def _flat_args(args: Sequence[Any], who: str) -> tuple:
    if not isinstance(args, (tuple, list)):
        raise TypeError(f"{who}: args must be a tuple of positional arguments, got "
                        f"{type(args).__name__}; for one argument write (x,).")
    leaves, tree = tree_flatten(tuple(args))
    leaves = [x if hasattr(x, "shape") and hasattr(x, "dtype") else np.asarray(x)
              for x in leaves]
    diff = [i for i, x in enumerate(leaves) if dtype_of(x).kind in "fc"]
    if not diff:
        raise ValueError(f"{who}: no floating-point or complex argument to differentiate")
    return leaves, tree, diff


def _tols(dtypes: list, atol: Optional[float], rtol: Optional[float]) -> tuple:
    a, r = _EXACT_TOLERANCES.get(_lowest_precision(dtypes), _EXACT_TOLERANCES[np.dtype(np.float64)])
    return (a if atol is None else atol), (r if rtol is None else rtol), _lowest_precision(dtypes)


def _pair(a: Any, b: Any) -> tuple:
    """``(Re(sum(a * b)), sum(|a| * |b|))``: the pairing and its rounding scale."""
    a = np.asarray(a, np.complex128)
    b = np.asarray(b, np.complex128)
    return float(np.real(np.sum(a * b))), float(np.sum(np.abs(a) * np.abs(b)))


def assert_vjp_jvp_consistent(fun: Callable[..., Any], args: Sequence[Any], *, seed: int = 0,
                              atol: Optional[float] = None, rtol: Optional[float] = None) -> None:
    """Check ``<v, J u> == <J^T v, u>`` for a random tangent ``u`` and a random
    cotangent ``v``: forward mode (:func:`funcgrad.jvp`) and reverse mode
    (:func:`funcgrad.vjp`) describe the same linear map.

    Needs no finite differences, so it is exact up to rounding (default
    tolerances: 1e-9 relative for float64, 1e-4 for float32, scaled by
    ``sum(|v| |J u|)``).

    >>> import numpy as np
    >>> assert_vjp_jvp_consistent(lambda z: z * np.conj(z) + np.exp(z), (np.array([1 + 2j]),))
    """
    from ..transforms import float0, jvp, vjp
    who = "assert_vjp_jvp_consistent"
    leaves, tree, diff = _flat_args(args, who)
    rng = np.random.default_rng(seed)
    tangents = [_random_like(x, rng) if i in diff else np.zeros(np.shape(x), float0)
                for i, x in enumerate(leaves)]
    flat_fun = _flat_function(fun, tree)
    out, t_out = jvp(flat_fun, tuple(leaves), tuple(tangents))
    out_leaves, out_tree = tree_flatten(out)
    cts = [_random_like(o, rng) for o in out_leaves]
    _, f_vjp = vjp(flat_fun, *leaves)
    ct_in = f_vjp(tree_unflatten(out_tree, cts))
    lhs, scale = 0.0, 0.0
    for o, v, t in zip(out_leaves, cts, tree_flatten(t_out)[0]):
        if dtype_of(o).kind in "fc":
            p, s = _pair(v, t)
            lhs, scale = lhs + p, scale + s
    rhs = 0.0
    for i in diff:
        p, s = _pair(ct_in[i], tangents[i])
        rhs, scale = rhs + p, scale + s
    a_tol, r_tol, dt = _tols([dtype_of(x) for x in leaves] + [dtype_of(o) for o in out_leaves],
                             atol, rtol)
    if not abs(lhs - rhs) <= a_tol + r_tol * scale:
        raise AssertionError(
            f"{who}: forward and reverse mode disagree (seed {seed}): <v, JVP(u)> = {lhs!r} "
            f"but <VJP(v), u> = {rhs!r}; |difference| {abs(lhs - rhs):.3g} > atol {a_tol:g} + "
            f"rtol {r_tol:g} * {scale:.3g} (tolerances for {dt}).")


def assert_vjp_linear(fun: Callable[..., Any], args: Sequence[Any], *, seed: int = 0,
                      atol: Optional[float] = None, rtol: Optional[float] = None) -> None:
    """Check that the VJP is linear in its cotangent:
    ``VJP(a v1 + b v2) == a VJP(v1) + b VJP(v2)`` for random cotangents
    ``v1``, ``v2`` and random real ``a``, ``b``.

    >>> import numpy as np
    >>> assert_vjp_linear(lambda x: np.tanh(x) ** 2, (np.linspace(-1, 1, 4),))
    """
    from ..transforms import vjp
    who = "assert_vjp_linear"
    leaves, tree, diff = _flat_args(args, who)
    names = _leaf_names(tree, "argument")
    rng = np.random.default_rng(seed)
    out, f_vjp = vjp(_flat_function(fun, tree), *leaves)
    out_leaves, out_tree = tree_flatten(out)
    v1 = [_random_like(o, rng) for o in out_leaves]
    v2 = [_random_like(o, rng) for o in out_leaves]
    a, b = rng.uniform(-2.0, 2.0, size=2)
    mixed = [np.asarray(a * x + b * y, dtype_of(o)) for x, y, o in zip(v1, v2, out_leaves)]
    g1 = f_vjp(tree_unflatten(out_tree, v1))
    g2 = f_vjp(tree_unflatten(out_tree, v2))
    gm = f_vjp(tree_unflatten(out_tree, mixed))
    for i in diff:
        expected = a * np.asarray(g1[i], np.complex128) + b * np.asarray(g2[i], np.complex128)
        scale = abs(a) * np.abs(np.asarray(g1[i])) + abs(b) * np.abs(np.asarray(g2[i]))
        a_tol, r_tol, dt = _tols([dtype_of(leaves[i])] + [dtype_of(o) for o in out_leaves],
                                 atol, rtol)
        _assert_close(f"{who}: VJP({a:.3g} v1 + {b:.3g} v2) of {names[i]} (seed {seed})",
                      np.asarray(gm[i], np.complex128), expected, scale, a_tol, r_tol, dt,
                      "VJP of the combination", "combination of VJPs")


def assert_hessian_symmetric(fun: Callable[..., Any], args: Sequence[Any], *,
                             atol: Optional[float] = None, rtol: Optional[float] = None) -> None:
    """Check that the Hessian of the real scalar ``fun`` with respect to all
    its floating-point inputs (together, cross terms included) is symmetric.
    Builds the full Hessian with :func:`funcgrad.hessian`, so keep inputs small.

    >>> import numpy as np
    >>> assert_hessian_symmetric(lambda p: np.sum(np.sin(p["a"]) * p["b"] ** 2),
    ...                          ({"a": np.array([0.1, 0.4]), "b": np.array(2.0)},))
    """
    from ..transforms import hessian
    who = "assert_hessian_symmetric"
    leaves, tree, diff = _flat_args(args, who)
    for i in diff:
        if dtype_of(leaves[i]).kind == "c":
            raise ValueError(f"{who}: needs real inputs; {_leaf_names(tree, 'argument')[i]} is "
                             f"{dtype_of(leaves[i])}.")
    names = _leaf_names(tree, "argument")
    shapes = [tuple(np.shape(leaves[i])) for i in diff]
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    dtype = np.result_type(*[dtype_of(leaves[i]) for i in diff])
    v0 = np.concatenate([np.ravel(leaves[i]).astype(dtype) for i in diff]) if diff else None

    def on_vector(v: Any) -> Any:
        from .. import numpy as fnp
        flat = list(leaves)
        start = 0
        for i, shape, n in zip(diff, shapes, sizes):
            flat[i] = fnp.reshape(v[start:start + n], shape)
            start += n
        return fun(*tree_unflatten(tree, flat))

    h = np.asarray(hessian(on_vector)(v0))
    a_tol, r_tol, dt = _tols([dtype], atol, rtol)
    err = np.abs(h - h.T)
    bound = a_tol + r_tol * np.maximum(np.abs(h), np.abs(h.T))
    if np.all(err <= bound):
        return
    r, c = np.unravel_index(int(np.argmax(np.where(np.isfinite(err), err - bound, np.inf))),
                            h.shape)
    labels = []
    for start, i, shape, n in zip(np.cumsum([0] + sizes[:-1]), diff, shapes, sizes):
        labels.extend(f"{names[i]}{_index_text(np.unravel_index(k, shape))}" for k in range(n))
    raise AssertionError(
        f"{who}: the Hessian is not symmetric: worst pair {(int(r), int(c))}: "
        f"d2f/d[{labels[r]}]d[{labels[c]}] = {h[r, c]!r} but "
        f"d2f/d[{labels[c]}]d[{labels[r]}] = {h[c, r]!r}; |difference| {err[r, c]:.3g} > "
        f"atol {a_tol:g} + rtol {r_tol:g} * |H| (tolerances for {dt}).")


def assert_functional_facade_agree(fun: Callable[..., Any], args: Sequence[Any], *,
                                   facade_fun: Optional[Callable[..., Any]] = None,
                                   seed: int = 0, atol: Optional[float] = None,
                                   rtol: Optional[float] = None) -> None:
    """Check that the functional side and the facade compute the same values
    and gradients for ``fun`` at ``args``.

    Functional: ``funcgrad.vjp(fun, *args)`` with a random cotangent ``v``.
    Facade: every floating-point leaf becomes a ``funcgrad.torch.tensor``
    with ``requires_grad=True`` (same dtype), ``(facade_fun or fun)`` runs
    on them, and ``torch.autograd.backward(outputs, v)`` fills ``.grad``.
    ``fun`` written with :mod:`funcgrad.numpy` functions runs on both;
    pass ``facade_fun`` to write the facade side with tensor methods. The
    outputs must be real. Complex inputs compare the facade's gradient with
    the conjugate of the functional one (PyTorch's convention versus JAX's).

    >>> import numpy as np, funcgrad.numpy as fnp
    >>> assert_functional_facade_agree(lambda x, w: fnp.tanh(x @ w),
    ...     (np.array([[1.0, 2.0]]), np.array([[0.5], [-0.3]])))
    >>> assert_functional_facade_agree(lambda x: fnp.sum(fnp.sin(x) ** 2), (np.array([0.1, 0.5]),),
    ...     facade_fun=lambda x: (x.sin() ** 2).sum())
    """
    from .. import torch
    from ..transforms import vjp
    who = "assert_functional_facade_agree"
    leaves, tree, diff = _flat_args(args, who)
    names = _leaf_names(tree, "argument")
    rng = np.random.default_rng(seed)
    out, f_vjp = vjp(_flat_function(fun, tree), *leaves)
    out_leaves, out_tree = tree_flatten(out)
    for j, o in enumerate(out_leaves):
        if dtype_of(o).kind == "c":
            raise ValueError(f"{who}: output {j} is complex ({dtype_of(o)}); the functional "
                             "side and the facade use different complex conventions for "
                             "outputs, so compare real outputs (e.g. take .real or abs).")
    cts = [_random_like(o, rng) for o in out_leaves]
    g_fun = f_vjp(tree_unflatten(out_tree, cts))
    tensors = [torch.tensor(np.array(x), requires_grad=True) if i in diff else x
               for i, x in enumerate(leaves)]
    t_out = _flat_function(facade_fun or fun, tree)(*tensors)
    t_leaves, t_tree = tree_flatten(t_out)
    if t_tree != out_tree:
        raise AssertionError(f"{who}: the facade's output has structure {t_tree}, the "
                             f"functional side's {out_tree}.")
    roots, grads = [], []
    for j, (t, o, v) in enumerate(zip(t_leaves, out_leaves, cts)):
        value = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        a_tol, r_tol, dt = _tols([dtype_of(o)], atol, rtol)
        _assert_close(f"{who}: value of output {j}", np.asarray(value, np.complex128),
                      np.asarray(o, np.complex128), np.abs(np.asarray(o)), a_tol, r_tol, dt,
                      "facade", "functional")
        if isinstance(t, torch.Tensor) and t.requires_grad and dtype_of(o).kind == "f":
            roots.append(t)
            grads.append(torch.tensor(np.asarray(v, value.dtype)))
    if roots:
        torch.autograd.backward(roots, grads)
    for i in diff:
        g = tensors[i].grad
        facade = np.zeros(np.shape(leaves[i]), dtype_of(leaves[i])) if g is None else g.numpy()
        expected = np.asarray(g_fun[i])
        if dtype_of(leaves[i]).kind == "c":
            expected = np.conj(expected)
        if facade.dtype != expected.dtype:
            raise AssertionError(f"{who}: the facade's gradient of {names[i]} has dtype "
                                 f"{facade.dtype}, the functional one {expected.dtype}.")
        a_tol, r_tol, dt = _tols([dtype_of(leaves[i])] + [dtype_of(o) for o in out_leaves],
                                 atol, rtol)
        _assert_close(f"{who}: gradient of {names[i]} (seed {seed})",
                      np.asarray(facade, np.complex128), np.asarray(expected, np.complex128),
                      np.abs(expected), a_tol, r_tol, dt, "facade", "functional")


def _index_text(idx: tuple) -> str:
    return "" if len(idx) == 0 else "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _flat_function(fun: Callable[..., Any], tree: Any) -> Callable[..., Any]:
    def flat_fun(*xs: Any) -> Any:
        return fun(*tree_unflatten(tree, list(xs)))
    return flat_fun


def _assert_close(what: str, actual: np.ndarray, expected: np.ndarray, scale: np.ndarray,
                  a_tol: float, r_tol: float, dt: np.dtype, actual_name: str,
                  expected_name: str) -> None:
    err = np.abs(actual - expected)
    bound = a_tol + r_tol * scale
    bad = ~(err <= bound)
    if not np.any(bad):
        return
    k = int(np.argmax(np.where(np.isfinite(err), err - bound, np.inf)))
    idx = tuple(int(i) for i in np.unravel_index(k, err.shape)) if err.shape else ()
    raise AssertionError(
        f"{what}: worst element {idx}: {actual_name} {complex(actual[idx])!r} vs "
        f"{expected_name} {complex(expected[idx])!r}; |difference| {err[idx]:.3g} > atol "
        f"{a_tol:g} + rtol {r_tol:g} * scale (tolerances for {dt}); "
        f"{int(np.count_nonzero(bad))} of {bad.size} element(s) outside.")
