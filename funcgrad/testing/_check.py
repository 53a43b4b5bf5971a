"""Gradient checking against central finite differences in float64."""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..numpy._registry import dtype_of
from ..tree_util import tree_flatten, tree_unflatten

# Default tolerances per precision (atol, rtol) for comparing analytic with numeric.
_TOLERANCES = {
    np.dtype(np.float16): (1e-1, 1e-1),
    np.dtype(np.float32): (2e-3, 2e-3),
    np.dtype(np.float64): (1e-5, 1e-5),
    np.dtype(np.complex64): (2e-3, 2e-3),
    np.dtype(np.complex128): (1e-5, 1e-5),
}


def check_grads(fun: Callable[..., Any], args: Sequence[Any], order: int = 1,
                modes: Sequence[str] = ("rev",), eps: Optional[float] = None,
                atol: Optional[float] = None, rtol: Optional[float] = None,
                seed: int = 0) -> None:
    """Check ``fun``'s derivatives at ``args`` against central differences.

    Reverse mode (``"rev"``) compares ``vjp(u)`` for a random cotangent
    ``u`` with the finite-difference gradient of ``<u, fun(x)>`` computed in
    float64, element by element; forward mode (``"fwd"``) compares ``jvp``
    along a random tangent with the directional difference. ``order=2``
    checks the derivatives of the first-order VJP too, and so on.
    ``args`` may hold pytrees. Raises ``AssertionError`` naming the
    argument, the worst element and both values.

    >>> import numpy as np
    >>> from funcgrad.testing import check_grads
    >>> check_grads(np.sin, (np.array([0.1, 0.7]),), order=2)
    """
    from ..transforms import jvp, vjp
    args = tuple(args)
    rng = np.random.default_rng(seed)
    leaves, tree = tree_flatten(args)
    leaves = [np.asarray(x) if not hasattr(x, "shape") else x for x in leaves]
    diff = [i for i, x in enumerate(leaves) if dtype_of(x).kind in "fc"]
    if not diff:
        raise ValueError("check_grads: no floating-point or complex argument to differentiate")

    def call(flat: list) -> Any:
        return fun(*tree_unflatten(tree, flat))

    out = call(leaves)
    out_leaves, out_tree = tree_flatten(out)
    cts = [_random_like(o, rng) for o in out_leaves]
    for mode in modes:
        if mode == "rev":
            _check_rev(call, leaves, diff, out_tree, cts, eps, atol, rtol)
        elif mode == "fwd":
            _check_fwd(call, leaves, diff, rng, eps, atol, rtol, jvp)
        else:
            raise ValueError(f"check_grads: unknown mode {mode!r}; use 'rev' and/or 'fwd'")
    if order > 1:
        def pulled(*flat: Any) -> list:
            _, f_vjp = vjp(lambda *xs: call(list(xs)), *flat)
            g = f_vjp(tree_unflatten(out_tree, cts))
            return [g[i] for i in diff]
        check_grads(pulled, leaves, order - 1, modes, eps, atol, rtol, seed + 1)


def _random_like(x: Any, rng: np.random.Generator) -> np.ndarray:
    dt = dtype_of(x)
    shape = np.shape(x) if not hasattr(x, "shape") else tuple(x.shape)
    if dt.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)
    if dt.kind == "f":
        return rng.standard_normal(shape).astype(dt)
    return np.zeros(shape, dt)


def _objective(call: Callable[[list], Any], cts: list) -> Callable[[list], float]:
    """x -> Re(sum(u * fun(x))) in float64: the function whose gradient the
    VJP with cotangent u is (JAX's convention for complex values)."""
    def f(flat: list) -> float:
        outs, _ = tree_flatten(call(flat))
        total = 0.0
        for o, u in zip(outs, cts):
            if dtype_of(o).kind in "fc":
                total += float(np.real(np.sum(np.asarray(u, np.complex128) * np.asarray(o))))
        return total
    return f


def _tolerances(dt: np.dtype, atol: Optional[float], rtol: Optional[float]) -> tuple:
    a, r = _TOLERANCES.get(np.dtype(dt), (1e-5, 1e-5))
    return (a if atol is None else atol), (r if rtol is None else rtol)


