"""Differentiable ``scipy.special``.

Each function's value is SciPy's; each derivative is written with SciPy's own
functions (``gammaln' = digamma``, ``digamma' = polygamma(1, .)``, ...) and
funcgrad.numpy operations, so every function differentiates to any order.

Conventions at boundaries (tested in tests/scipy/test_boundaries.py):

* ``xlogy(0, y)`` and ``xlog1py(0, y)`` are 0 for every ``y``, so the
  gradient in ``y`` is 0 where ``x == 0`` (also at ``y == 0``); the gradient
  in ``x`` is ``log(y)`` (``-inf`` at ``y == 0``, the limit from ``x > 0``).
* ``entr(0) = rel_entr(0, y) = 0``: the gradient in ``y`` is 0 where
  ``x == 0``; in ``x`` it is ``+inf`` for ``entr`` and ``-inf`` for
  ``rel_entr`` (the one-sided derivatives).
* ``logsumexp`` of a slice that is all ``-inf`` is ``-inf`` with gradient 0
  (no element carries weight); ``softmax``/``log_softmax`` likewise give 0
  where the weights are 0.
* ``i1``/``i1e`` at 0: derivative 1/2 (the limit).
* ``gammainc``/``gammaincc``/``betainc``/``stdtr`` are differentiable in
  their last argument (the point ``x``) only: asking for the gradient in a
  shape parameter raises ``TypeError``.
* ``polygamma(n, x)`` and ``multigammaln(a, d)``: ``n`` and ``d`` are integers.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special as _sp

from .. import numpy as fnp
from .._core import concrete as _strip
from .._core import defbatch
from .._core.primitive import defjvp, defjvp_from_vjp, defjvp_joint
from ..numpy import _batching as _B
from ._registry import elementwise, exports, joint_primitive, primitive, register

F = "special"
_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _shape_only(name: str, arg: str):
    """The rule of an argument with no gradient: a clear error if it is asked for."""
    def rule(ans, *args):
        raise TypeError(f"funcgrad.scipy.special.{name} is differentiable in {arg} only; "
                        f"its other arguments must be constants (no gradient is defined "
                        f"for them here)")
    return rule


def _ratio0(x: Any, y: Any) -> Any:
    """``x / y``, and 0 at ``x == y == 0`` (the convention there; no 0/0 computed).
    Elsewhere it is the plain quotient, so its own derivatives are the usual ones."""
    zero = np.asarray(_strip(fnp.equal(x, 0))) & np.asarray(_strip(fnp.equal(y, 0)))
    if not zero.any():
        return x / y
    return fnp.where(zero, 0.0, x / fnp.where(zero, 1.0, y))


# --- error function and the normal distribution --------------------------------------
erf = elementwise("erf", _sp.erf, lambda ans, x: fnp.exp(-x * x) * (2 / _SQRT_PI), family=F)
erfc = elementwise("erfc", _sp.erfc, lambda ans, x: fnp.exp(-x * x) * (-2 / _SQRT_PI), family=F)
erfinv = elementwise("erfinv", _sp.erfinv, lambda ans, x: fnp.exp(ans * ans) * (_SQRT_PI / 2),
                     family=F, notes="Gradient is infinite at +-1.")
erfcinv = elementwise("erfcinv", _sp.erfcinv,
                      lambda ans, x: fnp.exp(ans * ans) * (-_SQRT_PI / 2), family=F,
                      notes="Gradient is infinite at 0 and 2.")
ndtr = elementwise("ndtr", _sp.ndtr, lambda ans, x: fnp.exp(-x * x / 2) / _SQRT_2PI, family=F)
ndtri = elementwise("ndtri", _sp.ndtri, lambda ans, x: fnp.exp(ans * ans / 2) * _SQRT_2PI,
                    family=F, notes="Gradient is infinite at 0 and 1.")
log_ndtr = elementwise(
    "log_ndtr", _sp.log_ndtr,
    lambda ans, x: fnp.exp(-x * x / 2 - ans) / _SQRT_2PI, family=F,
    notes="Stable far in the left tail: the derivative exp(log phi(x) - log_ndtr(x)) "
          "never divides two underflowed numbers.")

# --- gamma and beta functions ------------------------------------------------------------
gammaln = elementwise("gammaln", _sp.gammaln, lambda ans, x: digamma(x), family=F,
                      notes="Gradient digamma(x) (for negative x too: log|Gamma|).")
gamma = elementwise("gamma", _sp.gamma, lambda ans, x: ans * digamma(x), family=F)
rgamma = elementwise("rgamma", _sp.rgamma, lambda ans, x: -ans * digamma(x), family=F,
                     notes="1 / gamma(x); derivative -rgamma(x) digamma(x) (0 at the poles).")
gammasgn = elementwise("gammasgn", _sp.gammasgn, lambda ans, x: ans * 0.0, family=F,
                       notes="Piecewise constant: gradient 0.")
digamma = elementwise("digamma", _sp.digamma, lambda ans, x: polygamma(1, x), family=F)
register("special.psi", digamma, F, notes="Alias of digamma.")
polygamma = elementwise("polygamma", _sp.polygamma, None,
                        lambda ans, n, x: polygamma(np.add(_strip(n), 1), x), family=F,
                        notes="n is an integer order (no gradient).")


def _multigammaln_impl(a, d):
    return _sp.multigammaln(a, d)


def _multigammaln_rule(g, ans, a, d):
    return g * fnp.sum(fnp.stack([digamma(a - j / 2) for j in range(int(d))]), axis=0)


_multigammaln = primitive("multigammaln", _multigammaln_impl, _multigammaln_rule, None,
                          family=F, public=False)


def multigammaln(a: Any, d: int) -> Any:
    """Differentiable ``scipy.special.multigammaln(a, d)``: the log of the
    multivariate gamma function; gradient ``sum_j digamma(a - j / 2)``.

    >>> import funcgrad, numpy as np
    >>> from funcgrad.scipy.special import multigammaln, digamma
    >>> bool(np.isclose(funcgrad.grad(multigammaln)(3.0, 2), digamma(3.0) + digamma(2.5)))
    True
    """
    return _multigammaln(a, int(d))


register("special.multigammaln", multigammaln, F, notes="d is an integer (no gradient).")


def _beta_parts(a: Any, b: Any) -> tuple:
    dab = digamma(a + b)
    return digamma(a) - dab, digamma(b) - dab


betaln = elementwise("betaln", _sp.betaln, lambda ans, a, b: _beta_parts(a, b)[0],
                     lambda ans, a, b: _beta_parts(a, b)[1], family=F)
beta = elementwise("beta", _sp.beta, lambda ans, a, b: ans * _beta_parts(a, b)[0],
                   lambda ans, a, b: ans * _beta_parts(a, b)[1], family=F)


def _gammainc_dx(ans, a, x):
    return fnp.exp((a - 1) * fnp.log(x) - x - gammaln(a))


gammainc = elementwise("gammainc", _sp.gammainc, _shape_only("gammainc", "x"), _gammainc_dx,
                       family=F, notes="Differentiable in x only (a must be a constant).")
gammaincc = elementwise("gammaincc", _sp.gammaincc, _shape_only("gammaincc", "x"),
                        lambda ans, a, x: -_gammainc_dx(ans, a, x), family=F,
                        notes="Differentiable in x only (a must be a constant).")


def _betainc_dx(ans, a, b, x):
    return fnp.exp((a - 1) * fnp.log(x) + (b - 1) * fnp.log1p(-x) - betaln(a, b))


betainc = elementwise("betainc", _sp.betainc, _shape_only("betainc", "x"),
                      _shape_only("betainc", "x"), _betainc_dx, family=F,
                      notes="Differentiable in x only (a and b must be constants).")


def _stdtr_dt(ans, df, t):
    return fnp.exp(gammaln((df + 1) / 2) - gammaln(df / 2) - fnp.log(df * math.pi) / 2
                   - (df + 1) / 2 * fnp.log1p(t * t / df))


stdtr = elementwise("stdtr", _sp.stdtr, _shape_only("stdtr", "t"), _stdtr_dt, family=F,
                    notes="Student's t CDF; differentiable in t only (df must be a constant).")

# --- logistic function ---------------------------------------------------------------------
expit = elementwise("expit", _sp.expit, lambda ans, x: ans * (1 - ans), family=F)
logit = elementwise("logit", _sp.logit, lambda ans, x: 1 / (x * (1 - x)), family=F,
                    notes="Gradient is infinite at 0 and 1.")
log_expit = elementwise("log_expit", _sp.log_expit, lambda ans, x: expit(-x), family=F,
                        notes="Stable for large |x|: the gradient is expit(-x).")

# --- x log y and entropies ---------------------------------------------------------------
xlogy = elementwise("xlogy", _sp.xlogy, lambda ans, x, y: fnp.log(y),
                    lambda ans, x, y: _ratio0(x, y), family=F,
                    notes="xlogy(0, y) = 0: gradient 0 in y where x == 0 (also at y == 0); "
                          "log(y) in x.")
xlog1py = elementwise("xlog1py", _sp.xlog1py, lambda ans, x, y: fnp.log1p(y),
                      lambda ans, x, y: _ratio0(x, 1 + y), family=F,
                      notes="xlog1py(0, y) = 0: gradient 0 in y where x == 0.")
entr = elementwise("entr", _sp.entr, lambda ans, x: -(fnp.log(x) + 1), family=F,
                   notes="entr(0) = 0 with gradient +inf (one-sided); -inf for x < 0.")
rel_entr = elementwise("rel_entr", _sp.rel_entr, lambda ans, x, y: fnp.log(x / y) + 1,
                       lambda ans, x, y: -_ratio0(x, y), family=F,
                       notes="rel_entr(0, y) = 0: gradient 0 in y where x == 0, -inf in x.")
kl_div = elementwise("kl_div", _sp.kl_div, lambda ans, x, y: fnp.log(x / y),
                     lambda ans, x, y: 1 - x / y, family=F,
                     notes="kl_div(0, y) = y: gradient 1 in y where x == 0, -inf in x.")

# --- modified Bessel functions -------------------------------------------------------------


def _i1_over_x(x: Any) -> Any:
    """``i1(x) / x``, by its series near 0 (1/2 + x^2/16 + x^4/384 + x^6/18432), where
    the quotient and its derivatives would cancel."""
    small = np.asarray(_strip(fnp.less(fnp.abs(x), 1e-3)))
    x2 = x * x
    series = 0.5 + x2 * (1 / 16 + x2 * (1 / 384 + x2 / 18432))
    if small.all():
        return series
    safe = fnp.where(small, 1.0, x)
    return fnp.where(small, series, i1(safe) / safe)


i0 = elementwise("i0", _sp.i0, lambda ans, x: i1(x), family=F)
i0e = elementwise("i0e", _sp.i0e, lambda ans, x: i1e(x) - fnp.sign(x) * ans, family=F,
                  notes="Gradient at 0 is 0 (i1e(0) - sign(0) i0e(0)).")
i1 = elementwise("i1", _sp.i1, lambda ans, x: i0(x) - _i1_over_x(x), family=F,
                 notes="Gradient at 0 is 1/2 (the limit).")
i1e = elementwise("i1e", _sp.i1e,
                  lambda ans, x: i0e(x) - fnp.exp(-fnp.abs(x)) * _i1_over_x(x)
                  - fnp.sign(x) * ans, family=F,
                  notes="Gradient at 0 is 1/2 (the limit).")
# Bessel functions of the first and second kind (x > 0 for y*), and iv/ive of real order v:
# the order is a constant; derivatives by the recurrences (DLMF 10.6.1, 10.29.1).
j0 = elementwise("j0", _sp.j0, lambda ans, x: -j1(x), family=F)
j1 = elementwise("j1", _sp.j1, lambda ans, x: (j0(x) - jn(2, x)) / 2, family=F)
y0 = elementwise("y0", _sp.y0, lambda ans, x: -y1(x), family=F)
y1 = elementwise("y1", _sp.y1, lambda ans, x: (y0(x) - yn(2, x)) / 2, family=F)
jn = elementwise("jn", _sp.jn, None,
                 lambda ans, n, x: (jn(np.subtract(_strip(n), 1), x)
                                    - jn(np.add(_strip(n), 1), x)) / 2, family=F,
                 notes="n is an integer order (no gradient).")
yn = elementwise("yn", _sp.yn, None,
                 lambda ans, n, x: (yn(np.subtract(_strip(n), 1), x)
                                    - yn(np.add(_strip(n), 1), x)) / 2, family=F,
                 notes="n is an integer order (no gradient).")
iv = elementwise("iv", _sp.iv, None,
                 lambda ans, v, x: (iv(np.subtract(_strip(v), 1), x)
                                    + iv(np.add(_strip(v), 1), x)) / 2, family=F,
                 notes="The order v is a constant.")
ive = elementwise("ive", _sp.ive, None,
                  lambda ans, v, x: (ive(np.subtract(_strip(v), 1), x)
                                     + ive(np.add(_strip(v), 1), x)) / 2 - fnp.sign(x) * ans,
                  family=F, notes="The order v is a constant.")
register("special.sinc", fnp.sinc, F, notes="numpy.sinc (as scipy.special.sinc): smooth at 0.")

# --- Hurwitz zeta --------------------------------------------------------------------------
# d/ds zeta(s, q) has no SciPy function: it is the s-derivative of the Euler-Maclaurin
# formula zeta(s, q) = sum_{n<N} (q+n)^-s + a^(1-s)/(s-1) + a^-s/2
#                      + sum_k B_2k/(2k)! s(s+1)...(s+2k-2) a^(-s-2k+1),  a = q + N,
# written with differentiable operations (so its own derivatives follow), accurate to
# ~1e-13 relative for s > 1, q > 0 with N = 12 and five terms.
_EM_N = 12
_EM_B = [(1 / 6) / 2, (-1 / 30) / 24, (1 / 42) / 720, (-1 / 30) / 40320, (5 / 66) / 3628800]


def _zeta_ds(s: Any, q: Any) -> Any:
    total = 0.0
    for n in range(_EM_N):
        qn = q + n
        total = total - fnp.log(qn) * fnp.power(qn, -s)
    a = q + _EM_N
    la = fnp.log(a)
    total = total + fnp.power(a, 1 - s) * (-la / (s - 1) - 1 / ((s - 1) * (s - 1)))
    total = total - la * fnp.power(a, -s) / 2
    poly, dpoly = 1.0, 0.0  # s(s+1)...(s+2k-2) and its s-derivative
    for k, c in enumerate(_EM_B, start=1):
        for j in ((0,) if k == 1 else (2 * k - 3, 2 * k - 2)):
            dpoly = dpoly * (s + j) + poly
            poly = poly * (s + j)
        total = total + c * fnp.power(a, -s - 2 * k + 1) * (dpoly - poly * la)
    return total


_zeta2 = elementwise("zeta", lambda x, q: _sp.zeta(x, q),
                     lambda ans, x, q: _zeta_ds(x, q),
                     lambda ans, x, q: -x * _zeta2(x + 1, q), family=F, public=False)


def zeta(x: Any, q: Any = None) -> Any:
    """Differentiable ``scipy.special.zeta(x, q=None)`` (Riemann's for ``q=None``,
    Hurwitz's otherwise), in both ``x`` (for ``x > 1``) and ``q``.

    >>> import funcgrad
    >>> from funcgrad.scipy.special import zeta
    >>> round(float(funcgrad.grad(zeta)(2.0)), 10)  # zeta'(2)
    -0.9375482543
    """
    return _zeta2(x, 1.0 if q is None else q)


register("special.zeta", zeta, F, notes="Gradient in x by the Euler-Maclaurin series (x > 1); in q: "
                                "-x zeta(x + 1, q).")

# --- reductions: logsumexp, softmax, log_softmax --------------------------------------------


def _keep(v: Any, axis: Any, keepdims: bool, ndim: int) -> Any:
    """A reduced result with its reduced axes back (for broadcasting in rules)."""
    if keepdims or axis is None and ndim == 0:
        return v
    axes = range(ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    shape = list(fnp.shape(v))
    for ax in sorted(a % ndim for a in axes):
        shape.insert(ax, 1)
    return fnp.reshape(v, tuple(shape))


def _lse_impl(a, b=None, axis=None, keepdims=False):
    return tuple(_sp.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True))


def _lse_weights(ans: Any, a: Any, axis: Any, keepdims: bool) -> Any:
    """sign * exp(a - logsumexp): 0 where a slice is all -inf (no weight anywhere)."""
    val, sign = ans
    val = _keep(val, axis, keepdims, fnp.ndim(a))
    sign = np.asarray(_keep(_strip(sign), axis, keepdims, fnp.ndim(a)))
    dead = np.isneginf(np.asarray(_strip(val)))
    w = fnp.exp(a - fnp.where(dead, 0.0, val)) * sign
    return fnp.where(dead, 0.0, w)


def _lse_rule(g, ans, a, b=None, axis=None, keepdims=False):
    w = _lse_weights(ans, a, axis, keepdims) * _keep(g[0], axis, keepdims, fnp.ndim(a))
    if b is None:
        return (w,)
    return (w * b, w)


_logsumexp = joint_primitive("logsumexp", _lse_impl, _lse_rule, family=F, public=False,
                             multiple_results=True)


def logsumexp(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False,
              return_sign: bool = False) -> Any:
    """Differentiable ``scipy.special.logsumexp``: ``log(sum(b * exp(a)))``,
    stable; ``b`` (weights) is differentiable too; ``return_sign=True`` returns
    ``(value, sign)`` with a constant sign. A slice that is all ``-inf`` gives
    ``-inf`` with gradient 0.

    >>> import funcgrad, numpy as np
    >>> from funcgrad.scipy.special import logsumexp
    >>> funcgrad.grad(logsumexp)(np.log(np.array([1.0, 3.0])))
    array([0.25, 0.75])
    """
    if isinstance(axis, list):
        axis = tuple(axis)
    out = _logsumexp(a, axis=axis, keepdims=keepdims) if b is None else \
        _logsumexp(a, b, axis=axis, keepdims=keepdims)
    return (out[0], out[1]) if return_sign else out[0]


register("special.logsumexp", logsumexp, F, notes="Gradient sign * b * exp(a - lse); 0 for a slice "
                                          "that is all -inf. b is differentiable.")


def _softmax_rule(g, ans, x, axis=None):
    return ans * (g - fnp.sum(g * ans, axis=axis, keepdims=True))


softmax = primitive("softmax", lambda x, axis=None: _sp.softmax(x, axis=axis), _softmax_rule,
                    family=F)


def _log_softmax_rule(g, ans, x, axis=None):
    return g - fnp.exp(ans) * fnp.sum(g, axis=axis, keepdims=True)


log_softmax = primitive("log_softmax", lambda x, axis=None: _sp.log_softmax(x, axis=axis),
                        _log_softmax_rule, family=F)


# --- JVP rules (forward mode) -----------------------------------------------
# (the elementwise functions get theirs from their derivatives, in ``elementwise``)
def _lse_jvp(tangents, ans, a, b=None, axis=None, keepdims=False):
    w = _lse_weights(ans, a, axis, keepdims)
    ta = tangents[0]
    tb = tangents[1] if len(tangents) > 1 else None
    t = None if ta is None else (ta if b is None else b * ta)
    if tb is not None:
        t = tb if t is None else t + tb
    return fnp.sum(w * t, axis=axis, keepdims=keepdims), None


def _log_softmax_jvp(t, ans, x, axis=None):
    return t - fnp.sum(fnp.exp(ans) * t, axis=axis, keepdims=True)


defjvp_joint(_logsumexp, _lse_jvp)
defjvp_from_vjp(_multigammaln)  # elementwise in a
defjvp_from_vjp(softmax)        # its Jacobian is symmetric: the VJP rule is the JVP
defjvp(log_softmax, _log_softmax_jvp)


# --- batching rules (vmap) ------------------------------------------------
# (the elementwise functions get theirs in ``elementwise``: broadcasting)
def _lse_batch(prim, vals, batched, params):
    """logsumexp(a[, b]): ``a`` and ``b`` broadcast to one batched shape, the
    axes shifted past the batch axis."""
    if len(vals) > 1:
        nd = _B.per_example_ndim(vals, batched)
        a, b = (_B.lift(v, nd) if isb else v for v, isb in zip(vals, batched))
        shape = np.broadcast_shapes(fnp.shape(a), fnp.shape(b))
        vals = [fnp.broadcast_to(a, shape), fnp.broadcast_to(b, shape)]
    return _scalar_examples(_B.axis_rule(pos=2))(prim, vals, (True,) * len(vals), params)


def _scalar_examples(rule):
    """``rule`` for a reduction-like function, with 0-d examples (``axis``
    0, -1 or None of a scalar) computed as one-element vectors."""
    def batch(prim, vals, batched, params):
        x = vals[0]
        if len(x.shape) != 1:
            return rule(prim, vals, batched, params)
        column = [fnp.reshape(v, (-1, 1)) for v in vals]
        out = prim(*column, **{**params, "axis": 1})
        if params.get("keepdims"):  # SciPy keeps the scalar's one axis
            return out
        if prim.multiple_results:
            return tuple(fnp.reshape(o, (-1,)) for o in out)
        return fnp.reshape(out, (-1,))
    return batch


defbatch(_lse_batch, _logsumexp)  # logsumexp(a, b=None, axis=None, keepdims=False)
defbatch(_B.broadcasting, _multigammaln)     # elementwise in a (d is an integer)
defbatch(_scalar_examples(_B.axis_rule()), softmax, log_softmax)

globals().update(exports("special."))
__all__ = sorted(exports("special."))
