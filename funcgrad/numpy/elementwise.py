"""Elementwise functions (NumPy ufuncs) and their VJP rules.

Rules follow JAX's convention for complex numbers: a cotangent ``c``
represents the linear functional ``dz -> Re(c * dz)``, so holomorphic rules
multiply by ``f'(z)`` with no conjugation. Broadcasting is undone by the
engine (``fit``), so a rule returns the cotangent in the output's shape.
"""
from __future__ import annotations

import numpy as np

from ._registry import dtype_of, nondiff, primitive

F = "elementwise"

# --- arithmetic -----------------------------------------------------------
add = primitive("add", np.add, lambda g, ans, x, y: g, lambda g, ans, x, y: g,
                family=F, saves_values=False)
subtract = primitive("subtract", np.subtract, lambda g, ans, x, y: g,
                     lambda g, ans, x, y: negative(g), family=F, saves_values=False)
multiply = primitive("multiply", np.multiply, lambda g, ans, x, y: g * y,
                     lambda g, ans, x, y: g * x, family=F)
divide = primitive("divide", np.divide, lambda g, ans, x, y: g / y,
                   lambda g, ans, x, y: negative(g) * ans / y, family=F)
negative = primitive("negative", np.negative, lambda g, ans, x: negative(g),
                     family=F, saves_values=False)
positive = primitive("positive", np.positive, lambda g, ans, x: g, family=F, saves_values=False)


def _power_base(g, ans, x, y):
    # d/dx x**y = y * x**(y-1); written so that y == 0 gives 0, not 0 * inf.
    return g * where(equal(y, 0), 0.0, y * power(x, where(equal(y, 0), 1.0, y - 1)))


def _power_exponent(g, ans, x, y):
    # d/dy x**y = log(x) * x**y; 0 at x == 0 (the limit from the right).
    safe_x = where(equal(x, 0), 1.0, x)
    return g * where(equal(x, 0), 0.0, ans * log(safe_x))


power = primitive("power", np.power, _power_base, _power_exponent, family=F,
                  notes="d/dx at y == 0 is 0; d/dy at x == 0 is 0.")

# --- exponentials, logarithms, roots --------------------------------------
exp = primitive("exp", np.exp, lambda g, ans, x: g * ans, family=F)
log = primitive("log", np.log, lambda g, ans, x: g / x, family=F)
sqrt = primitive("sqrt", np.sqrt, lambda g, ans, x: g / (2 * ans), family=F,
                 notes="Gradient at 0 is +inf, as in NumPy's limit.")
square = primitive("square", np.square, lambda g, ans, x: g * 2 * x, family=F)

# --- trigonometric and hyperbolic -----------------------------------------
sin = primitive("sin", np.sin, lambda g, ans, x: g * cos(x), family=F)
cos = primitive("cos", np.cos, lambda g, ans, x: negative(g * sin(x)), family=F)
tan = primitive("tan", np.tan, lambda g, ans, x: g * (1 + ans * ans), family=F)
tanh = primitive("tanh", np.tanh, lambda g, ans, x: g * (1 - ans * ans), family=F)

# --- absolute value, extrema ----------------------------------------------


def _abs_rule(g, ans, x):
    # Real: g * sign(x) (0 at x == 0). Complex: g * conj(x) / |x| (0 at 0).
    if dtype_of(x).kind == "c":
        safe = where(equal(ans, 0), 1.0, ans)
        return g * conjugate(x) / safe
    return g * sign(x)


absolute = primitive("absolute", np.absolute, _abs_rule, family=F,
                     notes="Gradient at 0 is 0 (the subgradient of least norm).")


def _tie_share(g, x, y, pick):
    # 1 where x wins, 0.5 at ties, 0 where y wins.
    return g * where(pick(x, y), 1.0, where(equal(x, y), 0.5, 0.0))


maximum = primitive("maximum", np.maximum,
                    lambda g, ans, x, y: _tie_share(g, x, y, greater),
                    lambda g, ans, x, y: _tie_share(g, y, x, greater), family=F,
                    notes="Ties share the gradient equally (0.5 each).")
minimum = primitive("minimum", np.minimum,
                    lambda g, ans, x, y: _tie_share(g, x, y, less),
                    lambda g, ans, x, y: _tie_share(g, y, x, less), family=F,
                    notes="Ties share the gradient equally (0.5 each).")

# --- complex parts ----------------------------------------------------------
real = primitive("real", np.real, lambda g, ans, x: g, family=F)
imag = primitive("imag", np.imag, lambda g, ans, x: g * -1j, family=F)
conjugate = primitive("conjugate", np.conjugate, lambda g, ans, x: conjugate(g), family=F)

# --- not differentiable: comparisons, rounding, sign ----------------------
equal = nondiff("equal", np.equal, family=F)
not_equal = nondiff("not_equal", np.not_equal, family=F)
less = nondiff("less", np.less, family=F)
less_equal = nondiff("less_equal", np.less_equal, family=F)
greater = nondiff("greater", np.greater, family=F)
greater_equal = nondiff("greater_equal", np.greater_equal, family=F)
sign = nondiff("sign", np.sign, family=F)
floor = nondiff("floor", np.floor, family=F)
ceil = nondiff("ceil", np.ceil, family=F)
floor_divide = nondiff("floor_divide", np.floor_divide, family=F)
remainder = primitive("remainder", np.remainder, lambda g, ans, x, y: g,
                      lambda g, ans, x, y: negative(g) * floor_divide(x, y), family=F,
                      notes="d/dy is -floor(x / y); undefined where x / y is an integer.")
isfinite = nondiff("isfinite", np.isfinite, family=F)
isnan = nondiff("isnan", np.isnan, family=F)
isinf = nondiff("isinf", np.isinf, family=F)


def _where_impl(cond, x, y):
    return np.where(cond, x, y)


where = primitive("where", _where_impl, None,
                  lambda g, ans, c, x, y: where(c, g, 0.0),
                  lambda g, ans, c, x, y: where(c, 0.0, g),
                  family="indexing", notes="The condition carries no gradient.")


# --- dtype conversion -----------------------------------------------------
_astype = primitive("astype", lambda x, dtype: np.asarray(x).astype(dtype, copy=False),
                    lambda g, ans, x, dtype: g, family=F, saves_values=False,
                    register_as="_astype_prim")
_astype_const = nondiff("astype_to_integer", lambda x, dtype: np.asarray(x).astype(dtype),
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


from ._registry import alias, register  # noqa: E402

register("astype", astype, F)
alias("true_divide", "divide")
alias("abs", "absolute")
alias("conj", "conjugate")
alias("mod", "remainder")
