"""``autograd.scipy.stats``: one module per distribution, as autograd's
(``import funcgrad.autograd.scipy.stats.norm as norm``; ``norm.logpdf(x, loc, scale)``),
over funcgrad.scipy.stats."""
from __future__ import annotations

import sys
import types

from funcgrad.scipy import stats as _stats

_NAMES = ["norm", "t", "cauchy", "laplace", "logistic", "expon", "gamma", "chi2", "beta",
          "uniform", "poisson", "binom", "bernoulli", "geom", "nbinom", "dirichlet",
          "multivariate_normal"]


def _module(name: str) -> types.ModuleType:
    dist = getattr(_stats, name)
    mod = types.ModuleType(f"{__name__}.{name}", f"autograd.scipy.stats.{name}: "
                                                 f"funcgrad.scipy.stats.{name}'s methods.")
    for method in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "logpmf", "pmf"):
        if hasattr(dist, method):
            setattr(mod, method, getattr(dist, method))
    return mod


for _name in _NAMES:
    globals()[_name] = sys.modules[f"{__name__}.{_name}"] = _module(_name)
mvn = multivariate_normal  # noqa: F821
__all__ = list(_NAMES)
