"""Elementwise functions (NumPy ufuncs and their function cousins) and their VJP rules.

Complex numbers follow JAX's convention: a cotangent ``c`` represents the
linear functional ``dz -> Re(c * dz)``, so a holomorphic rule multiplies by
``f'(z)`` with no conjugation, ``grad`` of a real function of ``z = x + iy``
is ``df/dx - i df/dy`` (``grad(|z|**2) == 2 * conj(z)``), and the
non-holomorphic ``abs``, ``angle``, ``real``, ``imag``, ``conj`` have rules
of their own. Broadcasting is undone by the engine (``fit``), so a rule
returns the cotangent in the output's shape.

Conventions at non-differentiable points (tested in tests/numpy/test_numerics.py):

* ``abs``/``fabs`` at 0: 0 (the subgradient of least norm); ``hypot`` and
  ``arctan2`` at the origin, ``angle`` at 0: 0.
* ``maximum``/``minimum``/``fmax``/``fmin`` at ties: 0.5 to each argument.
* ``clip``: the input gets the gradient where ``a_min <= x <= a_max`` (bounds
  inclusive, as PyTorch's ``clamp``), a bound where it is active.
* ``sqrt``/``cbrt`` at 0: ``+inf`` (the one-sided derivative, as NumPy's limit,
  JAX and PyTorch).
* ``power(x, y)``: d/dx at ``y == 0`` is 0; d/dy at ``x == 0`` is 0.
* Rounding, sign and comparison functions are piecewise constant: their
  results are constants (no gradient flows through them).

Rules build their constants as Python scalars (weakly typed in NumPy 2), so
a float32 computation runs its backward pass in float32.
"""
from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .._core import Box
from .._core.batching import all_values as _all_values
from .._core.primitive import defjvp, defjvp_from_vjp, defjvp_joint, defjvp_linear
from .._core.staging import is_abstract, staged_value, strip_to_staged as _strip
from ._arraytypes import asarray as _asarray, is_foreign_array, may_be_true
from ._registry import alias, dtype_of, nondiff, primitive, register

F = "elementwise"
_PI = math.pi
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _scalar(v: Any) -> Any:
    """A constant 0-d argument as a Python scalar (weakly typed), else ``None``."""
    if isinstance(v, Box) or np.ndim(v) != 0:
        return None
    return v.item() if hasattr(v, "item") else v


def _is_complex(x: Any) -> bool:
    return dtype_of(x).kind == "c"


def _ufunc(name: str, impl: Any, *derivs: Any, notes: str = "", **flags: Any):
    """A primitive whose rules ignore ufunc keyword arguments (``dtype=``, ...)."""
    return primitive(name, impl, *derivs, family=F, notes=notes, rule_params=False, **flags)


_INEXACT_SCALARS = frozenset({np.float16, np.float32, np.float64, np.longdouble,
                              np.complex64, np.complex128, np.clongdouble})
_PY_NUMBERS = frozenset({int, float, complex})
_PY_REALS = frozenset({int, float})  # (1j * np.float64(2) is a Python complex)


def _scalar_fast(ufunc: np.ufunc, op: Any) -> Any:
    """``ufunc``, computed by the Python operator ``op`` when one operand is a
    floating or complex NumPy scalar and the other one too or a Python
    number: NumPy's scalar arithmetic then gives the same value, type and
    floating-point error handling ten times faster than the ufunc call
    (0.05 µs against 0.5 µs); only a warning's text differs ("in scalar
    multiply"). Integer scalars always take the ufunc (their overflow
    handling differs)."""
    def impl(x, y, /, **kwargs):
        tx, ty = type(x), type(y)
        if not kwargs and (tx in _INEXACT_SCALARS and (ty in _INEXACT_SCALARS or ty in _PY_NUMBERS)
                           or ty in _INEXACT_SCALARS and tx in _PY_REALS):
            return op(x, y)
        return ufunc(x, y, **kwargs)
    impl.__name__ = impl.__qualname__ = ufunc.__name__
    impl.__doc__ = ufunc.__doc__
    return impl


# --- arithmetic -----------------------------------------------------------
add = _ufunc("add", _scalar_fast(np.add, operator.add), lambda g, ans, x, y: g,
             lambda g, ans, x, y: g, saves_values=False)
subtract = _ufunc("subtract", _scalar_fast(np.subtract, operator.sub), lambda g, ans, x, y: g,
                  lambda g, ans, x, y: negative(g), saves_values=False)
multiply = _ufunc("multiply", _scalar_fast(np.multiply, operator.mul),
                  lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x)
divide = _ufunc("divide", _scalar_fast(np.divide, operator.truediv), lambda g, ans, x, y: g / y,
                lambda g, ans, x, y: negative(g) * ans / y)
negative = _ufunc("negative", np.negative, lambda g, ans, x: negative(g), saves_values=False)
positive = _ufunc("positive", np.positive, lambda g, ans, x: g, saves_values=False)
reciprocal = _ufunc("reciprocal", np.reciprocal, lambda g, ans, x: negative(g) * ans * ans)


