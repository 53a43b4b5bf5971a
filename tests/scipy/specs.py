"""Test inputs for every function in funcgrad.scipy's registry.

Each registered name (``"special.erf"``, ``"stats.norm.logpdf"``, ...) needs a
:class:`~tests.numpy.specs.Spec` here; ``test_registry.py`` fails for one that
lacks it. Values are compared with the SciPy function of the same name, first
derivatives with central differences *of that SciPy function*, and higher
orders (``order``) with ``check_grads``. Domains keep away from poles and kinks;
the behaviour at those points is pinned in ``test_boundaries.py``.
"""
from __future__ import annotations

import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra import numpy as hnp

from tests.numpy.specs import Spec, arrays, binary, fixed, shapes, unary

R = np.random.default_rng(7)
SPD = (lambda a: a @ a.T + 3 * np.eye(3))(R.normal(size=(3, 3)))
GEN = R.normal(size=(4, 4)) + 2 * np.eye(4)
RHS = R.normal(size=(3, 2))
SMALL = R.normal(size=(3, 3)) * 0.5
RHS4 = R.normal(size=(4, 2))
_LU = (lambda lu, piv: (lu, piv))(*__import__("scipy.linalg").linalg.lu_factor(GEN))
_AB = R.normal(size=(3, 4)) + np.array([[0.0], [4.0], [0.0]])    # (l, u) = (1, 1)
_AB2 = R.normal(size=(3, 4)) + np.array([[4.0], [0.0], [0.0]])   # (l, u) = (2, 0)
_HAS_PPF = {"norm", "cauchy", "logistic", "expon", "uniform"}


def _points(lo, hi, n_shapes=1, **kwargs):
    """``n_shapes`` broadcastable arrays with elements in [lo, hi] (one range per array)."""
    los = lo if isinstance(lo, tuple) else (lo,) * n_shapes
    his = hi if isinstance(hi, tuple) else (hi,) * n_shapes

    @st.composite
    def draw(d):
        sh, _ = d(hnp.mutually_broadcastable_shapes(num_shapes=n_shapes, min_dims=0,
                                                    max_dims=2, max_side=3))
        return tuple(d(arrays(s, a, b)) for s, a, b in zip(sh, los, his)), dict(kwargs)
    return draw()


def _ints(lo, hi, *floats, **kwargs):
    """An integer-valued float array k in [lo, hi] and float parameters ((lo, hi) each)."""
    @st.composite
    def draw(d):
        shp = d(shapes(0, 2))
        k = d(hnp.arrays(np.float64, shp, elements=st.integers(lo, hi).map(float)))
        return (k, *(d(arrays(shp, a, b)) for a, b in floats)), dict(kwargs)
    return draw()


def _with(strategy, *front, **kwargs):
    """Constant leading arguments (an order, a shape parameter) before drawn ones."""
    return strategy.map(lambda ak: ((*front, *ak[0]), {**ak[1], **kwargs}))


def _matrix_rows(cols):
    return st.integers(1, 3).flatmap(lambda n: arrays((n, cols), -1.0, 1.0))


