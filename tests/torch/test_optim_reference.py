"""RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam and LBFGS step for step
against PyTorch 2.13's own trajectories (recorded in data/optim_reference.json
by make_optim_reference.py: CI has no PyTorch), on a 2x3 and a 0-d parameter,
in float64 (to rounding) and float32; then state_dict round trips, complex
parameters as real pairs, argument validation with PyTorch's messages.
"""
from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch import nn

from .make_optim_reference import lbfgs_loss

with open(os.path.join(os.path.dirname(__file__), "data", "optim_reference.json")) as f:
    REFERENCE = json.load(f)

ELEMENTWISE = REFERENCE["elementwise"]
NAMES = sorted({c["opt"] for c in ELEMENTWISE})


def _kwargs(case):
    kw = dict(case["kwargs"])
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    return kw


def _run(case, steps=None):
    dtype = getattr(torch, case["dtype"])
    ps = [nn.Parameter(torch.tensor(v, dtype=dtype)) for v in case["init"]]
    opt = getattr(torch.optim, case["opt"])(ps, **_kwargs(case))
    traj = []
    for g in case["grads"][:steps]:
        for p, gi in zip(ps, g):
            p.grad = torch.tensor(gi, dtype=dtype)
        opt.step()
        traj.append([p.detach().numpy().copy() for p in ps])
    return ps, opt, traj


@pytest.mark.parametrize("case", ELEMENTWISE,
                         ids=[f"{c['opt']}-{c['dtype']}-{i}" for i, c in enumerate(ELEMENTWISE)])
def test_steps_equal_pytorchs(case):
    ps, opt, traj = _run(case)
    tol = dict(rtol=1e-12, atol=1e-14) if case["dtype"] == "float64" else dict(rtol=2e-6,
                                                                               atol=1e-7)
    for got, want in zip(traj, case["traj"]):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, np.asarray(w), **tol)
    assert all(p.dtype == getattr(torch, case["dtype"]) for p in ps)
    state = opt.state[ps[1]]
    assert set(state) == set(case["state_0d"])  # PyTorch's state names
    for k, v in case["state_0d"].items():
        assert state[k].shape == torch.Size([]), k  # 0-d parameter, 0-d buffers
        np.testing.assert_allclose(state[k].item(), v, **tol)


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_continues_the_same_trajectory(name):
    case = next(c for c in ELEMENTWISE if c["opt"] == name and c["dtype"] == "float64")
    ps, opt, _ = _run(case, steps=2)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    fresh = [nn.Parameter(p.detach().clone()) for p in ps]
    opt2 = getattr(torch.optim, name)(fresh, **_kwargs(case))
    opt2.load_state_dict(saved)
    for o, params in ((opt, ps), (opt2, fresh)):
        for g in case["grads"][2:]:
            for p, gi in zip(params, g):
                p.grad = torch.tensor(gi, dtype=torch.float64)
            o.step()
    for a, b, want in zip(ps, fresh, case["traj"][-1]):
        np.testing.assert_allclose(a.detach().numpy(), np.asarray(want), rtol=1e-12)
        if name == "NAdam":
            # load_state_dict casts every state tensor but "step" to the parameter's
            # dtype, as PyTorch's does: mu_product continues in float64, not float32
            assert opt2.state[b]["mu_product"].dtype == torch.float64
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-8)
        else:
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert saved["param_groups"][0]["params"] == [0, 1]


@pytest.mark.parametrize("name", NAMES)
def test_complex_parameters_are_updated_as_real_pairs(name):
    case = next(c for c in ELEMENTWISE if c["opt"] == name and c["dtype"] == "float64")
    rng = np.random.default_rng(1)
    z0 = rng.normal(size=(3,)) + 1j * rng.normal(size=(3,))
    zc = nn.Parameter(torch.tensor(z0))
    zs = nn.Parameter(torch.tensor(np.asarray(z0[0])))  # 0-d complex
    zr = nn.Parameter(torch.tensor(np.stack([z0.real, z0.imag], -1)))
    opt_c = getattr(torch.optim, name)([zc, zs], **_kwargs(case))
    opt_r = getattr(torch.optim, name)([zr], **_kwargs(case))
    for _ in range(3):
        g = rng.normal(size=(3,)) + 1j * rng.normal(size=(3,))
        zc.grad, zs.grad = torch.tensor(g), torch.tensor(np.asarray(g[0]))
        zr.grad = torch.tensor(np.stack([g.real, g.imag], -1))
        opt_c.step()
        opt_r.step()
    got = zc.detach().numpy()
    np.testing.assert_allclose(np.stack([got.real, got.imag], -1), zr.detach().numpy(),
                               rtol=1e-13)
    np.testing.assert_allclose(zs.detach().numpy(), got[0], rtol=1e-13)