def _power_rules(pw: Any) -> tuple:
    def base(g, ans, x, y):
        c = _scalar(y)
        if c is not None:
            return g * 0 if c == 0 else g * (c * pw(x, c - 1))
        # y * x**(y-1), kept differentiable in y at y == 0 (mixed partials
        # stay symmetric); only 0**-1 at x == y == 0 is guarded.
        both = logical_and(equal(x, 0), equal(y, 0))
        return g * where(both, 0, y * pw(where(both, 1, x), y - 1))

    def exponent(g, ans, x, y):
        c = _scalar(x)
        if c is not None:
            return g * 0 if c == 0 else g * ans * np.log(c).item()
        zero = equal(x, 0)
        return g * where(zero, 0, ans * log(where(zero, 1, x)))
    return base, exponent


power = _ufunc("power", np.power, *_power_rules(lambda x, y: power(x, y)),
               notes="d/dx at y == 0 is 0; d/dy at x == 0 is 0 (the limit from x > 0).")
float_power = _ufunc("float_power", np.float_power,
                     *_power_rules(lambda x, y: float_power(x, y)),
                     notes="Computes in at least float64, as NumPy; d/dx at y == 0 is 0; "
                           "d/dy at x == 0 is 0.")


def _fmod_divisor(g, ans, x, y):
    # x = q * y + ans with integer q: d/dy = -q (undefined where x / y is an integer).
    return negative(g) * rint((x - ans) / y)


fmod = _ufunc("fmod", np.fmod, lambda g, ans, x, y: g, _fmod_divisor,
              notes="d/dx is 1, d/dy is -trunc(x / y); undefined where x / y is an integer.")
remainder = _ufunc("remainder", np.remainder, lambda g, ans, x, y: g, _fmod_divisor,
                   notes="d/dx is 1, d/dy is -floor(x / y); undefined where x / y is an integer.")
ldexp = _ufunc("ldexp", np.ldexp, lambda g, ans, x, e: ldexp(g, e), None,
               notes="Differentiable in the mantissa; the integer exponent is a constant.")
copysign = _ufunc("copysign", np.copysign,
                  lambda g, ans, x, y: where(equal(signbit(x), signbit(y)), g, negative(g)), None,
                  notes="d/dx is +-1; the sign source y gets no gradient (piecewise constant).")

# --- exponentials, logarithms, roots --------------------------------------
exp = _ufunc("exp", np.exp, lambda g, ans, x: g * ans)
exp2 = _ufunc("exp2", np.exp2, lambda g, ans, x: g * ans * _LN2)
expm1 = _ufunc("expm1", np.expm1, lambda g, ans, x: g * (ans + 1))
log = _ufunc("log", np.log, lambda g, ans, x: g / x)
log2 = _ufunc("log2", np.log2, lambda g, ans, x: g / (x * _LN2))
log10 = _ufunc("log10", np.log10, lambda g, ans, x: g / (x * _LN10))
log1p = _ufunc("log1p", np.log1p, lambda g, ans, x: g / (x + 1))


def _share(x: Any, y: Any, ans: Any, scale: float = 1.0) -> Any:
    """``logaddexp``'s weight of ``x``, ``exp(x - ans)`` (``scale``: ``ln 2`` for
    ``logaddexp2``). For a lazy (Dask) array it is computed from the inputs,
    ``1 / (1 + exp(y - x))``, so that a gradient alone does not compute the
    forward value (``np.logaddexp`` costs 20 times ``np.exp``), in as few passes
    over each chunk as the hand-written sigmoid (where ``exp`` overflows, the
    weight is 0, exactly; NumPy then warns)."""
    if not is_foreign_array(ans):
        return exp(x - ans) if scale == 1.0 else exp2(x - ans)
    return 1 / (1 + (exp(y - x) if scale == 1.0 else exp2(y - x)))


logaddexp = _ufunc("logaddexp", np.logaddexp, lambda g, ans, x, y: g * _share(x, y, ans),
                   lambda g, ans, x, y: g * _share(y, x, ans),
                   notes="Stable: the weights exp(x - ans) never overflow.")
logaddexp2 = _ufunc("logaddexp2", np.logaddexp2,
                    lambda g, ans, x, y: g * _share(x, y, ans, _LN2),
                    lambda g, ans, x, y: g * _share(y, x, ans, _LN2),
                    notes="Stable: the weights 2**(x - ans) never overflow.")
sqrt = _ufunc("sqrt", np.sqrt, lambda g, ans, x: g / (ans * 2),
              notes="Gradient at 0 is +inf (the one-sided derivative, as JAX and PyTorch).")
cbrt = _ufunc("cbrt", np.cbrt, lambda g, ans, x: g / (ans * ans * 3),
              notes="Real only (as NumPy). Gradient at 0 is +inf (the derivative's limit).")
square = _ufunc("square", np.square, lambda g, ans, x: g * x * 2)

# --- trigonometric and hyperbolic -----------------------------------------
sin = _ufunc("sin", np.sin, lambda g, ans, x: g * cos(x))
cos = _ufunc("cos", np.cos, lambda g, ans, x: negative(g * sin(x)))
tan = _ufunc("tan", np.tan, lambda g, ans, x: g * (ans * ans + 1))
arcsin = _ufunc("arcsin", np.arcsin, lambda g, ans, x: g / sqrt(1 - x * x),
                notes="Gradient is infinite at +-1.")