SPECS: dict = {
    # special: elementwise
    "special.erf": Spec(unary()), "special.erfc": Spec(unary()),
    "special.erfinv": Spec(unary(-0.9, 0.9)), "special.erfcinv": Spec(unary(0.1, 1.9)),
    "special.ndtr": Spec(unary(-3, 3)), "special.ndtri": Spec(unary(0.05, 0.95)),
    "special.log_ndtr": Spec(unary(-10, 3)),
    "special.gammaln": Spec(unary(0.2, 5)), "special.gamma": Spec(unary(0.3, 4)),
    "special.digamma": Spec(unary(0.3, 5)), "special.psi": Spec(unary(0.3, 5)),
    "special.polygamma": [Spec(_with(unary(0.3, 4), 1), argnums=(1,)),
                          Spec(_with(unary(0.3, 4), 2), argnums=(1,))],
    "special.multigammaln": Spec(unary(2.0, 5.0).map(lambda ak: ((ak[0][0], 3), {}))),
    "special.betaln": Spec(_points(0.3, 4.0, 2), argnums=(0, 1)),
    "special.beta": Spec(_points(0.5, 3.0, 2), argnums=(0, 1)),
    "special.gammainc": Spec(_with(unary(0.1, 4.0), 2.5), argnums=(1,)),
    "special.gammaincc": Spec(_with(unary(0.1, 4.0), 1.5), argnums=(1,)),
    "special.betainc": Spec(_with(unary(0.05, 0.95), 2.0, 3.5), argnums=(2,)),
    "special.stdtr": Spec(_with(unary(-3.0, 3.0), 3.5), argnums=(1,)),
    "special.expit": Spec(unary(-5, 5)), "special.logit": Spec(unary(0.05, 0.95)),
    "special.log_expit": Spec(unary(-20, 20)),
    "special.xlogy": Spec(_points((-2.0, 0.2), (2.0, 3.0), 2), argnums=(0, 1)),
    "special.xlog1py": Spec(_points((-2.0, -0.8), (2.0, 3.0), 2), argnums=(0, 1)),
    "special.entr": Spec(unary(0.1, 3.0)),
    "special.rel_entr": Spec(_points((0.1, 0.1), (3.0, 3.0), 2), argnums=(0, 1)),
    "special.kl_div": Spec(_points((0.1, 0.1), (3.0, 3.0), 2), argnums=(0, 1)),
    "special.i0": Spec(unary(-3, 3)), "special.i0e": Spec(unary(-3, 3, avoid=(0.0,))),
    "special.i1": Spec(unary(-3, 3)), "special.i1e": Spec(unary(-3, 3, avoid=(0.0,))),
    "special.sinc": Spec(unary(-2, 2)),
    "special.rgamma": Spec(unary(0.3, 4)), "special.gammasgn": Spec(unary(-2.5, 3, avoid=(-2, -1, 0))),
    "special.j0": Spec(unary(-5, 5)), "special.j1": Spec(unary(-5, 5)),
    "special.y0": Spec(unary(0.5, 5)), "special.y1": Spec(unary(0.5, 5)),
    "special.jn": [Spec(_with(unary(-4, 4), n), argnums=(1,)) for n in (0, 2, 3)],
    "special.yn": [Spec(_with(unary(0.5, 4), n), argnums=(1,)) for n in (1, 2)],
    "special.iv": [Spec(_with(unary(0.2, 3), v), argnums=(1,)) for v in (0.5, 2.0)],
    "special.ive": [Spec(_with(unary(0.2, 3), v), argnums=(1,)) for v in (0.5, 2.0)],
    "special.zeta": [Spec(unary(1.5, 4.0)), Spec(_points((1.5, 0.3), (4.0, 3.0), 2),
                                                 argnums=(0, 1))],
    # special: reductions
    "special.logsumexp": [Spec(unary(-3, 3)), Spec(unary(-3, 3, axis=-1, keepdims=True)),
                          Spec(st.tuples(arrays((2, 3), -2, 2), arrays((3,), 0.2, 2)).map(
                              lambda p: ((p[0],), {"b": p[1], "axis": 1})))],
    "special.softmax": [Spec(unary(-3, 3)), Spec(unary(-3, 3, axis=0))],
    "special.log_softmax": [Spec(unary(-3, 3)), Spec(unary(-3, 3, axis=-1))],
    # linalg
    "linalg.solve_triangular": [
        Spec(fixed(SPD, RHS, lower=lo, trans=tr, unit_diagonal=u), argnums=(0, 1))
        for lo in (True, False) for tr in (0, 1, "T") for u in (False, True)],
    "linalg.cholesky": [Spec(fixed(SPD)), Spec(fixed(SPD, lower=True))],
    "linalg.cho_factor": Spec(fixed(SPD), canonical=lambda r: np.triu(r[0])),
    "linalg.cho_solve": [Spec(fixed((np.linalg.cholesky(SPD), True), RHS), argnums=(0, 1)),
                         Spec(fixed((np.linalg.cholesky(SPD).T, False), RHS[:, 0]),
                              argnums=(0, 1))],
    "linalg.lu_factor": Spec(fixed(GEN), canonical=lambda r: r[0]),
    "linalg.lu_solve": [Spec(fixed(_LU, RHS4, trans=t), argnums=(0, 1)) for t in (0, 1)],
    "linalg.solve": [Spec(fixed(SPD, RHS, assume_a=a, lower=lo), argnums=(0, 1))
                     for a in (None, "sym", "pos", "diagonal", "lower triangular")
                     for lo in (False, True)],
    "linalg.solve_banded": [Spec(fixed((1, 1), _AB, RHS4[:3 + 1][:, 0]), argnums=(1, 2)),
                            Spec(fixed((2, 0), _AB2, RHS4), argnums=(1, 2))],
    "linalg.inv": Spec(fixed(GEN)), "linalg.det": Spec(fixed(GEN)),
    "linalg.eigh": [Spec(fixed(SPD, eigvals_only=True)), Spec(fixed(SPD, lower=False),
                                                              canonical=lambda r: r[0])],
    "linalg.svd": [Spec(fixed(GEN[:3], compute_uv=False)),
                   Spec(fixed(GEN[:3], full_matrices=False), canonical=lambda r: r[1])],
    "linalg.expm": Spec(fixed(SMALL)), "linalg.sqrtm": Spec(fixed(SPD)),
    "linalg.logm": Spec(fixed(SPD)),
    "linalg.solve_sylvester": Spec(fixed(SPD, SPD + np.eye(3), SMALL), argnums=(0, 1, 2)),
    "linalg.block_diag": Spec(fixed(SMALL, RHS, np.array(2.0), np.array([1.0, 2.0])),
                              argnums=(0, 1, 2, 3)),
    # stats: multivariate
    # (x without its last component: SciPy's check that x sums to 1 rejects the steps)
    "stats.dirichlet.logpdf": [Spec(fixed(np.array([0.2, 0.5]), np.array([1.5, 2.0, 3.0])),
                                    argnums=(0, 1)),
                               Spec(fixed(np.array([[0.2, 0.4], [0.5, 0.1]]),
                                          np.array([1.5, 2.0, 3.0])), argnums=(0, 1))],
    "stats.dirichlet.pdf": Spec(fixed(np.array([0.2, 0.5]), np.array([1.5, 2.0, 3.0])),
                                argnums=(0, 1)),
    "stats.multivariate_normal.logpdf": [
        Spec(_matrix_rows(3).map(lambda x: ((x, np.array([0.1, -0.2, 0.3]), SPD), {})),
             argnums=(0, 1, 2)),
        Spec(fixed(np.array([0.3, -0.1, 0.2]), np.zeros(3), np.array([1.0, 2.0, 0.5])),
             argnums=(0, 2)),
        Spec(fixed(np.array([0.3, -0.1]), 0.5, 2.0), argnums=(0, 1, 2))],
    "stats.multivariate_normal.pdf": Spec(fixed(np.array([0.3, -0.1, 0.2]),
                                                np.array([0.1, 0.0, 0.2]), SPD),
                                          argnums=(0, 1, 2)),
}

