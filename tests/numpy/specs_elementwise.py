"""Specs for the elementwise family (ufuncs and their function cousins).

Domains keep away from kinks, poles and branch cuts (``avoid=`` / ``where=``),
so that central differences are accurate; the behaviour *at* those points is
pinned by tests/numpy/test_numerics.py. Complex specs run where a function is
holomorphic or has its own complex rule; they skip the float32 check (it
converts only real arguments), which test_numerics covers for complex64.
"""
import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra import numpy as hnp

from .specs import Spec, arrays, binary, fixed, shapes, unary


def _apart(a, b):
    return np.abs(a - b) > 0.05


def _off_multiples(a, b):
    frac = np.mod(a / b, 1.0)
    return (frac > 0.02) & (frac < 0.98)


def _off_origin(a, b):
    return a * a + b * b > 0.1


def _off_cut(y, x):
    # arctan2 jumps by 2 pi across the negative x axis.
    return _off_origin(y, x) & ((np.abs(y) > 0.05) | (x > 0.05))


def carrays(shape, re=(-2.0, 2.0), im=(-2.0, 2.0)):
    """Complex128 arrays with real and imaginary parts in the given ranges."""
    return st.tuples(arrays(shape, *re), arrays(shape, *im)).map(lambda p: p[0] + 1j * p[1])


def cunary(re=(-2.0, 2.0), im=(-2.0, 2.0), where=None, **kwargs):
    """One complex array of any shape; ``where(z)`` must hold elementwise."""
    s = shapes().flatmap(lambda shp: carrays(shp, re, im))
    if where is not None:
        s = s.filter(lambda z: bool(np.all(where(z))))
    return s.map(lambda z: ((z,), dict(kwargs)))


def cbinary(re=(-2.0, 2.0), im=(-2.0, 2.0), re2=None, im2=None):
    """Two complex arrays of mutually broadcastable shapes."""
    re2 = re if re2 is None else re2
    im2 = im if im2 is None else im2

    @st.composite
    def draw(d):
        (s1, s2), _ = d(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                          max_side=3))
        return (d(carrays(s1, re, im)), d(carrays(s2, re2, im2))), {}
    return draw()


def C(args, **kw):
    """A complex spec: no float32 check (see the module docstring)."""
    return Spec(args, float32=False, **kw)


def _not_near_integers(x):
    return np.abs(x - np.round(x)) > 0.05


def _frexp_ok(x):
    # The mantissa jumps at powers of two; keep |x| in (0.3, 1.9) away from 0.5 and 1.
    a = np.abs(x)
    return (a > 0.3) & (np.abs(a - 0.5) > 0.05) & (np.abs(a - 1.0) > 0.05)


@st.composite
def _ldexp_args(d):
    shp = d(shapes())
    x = d(arrays(shp))
    e = d(hnp.arrays(np.int32, shp, elements=st.integers(-3, 3)))
    return (x, e), {}


@st.composite
def _clip_args(d, none_hi=False):
    (s1, s2, s3), _ = d(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                          max_side=3))
    x = d(arrays(s1))
    lo = d(arrays(s2, -1.5, -0.3))
    hi = d(arrays(s3, 0.3, 1.5))
    assume(np.all(np.abs(x - lo) > 0.05) and np.all(np.abs(x - hi) > 0.05))
    if none_hi:
        return (x, lo, None), {}
    return (x, lo, hi), {}


def _pos(lo=0.2, hi=3.0):
    return unary(lo, hi)


_REAL_RE = (0.2, 2.0)      # complex arguments right of the branch cut on (-inf, 0]

