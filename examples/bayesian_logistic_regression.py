"""Bayesian logistic regression: the log-posterior with funcgrad.scipy.stats and
special, its maximum found with funcgrad.optimizers.adam, and a Laplace
approximation of the posterior from funcgrad.hessian.

Run:  python examples/bayesian_logistic_regression.py
"""
# requires: scipy
import numpy as np

import funcgrad
import funcgrad.numpy as fnp
from funcgrad import optimizers as optim
from funcgrad.scipy import special, stats


def log_posterior(params, x, y):
    logits = x @ params["w"] + params["b"]
    # log p(y | w) = y log expit(z) + (1 - y) log expit(-z), stable for large |z|
    log_lik = fnp.sum(y * special.log_expit(logits) + (1 - y) * special.log_expit(-logits))
    log_prior = fnp.sum(stats.norm.logpdf(params["w"], 0.0, 2.0)) + stats.norm.logpdf(
        params["b"], 0.0, 5.0)
    return log_lik + log_prior


def main() -> dict:
    rng = np.random.default_rng(1)
    true_w, true_b = np.array([1.5, -2.0, 0.5]), 0.3
    x = rng.normal(size=(200, 3))
    y = (rng.uniform(size=200) < special.expit(x @ true_w + true_b)).astype(float)

    loss = lambda p: -log_posterior(p, x, y)  # noqa: E731
    step = funcgrad.value_and_grad(loss)
    opt = optim.adam(optim.exponential_decay(0.1, 200, 0.5))
    params = {"w": np.zeros(3), "b": np.array(0.0)}
    state = opt.init(params)
    for it in range(400):
        value, grads = step(params)
        updates, state = opt.update(grads, state, params)
        params = optim.apply_updates(params, updates)
        if it % 100 == 0:
            print(f"step {it:3d}  -log posterior {value:.4f}")
    print(f"MAP w = {np.round(params['w'], 3)}, b = {float(params['b']):.3f}")
    # Laplace approximation: the posterior covariance is the inverse Hessian at the MAP
    hess = funcgrad.hessian(lambda w: loss({"w": w, "b": params["b"]}))(params["w"])
    std = np.sqrt(np.diag(np.linalg.inv(hess)))
    print(f"posterior std of w (Laplace) = {np.round(std, 3)}")
    accuracy = np.mean(((x @ params["w"] + params["b"]) > 0) == (y == 1))
    print(f"training accuracy: {100 * accuracy:.1f}%")
    assert np.all(np.abs(params["w"] - true_w) < 3 * std + 0.1) and accuracy > 0.75
    return params


if __name__ == "__main__":
    main()