# stats: univariate, (points, differentiated shape-parameter ranges, flags)
_CONTINUOUS = {
    "norm": ((-3, 3), ()), "t": ((-3, 3), ((1.5, 6.0),)), "cauchy": ((-3, 3), ()),
    "laplace": ((-3, 3), ()), "logistic": ((-3, 3), ()), "expon": ((0.1, 3), ()),
    "gamma": ((0.2, 4), ((1.2, 4.0),)), "chi2": ((0.2, 4), ((2.5, 5.0),)),
    "beta": ((0.1, 0.9), ((1.2, 3.0), (1.5, 4.0))), "uniform": ((0.15, 0.85), ()),
}
# CDFs in shape parameters are not differentiable (gammainc, betainc, stdtr in a/df)
_CDF_SHAPES_CONSTANT = {"t", "gamma", "chi2", "beta"}


def _continuous(name, method):
    (lo, hi), shape_ranges = _CONTINUOUS[name]
    n = len(shape_ranges)
    constant = method in ("cdf", "logcdf", "sf", "logsf") and name in _CDF_SHAPES_CONSTANT

    @st.composite
    def draw(d):
        shp = d(shapes(0, 2))
        x = d(arrays(shp, lo, hi))
        params = [d(arrays(shp, a, b)) for a, b in shape_ranges]
        if constant:
            params = [float(np.mean(p)) for p in params]
        loc, scale = d(arrays((), 0.013, 0.047)), d(arrays((), 0.93, 1.07))
        assume(np.all(np.abs(x - loc) > 1e-3))  # laplace's kink at x == loc
        return (x, *params, loc, scale), {}
    diff = (0,) + (() if constant else tuple(range(1, n + 1))) + (n + 1, n + 2)
    if method == "ppf":
        @st.composite
        def draw(d):  # noqa: F811
            shp = d(shapes(0, 2))
            return (d(arrays(shp, 0.05, 0.95)), d(arrays((), -1, 1)), d(arrays((), 0.5, 2))), {}
        diff = (0, 1, 2)
    return Spec(draw(), argnums=diff)


