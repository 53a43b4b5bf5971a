"""Gradient checking against central finite differences in float64.

The analytic derivatives (reverse mode through :func:`funcgrad.vjp`, forward
mode through :func:`funcgrad.jvp`) are compared element by element with
central differences computed on float64 (complex128) copies of the inputs.
Non-scalar outputs are reduced with random cotangents, complex values follow
JAX's convention (a cotangent ``c`` of ``z = x + iy`` is ``dL/dx - i dL/dy``),
and ``order=k`` repeats the check on the VJP itself, k levels deep.

The two building blocks are public so that other checkers share them (the
facade's ``torch.autograd.gradcheck`` uses both): :func:`numerical_jacobian`
(central differences, one element at a time) and :func:`find_mismatch`
(elementwise ``atol + rtol * |numeric|`` comparison that locates the worst
element).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..numpy._registry import dtype_of
from ..tree_util import PyTreeDef, tree_flatten, tree_unflatten

# Default tolerances (atol, rtol) per real precision; a complex dtype uses the
# entry of its real part. The lowest precision among an argument and the
# function's outputs decides.
_TOLERANCES = {
    np.dtype(np.float16): (5e-2, 5e-2),
    np.dtype(np.float32): (2e-3, 2e-3),
    np.dtype(np.float64): (1e-5, 1e-5),
}
_MODES = ("rev", "fwd")
_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def check_grads(fun: Callable[..., Any], args: Sequence[Any], order: int = 1,
                modes: Sequence[str] = ("rev",), eps: Optional[float] = None,
                atol: Optional[float] = None, rtol: Optional[float] = None,
                *, seed: int = 0) -> None:
    """Check ``fun``'s derivatives at ``args`` against central finite differences.

    ``args`` is the tuple of positional arguments; each may be a pytree
    (tuples, lists, dicts, dataclasses, ...). Floating and complex leaves are
    differentiated, integer and boolean leaves are held fixed.

    * ``modes``: ``"rev"`` compares the VJP of a random output cotangent
      ``u`` with the finite-difference gradient of ``Re(sum(u * fun(x)))``,
      element by element; ``"fwd"`` compares :func:`funcgrad.jvp` along a
      random tangent ``u`` with the directional difference, and checks that
      forward and reverse mode agree: ``<jvp(u), v> == <u, vjp(v)>`` for a
      random cotangent ``v`` (pairing ``Re(sum(a * b))``).
    * ``order=k`` checks derivatives up to order ``k``: order 2 checks the
      derivatives of the order-1 VJP (with its random cotangent fixed), and so on.
    * ``eps``: the finite-difference step (default: ``cbrt(machine epsilon)``
      of the outputs' precision, scaled by the largest input magnitude).
    * ``atol`` / ``rtol``: default by dtype, the lowest precision among the
      argument and the outputs (float64: 1e-5; float32: 2e-3; float16: 5e-2).
    * ``seed``: for the random cotangents and tangents (keyword only).

    Differences are computed on float64 / complex128 copies of the inputs;
    the analytic derivatives at the inputs as given, so a float32 argument
    must also get a float32 gradient. On failure an ``AssertionError`` names
    the mode, the order, the argument (with its path inside a pytree), the
    worst element's index and the analytic and numeric values there.

    >>> import numpy as np
    >>> from funcgrad.testing import check_grads
    >>> check_grads(np.sin, (np.array([0.1, 0.7]),), order=2, modes=("rev", "fwd"))
    >>> def loss(params, x):
    ...     return np.tanh(x @ params["w"] + params["b"])
    >>> params = {"w": np.array([[0.5], [-0.3]]), "b": np.array([0.1])}
    >>> check_grads(loss, (params, np.array([[1.0, 2.0]])))
    """
    if isinstance(modes, str):
        modes = (modes,)
    modes = tuple(modes)
    for mode in modes:
        if mode not in _MODES:
            raise ValueError(f"check_grads: unknown mode {mode!r}; use 'rev' and/or 'fwd'.")
    if not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"check_grads: order must be a positive integer, got {order!r}.")
    if not isinstance(args, (tuple, list)):
        raise TypeError(
            "check_grads: args must be a tuple (or list) of positional arguments, got "
            f"{type(args).__name__}; for one argument write (x,).")
    leaves, tree = tree_flatten(tuple(args))
    leaves = [x if hasattr(x, "shape") and hasattr(x, "dtype") else np.asarray(x)
              for x in leaves]
    names = _leaf_names(tree, "argument")
    diff = [i for i, x in enumerate(leaves) if dtype_of(x).kind in "fc"]
    if not diff:
        raise ValueError(
            "check_grads: none of the arguments has a floating-point or complex leaf, so "
            "there is nothing to differentiate.")
    rng = np.random.default_rng(seed)
    opts = _Options(modes, eps, atol, rtol)

    def call(flat: Sequence[Any]) -> Any:
        return fun(*tree_unflatten(tree, list(flat)))

    _check_order(call, leaves, names, diff, order, 1, opts, rng)


def numerical_jacobian(f: Callable[[np.ndarray], Any], x: Any, eps: float, *,
                       direction: complex = 1.0) -> np.ndarray:
    """Central-difference derivatives of ``f`` at ``x``, one element at a time.

    Element ``k`` of ``x`` is moved by ``+eps * direction`` and
    ``-eps * direction`` (the other elements unchanged) and
    ``(f(plus) - f(minus)) / (2 * eps)`` is stored at index ``k``. The result
    has shape ``x.shape + shape_of_f's_output``: for a scalar-valued ``f`` it is
    the gradient, for an array-valued one the input-major Jacobian (reshape to
    ``(x.size, out.size)`` for a matrix).

    ``f`` receives a fresh array of ``x``'s dtype each call (it may keep or
    modify it) and returns anything ``np.asarray`` accepts. ``direction=1j``
    perturbs imaginary parts of a complex ``x``; combining both directions
    gives a complex convention: JAX's cotangent of a real ``L`` is
    ``d/dRe - 1j * d/dIm``, PyTorch's gradient is ``d/dRe + 1j * d/dIm``.
    The arithmetic happens in ``x``'s and ``f``'s dtypes: pass float64 for
    accurate differences.

    >>> import numpy as np
    >>> from funcgrad.testing._check import numerical_jacobian
    >>> np.round(numerical_jacobian(lambda v: v ** 2, np.array([1.0, 3.0]), 1e-6), 6)
    array([[2., 0.],
           [0., 6.]])
    >>> z = np.array([1.0 + 2.0j])
    >>> f = lambda v: np.abs(v[0]) ** 2                     # d/dRe = 2 Re, d/dIm = 2 Im
    >>> np.round(numerical_jacobian(f, z, 1e-6, direction=1j), 6)
    array([4.])
    """
    x = np.asarray(x)
    if np.iscomplexobj(direction) and np.imag(direction) != 0 and x.dtype.kind != "c":
        raise ValueError("numerical_jacobian: a complex direction needs a complex x, got "
                         f"dtype {x.dtype}.")
    if x.size == 0:
        out = np.asarray(f(x.copy()))
        dt = np.result_type(out.dtype, np.float64 if x.dtype.kind not in "fc" else x.dtype)
        return np.zeros(x.shape + out.shape, dt)
    jac: Optional[np.ndarray] = None
    step = eps * direction
    for k in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[k] += step
        minus.flat[k] -= step
        d = (np.asarray(f(plus)) - np.asarray(f(minus))) / (2 * eps)
        if jac is None:
            jac = np.zeros(x.shape + d.shape, d.dtype)
        jac[np.unravel_index(k, x.shape)] = d
    assert jac is not None
    return jac


@dataclasses.dataclass
class Mismatch:
    """Where an analytic derivative and a numeric one disagree most
    (returned by :func:`find_mismatch`).

    ``index``: the worst element; ``analytic`` / ``numeric``: the values there;
    ``error`` and ``bound``: ``|analytic - numeric|`` and
    ``atol + rtol * |numeric|`` there; ``count`` of ``size`` elements are
    outside their bound.
    """
    index: tuple
    analytic: Any
    numeric: Any
    error: float
    bound: float
    atol: float
    rtol: float
    count: int
    size: int

    def describe(self, note: str = "") -> str:
        """Two indented lines naming the worst element and how far off it is;
        ``note`` goes after the tolerance formula.

        >>> import numpy as np
        >>> m = find_mismatch(np.array([1.0, 2.5]), np.array([1.0, 2.0]), 1e-5, 1e-5)
        >>> print(m.describe())
          worst element (1,): analytic 2.5 vs numeric 2
          |analytic - numeric| = 0.5 > atol 1e-05 + rtol 1e-05 * |numeric|; 1 of 2 element(s) outside
        """
        return (f"  worst element {self.index}: analytic {_fmt(self.analytic)} vs numeric "
                f"{_fmt(self.numeric)}\n"
                f"  |analytic - numeric| = {self.error:.3g} > atol {self.atol:g} + rtol "
                f"{self.rtol:g} * |numeric|{note}; {self.count} of {self.size} element(s) "
                "outside")


def find_mismatch(analytic: Any, numeric: Any, atol: float, rtol: float, *,
                  equal_nan: bool = True) -> Optional[Mismatch]:
    """Compare elementwise: ``|analytic - numeric| <= atol + rtol * |numeric|``
    (NumPy's ``allclose`` rule, ``numeric`` being the reference).

    Returns ``None`` when every element passes, else a :class:`Mismatch` for
    the element furthest outside its bound (a finite value against an infinite
    or NaN one counts as the worst). With ``equal_nan=True`` (what
    :func:`check_grads` does) two non-finite values in the same place pass;
    with ``equal_nan=False`` (what ``torch.allclose`` and so ``gradcheck``
    do) a NaN anywhere fails and infinities must be equal.

    >>> import numpy as np
    >>> find_mismatch(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), 1e-5, 1e-3) is None
    True
    >>> find_mismatch(np.array([1.0, 3.0]), np.array([1.0, 2.0]), 1e-5, 1e-3).index
    (1,)
    """
    a = np.asarray(np.asarray(analytic), np.complex128)
    n = np.asarray(np.asarray(numeric), np.complex128)
    a, n = np.broadcast_arrays(a, n)
    with np.errstate(invalid="ignore"):
        err = np.abs(a - n)
        bound = atol + rtol * np.abs(n)
        nonfinite = np.isfinite(a) != np.isfinite(n)
        if not equal_nan:
            nonfinite |= np.isnan(a) | np.isnan(n) | (np.isinf(a) & np.isinf(n) & (a != n))
        bad = (err > bound) | nonfinite
        if not np.any(bad):
            return None
        excess = np.where(np.isfinite(err) & ~nonfinite, err - bound, np.inf)
    k = int(np.argmax(excess))
    idx = tuple(int(i) for i in np.unravel_index(k, n.shape)) if n.shape else ()
    a_raw, n_raw = np.broadcast_arrays(np.asarray(analytic), np.asarray(numeric))
    return Mismatch(idx, a_raw[idx], n_raw[idx], float(err[idx]), float(bound[idx]),
                    float(atol), float(rtol), int(np.count_nonzero(bad)), int(bad.size))


@dataclasses.dataclass
class _Options:
    modes: tuple
    eps: Optional[float]
    atol: Optional[float]
    rtol: Optional[float]


def _check_order(call: Callable[[Sequence[Any]], Any], leaves: list, names: list, diff: list,
                 order: int, level: int, opts: _Options, rng: np.random.Generator) -> None:
    from ..transforms import vjp
    out = call(leaves)
    out_leaves, out_tree = tree_flatten(out)
    out_names = _leaf_names(out_tree, "output", top_level=False)
    cts = [_random_like(o, rng) for o in out_leaves]
    if "rev" in opts.modes:
        _check_rev(call, leaves, names, diff, out_leaves, out_tree, cts, level, opts)
    if "fwd" in opts.modes:
        _check_fwd(call, leaves, diff, out_leaves, out_names, level, opts, rng)
    if order > level:
        def pulled(flat: Sequence[Any]) -> list:
            out, f_vjp = vjp(lambda *xs: call(list(xs)), *flat)
            fitted = [np.asarray(c, dtype_of(o)) for c, o in zip(cts, tree_flatten(out)[0])]
            g = f_vjp(tree_unflatten(out_tree, fitted))
            return [g[i] for i in diff]
        _check_order(pulled, leaves, names, diff, order, level + 1, opts, rng)


def _leaf_names(tree: PyTreeDef, root: str, top_level: bool = True) -> list:
    """A readable path for every leaf: ``argument 0``, ``argument 1['w']``."""
    names: list = []
    if top_level and tree.nodetype is tuple:
        for i, child in enumerate(tree.children):
            _walk_names(child, f"{root} {i}", names)
    else:
        _walk_names(tree, root, names)
    return names


def _walk_names(td: PyTreeDef, prefix: str, names: list) -> None:
    if td.nodetype is None:
        names.append(prefix)
        return
    if td.nodetype is dict:
        labels = [f"[{k!r}]" for k in td.aux]
    elif hasattr(td.nodetype, "_fields") and len(td.nodetype._fields) == len(td.children):
        labels = [f".{f}" for f in td.nodetype._fields]
    elif dataclasses.is_dataclass(td.nodetype) and \
            len(dataclasses.fields(td.nodetype)) == len(td.children):
        labels = [f".{f.name}" for f in dataclasses.fields(td.nodetype)]
    else:
        labels = [f"[{i}]" for i in range(len(td.children))]
    for label, child in zip(labels, td.children):
        _walk_names(child, prefix + label, names)


def _random_like(x: Any, rng: np.random.Generator) -> np.ndarray:
    dt = dtype_of(x)
    shape = tuple(np.shape(x)) if not hasattr(x, "shape") else tuple(x.shape)
    if dt.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)
    if dt.kind == "f":
        return rng.standard_normal(shape).astype(dt)
    return np.zeros(shape, dt)


def _real_dtype(dt: np.dtype) -> np.dtype:
    dt = np.dtype(dt)
    if dt.kind == "c":
        return np.dtype(np.finfo(dt).dtype)
    return dt if dt.kind == "f" else np.dtype(np.float64)


def _lowest_precision(dtypes: Sequence[np.dtype]) -> np.dtype:
    reals = [_real_dtype(d) for d in dtypes if np.dtype(d).kind in "fc"]
    if not reals:
        return np.dtype(np.float64)
    return max(reals, key=lambda d: np.finfo(d).eps)


def _tolerances(dt: np.dtype, opts: _Options) -> tuple:
    a, r = _TOLERANCES.get(_real_dtype(dt), _TOLERANCES[np.dtype(np.float64)])
    return (a if opts.atol is None else opts.atol), (r if opts.rtol is None else opts.rtol)


def _widen(x: Any) -> np.ndarray:
    return np.array(x, np.complex128 if dtype_of(x).kind == "c" else np.float64)


def _step(wide_out_dtypes: list, scale: float, opts: _Options) -> float:
    if opts.eps is not None:
        return float(opts.eps)
    unit = float(np.finfo(_lowest_precision(wide_out_dtypes)).eps) ** (1 / 3)
    return unit * max(1.0, scale)


def _objective(call: Callable[[Sequence[Any]], Any], cts: list) -> Callable[[list], float]:
    """x -> Re(sum(u * fun(x))): the function whose gradient the VJP with
    cotangent u is (JAX's convention for complex values)."""
    def f(flat: list) -> float:
        total = 0.0
        for o, u in zip(tree_flatten(call(flat))[0], cts):
            if dtype_of(o).kind in "fc":
                total += float(np.real(np.sum(np.asarray(u, np.complex128) * np.asarray(o))))
        return total
    return f


def _check_rev(call, leaves, names, diff, out_leaves, out_tree, cts, level, opts) -> None:
    from ..transforms import vjp
    _, f_vjp = vjp(lambda *xs: call(list(xs)), *leaves)
    analytic = f_vjp(tree_unflatten(out_tree, cts))
    wide = [_widen(x) if i in diff else x for i, x in enumerate(leaves)]
    wide_out = [dtype_of(o) for o in tree_flatten(call(wide))[0]]
    out_dtypes = [dtype_of(o) for o in out_leaves]
    obj = _objective(call, cts)
    for i in diff:
        x = wide[i]
        what = f"reverse-mode gradient of {names[i]}"
        g = analytic[i]
        _check_meta(what, g, leaves[i], level)
        h = _step(wide_out, float(np.max(np.abs(x), initial=0.0)), opts)

        def along(xi: np.ndarray, i: int = i) -> float:
            return obj(_replace(wide, i, xi))
        numeric = numerical_jacobian(along, x, h)
        if x.dtype.kind == "c":
            # JAX convention: the cotangent of z = x + iy is dL/dx - i dL/dy.
            numeric = numeric - 1j * numerical_jacobian(along, x, h, direction=1j)
        dt = _lowest_precision([dtype_of(leaves[i])] + out_dtypes + wide_out)
        _compare(what, level, np.asarray(g), numeric, dt, h, opts)


def _check_fwd(call, leaves, diff, out_leaves, out_names, level, opts, rng) -> None:
    from ..transforms import float0, jvp
    tangents = [_random_like(x, rng) if i in diff else np.zeros(np.shape(x), float0)
                for i, x in enumerate(leaves)]
    _, t_out = jvp(lambda *xs: call(list(xs)), tuple(leaves), tuple(tangents))
    wide = [_widen(x) if i in diff else x for i, x in enumerate(leaves)]
    wide_out = [dtype_of(o) for o in tree_flatten(call(wide))[0]]
    scale = max(float(np.max(np.abs(wide[i]), initial=0.0)) for i in diff)
    h = _step(wide_out, scale, opts)
    plus = [w + h * t if i in diff else w for i, (w, t) in enumerate(zip(wide, tangents))]
    minus = [w - h * t if i in diff else w for i, (w, t) in enumerate(zip(wide, tangents))]
    numeric = [(np.asarray(p, np.complex128) - np.asarray(m, np.complex128)) / (2 * h)
               for p, m in zip(tree_flatten(call(plus))[0], tree_flatten(call(minus))[0])]
    in_dtypes = [dtype_of(leaves[i]) for i in diff]
    for j, (o, a, n) in enumerate(zip(out_leaves, tree_flatten(t_out)[0], numeric)):
        dt = dtype_of(o)
        if dt.kind not in "fc":
            continue
        what = f"forward-mode tangent of {out_names[j]}"
        _check_meta(what, a, o, level)
        prec = _lowest_precision(in_dtypes + [dt] + wide_out)
        _compare(what, level, np.asarray(a), n if dt.kind == "c" else np.real(n), prec, h, opts)
    from .properties import assert_vjp_jvp_consistent
    assert_vjp_jvp_consistent(lambda *xs: call(list(xs)), leaves, seed=int(rng.integers(2**31)))


def _replace(flat: list, i: int, value: np.ndarray) -> list:
    out = list(flat)
    out[i] = value
    return out


def _level_text(level: int) -> str:
    if level == 1:
        return "order 1"
    return (f"order {level}: the {_ORDINAL.get(level - 1, f'order-{level - 1}')}-order VJP "
            "(random cotangent fixed), differentiated")


def _check_meta(what: str, analytic: Any, primal: Any, level: int) -> None:
    a_shape, p_shape = tuple(np.shape(analytic)), tuple(np.shape(primal))
    if a_shape != p_shape:
        raise AssertionError(
            f"check_grads ({_level_text(level)}): {what} has shape {a_shape}, expected "
            f"{p_shape} (the shape of its primal).")
    if dtype_of(analytic) != dtype_of(primal):
        raise AssertionError(
            f"check_grads ({_level_text(level)}): {what} has dtype {dtype_of(analytic)}, "
            f"expected {dtype_of(primal)} (the dtype of its primal).")


def _compare(what: str, level: int, analytic: np.ndarray, numeric: np.ndarray,
             dt: np.dtype, h: float, opts: _Options) -> None:
    a_tol, r_tol = _tolerances(dt, opts)
    m = find_mismatch(analytic, numeric, a_tol, r_tol)
    if m is None:
        return
    raise AssertionError(
        f"check_grads ({_level_text(level)}): {what} does not match central finite "
        f"differences.\n{m.describe(f' (tolerances for {dt})')}; finite-difference step "
        f"{h:.3g}")


def _fmt(v: Any) -> str:
    v = complex(v) if np.iscomplexobj(v) else float(v)
    if isinstance(v, complex):
        return f"{v.real:.10g}{v.imag:+.10g}j"
    return f"{v:.10g}"