@pytest.mark.parametrize("i", range(len(REFERENCE["lbfgs"])))
def test_lbfgs_equals_pytorchs(i):
    case = REFERENCE["lbfgs"][i]
    a = nn.Parameter(torch.tensor([-1.2, 1.0], dtype=torch.float64))
    b = nn.Parameter(torch.tensor(1.5, dtype=torch.float64))
    opt = torch.optim.LBFGS([a, b], **case["kwargs"])

    def closure():
        opt.zero_grad()
        loss = lbfgs_loss(torch, a, b)
        loss.backward()
        return loss

    for want in case["steps"]:
        loss = opt.step(closure)
        st = opt.state[a]
        assert (st["func_evals"], st["n_iter"]) == (want["func_evals"], want["n_iter"])
        # the same decisions (evaluation and iteration counts exactly); values to
        # rounding, amplified by Rosenbrock's valley over tens of iterations (the
        # dot products are summed in another order than PyTorch's)
        np.testing.assert_allclose(float(loss), want["loss"], rtol=1e-6)
        np.testing.assert_allclose(a.detach().numpy(), want["a"], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(b.item(), want["b"], rtol=1e-6, atol=1e-9)


def test_lbfgs_state_dict_round_trip_and_errors():
    x = nn.Parameter(torch.tensor([1.5, -0.5], dtype=torch.float64))
    opt = torch.optim.LBFGS([x], max_iter=3)

    def closure():
        opt.zero_grad()
        loss = (x ** 2).sum() + x[0] * x[1]
        loss.backward()
        return loss

    opt.step(closure)
    sd = pickle.loads(pickle.dumps(opt.state_dict()))
    y = nn.Parameter(x.detach().clone())
    opt2 = torch.optim.LBFGS([y], max_iter=3)
    opt2.load_state_dict(sd)
    opt.step(closure)

    def closure2():
        opt2.zero_grad()
        loss = (y ** 2).sum() + y[0] * y[1]
        loss.backward()
        return loss

    opt2.step(closure2)
    np.testing.assert_array_equal(x.detach().numpy(), y.detach().numpy())
    x.data = torch.tensor([1.5, -0.5], dtype=torch.float64)  # away from the minimum
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        torch.optim.LBFGS([x], line_search_fn="armijo").step(closure)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        torch.optim.LBFGS([{"params": [x]}, {"params": [y]}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        torch.optim.LBFGS([x], lr=-1)
    converged = nn.Parameter(torch.zeros(2))   # zero gradient: returns at once
    o = torch.optim.LBFGS([converged])
    assert o.step(lambda: (converged ** 2).sum().backward() or (converged ** 2).sum()) == 0


VALIDATION = [
    ("RMSprop", dict(lr=-1), "Invalid learning rate: -1"),
    ("RMSprop", dict(eps=-1), "Invalid epsilon value: -1"),
    ("RMSprop", dict(momentum=-1), "Invalid momentum value: -1"),
    ("RMSprop", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("RMSprop", dict(alpha=-1), "Invalid alpha value: -1"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value"),
    ("Adagrad", dict(eps=-1), "Invalid epsilon value: -1"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adadelta", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("Adamax", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("Adamax", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("NAdam", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("RAdam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("Adam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
]


@pytest.mark.parametrize("name,kwargs,message", VALIDATION, ids=[v[2] for v in VALIDATION])
def test_argument_validation_messages(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, name)([nn.Parameter(torch.ones(1))], **kwargs)


def test_defaults_are_pytorchs():
    p = [nn.Parameter(torch.ones(1))]
    want = {"RMSprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0, centered=False),
            "Adagrad": dict(lr=1e-2, lr_decay=0, eps=1e-10, initial_accumulator_value=0),
            "Adadelta": dict(lr=1.0, rho=0.9, eps=1e-6),
            "Adamax": dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8),
            "NAdam": dict(lr=2e-3, momentum_decay=4e-3, decoupled_weight_decay=False),
            "RAdam": dict(lr=1e-3, betas=(0.9, 0.999), decoupled_weight_decay=False),
            "LBFGS": dict(lr=1, max_iter=20, max_eval=25, tolerance_grad=1e-7,
                          tolerance_change=1e-9, history_size=100, line_search_fn=None)}
    for name, expected in want.items():
        group = getattr(torch.optim, name)(p).param_groups[0]
        assert {k: group[k] for k in expected} == expected, name


def test_training_converges_with_each_new_optimizer():
    torch.manual_seed(0)
    X = torch.randn(64, 3)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    for name, kw in [("RMSprop", dict(lr=0.01)), ("Adagrad", dict(lr=0.3)),
                     ("Adadelta", dict(lr=5.0)), ("Adamax", dict(lr=0.05)),
                     ("NAdam", dict(lr=0.05)), ("RAdam", dict(lr=0.05))]:
        model = nn.Linear(3, 1)
        opt = getattr(torch.optim, name)(model.parameters(), **kw)
        for _ in range(300):
            opt.zero_grad()
            loss = ((model(X) - y) ** 2).mean()
            loss.backward()
            opt.step()
        assert loss.item() < 0.05, (name, loss.item())


@pytest.mark.parametrize("name", ["funcgrad.torch.optim.adaptive", "funcgrad.torch.optim.lbfgs"])
def test_docstring_examples(name):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