arccos = _ufunc("arccos", np.arccos, lambda g, ans, x: negative(g) / sqrt(1 - x * x),
                notes="Gradient is infinite at +-1.")
arctan = _ufunc("arctan", np.arctan, lambda g, ans, x: g / (x * x + 1))
sinh = _ufunc("sinh", np.sinh, lambda g, ans, x: g * cosh(x))
cosh = _ufunc("cosh", np.cosh, lambda g, ans, x: g * sinh(x))
# tanh's VJP as one primitive (PyTorch's tanh_backward): a gradient of
# tanh recorded for a higher order is one node, not three.
_tanh_grad = _ufunc("_tanh_grad", lambda g, ans: g * (1 - ans * ans),
                    lambda gg, out, g, ans: _tanh_grad(gg, ans),
                    lambda gg, out, g, ans: gg * g * (-2 * ans),
                    notes="tanh's VJP g * (1 - tanh(x)**2), given g and tanh(x).")
tanh = _ufunc("tanh", np.tanh, lambda g, ans, x: _tanh_grad(g, ans))
arcsinh = _ufunc("arcsinh", np.arcsinh, lambda g, ans, x: g / sqrt(x * x + 1))
arccosh = _ufunc("arccosh", np.arccosh, lambda g, ans, x: g / (sqrt(x - 1) * sqrt(x + 1)),
                 notes="Gradient is infinite at 1.")
arctanh = _ufunc("arctanh", np.arctanh, lambda g, ans, x: g / (1 - x * x),
                 notes="Gradient is infinite at +-1.")


def _origin_safe(r2: Any) -> tuple:
    at0 = equal(r2, 0)
    return at0, where(at0, 1, r2)


def _arctan2_y(g, ans, y, x):
    at0, r2 = _origin_safe(x * x + y * y)
    return where(at0, 0, g * x / r2)


def _arctan2_x(g, ans, y, x):
    at0, r2 = _origin_safe(x * x + y * y)
    return where(at0, 0, negative(g) * y / r2)


arctan2 = _ufunc("arctan2", np.arctan2, _arctan2_y, _arctan2_x,
                 notes="Gradient at the origin is 0.")


def _hypot_part(g, ans, x, y):
    at0, r = _origin_safe(ans)
    return where(at0, 0, g * x / r)


hypot = _ufunc("hypot", np.hypot, _hypot_part, lambda g, ans, x, y: _hypot_part(g, ans, y, x),
               notes="Gradient at the origin is 0 (the subgradient of least norm).")

deg2rad = _ufunc("deg2rad", np.deg2rad, lambda g, ans, x: g * (_PI / 180), saves_values=False)
rad2deg = _ufunc("rad2deg", np.rad2deg, lambda g, ans, x: g * (180 / _PI), saves_values=False)
radians = _ufunc("radians", np.radians, lambda g, ans, x: g * (_PI / 180), saves_values=False)
degrees = _ufunc("degrees", np.degrees, lambda g, ans, x: g * (180 / _PI), saves_values=False)

# sinc'(x) = (cos(pi x) - sinc(x)) / x, which cancels badly near 0: there we use
# its Taylor series x * sum_k c_k x^(2k-2), c_k = (-1)^k 2k pi^(2k) / (2k+1)!, k = 1..6,
# accurate to 1e-14 for |x| < 0.1 and exact at 0 to every order (sinc''(0) = -pi^2/3).
_SINC_SERIES = [(-1) ** k * 2 * k * _PI ** (2 * k) / math.factorial(2 * k + 1)
                for k in range(1, 7)]


def _sinc_rule(g, ans, x):
    small = less(absolute(x), 0.1)
    x2 = x * x
    poly = _SINC_SERIES[-1]
    for c in reversed(_SINC_SERIES[:-1]):
        poly = poly * x2 + c
    series = x * poly
    safe = where(small, 1, x)
    formula = (cos(safe * _PI) - sinc(safe)) / safe
    return g * where(small, series, formula)


sinc = primitive("sinc", np.sinc, _sinc_rule, family=F,
                 notes="Smooth at 0 (derivative 0, second derivative -pi**2/3).")

# --- absolute value, sign transfer, extrema ---------------------------------


def _abs_rule(g, ans, x, **kw):
    # Real: g * sign(x) (0 at x == 0). Complex: g * conj(x) / |x| (0 at 0).
    if _is_complex(x):
        at0, safe = _origin_safe(ans)
        return where(at0, 0, g * conjugate(x) / safe)
    return g * sign(x)


absolute = primitive("absolute", np.absolute, _abs_rule, family=F,
                     notes="Gradient at 0 is 0 (the subgradient of least norm). Complex: "
                           "g * conj(z) / |z|.")
fabs = _ufunc("fabs", np.fabs, lambda g, ans, x: g * sign(x),
              notes="Real only (as NumPy). Gradient at 0 is 0.")