SPECS = {
    # arithmetic
    "add": [Spec(binary(), argnums=(0, 1)), C(cbinary(), argnums=(0, 1))],
    "subtract": [Spec(binary(), argnums=(0, 1)), C(cbinary(), argnums=(0, 1))],
    "multiply": [Spec(binary(), argnums=(0, 1)), C(cbinary(), argnums=(0, 1))],
    "divide": [Spec(binary(hi=2.0, lo2=0.5, hi2=2.0), argnums=(0, 1)),
               C(cbinary(re2=(0.5, 2.0)), argnums=(0, 1))],
    "negative": [Spec(unary()), C(cunary())],
    "positive": [Spec(unary()), C(cunary())],
    "reciprocal": [Spec(unary(0.4, 2.0)), Spec(unary(-2.0, -0.4)), C(cunary(re=(0.4, 2.0)))],
    "power": [Spec(binary(lo=0.5, hi=2.0), argnums=(0, 1)),
              C(cbinary(re=_REAL_RE, im=(-1.0, 1.0)), argnums=(0, 1))],
    # float_power computes in float64 whatever the input: no float32 check.
    "float_power": Spec(binary(lo=0.5, hi=2.0), argnums=(0, 1), float32=False),
    "fmod": [Spec(binary(0.1, 3.0, lo2=0.7, hi2=1.3, where=_off_multiples), argnums=(0, 1)),
             Spec(binary(-3.0, -0.1, lo2=0.7, hi2=1.3, where=_off_multiples), argnums=(0, 1))],
    "remainder": [Spec(binary(0.1, 3.0, lo2=0.7, hi2=1.3, where=_off_multiples), argnums=(0, 1)),
                  Spec(binary(-3.0, -0.1, lo2=-1.3, hi2=-0.7, where=_off_multiples),
                       argnums=(0, 1))],
    "divmod": Spec(binary(0.1, 3.0, lo2=0.7, hi2=1.3, where=_off_multiples), argnums=(0, 1)),
    "ldexp": Spec(_ldexp_args()),
    # the sign source gets gradient 0 (piecewise constant), checked as such
    "copysign": Spec(binary(avoid=(0.0,), avoid2=(0.0,)), argnums=(0, 1)),
    # exponentials, logarithms, roots
    "exp": [Spec(unary()), C(cunary())],
    "exp2": [Spec(unary()), C(cunary())],
    "expm1": [Spec(unary()), C(cunary())],
    "log": [Spec(_pos()), C(cunary(re=_REAL_RE))],
    "log2": [Spec(_pos()), C(cunary(re=_REAL_RE))],
    "log10": [Spec(_pos()), C(cunary(re=_REAL_RE))],
    "log1p": [Spec(unary(-0.7, 3.0)), C(cunary(re=(-0.7, 2.0)))],
    "logaddexp": Spec(binary(-3.0, 3.0), argnums=(0, 1)),
    "logaddexp2": Spec(binary(-3.0, 3.0), argnums=(0, 1)),
    "sqrt": [Spec(_pos()), C(cunary(re=_REAL_RE))],
    "cbrt": [Spec(_pos()), Spec(unary(-3.0, -0.2))],
    "square": [Spec(unary()), C(cunary())],
    # trigonometric and hyperbolic
    "sin": [Spec(unary(-3.0, 3.0)), C(cunary())],
    "cos": [Spec(unary(-3.0, 3.0)), C(cunary())],
    "tan": [Spec(unary(-1.2, 1.2)), C(cunary((-1.0, 1.0), (-1.0, 1.0)))],
    "arcsin": [Spec(unary(-0.9, 0.9)), C(cunary((-0.6, 0.6), (-0.6, 0.6)))],
    "arccos": [Spec(unary(-0.9, 0.9)), C(cunary((-0.6, 0.6), (-0.6, 0.6)))],
    "arctan": [Spec(unary(-3.0, 3.0)), C(cunary((-0.6, 0.6), (-0.6, 0.6)))],
    "sinh": [Spec(unary()), C(cunary())],
    "cosh": [Spec(unary()), C(cunary())],
    "tanh": [Spec(unary()), C(cunary((-1.0, 1.0), (-1.0, 1.0)))],
    "arcsinh": [Spec(unary(-3.0, 3.0)), C(cunary((-0.6, 0.6), (-0.6, 0.6)))],
    "arccosh": [Spec(unary(1.2, 3.0)), C(cunary((1.2, 3.0), (-1.0, 1.0)))],
    "arctanh": [Spec(unary(-0.9, 0.9)), C(cunary((-0.6, 0.6), (-0.6, 0.6)))],
    "arctan2": Spec(binary(where=_off_cut), argnums=(0, 1)),
    "hypot": Spec(binary(where=_off_origin), argnums=(0, 1)),
    # sinc: the whole range and the series branch near 0 (|x| < 0.1)
    # numpy.sinc itself is NaN at subnormal complex arguments (sin(y) / y overflows)
    "sinc": [Spec(unary(-2.0, 2.0)), Spec(unary(-0.09, 0.09)),
             C(cunary((-1.0, 1.0), (-1.0, 1.0), where=lambda z: (z == 0) | (np.abs(z) > 1e-100)))],
    "deg2rad": Spec(unary(-180.0, 180.0)),
    "rad2deg": Spec(unary()),
    "radians": Spec(unary(-180.0, 180.0)),
    "degrees": Spec(unary()),
    # absolute value and extrema (ties and zeros: test_numerics)
    "absolute": [Spec(unary(avoid=(0.0,))), C(cunary(where=lambda z: np.abs(z) > 0.2))],
    "fabs": Spec(unary(avoid=(0.0,))),
    "maximum": Spec(binary(where=_apart), argnums=(0, 1)),
    "minimum": Spec(binary(where=_apart), argnums=(0, 1)),
    "fmax": Spec(binary(where=_apart), argnums=(0, 1)),
    "fmin": Spec(binary(where=_apart), argnums=(0, 1)),
    "clip": [Spec(_clip_args(), argnums=(0, 1, 2)),
             Spec(_clip_args(none_hi=True), argnums=(0, 1))],
    # complex parts
    "real": [Spec(unary()), C(cunary())],
    "imag": [Spec(unary(), float32=False), C(cunary())],
    "conjugate": [Spec(unary()), C(cunary())],
    # angle of a real number is piecewise constant (0 or pi): gradient 0 away from 0
    "angle": [Spec(unary(avoid=(0.0,))),
              C(cunary(where=lambda z: (np.abs(z) > 0.3) & ((z.real > 0.1) | (np.abs(z.imag) > 0.1)))),
              C(cunary(re=(0.3, 2.0), deg=True))],
    "nan_to_num": [Spec(unary()), C(cunary())],
    # both branches: imaginary parts far from 0 (kept complex) and exactly 0 (made real)
    "real_if_close": [Spec(unary()), C(cunary(im=(0.5, 2.0))), C(cunary(im=(0.0, 0.0)))],
    "modf": Spec(unary(-3.0, 3.0).filter(lambda a: bool(np.all(_not_near_integers(a[0][0]))))),
    "frexp": Spec(unary(-1.9, 1.9).filter(lambda a: bool(np.all(_frexp_ok(a[0][0]))))),
    "astype": Spec(fixed(np.array([1.0, 2.5]), np.float32), float32=False, atol=1e-2, rtol=1e-2,
                   reference=lambda x, d: x.astype(d)),
}

