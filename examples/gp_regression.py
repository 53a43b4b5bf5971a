"""Gaussian-process regression: fit the kernel's hyperparameters by maximising the
marginal likelihood, with funcgrad.scipy's Cholesky solve and scipy.optimize.

The negative log marginal likelihood of y ~ N(0, K + s^2 I), K an RBF kernel
with length scale l and amplitude a, is written with
funcgrad.scipy.linalg.cho_factor / cho_solve; its gradient in the (log)
hyperparameters comes from funcgrad, and funcgrad.scipy.optimize.minimize hands
both to scipy.optimize.minimize (L-BFGS-B) over a dict of parameters.

Run:  python examples/gp_regression.py
"""
# requires: scipy
import numpy as np


import funcgrad.numpy as fnp
from funcgrad.testing import check_grads
from funcgrad.scipy.linalg import cho_factor, cho_solve
from funcgrad.scipy.optimize import minimize


def kernel(params, xa, xb):
    sq = (xa[:, None] - xb[None, :]) ** 2
    return fnp.exp(2 * params["log_amp"]) * fnp.exp(-0.5 * sq / fnp.exp(2 * params["log_len"]))


def neg_log_marginal_likelihood(params, x, y):
    n = x.shape[0]
    k = kernel(params, x, x) + (fnp.exp(2 * params["log_noise"]) + 1e-8) * np.eye(n)
    c, lower = cho_factor(k, lower=True)
    alpha = cho_solve((c, lower), y)
    return 0.5 * y @ alpha + fnp.sum(fnp.log(fnp.diagonal(c))) + 0.5 * n * np.log(2 * np.pi)


def predict(params, x, y, x_new):
    n = x.shape[0]
    k = kernel(params, x, x) + np.exp(2 * params["log_noise"]) * np.eye(n)
    factor = cho_factor(k, lower=True)
    k_star = kernel(params, x_new, x)
    mean = k_star @ cho_solve(factor, y)
    var = np.exp(2 * params["log_amp"]) - np.sum(k_star * cho_solve(factor, k_star.T).T, axis=1)
    return mean, np.sqrt(np.maximum(var, 0.0))


def main() -> dict:
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-3, 3, 40))
    y = np.sin(2 * x) + 0.1 * rng.normal(size=x.shape)
    params0 = {"log_len": np.array(0.0), "log_amp": np.array(0.0), "log_noise": np.array(-1.0)}
    print(f"initial -log p(y) = {neg_log_marginal_likelihood(params0, x, y):.4f}")
    # the gradient agrees with finite differences (a quick self-check)
    check_grads(lambda p: neg_log_marginal_likelihood(p, x, y), (params0,))
    res = minimize(neg_log_marginal_likelihood, params0, args=(x, y), method="L-BFGS-B")
    fitted = res.x
    print(f"fitted  -log p(y) = {res.fun:.4f} after {res.nit} iterations ({res.message})")
    for name, value in fitted.items():
        print(f"  {name[4:]:>5} = {float(np.exp(value)):.4f}")
    x_new = np.linspace(-2.5, 2.5, 6)
    mean, std = predict(fitted, x, y, x_new)
    err = np.max(np.abs(mean - np.sin(2 * x_new)))
    print(f"max |posterior mean - sin(2x)| on a test grid: {err:.3f}")
    assert res.success and np.exp(fitted["log_noise"]) < 0.2 and err < 0.25
    return fitted


if __name__ == "__main__":
    main()
