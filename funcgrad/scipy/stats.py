"""Differentiable ``scipy.stats`` densities, mass functions and distribution functions.

Each distribution is an object with SciPy's methods and signatures
(``norm.logpdf(x, loc=0, scale=1)``, ``t.cdf(x, df, loc=0, scale=1)``,
``poisson.logpmf(k, mu, loc=0)``, ...), written with
:mod:`funcgrad.scipy.special` and funcgrad.numpy, so they are differentiable in
every continuous argument: the point, ``loc``, ``scale`` and the shape
parameters. Exceptions (no closed-form derivative; asking raises
``TypeError``): the shape parameters of ``t.cdf``, ``gamma.cdf``,
``chi2.cdf``, ``beta.cdf`` and ``nbinom.cdf``'s ``n`` (their CDFs are
``stdtr``, ``gammainc`` and ``betainc`` in the shape arguments).

Outside the support ``logpdf`` is ``-inf`` and ``pdf`` 0 with gradient 0,
the CDF is 0 or 1 with gradient 0; ``scale <= 0`` gives ``nan``, as SciPy.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

import numpy as np

from .. import numpy as fnp
from .._core import concrete as _strip
from . import special as sp
from .linalg import solve_triangular
from ._registry import register

F = "stats"
_LOG_2PI = math.log(2 * math.pi)
_INF = float("inf")


def _const(x: Any) -> np.ndarray:
    return np.asarray(_strip(x))


class rv_frozen:
    """A distribution with its parameters fixed, as SciPy's ``norm(loc, scale)``:
    ``frozen.logpdf(x)`` is ``dist.logpdf(x, *args, **kwargs)`` (the parameters
    may be traced values)."""

    _METHODS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "logpmf", "pmf")

    def __init__(self, dist: Any, args: tuple, kwargs: dict) -> None:
        self.dist, self.args, self.kwds = dist, args, kwargs

    def __getattr__(self, name: str) -> Any:
        if name in self._METHODS and hasattr(self.dist, name):
            method = getattr(self.dist, name)
            return lambda x: method(x, *self.args, **self.kwds)
        raise AttributeError(f"frozen {self.dist.name} has no method {name!r}")

    def __repr__(self) -> str:
        return f"<frozen funcgrad.scipy.stats.{self.dist.name}>"


def _inside(mask: Any, value_at: Callable[[Any], Any], z: Any, safe: float, outside: float) -> Any:
    """``value_at(z)`` where ``mask``, ``outside`` elsewhere; ``value_at`` sees a safe
    point off the mask (no nan or inf reaches the gradient through ``where``)."""
    mask = np.asarray(mask)
    if mask.all():
        return value_at(z)
    zs = fnp.where(mask, z, safe)
    return fnp.where(mask, value_at(zs), outside)


class rv_continuous:
    """A continuous distribution: ``logpdf, pdf, cdf, logcdf, sf, logsf`` (and
    ``ppf`` where SciPy's inverse has a closed form), with ``loc`` and ``scale``."""

    def __init__(self, name: str, shapes: Sequence[str], logpdf: Callable[..., Any],
                 cdf: Callable[..., Any], support: tuple = (-_INF, _INF), safe: float = 0.5,
                 logcdf: Optional[Callable[..., Any]] = None, sf: Optional[Callable[..., Any]] = None,
                 logsf: Optional[Callable[..., Any]] = None,
                 ppf: Optional[Callable[..., Any]] = None) -> None:
        self.name, self.shapes = name, tuple(shapes)
        self._logpdf, self._cdf = logpdf, cdf
        self._logcdf, self._sf, self._logsf, self._ppf = logcdf, sf, logsf, ppf
        self.support, self.safe = support, safe
        methods = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"] + (["ppf"] if ppf else [])
        for m in methods:
            register(f"stats.{name}.{m}", getattr(self, m), F)

    def __repr__(self) -> str:
        return f"<funcgrad.scipy.stats.{self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> rv_frozen:
        """The frozen distribution: ``norm(1.0, 2.0).logpdf(x)``."""
        return rv_frozen(self, args, kwargs)

    def _parse(self, x: Any, args: tuple, kwargs: dict) -> tuple:
        names = self.shapes + ("loc", "scale")
        vals = dict(zip(names, args))
        if len(args) > len(names):
            raise TypeError(f"{self.name}: too many arguments (expected {', '.join(names)})")
        for k, v in kwargs.items():
            if k not in names or k in vals:
                raise TypeError(f"{self.name}: unexpected or repeated argument {k!r}")
            vals[k] = v
        missing = [n for n in self.shapes if n not in vals]
        if missing:
            raise TypeError(f"{self.name}: missing shape argument(s) {', '.join(missing)}")
        loc, scale = vals.get("loc", 0.0), vals.get("scale", 1.0)
        return (x - loc) / scale, tuple(vals[n] for n in self.shapes), loc, scale

    def _in_support(self, z: Any) -> np.ndarray:
        lo, hi = self.support
        zc = _const(z)
        return (zc >= lo) & (zc <= hi)

    @staticmethod
    def _valid(scale: Any, value: Any) -> Any:
        bad = _const(scale) <= 0
        return fnp.where(bad, np.nan, value) if np.any(bad) else value

    def _clipped(self, z: Any) -> Any:
        lo, hi = self.support
        if lo == -_INF and hi == _INF:
            return z
        return fnp.clip(z, None if lo == -_INF else lo, None if hi == _INF else hi)

    def logpdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        z, shapes, loc, scale = self._parse(x, args, kwargs)
        val = _inside(self._in_support(z), lambda zz: self._logpdf(zz, *shapes), z, self.safe,
                      -_INF)
        return self._valid(scale, val - fnp.log(scale))

    def pdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        return fnp.exp(self.logpdf(x, *args, **kwargs))

    def _at(self, fn: Callable[..., Any], x: Any, args: tuple, kwargs: dict) -> Any:
        """``fn`` (a CDF-like function of the standardized point) at ``x``."""
        z, shapes, loc, scale = self._parse(x, args, kwargs)
        return self._valid(scale, fn(self._clipped(z), *shapes))

    def cdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        return self._at(self._cdf, x, args, kwargs)

    def logcdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if self._logcdf is None:
            return fnp.log(self.cdf(x, *args, **kwargs))
        return self._at(self._logcdf, x, args, kwargs)

    def sf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if self._sf is None:
            return 1 - self.cdf(x, *args, **kwargs)
        return self._at(self._sf, x, args, kwargs)

    def logsf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if self._logsf is None:
            return fnp.log(self.sf(x, *args, **kwargs))
        return self._at(self._logsf, x, args, kwargs)

    def ppf(self, q: Any, *args: Any, **kwargs: Any) -> Any:
        _, shapes, loc, scale = self._parse(q, args, kwargs)
        return self._valid(scale, loc + scale * self._ppf(q, *shapes))


class rv_discrete:
    """A discrete distribution: ``logpmf, pmf, cdf, logcdf, sf, logsf`` with ``loc``;
    ``k`` is a constant, the shape parameters are differentiable."""

    def __init__(self, name: str, shapes: Sequence[str], logpmf: Callable[..., Any],
                 cdf: Callable[..., Any], support: Callable[..., Any],
                 sf: Optional[Callable[..., Any]] = None) -> None:
        self.name, self.shapes = name, tuple(shapes)
        self._logpmf, self._cdf, self._support, self._sf = logpmf, cdf, support, sf
        for m in ["logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"]:
            register(f"stats.{name}.{m}", getattr(self, m), F)

    def __repr__(self) -> str:
        return f"<funcgrad.scipy.stats.{self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> rv_frozen:
        """The frozen distribution: ``poisson(3.0).logpmf(k)``."""
        return rv_frozen(self, args, kwargs)

    def _parse(self, k: Any, args: tuple, kwargs: dict) -> tuple:
        names = self.shapes + ("loc",)
        vals = dict(zip(names, args))
        vals.update(kwargs)
        missing = [n for n in self.shapes if n not in vals]
        if missing or len(args) > len(names) or set(vals) - set(names):
            raise TypeError(f"{self.name}: expected arguments {', '.join(names)}")
        k = _const(k) - _const(vals.get("loc", 0))
        return k, tuple(vals[n] for n in self.shapes)

    def logpmf(self, k: Any, *args: Any, **kwargs: Any) -> Any:
        k, shapes = self._parse(k, args, kwargs)
        shapes_c = [_const(s) for s in shapes]
        ok = (k == np.floor(k)) & self._support(k, *shapes_c)
        ks = np.where(ok, k, 1.0)
        val = self._logpmf(ks, *shapes)
        return fnp.where(ok, val, -_INF) if not np.all(ok) else val

    def pmf(self, k: Any, *args: Any, **kwargs: Any) -> Any:
        return fnp.exp(self.logpmf(k, *args, **kwargs))

    def cdf(self, k: Any, *args: Any, **kwargs: Any) -> Any:
        k, shapes = self._parse(k, args, kwargs)
        return self._cdf(np.floor(k), *shapes)

    def logcdf(self, k: Any, *args: Any, **kwargs: Any) -> Any:
        return fnp.log(self.cdf(k, *args, **kwargs))

    def sf(self, k: Any, *args: Any, **kwargs: Any) -> Any:
        if self._sf is not None:
            kk, shapes = self._parse(k, args, kwargs)
            return self._sf(np.floor(kk), *shapes)
        return 1 - self.cdf(k, *args, **kwargs)

    def logsf(self, k: Any, *args: Any, **kwargs: Any) -> Any:
        return fnp.log(self.sf(k, *args, **kwargs))


def _piecewise(k: np.ndarray, below: float, above: float, lo: Any, hi: Any,
               inner: Callable[[np.ndarray], Any], safe: float) -> Any:
    """``below`` for ``k < lo``, ``above`` for ``k >= hi``, ``inner(k)`` between."""
    lo_m, hi_m = k < np.asarray(lo), k >= np.asarray(hi)
    mid = ~(lo_m | hi_m)
    val = inner(np.where(mid, k, safe))
    if np.all(mid):
        return val
    return fnp.where(lo_m, below, fnp.where(hi_m, above, val))


# --- continuous ---------------------------------------------------------------------------
norm = rv_continuous(
    "norm", (), lambda z: -z * z / 2 - _LOG_2PI / 2, sp.ndtr, logcdf=sp.log_ndtr,
    sf=lambda z: sp.ndtr(-z), logsf=lambda z: sp.log_ndtr(-z), ppf=sp.ndtri)


def _t_logpdf(z, df):
    return (sp.gammaln((df + 1) / 2) - sp.gammaln(df / 2) - fnp.log(df * math.pi) / 2
            - (df + 1) / 2 * fnp.log1p(z * z / df))


t = rv_continuous("t", ("df",), _t_logpdf, lambda z, df: sp.stdtr(df, z),
                  sf=lambda z, df: sp.stdtr(df, -z))
cauchy = rv_continuous("cauchy", (), lambda z: -math.log(math.pi) - fnp.log1p(z * z),
                       lambda z: 0.5 + fnp.arctan(z) / math.pi,
                       sf=lambda z: 0.5 - fnp.arctan(z) / math.pi,
                       ppf=lambda q: fnp.tan(math.pi * (q - 0.5)))


def _laplace_cdf(z):
    neg = _const(z) < 0
    return fnp.where(neg, fnp.exp(fnp.where(neg, z, 0.0)) / 2,
                     1 - fnp.exp(-fnp.where(neg, 0.0, z)) / 2)


laplace = rv_continuous("laplace", (), lambda z: -fnp.abs(z) - math.log(2), _laplace_cdf,
                        sf=lambda z: _laplace_cdf(-z))
logistic = rv_continuous("logistic", (), lambda z: sp.log_expit(z) + sp.log_expit(-z),
                         sp.expit, logcdf=sp.log_expit, sf=lambda z: sp.expit(-z),
                         logsf=lambda z: sp.log_expit(-z), ppf=sp.logit)
expon = rv_continuous("expon", (), lambda z: -z, lambda z: -fnp.expm1(-z), support=(0, _INF),
                      safe=1.0, logcdf=lambda z: fnp.log(-fnp.expm1(-z)),
                      sf=lambda z: fnp.exp(-z), logsf=lambda z: -z,
                      ppf=lambda q: -fnp.log1p(-q))
gamma = rv_continuous("gamma", ("a",), lambda z, a: sp.xlogy(a - 1, z) - z - sp.gammaln(a),
                      lambda z, a: sp.gammainc(a, z), support=(0, _INF), safe=1.0,
                      sf=lambda z, a: sp.gammaincc(a, z))
chi2 = rv_continuous(
    "chi2", ("df",),
    lambda z, df: sp.xlogy(df / 2 - 1, z) - z / 2 - sp.gammaln(df / 2) - df / 2 * math.log(2),
    lambda z, df: sp.gammainc(df / 2, z / 2), support=(0, _INF), safe=1.0,
    sf=lambda z, df: sp.gammaincc(df / 2, z / 2))
beta = rv_continuous(
    "beta", ("a", "b"),
    lambda z, a, b: sp.xlogy(a - 1, z) + sp.xlog1py(b - 1, -z) - sp.betaln(a, b),
    lambda z, a, b: sp.betainc(a, b, z), support=(0, 1), safe=0.5)
uniform = rv_continuous("uniform", (), lambda z: z * 0.0, lambda z: z, support=(0, 1),
                        safe=0.5, sf=lambda z: 1 - z, ppf=lambda q: q)

# --- discrete -----------------------------------------------------------------------------
poisson = rv_discrete(
    "poisson", ("mu",), lambda k, mu: sp.xlogy(k, mu) - sp.gammaln(k + 1) - mu,
    lambda k, mu: _piecewise(k, 0.0, 1.0, 0, _INF, lambda kk: sp.gammaincc(kk + 1, mu), 0.0),
    support=lambda k, mu: k >= 0)


def _binom_logpmf(k, n, p):
    return (sp.gammaln(n + 1) - sp.gammaln(k + 1) - sp.gammaln(n - k + 1)
            + sp.xlogy(k, p) + sp.xlog1py(n - k, -p))


binom = rv_discrete(
    "binom", ("n", "p"), _binom_logpmf,
    lambda k, n, p: _piecewise(k, 0.0, 1.0, 0, _const(n),
                               lambda kk: sp.betainc(_const(n) - kk, kk + 1, 1 - p), 0.0),
    support=lambda k, n, p: (k >= 0) & (k <= n))
bernoulli = rv_discrete(
    "bernoulli", ("p",), lambda k, p: sp.xlogy(k, p) + sp.xlog1py(1 - k, -p),
    lambda k, p: _piecewise(k, 0.0, 1.0, 0, 1, lambda kk: 1 - p + kk * 0.0, 0.0),
    support=lambda k, p: (k == 0) | (k == 1))
geom = rv_discrete(
    "geom", ("p",), lambda k, p: sp.xlog1py(k - 1, -p) + fnp.log(p),
    lambda k, p: _piecewise(k, 0.0, 1.0, 1, _INF, lambda kk: -fnp.expm1(kk * fnp.log1p(-p)),
                            1.0),
    support=lambda k, p: k >= 1,
    sf=lambda k, p: _piecewise(k, 1.0, 0.0, 1, _INF, lambda kk: fnp.exp(kk * fnp.log1p(-p)),
                               1.0))
nbinom = rv_discrete(
    "nbinom", ("n", "p"),
    lambda k, n, p: (sp.gammaln(n + k) - sp.gammaln(k + 1) - sp.gammaln(n)
                     + n * fnp.log(p) + sp.xlog1py(k, -p)),
    lambda k, n, p: _piecewise(k, 0.0, 1.0, 0, _INF,
                               lambda kk: sp.betainc(n, kk + 1, p), 0.0),
    support=lambda k, n, p: k >= 0)


# --- multivariate -------------------------------------------------------------------------
class _Dirichlet:
    """``dirichlet.logpdf(x, alpha)`` / ``pdf``: components along ``x``'s first
    axis (SciPy's layout); ``x`` may omit the last component."""

    def __repr__(self) -> str:
        return "<funcgrad.scipy.stats.dirichlet>"

    def logpdf(self, x: Any, alpha: Any) -> Any:
        k = fnp.shape(alpha)[0]
        if fnp.shape(x)[0] == k - 1:
            x = fnp.concatenate([x, (1 - fnp.sum(x, axis=0))[None]], axis=0)
        a = fnp.reshape(alpha, (k,) + (1,) * (fnp.ndim(x) - 1))
        return (sp.gammaln(fnp.sum(alpha)) - fnp.sum(sp.gammaln(alpha))
                + fnp.sum(sp.xlogy(a - 1, x), axis=0))

    def pdf(self, x: Any, alpha: Any) -> Any:
        return fnp.exp(self.logpdf(x, alpha))


class _MultivariateNormal:
    """``multivariate_normal.logpdf(x, mean=None, cov=1)`` / ``pdf``: points along
    ``x``'s last axis; ``cov`` a matrix, a vector (diagonal) or a scalar; mean and
    covariance both differentiable (through a Cholesky factor)."""

    def __repr__(self) -> str:
        return "<funcgrad.scipy.stats.multivariate_normal>"

    def logpdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        if allow_singular:
            raise NotImplementedError("multivariate_normal: allow_singular=True is not supported")
        dim = (fnp.shape(mean)[-1] if mean is not None and fnp.ndim(mean) > 0
               else fnp.shape(cov)[-1] if fnp.ndim(cov) > 0 else None)
        if dim is None:
            dim = 1  # scalar mean and covariance: one-dimensional points (SciPy's rule)
        if dim == 1 and (fnp.ndim(x) == 0 or fnp.shape(x)[-1] != 1):
            x = fnp.reshape(x, fnp.shape(x) + (1,))  # scalars are one-dimensional points
        diff = x if mean is None else x - mean
        if fnp.ndim(cov) < 2:
            var = fnp.broadcast_to(cov, (dim,))
            maha = fnp.sum(diff * diff / var, axis=-1)
            logdet = fnp.sum(fnp.log(var))
        else:
            chol = fnp.linalg.cholesky(cov)
            flat = fnp.reshape(diff, (-1, dim))
            z = solve_triangular(chol, fnp.swapaxes(flat, 0, 1), lower=True)
            maha = fnp.reshape(fnp.sum(z * z, axis=0), fnp.shape(diff)[:-1])
            logdet = 2 * fnp.sum(fnp.log(fnp.diagonal(chol)))
        return -0.5 * (dim * _LOG_2PI + logdet + maha)

    def pdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        return fnp.exp(self.logpdf(x, mean, cov, allow_singular))


dirichlet = _Dirichlet()
multivariate_normal = _MultivariateNormal()
for _name, _obj in (("dirichlet", dirichlet), ("multivariate_normal", multivariate_normal)):
    register(f"stats.{_name}.logpdf", _obj.logpdf, F)
    register(f"stats.{_name}.pdf", _obj.pdf, F)

__all__ = ["norm", "t", "cauchy", "laplace", "logistic", "expon", "gamma", "chi2", "beta",
           "uniform", "poisson", "binom", "bernoulli", "geom", "nbinom", "dirichlet",
           "multivariate_normal", "rv_continuous", "rv_discrete", "rv_frozen"]