def _extremum_rules(pick: Any, nan_wins: bool) -> tuple:
    """Rules for maximum-like functions: 1 where an argument wins, 0.5 at ties.

    ``pick`` is NumPy's strict comparison (``np.greater`` for a maximum).
    ``nan_wins``: NaN propagates (``maximum``), so the NaN argument wins;
    otherwise (``fmax``) the other argument wins. The masks are constants,
    computed on the concrete values.
    """
    def share(g, mine, other):
        if is_abstract(mine) or is_abstract(other):
            return share_staged(g, mine, other)  # under jit or vmap: no one value to branch on
        mine, other = _strip(mine), _strip(other)
        mv, ov = _asarray(mine), _asarray(other)
        wins = pick(mv, ov)
        tie = mv == ov
        nm, no = np.isnan(mv), np.isnan(ov)
        if may_be_true(nm) or may_be_true(no):
            wins = wins | ((nm & ~no) if nan_wins else (no & ~nm))
            tie = tie | (nm & no)
        ties = may_be_true(tie)
        if not isinstance(g, Box) and not is_foreign_array(g):
            # First order with a finite cotangent: the product with the
            # 0 / 0.5 / 1 mask equals the ``where`` below (up to the sign of
            # zeros) and is ~20x faster than np.where on an unpredictable mask
            # (relu layers). A non-finite g takes ``where`` (inf * 0 is NaN).
            ga = np.asarray(g)
            if ga.dtype.kind == "f" and np.isfinite(ga).all():
                if ties:
                    mask = np.array(wins, dtype=ga.dtype)
                    mask[tie] = 0.5
                else:
                    mask = wins
                return np.multiply(ga, mask, dtype=ga.dtype)
        if ties:
            return where(wins, g, where(tie, g * 0.5, 0))
        return where(wins, g, 0)

    def share_staged(g, mv, ov):
        nm, no = isnan(mv), isnan(ov)
        strict = globals()[pick.__name__]  # (funcgrad.numpy's comparison: stages, batches)
        wins = logical_or(strict(mv, ov), logical_and(nm, logical_not(no)) if nan_wins
                          else logical_and(no, logical_not(nm)))
        tie = logical_or(equal(mv, ov), logical_and(nm, no))
        return where(wins, g, where(tie, g * 0.5, 0))
    return (lambda g, ans, x, y: share(g, x, y)), (lambda g, ans, x, y: share(g, y, x))


_TIES = "Ties share the gradient equally (0.5 each)."
maximum = _ufunc("maximum", np.maximum, *_extremum_rules(np.greater, True),
                 notes=_TIES + " A NaN argument (propagated) gets the gradient.")
minimum = _ufunc("minimum", np.minimum, *_extremum_rules(np.less, True),
                 notes=_TIES + " A NaN argument (propagated) gets the gradient.")
fmax = _ufunc("fmax", np.fmax, *_extremum_rules(np.greater, False),
              notes=_TIES + " NaNs are ignored: the other argument gets the gradient.")
fmin = _ufunc("fmin", np.fmin, *_extremum_rules(np.less, False),
              notes=_TIES + " NaNs are ignored: the other argument gets the gradient.")


def _clip_impl(x, lo, hi):
    return np.clip(x, lo, hi)


def _clip_inner(x, lo, hi):
    """Where neither bound is active (inclusive); ``lo <= hi`` assumed as NumPy does."""
    keep = np.ones(np.shape(_strip(x)), bool)
    if lo is not None:
        keep = logical_and(keep, greater_equal(x, lo))
        m = maximum(_strip(x), _strip(lo))
    else:
        m = _strip(x)
    if hi is not None:
        keep = logical_and(keep, less_equal(m, _strip(hi)))
    return keep, m


def _clip_x(g, ans, x, lo, hi):
    keep, _ = _clip_inner(x, lo, hi)
    return where(keep, g, 0)


def _clip_lo(g, ans, x, lo, hi):
    active = less(x, lo)
    if hi is not None:
        active = logical_and(active, less_equal(_strip(lo), _strip(hi)))
    return where(active, g, 0)


def _clip_hi(g, ans, x, lo, hi):
    _, m = _clip_inner(x, lo, hi)
    return where(greater(m, _strip(hi)), g, 0)


_clip = primitive("clip", _clip_impl, _clip_x, _clip_lo, _clip_hi, family=F,
                  register_as="_clip_prim")
_NOVALUE: Any = np._NoValue


def clip(a: Any, a_min: Any = _NOVALUE, a_max: Any = _NOVALUE, out: None = None, *,
         min: Any = _NOVALUE, max: Any = _NOVALUE, **kwargs: Any) -> Any:
    """Differentiable ``numpy.clip``; the bounds may be traced too.

    The input gets the gradient where ``a_min <= a <= a_max`` (bounds
    inclusive, like PyTorch's ``clamp``); a bound gets it where it is the
    result.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.sum(fnp.clip(x, 0.0, 1.0)))(np.array([-1.0, 0.5, 1.0, 3.0]))
    array([0., 1., 1., 0.])
    """
    if out is not None:
        raise TypeError("funcgrad.numpy.clip does not support out=: use the returned value")
    lo = min if a_min is _NOVALUE else a_min
    hi = max if a_max is _NOVALUE else a_max
    lo = None if lo is _NOVALUE else lo
    hi = None if hi is _NOVALUE else hi
    if lo is None and hi is None:
        return a
    return _clip(a, lo, hi)


