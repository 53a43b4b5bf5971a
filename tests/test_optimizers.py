"""funcgrad.optimizers against hand-written updates on a quadratic, and
differentiated through unrolled training; ravel_pytree; minimize over pytrees."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import funcgrad
import funcgrad.numpy as fnp
from funcgrad import optimizers as optim
from funcgrad.flatten_util import ravel_pytree
from funcgrad.testing import check_grads

A = np.array([[3.0, 0.5], [0.5, 1.0]])
TARGET = np.array([1.0, -2.0])


def quadratic(p):
    d = p["w"] - TARGET
    return 0.5 * d @ A @ d + 0.1 * p["b"] ** 2


def _grad(p):
    return {"w": A @ (p["w"] - TARGET), "b": 0.2 * p["b"]}


P0 = {"w": np.array([0.3, 0.7]), "b": np.array(1.5)}


def _by_hand(name, steps, lr=0.1):
    p = {k: v.copy() for k, v in P0.items()}
    st = {k: {"m": np.zeros_like(v), "v": np.zeros_like(v), "s": np.full_like(v, 0.1)}
          for k, v in p.items()}
    for t in range(1, steps + 1):
        g = _grad(p)
        for k in p:
            s, gk = st[k], g[k]
            if name == "sgd":
                u = -lr * gk
            elif name in ("momentum", "nesterov"):
                s["m"] = gk + 0.9 * s["m"]
                u = -lr * (gk + 0.9 * s["m"] if name == "nesterov" else s["m"])
            elif name in ("adam", "adamw"):
                s["m"] = 0.9 * s["m"] + 0.1 * gk
                s["v"] = 0.999 * s["v"] + 0.001 * gk ** 2
                u = (s["m"] / (1 - 0.9 ** t)) / (np.sqrt(s["v"] / (1 - 0.999 ** t)) + 1e-8)
                if name == "adamw":
                    u = u + 1e-2 * p[k]
                u = -lr * u
            elif name == "rmsprop":
                s["v"] = 0.9 * s["v"] + 0.1 * gk ** 2
                u = -lr * gk / np.sqrt(s["v"] + 1e-8)
            elif name == "adagrad":
                s["s"] = s["s"] + gk ** 2
                u = -lr * gk / np.sqrt(s["s"] + 1e-7)
            p[k] = p[k] + u
    return p


OPTIMIZERS = {
    "sgd": optim.sgd, "momentum": optim.momentum, "nesterov": optim.nesterov,
    "adam": optim.adam, "adamw": lambda lr: optim.adamw(lr, weight_decay=1e-2),
    "rmsprop": optim.rmsprop, "adagrad": optim.adagrad,
}


def _run(opt, params, steps, loss=quadratic):
    state = opt.init(params)
    for _ in range(steps):
        updates, state = opt.update(funcgrad.grad(loss)(params), state, params)
        params = optim.apply_updates(params, updates)
    return params


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_matches_the_hand_written_update(name):
    got = _run(OPTIMIZERS[name](0.1), P0, 4)
    want = _by_hand(name, 4)
    for k in P0:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_converges_on_the_quadratic(name):
    p = _run(OPTIMIZERS[name](0.5 if name == "adagrad" else 0.1), P0, 400)
    assert quadratic(p) < 1e-2


def _unrolled(params, lr, steps=5, inner=quadratic):
    """The loss after `steps` adam steps, as a function of the initial params and lr."""
    opt = optim.adam(lr)
    state = opt.init(params)
    for _ in range(steps):
        g = funcgrad.grad(inner)(params)
        updates, state = opt.update(g, state, params)
        params = optim.apply_updates(params, updates)
    return inner(params)


def test_grad_through_five_unrolled_adam_steps():
    check_grads(lambda p, lr: _unrolled(p, lr), (P0, np.array(0.05)), order=1)


def test_grad_through_unrolled_sgd_momentum_and_rmsprop():
    for make in (lambda lr: optim.momentum(lr), lambda lr: optim.rmsprop(lr)):
        def f(p, lr):
            opt = make(lr)
            state = opt.init(p)
            for _ in range(3):
                u, state = opt.update(funcgrad.grad(quadratic)(p), state, p)
                p = optim.apply_updates(p, u)
            return quadratic(p)
        check_grads(f, (P0, np.array(0.05)), order=1)


def test_schedules():
    assert optim.exponential_decay(1.0, 10, 0.5, staircase=True)(15) == 0.5
    assert np.isclose(optim.linear_schedule(1.0, 0.0, 10)(5), 0.5)
    assert optim.cosine_decay_schedule(2.0, 10, alpha=0.1)(10) == pytest.approx(0.2)
    w = optim.warmup_cosine_decay_schedule(0.0, 1.0, 5, 15)
    assert w(0) == 0.0 and w(5) == pytest.approx(1.0) and w(15) == pytest.approx(0.0)
    # a schedule's rate is used at step count 0, 1, ...
    opt = optim.sgd(optim.piecewise_constant_schedule(1.0, {1: 0.5}))
    state = opt.init(np.zeros(1))
    u0, state = opt.update(np.ones(1), state)
    u1, state = opt.update(np.ones(1), state)
    np.testing.assert_array_equal([u0[0], u1[0]], [-1.0, -0.5])


def test_bad_learning_rate():
    with pytest.raises(ValueError, match="learning_rate"):
        optim.adam(-1.0)
    with pytest.raises(ValueError, match="params"):
        opt = optim.adamw(0.1)
        opt.update(np.ones(1), opt.init(np.ones(1)))


Point = collections.namedtuple("Point", "x y")


def test_ravel_pytree_round_trips():
    tree = {"a": [np.arange(3.0), (np.float32(2.0), Point(np.ones((2, 2)), np.array(4)))],
            "b": None, "c": np.array(1.5)}
    flat, unravel = ravel_pytree(tree)
    assert flat.shape == (10,) and flat.dtype == np.float64
    back = unravel(flat)
    leaves_in = funcgrad.tree_util.tree_leaves(tree)
    leaves_out = funcgrad.tree_util.tree_leaves(back)
    assert funcgrad.tree_util.tree_structure(back) == funcgrad.tree_util.tree_structure(tree)
    for a, b in zip(leaves_in, leaves_out):
        assert np.asarray(a).dtype == np.asarray(b).dtype and np.shape(a) == np.shape(b)
        np.testing.assert_array_equal(a, b)
    assert isinstance(back["a"][1][1], Point)
    f32, unravel32 = ravel_pytree([np.ones(2, np.float32), np.float32(1.0)])
    assert f32.dtype == np.float32
    empty, unravel_empty = ravel_pytree({})
    assert empty.shape == (0,) and unravel_empty(empty) == {}
    with pytest.raises(ValueError, match="shape"):
        unravel(np.zeros(3))


def test_ravel_pytree_is_differentiable_both_ways():
    tree = {"w": np.array([[1.0, 2.0]]), "s": np.array(0.5)}

    def f(t):
        flat, unravel = ravel_pytree(t)
        back = unravel(flat * flat)
        return fnp.sum(back["w"]) * back["s"]
    check_grads(f, (tree,), order=2)
    g = funcgrad.grad(lambda t: fnp.sum(ravel_pytree(t)[0] ** 2))(tree)
    np.testing.assert_allclose(g["w"], 2 * tree["w"])


def _rosen(p):
    x = fnp.concatenate([p["head"][None], p["tail"]])
    return fnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


@pytest.mark.parametrize("method", ["BFGS", "L-BFGS-B", "trust-ncg"])
def test_minimize_rosenbrock_over_a_pytree(method):
    pytest.importorskip("scipy")
    from funcgrad.scipy.optimize import minimize
    res = minimize(_rosen, {"head": -1.2, "tail": np.array([1.0, -0.5])}, method=method,
                   options={"maxiter": 1000, "gtol": 1e-9})
    assert res.success, res.message
    np.testing.assert_allclose(res.x["tail"], [1.0, 1.0], atol=1e-4)
    assert res.x["head"].shape == () and np.isclose(res.x["head"], 1.0, atol=1e-4)


def test_minimize_hessp_and_hess_are_funcgrads():
    pytest.importorskip("scipy")
    from scipy.optimize import rosen_hess, rosen_hess_prod
    from funcgrad.scipy.optimize import flat_functions
    x = np.array([-1.2, 1.0, 0.3])
    flat, unravel, vg, hess, hessp = flat_functions(
        lambda p: _rosen({"head": p[0], "tail": p[1:]}), x)
    p = np.array([0.3, -1.0, 2.0])
    np.testing.assert_allclose(hessp(x, p), rosen_hess_prod(x, p), rtol=1e-12)
    np.testing.assert_allclose(hess(x), rosen_hess(x), rtol=1e-12)