_DISCRETE = {
    "poisson": ((0, 6), ((0.5, 4.0),), (1,)), "binom": ((0, 5), ((5.0, 5.0), (0.1, 0.9)), (2,)),
    "bernoulli": ((0, 1), ((0.1, 0.9),), (1,)), "geom": ((1, 6), ((0.1, 0.9),), (1,)),
    "nbinom": ((0, 6), ((1.5, 4.0), (0.1, 0.9)), (1, 2)),
}


def _discrete(name, method):
    (lo, hi), ranges, diff = _DISCRETE[name]
    if name in ("binom", "bernoulli") and method in ("sf", "logsf"):
        hi -= 1  # sf is 0 at the top of the support: its log has no finite derivative
    if name == "nbinom" and method in ("cdf", "logcdf", "sf", "logsf"):
        diff = (2,)  # betainc(n, k + 1, p): n is a shape argument
    return Spec(_ints(lo, hi, *ranges), argnums=diff)


for _name in _CONTINUOUS:
    for _m in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf") + (
            ("ppf",) if _name in _HAS_PPF else ()):
        SPECS[f"stats.{_name}.{_m}"] = _continuous(_name, _m)
for _name in _DISCRETE:
    for _m in ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"):
        SPECS[f"stats.{_name}.{_m}"] = _discrete(_name, _m)

# signal: every mode, 1-d and 2-d, both argument orders (SciPy swaps for 'valid')
_A1, _V1 = R.normal(size=5), R.normal(size=3)
_A2, _V2 = R.normal(size=(4, 3)), R.normal(size=(2, 2))
for _f in ("convolve", "correlate", "fftconvolve"):
    SPECS[f"signal.{_f}"] = [Spec(fixed(a, v, mode), argnums=(0, 1))
                             for a, v in ((_A1, _V1), (_V1, _A1), (_A2, _V2))
                             for mode in ("full", "same", "valid")]
for _f in ("convolve2d", "correlate2d"):
    SPECS[f"signal.{_f}"] = [Spec(fixed(a, v, mode), argnums=(0, 1))
                             for a, v in ((_A2, _V2), (_V2, _A2), (_A2, R.normal(size=(3, 3))))
                             for mode in ("full", "same", "valid")]


def _lotka_volterra(y, t, a, b):
    import funcgrad.numpy as fnp
    return fnp.stack([a * y[0] - b * y[0] * y[1], -y[1] + 0.5 * t * y[0] * y[1]])


def _scipy_odeint(func, y0, t, *args):
    import scipy.integrate
    return scipy.integrate.odeint(lambda y, s: np.asarray(func(y, s, *args)), y0, t,
                                  args=(), rtol=1.4e-8, atol=1.4e-8)


SPECS["integrate.odeint"] = Spec(
    fixed(_lotka_volterra, np.array([1.0, 0.5]), np.array([0.0, 0.4, 1.0]), np.array(1.2),
          np.array(0.7)), argnums=(1, 2, 3, 4), reference=_scipy_odeint, order=1,
    atol=1e-4, rtol=1e-3)