register("clip", clip, F, notes="Gradient to the input where a_min <= x <= a_max "
                               "(inclusive); to a bound where it is active.")

# --- complex parts ----------------------------------------------------------
real = _ufunc("real", np.real, lambda g, ans, x: g, saves_values=False)
imag = _ufunc("imag", np.imag, lambda g, ans, x: g * -1j, saves_values=False,
              notes="Real input: the gradient is 0.")
conjugate = _ufunc("conjugate", np.conjugate, lambda g, ans, x: conjugate(g), saves_values=False)


def _angle_impl(z, deg=False):
    return np.angle(z, deg=deg)


def _angle_rule(g, ans, z, deg=False):
    # d angle = Im(conj(z) dz) / |z|^2, i.e. the cotangent -i conj(z) / |z|^2.
    if not _is_complex(z):
        return g * 0
    at0, r2 = _origin_safe(real(z * conjugate(z)))
    scale = 180 / _PI if deg else 1
    return where(at0, 0, g * conjugate(z) * (-1j * scale) / r2)


angle = primitive("angle", _angle_impl, _angle_rule, family=F,
                  notes="Real input: gradient 0 (piecewise constant). Gradient at 0 is 0.")


def _nan_to_num_impl(x, copy=True, nan=0.0, posinf=None, neginf=None):
    return np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)