# Not differentiable: values against NumPy (test_numerics calls them on traced values).
for _name in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
              "logical_and", "logical_or", "logical_xor", "isclose", "allclose",
              "array_equal", "array_equiv", "nextafter"]:
    SPECS[_name] = Spec(binary())
SPECS["heaviside"] = Spec(binary(avoid=(0.0,)))
SPECS["floor_divide"] = Spec(binary(lo2=0.5, hi2=2.0))
for _name in ["sign", "signbit", "floor", "ceil", "rint", "trunc", "fix", "isfinite", "isnan",
              "isinf", "isposinf", "isneginf", "logical_not", "spacing", "iscomplex", "isreal"]:
    SPECS[_name] = Spec(unary())
SPECS["round"] = [Spec(unary()), Spec(unary(decimals=1))]


@st.composite
def _ints(d, n=2, lo=0, hi=40):
    (s1, s2), _ = d(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                      max_side=3))
    xs = [d(hnp.arrays(np.int64, s, elements=st.integers(lo, hi))) for s in (s1, s2)[:n]]
    return tuple(xs), {}


for _name in ["bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm"]:
    SPECS[_name] = Spec(_ints())
SPECS["left_shift"] = Spec(_ints(hi=5))
SPECS["right_shift"] = Spec(_ints(hi=5))
SPECS["invert"] = Spec(_ints(n=1))
if hasattr(np, "bitwise_count"):  # NumPy >= 2.0 (funcgrad.numpy passes NumPy's through)
    SPECS["bitwise_count"] = Spec(_ints(n=1))
