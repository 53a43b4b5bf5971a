"""Functional quickstart: fit a tiny model with funcgrad.value_and_grad.

Run:  python examples/functional_quickstart.py
"""
import numpy as np

import funcgrad as fg


def model(params, x):
    return np.tanh(x @ params["w1"] + params["b1"]) @ params["w2"]


def loss(params, x, y):
    return np.mean((model(params, x) - y) ** 2)


def main() -> float:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(64, 1))
    y = np.sin(2 * x)
    params = {"w1": rng.normal(size=(1, 16)), "b1": np.zeros(16), "w2": rng.normal(size=(16, 1)) * 0.1}
    step = fg.value_and_grad(loss)
    for it in range(300):
        value, grads = step(params, x, y)
        params = fg.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)
        if it % 100 == 0:
            print(f"step {it:3d}  loss {value:.4f}")
    final = loss(params, x, y)
    print(f"final loss {final:.4f}")
    # The same function, differentiated twice: curvature of the loss along w2[0, 0].
    curvature = fg.hessian(lambda w: loss({**params, "w2": w}, x, y))(params["w2"])
    print("Hessian block shape:", curvature.shape)
    return float(final)


if __name__ == "__main__":
    assert main() < 0.05