def _widen(x: Any) -> np.ndarray:
    return np.asarray(x, np.complex128 if dtype_of(x).kind == "c" else np.float64)


def _check_rev(call, leaves, diff, out_tree, cts, eps, atol, rtol) -> None:
    from ..transforms import vjp
    _, f_vjp = vjp(lambda *xs: call(list(xs)), *leaves)
    analytic = f_vjp(tree_unflatten(out_tree, cts))
    wide = [_widen(x) if i in diff else x for i, x in enumerate(leaves)]
    obj = _objective(call, cts)
    for i in diff:
        x = wide[i]
        h = eps if eps is not None else 1e-6 * max(1.0, float(np.max(np.abs(x), initial=0.0)))
        numeric = np.zeros(x.shape, x.dtype)
        parts = (1.0, 1j) if x.dtype.kind == "c" else (1.0,)
        for k in range(x.size):
            for part in parts:
                plus, minus = x.copy(), x.copy()
                plus.flat[k] += h * part
                minus.flat[k] -= h * part
                d = (obj(_with(wide, i, plus, leaves)) - obj(_with(wide, i, minus, leaves))) / (2 * h)
                # JAX convention: the cotangent of z = x + iy is d/dx - i d/dy.
                numeric.flat[k] += d if part == 1.0 else -1j * d
        _compare(f"argument {i}", np.asarray(analytic[i]), numeric, dtype_of(leaves[i]), atol, rtol,
                 "reverse-mode gradient")


def _check_fwd(call, leaves, diff, rng, eps, atol, rtol, jvp) -> None:
    tangents = [_random_like(x, rng) if i in diff else np.zeros(np.shape(x), dtype_of(x))
                for i, x in enumerate(leaves)]
    _, t_out = jvp(lambda *xs: call(list(xs)), tuple(leaves), tuple(tangents))
    wide = [_widen(x) if i in diff else x for i, x in enumerate(leaves)]
    h = eps if eps is not None else 1e-6
    plus = [w + h * t if i in diff else w for i, (w, t) in enumerate(zip(wide, tangents))]
    minus = [w - h * t if i in diff else w for i, (w, t) in enumerate(zip(wide, tangents))]
    num_leaves = [(np.asarray(p, np.complex128) - np.asarray(m, np.complex128)) / (2 * h)
                  for p, m in zip(tree_flatten(call(plus))[0], tree_flatten(call(minus))[0])]
    for j, (a, n) in enumerate(zip(tree_flatten(t_out)[0], num_leaves)):
        dt = dtype_of(a)
        _compare(f"output {j}", np.asarray(a), n if dt.kind == "c" else np.real(n), dt, atol, rtol,
                 "forward-mode tangent")


def _with(wide: list, i: int, value: np.ndarray, leaves: list) -> list:
    flat = list(wide)
    flat[i] = value
    return flat


def _compare(what: str, analytic: np.ndarray, numeric: np.ndarray, dt: np.dtype,
             atol: Optional[float], rtol: Optional[float], kind: str) -> None:
    a_tol, r_tol = _tolerances(dt, atol, rtol)
    if analytic.shape != numeric.shape:
        raise AssertionError(f"{kind} of {what} has shape {analytic.shape}, expected {numeric.shape}")
    err = np.abs(np.asarray(analytic, np.complex128) - numeric)
    bound = a_tol + r_tol * np.abs(numeric)
    bad = err > bound
    if np.any(bad) or not np.all(np.isfinite(analytic) == np.isfinite(numeric)):
        k = int(np.argmax(np.where(np.isfinite(err), err - bound, np.inf)))
        idx = tuple(int(i) for i in np.unravel_index(k, numeric.shape)) if numeric.shape else ()
        raise AssertionError(
            f"{kind} of {what} differs from central finite differences: worst element "
            f"{idx}: analytic {analytic[idx]!r} vs numeric {numeric[idx]!r} "
            f"(|diff| {err[idx]:.3g} > atol {a_tol:g} + rtol {r_tol:g} * |numeric|)")