def _nan_to_num_rule(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    if _is_complex(x):
        re = where(_asarray(isfinite(real(x))), real(g), 0)
        im = where(_asarray(isfinite(imag(x))), imag(g), 0)
        return re + im * 1j
    return where(_asarray(isfinite(x)), g, 0)


nan_to_num = primitive("nan_to_num", _nan_to_num_impl, _nan_to_num_rule, family=F,
                       notes="Gradient 1 at finite entries, 0 at replaced NaN/inf entries.")

def real_if_close(a: Any, tol: float = 100) -> Any:
    """Differentiable ``numpy.real_if_close``: ``a.real`` when every imaginary
    part is within ``tol`` machine epsilons of zero (a concrete test), else ``a``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.real_if_close(np.array([2.0 + 1e-20j]))
    array([2.])
    """
    if not _is_complex(a):
        return a
    eps = np.finfo(dtype_of(a)).eps
    limit = tol * eps if tol > 1 else tol
    if np.all(np.abs(np.imag(np.asarray(_all_values(a)))) < limit):  # (every example)
        return real(a)
    return a


register("real_if_close", real_if_close, F,
         notes="The choice between a.real and a is made on the concrete values.")

# --- multiple results ---------------------------------------------------------
modf = primitive("modf", lambda x: np.modf(x), lambda g, ans, x: g[0], family=F,
                 multiple_results=True, saves_values=False,
                 notes="The fractional part has gradient 1, the integral part 0.")
frexp = primitive("frexp", lambda x: np.frexp(x),
                  lambda g, ans, x: ldexp(g[0], -np.asarray(_strip(ans[1]))), family=F,
                  multiple_results=True,
                  notes="The mantissa x / 2**e has gradient 2**-e; the exponent is a constant.")
divmod = primitive("divmod", lambda x, y: np.divmod(x, y),
                   lambda g, ans, x, y: g[1],
                   lambda g, ans, x, y: negative(g[1]) * _strip(ans[0]), family=F,
                   multiple_results=True,
                   notes="The quotient is a constant; the remainder as numpy.remainder.")

# --- not differentiable: comparisons, rounding, sign, tests -----------------
equal = nondiff("equal", np.equal, family=F)
not_equal = nondiff("not_equal", np.not_equal, family=F)
less = nondiff("less", np.less, family=F)
less_equal = nondiff("less_equal", np.less_equal, family=F)
greater = nondiff("greater", np.greater, family=F)
greater_equal = nondiff("greater_equal", np.greater_equal, family=F)
logical_and = nondiff("logical_and", np.logical_and, family=F)
logical_or = nondiff("logical_or", np.logical_or, family=F)
logical_xor = nondiff("logical_xor", np.logical_xor, family=F)
logical_not = nondiff("logical_not", np.logical_not, family=F)
isclose = nondiff("isclose", np.isclose, family=F)
allclose = nondiff("allclose", np.allclose, family=F)
array_equal = nondiff("array_equal", np.array_equal, family=F)
array_equiv = nondiff("array_equiv", np.array_equiv, family=F)
_PIECEWISE = "Piecewise constant: the result is a constant (zero gradient almost everywhere)."
sign = nondiff("sign", np.sign, family=F, notes=_PIECEWISE)
signbit = nondiff("signbit", np.signbit, family=F)
heaviside = nondiff("heaviside", np.heaviside, family=F, notes=_PIECEWISE)
floor = nondiff("floor", np.floor, family=F, notes=_PIECEWISE)
ceil = nondiff("ceil", np.ceil, family=F, notes=_PIECEWISE)
rint = nondiff("rint", np.rint, family=F, notes=_PIECEWISE)
trunc = nondiff("trunc", np.trunc, family=F, notes=_PIECEWISE)
fix = nondiff("fix", np.fix, family=F, notes=_PIECEWISE)
round = nondiff("round", np.round, family=F, notes=_PIECEWISE)
floor_divide = nondiff("floor_divide", np.floor_divide, family=F, notes=_PIECEWISE)
nextafter = nondiff("nextafter", np.nextafter, family=F)
spacing = nondiff("spacing", np.spacing, family=F)
isfinite = nondiff("isfinite", np.isfinite, family=F)
isnan = nondiff("isnan", np.isnan, family=F)
isinf = nondiff("isinf", np.isinf, family=F)
isposinf = nondiff("isposinf", np.isposinf, family=F)
isneginf = nondiff("isneginf", np.isneginf, family=F)
iscomplex = nondiff("iscomplex", np.iscomplex, family=F)
# Integer-only ufuncs: they see traced values only under grad(..., allow_int=True).
_INTEGER = "Integer-only: the result is a constant."
bitwise_and = nondiff("bitwise_and", np.bitwise_and, family=F, notes=_INTEGER)
bitwise_or = nondiff("bitwise_or", np.bitwise_or, family=F, notes=_INTEGER)
bitwise_xor = nondiff("bitwise_xor", np.bitwise_xor, family=F, notes=_INTEGER)
invert = nondiff("invert", np.invert, family=F, notes=_INTEGER)
left_shift = nondiff("left_shift", np.left_shift, family=F, notes=_INTEGER)
right_shift = nondiff("right_shift", np.right_shift, family=F, notes=_INTEGER)
if hasattr(np, "bitwise_count"):  # NumPy >= 2.0
    bitwise_count = nondiff("bitwise_count", np.bitwise_count, family=F, notes=_INTEGER)
gcd = nondiff("gcd", np.gcd, family=F, notes=_INTEGER)
lcm = nondiff("lcm", np.lcm, family=F, notes=_INTEGER)
isreal = nondiff("isreal", np.isreal, family=F)


def _where_impl(cond, x, y):
    return np.where(cond, x, y)


where = primitive("where", _where_impl, None,
                  lambda g, ans, c, x, y: where(c, g, 0),
                  lambda g, ans, c, x, y: where(c, 0, g),
                  family="indexing", register_as="_where_prim",
                  notes="The condition carries no gradient.")


# --- dtype conversion -----------------------------------------------------
_astype = primitive("astype", lambda x, dtype: _asarray(x).astype(dtype, copy=False),
                    lambda g, ans, x, dtype: g, family=F, saves_values=False,
                    register_as="_astype_prim")
_astype_const = nondiff("astype_to_integer", lambda x, dtype: _asarray(x).astype(dtype),
                        family=F, register_as="_astype_const")


def astype(x, dtype, copy: bool = True):
    """Differentiable ``x.astype(dtype)``; casting to an integer or bool dtype
    gives a constant (no gradient flows through it).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.astype(np.array([1.5]), np.float32).dtype
    dtype('float32')
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "fc":
        return _astype(x, dtype=dtype)
    return _astype_const(x, dtype=dtype)


register("astype", astype, F)
alias("true_divide", "divide")
alias("abs", "absolute")
alias("conj", "conjugate")
alias("mod", "remainder")
alias("around", "round")
alias("pow", "power")
for _short, _long in [("acos", "arccos"), ("asin", "arcsin"), ("atan", "arctan"),
                      ("acosh", "arccosh"), ("asinh", "arcsinh"), ("atanh", "arctanh"),
                      ("atan2", "arctan2"), ("bitwise_not", "invert"),
                      ("bitwise_invert", "invert"), ("bitwise_left_shift", "left_shift"),
                      ("bitwise_right_shift", "right_shift")]:
    alias(_short, _long)

# --- docstrings: one runnable example per differentiable function -----------------
# Each example evaluates a derivative at a point where its value is known in closed
# form (e.g. d/dx log(x) at 2 is 1/2); doctest runs them (tests/numpy/test_numerics.py).
_EXAMPLES = {
    "add": ("float(funcgrad.grad(fnp.add, argnums=1)(1.0, 2.0))", "1.0"),
    "subtract": ("float(funcgrad.grad(fnp.subtract, argnums=1)(1.0, 2.0))", "-1.0"),
    "multiply": ("float(funcgrad.grad(fnp.multiply)(2.0, 3.0))", "3.0"),
    "divide": ("float(funcgrad.grad(fnp.divide, argnums=1)(1.0, 2.0))", "-0.25"),
    "negative": ("float(funcgrad.grad(fnp.negative)(3.0))", "-1.0"),
    "positive": ("float(funcgrad.grad(fnp.positive)(3.0))", "1.0"),
    "reciprocal": ("float(funcgrad.grad(fnp.reciprocal)(2.0))", "-0.25"),
    "power": ("[float(g) for g in funcgrad.grad(fnp.power, argnums=(0, 1))(2.0, 3.0)]"
             "  # (3 * 2**2, 2**3 * log 2)",
             "[12.0, 5.545177444479562]"),
    "float_power": ("float(funcgrad.grad(fnp.float_power)(2.0, 3.0))", "12.0"),
    "fmod": ("float(funcgrad.grad(fnp.fmod, argnums=1)(7.0, 2.0))  # -trunc(7 / 2)", "-3.0"),
    "remainder": ("float(funcgrad.grad(fnp.remainder, argnums=1)(-7.0, 2.0))  # -floor(-7 / 2)",
                  "4.0"),
    "ldexp": ("float(funcgrad.grad(fnp.ldexp)(1.5, 3))", "8.0"),
    "copysign": ("float(funcgrad.grad(fnp.copysign)(2.0, -1.0))", "-1.0"),
    "exp": ("float(funcgrad.grad(fnp.exp)(0.0))", "1.0"),
    "exp2": ("float(funcgrad.grad(fnp.exp2)(0.0))  # log 2", "0.6931471805599453"),
    "expm1": ("float(funcgrad.grad(fnp.expm1)(0.0))", "1.0"),
    "log": ("float(funcgrad.grad(fnp.log)(2.0))", "0.5"),
    "log2": ("float(funcgrad.grad(fnp.log2)(1.0))  # 1 / log 2", "1.4426950408889634"),
    "log10": ("float(funcgrad.grad(fnp.log10)(1.0))  # 1 / log 10", "0.43429448190325176"),
    "log1p": ("float(funcgrad.grad(fnp.log1p)(1.0))", "0.5"),
    "logaddexp": ("float(np.round(funcgrad.grad(fnp.logaddexp)(1000.0, 1000.0), 9))", "0.5"),
    "logaddexp2": ("float(funcgrad.grad(fnp.logaddexp2)(1.0, 1.0))", "0.5"),
    "sqrt": ("float(funcgrad.grad(fnp.sqrt)(4.0))", "0.25"),
    "cbrt": ("float(funcgrad.grad(fnp.cbrt)(8.0))  # 1 / (3 * 2**2)", "0.08333333333333333"),
    "square": ("float(funcgrad.grad(fnp.square)(3.0))", "6.0"),
    "sin": ("float(funcgrad.grad(fnp.sin)(0.0))", "1.0"),
    "cos": ("float(funcgrad.grad(fnp.cos)(0.0))", "-0.0"),
    "tan": ("float(funcgrad.grad(fnp.tan)(0.0))", "1.0"),
    "arcsin": ("float(funcgrad.grad(fnp.arcsin)(0.0))", "1.0"),
    "arccos": ("float(funcgrad.grad(fnp.arccos)(0.0))", "-1.0"),
    "arctan": ("float(funcgrad.grad(fnp.arctan)(1.0))", "0.5"),
    "sinh": ("float(funcgrad.grad(fnp.sinh)(0.0))", "1.0"),
    "cosh": ("float(funcgrad.grad(fnp.cosh)(0.0))", "0.0"),
    "tanh": ("float(funcgrad.grad(fnp.tanh)(0.0))", "1.0"),
    "arcsinh": ("float(funcgrad.grad(fnp.arcsinh)(0.0))", "1.0"),
    "arccosh": ("float(funcgrad.grad(fnp.arccosh)(2.0))  # 1 / sqrt(3)", "0.5773502691896258"),
    "arctanh": ("float(funcgrad.grad(fnp.arctanh)(0.5))  # 1 / (1 - 1/4)", "1.3333333333333333"),
    "arctan2": ("[float(g) for g in funcgrad.grad(fnp.arctan2, argnums=(0, 1))(1.0, 1.0)]",
               "[0.5, -0.5]"),
    "hypot": ("[float(g) for g in funcgrad.grad(fnp.hypot, argnums=(0, 1))(3.0, 4.0)]",
             "[0.6, 0.8]"),
    "sinc": ("float(funcgrad.grad(funcgrad.grad(fnp.sinc))(0.0)) == -np.pi ** 2 / 3", "True"),
    "deg2rad": ("float(funcgrad.grad(fnp.deg2rad)(90.0))  # pi / 180", "0.017453292519943295"),
    "radians": ("float(funcgrad.grad(fnp.radians)(90.0))  # pi / 180", "0.017453292519943295"),
    "rad2deg": ("float(funcgrad.grad(fnp.rad2deg)(1.0))  # 180 / pi", "57.29577951308232"),
    "degrees": ("float(funcgrad.grad(fnp.degrees)(1.0))  # 180 / pi", "57.29577951308232"),
    "absolute": ("funcgrad.grad(lambda x: fnp.sum(fnp.abs(x)))(np.array([-2.0, 0.0, 3.0]))",
                "array([-1.,  0.,  1.])"),
    "fabs": ("float(funcgrad.grad(fnp.fabs)(-2.0))", "-1.0"),
    "maximum": ("[float(g) for g in funcgrad.grad(fnp.maximum, argnums=(0, 1))(1.0, 1.0)]"
               "  # a tie",
               "[0.5, 0.5]"),
    "minimum": ("[float(g) for g in funcgrad.grad(fnp.minimum, argnums=(0, 1))(1.0, 2.0)]",
               "[1.0, 0.0]"),
    "fmax": ("[float(g) for g in funcgrad.grad(fnp.fmax, argnums=(0, 1))(np.nan, 1.0)]"
            "  # NaN ignored",
            "[0.0, 1.0]"),
    "fmin": ("[float(g) for g in funcgrad.grad(fnp.fmin, argnums=(0, 1))(np.nan, 1.0)]"
            "  # NaN ignored",
            "[0.0, 1.0]"),
    "real": ("complex(funcgrad.grad(fnp.real)(1.0 + 2.0j))", "(1+0j)"),
    "imag": ("complex(funcgrad.grad(fnp.imag)(1.0 + 2.0j))" "  # JAX convention: d/dx - i d/dy",
            "-1j"),
    "conjugate": ("funcgrad.vjp(fnp.conj, 1.0 + 2.0j)[1](1j)[0]" "  # dz -> Re(c conj(dz))",
                 "np.complex128(-1j)"),
    "angle": ("complex(funcgrad.grad(fnp.angle)(1j))  # (-y - i x) / |z|**2", "(-1+0j)"),
    "nan_to_num": ("funcgrad.grad(lambda x: fnp.sum(fnp.nan_to_num(x)))(np.array([1.0, np.inf]))",
                  "array([1., 0.])"),
    "modf": ("float(funcgrad.grad(lambda x: fnp.modf(x)[0])(2.5))", "1.0"),
    "frexp": ("float(funcgrad.grad(lambda x: fnp.frexp(x)[0])(8.0))  # 8 = 0.5 * 2**4", "0.0625"),
    "divmod": ("float(funcgrad.grad(lambda x: fnp.divmod(x, 2.0)[1])(7.0))", "1.0"),
}


def _document() -> dict:
    from ._registry import REGISTRY
    tests = {}
    for name, (expr, want) in _EXAMPLES.items():
        prim = globals()[name]
        prim.__doc__ = (f"Differentiable ``numpy.{name}`` (same arguments and result).\n\n"
                        f"{REGISTRY[name].notes}\n\n"
                        f">>> import funcgrad, funcgrad.numpy as fnp, numpy as np\n"
                        f">>> {expr}\n{want}\n")
        tests[name] = prim.__doc__
    return tests


__test__ = _document()


# --- JVP rules (forward mode) -----------------------------------------------
# An elementwise primitive's Jacobian is diagonal, so its VJP rule applied to
# an argument's tangent is that argument's JVP: exact for real functions and,
# under the convention above (a holomorphic rule multiplies by f'(z)), for
# holomorphic ones; a real input with a complex partner (``x * z``) keeps
# the complex product, which is the JVP. The non-holomorphic functions and
# those with several results have rules of their own.
for _p in (add, subtract, multiply, divide, negative, positive, reciprocal, power, float_power,
           fmod, remainder, ldexp, copysign, exp, exp2, expm1, log, log2, log10, log1p,
           logaddexp, logaddexp2, sqrt, cbrt, square, sin, cos, tan, arcsin, arccos, arctan,
           sinh, cosh, _tanh_grad, tanh, arcsinh, arccosh, arctanh, arctan2, hypot, deg2rad,
           rad2deg, radians, degrees, sinc, fabs, maximum, minimum, fmax, fmin, _clip,
           nan_to_num, where):
    defjvp_from_vjp(_p)


def _abs_jvp(t, ans, x, **kw):
    # Complex: d|z| = Re(conj(z) dz) / |z| (0 at 0).
    if _is_complex(x):
        at0, safe = _origin_safe(ans)
        return where(at0, 0, real(conjugate(x) * t) / safe)
    return t * sign(x)


def _angle_jvp(t, ans, z, deg=False):
    # d angle = Im(conj(z) dz) / |z|^2 (0 at 0); a real input's angle is constant.
    if not _is_complex(z):
        return None
    at0, r2 = _origin_safe(real(z * conjugate(z)))
    return where(at0, 0, imag(conjugate(z) * t) * ((180 / _PI if deg else 1)) / r2)


defjvp(absolute, _abs_jvp)
defjvp(angle, _angle_jvp)
defjvp_linear(real)
defjvp_linear(imag)
defjvp_linear(conjugate)
defjvp_joint(_astype, lambda ts, ans, x, dtype: ts[0])  # the trace casts it to ans's dtype
defjvp_joint(modf, lambda ts, ans, x: (ts[0], None))
defjvp_joint(frexp, lambda ts, ans, x: (ldexp(ts[0], -np.asarray(_strip(ans[1]))), None))


def _divmod_jvp(ts, ans, x, y):
    # The quotient is piecewise constant; the remainder is x - q * y.
    tx, ty = ts
    part = None if ty is None else negative(ty) * _strip(ans[0])
    return None, (part if tx is None else tx if part is None else tx + part)


defjvp_joint(divmod, _divmod_jvp)

# --- batching rules (vmap) ------------------------------------------------
from .._core import Primitive as _Primitive, defbatch as _defbatch  # noqa: E402
from . import _batching as _B  # noqa: E402

# Every primitive here is elementwise (ufuncs, where, clip, astype, ...) but
# the three that reduce a comparison to one boolean per example.
_defbatch(_B.broadcasting, *[_p for _p in list(globals().values()) if isinstance(_p, _Primitive)])
_defbatch(_B.all_of("isclose"), allclose)
_defbatch(_B.all_of("equal"), array_equiv)
_defbatch(_B.all_of("equal", same_shape=True), array_equal)
