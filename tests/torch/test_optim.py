"""Optimizers and schedulers against PyTorch's documented update formulas.

Each reference below is the algorithm box of the PyTorch 2.x docs, written
out step by step in float64 NumPy; the optimizers must follow it over several
steps, with gradients that change from step to step.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from funcgrad.torch.optim import _functional as F

STEPS = 6


def _grads(rng, shape, steps=STEPS):
    return [rng.normal(size=shape) for _ in range(steps)]


# --- references: the documented algorithms ------------------------------------
def ref_sgd(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
            maximize=False):
    theta = theta.copy()
    b = None
    out = []
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g.copy()
        if weight_decay:
            g = g + weight_decay * theta
        if momentum:
            b = g.copy() if t == 1 else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
        out.append(theta.copy())
    return out


def ref_adam(theta, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             maximize=False, decoupled=False):
    b1, b2 = betas
    theta = theta.copy()
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    v_max = np.zeros_like(theta)
    out = []
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g.copy()
        if decoupled:
            theta = theta - lr * weight_decay * theta
        elif weight_decay:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat = m / (1 - b1 ** t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - b2 ** t)
        else:
            v_hat = v / (1 - b2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(theta.copy())
    return out


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True),
    dict(lr=0.05, momentum=0.5, maximize=True),
]
ADAM_CASES = [
    dict(lr=0.01),
    dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, amsgrad=True, weight_decay=0.05, maximize=True),
]


# --- the NumPy kernels ------------------------------------------------------------
@pytest.mark.parametrize("kw", SGD_CASES, ids=str)
def test_sgd_kernel_matches_formula(kw):
    rng = np.random.default_rng(0)
    theta0 = rng.normal(size=(3, 2))
    grads = _grads(rng, theta0.shape)
    expected = ref_sgd(theta0, grads, **kw)
    p, buf = theta0.copy(), None
    full = dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)
    full.update(kw)
    for g, want in zip(grads, expected):
        buf = F.sgd_step(p, g, buf, **full)
        np.testing.assert_allclose(p, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("decoupled", [False, True])
@pytest.mark.parametrize("kw", ADAM_CASES, ids=str)
def test_adam_kernel_matches_formula(kw, decoupled):
    rng = np.random.default_rng(1)
    theta0 = rng.normal(size=(4,))
    grads = _grads(rng, theta0.shape)
    expected = ref_adam(theta0, grads, decoupled=decoupled, **kw)
    p = theta0.copy()
    m, v, vmax = np.zeros(4), np.zeros(4), np.zeros(4)
    b1, b2 = kw.get("betas", (0.9, 0.999))
    for t, (g, want) in enumerate(zip(grads, expected), 1):
        F.adam_step(p, g, m, v, vmax if kw.get("amsgrad") else None, t, lr=kw["lr"], beta1=b1,
                    beta2=b2, eps=kw.get("eps", 1e-8), weight_decay=kw.get("weight_decay", 0.0),
                    amsgrad=kw.get("amsgrad", False), maximize=kw.get("maximize", False),
                    decoupled=decoupled)
        np.testing.assert_allclose(p, want, rtol=1e-10, atol=1e-12)


def test_kernels_keep_float32():
    p = np.ones(3, np.float32)
    g = np.full(3, 0.5, np.float32)
    F.sgd_step(p, g, None, lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.01,
               nesterov=False, maximize=False)
    assert p.dtype == np.float32
    m, v = np.zeros(3, np.float32), np.zeros(3, np.float32)
    F.adam_step(p, g, m, v, None, 1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8,
                weight_decay=0.0, amsgrad=False, maximize=False)
    assert p.dtype == m.dtype == v.dtype == np.float32


# --- the optimizer classes on facade tensors --------------------------------------------
import funcgrad.torch as torch  # noqa: E402
from funcgrad.torch import nn  # noqa: E402


def _run_optimizer(make, theta0, grads):
    """Drive an optimizer with prescribed gradients: loss_t = sum(c_t * p), so
    p.grad == c_t at step t."""
    p = nn.Parameter(torch.from_numpy(theta0.copy()))
    opt = make([p])
    out = []
    for g in grads:
        opt.zero_grad()
        (p * torch.from_numpy(g)).sum().backward()
        opt.step()
        out.append(p.detach().numpy().copy())
    return p, opt, out


@pytest.mark.parametrize("shape", [(2, 3), ()], ids=["2x3", "0-d"])
@pytest.mark.parametrize("kw", SGD_CASES, ids=str)
def test_sgd_class_matches_formula(kw, shape):
    rng = np.random.default_rng(2)
    theta0 = np.asarray(rng.normal(size=shape))
    grads = _grads(rng, theta0.shape)
    _, opt, got = _run_optimizer(lambda ps: torch.optim.SGD(ps, **kw), theta0, grads)
    for a, b in zip(got, ref_sgd(theta0, grads, **kw)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(5,), ()], ids=["5", "0-d"])
@pytest.mark.parametrize("cls", ["Adam", "AdamW"])
@pytest.mark.parametrize("kw", ADAM_CASES, ids=str)
def test_adam_classes_match_formula(cls, kw, shape):
    rng = np.random.default_rng(3)
    theta0 = np.asarray(rng.normal(size=shape))
    grads = _grads(rng, theta0.shape)
    kw = dict(kw)
    if cls == "AdamW":
        kw.setdefault("weight_decay", 1e-2)       # AdamW's default
    p, opt, got = _run_optimizer(lambda ps: getattr(torch.optim, cls)(ps, **kw), theta0, grads)
    want = ref_adam(theta0, grads, decoupled=cls == "AdamW", **kw)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    state = opt.state[p]
    assert state["step"].item() == STEPS
    expected_keys = {"step", "exp_avg", "exp_avg_sq"} | ({"max_exp_avg_sq"} if kw.get("amsgrad")
                                                         else set())
    assert set(state) == expected_keys


def test_adamw_default_weight_decay_and_adam_default_lr():
    p = nn.Parameter(torch.ones(1))
    assert torch.optim.AdamW([p]).defaults["weight_decay"] == 1e-2
    assert torch.optim.Adam([p]).defaults["lr"] == 1e-3
    assert torch.optim.SGD([p]).defaults["lr"] == 1e-3


def test_float32_parameters_stay_float32():
    for make in (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
                 lambda ps: torch.optim.Adam(ps, amsgrad=True),
                 lambda ps: torch.optim.AdamW(ps)):
        p = nn.Parameter(torch.ones(3))
        opt = make([p])
        for _ in range(2):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
        assert p.dtype == torch.float32
        for value in opt.state[p].values():
            if isinstance(value, torch.Tensor) and value.dim() > 0:
                assert value.dtype == torch.float32


def test_sgd_momentum_buffer_state_and_parameters_without_grad():
    a, b = nn.Parameter(torch.ones(2)), nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([a, b], lr=0.1, momentum=0.9)
    (a * 3).sum().backward()
    opt.step()
    assert torch.equal(opt.state[a]["momentum_buffer"], torch.full((2,), 3.0))
    assert b not in opt.state or not opt.state[b]
    assert torch.equal(b.detach(), torch.ones(2))       # no grad: untouched
    assert torch.allclose(a.detach(), torch.full((2,), 0.7))


def test_param_groups_have_their_own_hyperparameters():
    a, b = nn.Parameter(torch.ones(1)), nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    (a + b).sum().backward()
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0


def test_plain_sgd_keeps_no_state():
    p = nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([p], lr=0.1)
    p.sum().backward()
    opt.step()
    assert opt.state_dict()["state"] == {}


def test_zero_grad_set_to_none_and_zeros():
    p = nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([p], lr=0.1)
    p.sum().backward()
    opt.zero_grad(set_to_none=False)
    assert torch.equal(p.grad, torch.zeros(2))
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_returns_the_loss_and_runs_with_grad():
    p = nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss

    with torch.no_grad():                     # step re-enables grad for the closure
        loss = opt.step(closure)
    assert loss.item() == 4.0
    assert p.item() == pytest.approx(1.0)


def test_step_records_no_graph():
    p = nn.Parameter(torch.ones(2))
    opt = torch.optim.Adam([p], lr=0.1)
    p.sum().backward()
    opt.step()
    assert p.is_leaf and p.grad_fn is None and p.requires_grad


def test_state_dict_and_load_state_dict():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sd["param_groups"][0]["params"] == [0, 1]
    assert set(sd["state"]) == {0, 1} and "momentum_buffer" in sd["state"][0]
    other = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.5, momentum=0.9)
    other.load_state_dict(sd)
    assert other.param_groups[0]["lr"] == 0.1
    first = other.param_groups[0]["params"][0]
    assert torch.equal(other.state[first]["momentum_buffer"], sd["state"][0]["momentum_buffer"])
    sd["state"][0]["momentum_buffer"].zero_()           # a copy was loaded
    assert not torch.equal(other.state[first]["momentum_buffer"], torch.zeros(2, 2))
    with pytest.raises(ValueError, match="different number of parameter groups"):
        other.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size"):
        other.load_state_dict({"state": {}, "param_groups": [dict(sd["param_groups"][0],
                                                                  params=[0])]})


def test_constructor_errors_are_pytorch_style():
    p = nn.Parameter(torch.ones(1))
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        torch.optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero "
                                         "dampening"):
        torch.optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        torch.optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Invalid epsilon value"):
        torch.optim.Adam([p], eps=-1.0)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        torch.optim.Adam([])
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got "
                                        "torch.FloatTensor"):
        torch.optim.SGD(torch.ones(2, requires_grad=True), lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        torch.optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter "
                                         "group"):
        torch.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


def test_repr_lists_group_hyperparameters_sorted():
    opt = torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=0.1, momentum=0.9)
    assert repr(opt) == ("SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
                         "    foreach: None\n    fused: None\n    lr: 0.1\n    maximize: False\n"
                         "    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n)")


def test_training_converges_with_each_optimizer():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(64, 3)).astype(np.float32))
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    for make in (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
                 lambda ps: torch.optim.Adam(ps, lr=0.05),
                 lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=1e-4)):
        torch.manual_seed(0)
        model = nn.Linear(3, 1)
        opt = make(model.parameters())
        for _ in range(200):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
        assert loss.item() < 1e-3


# --- learning-rate schedulers -----------------------------------------------------------------
def _lrs(make_sched, epochs, lr=1.0):
    opt = torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=lr)
    sched = make_sched(opt)
    out = []
    for _ in range(epochs):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [opt.param_groups[0]["lr"]]
    return out


def test_step_lr_sequence():
    got = _lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 10, lr=0.8)
    want = [0.8 * 0.5 ** (e // 3) for e in range(10)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("eta_min", [0.0, 0.1])
def test_cosine_annealing_matches_closed_form_over_two_periods(eta_min):
    T = 5
    got = _lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=T, eta_min=eta_min),
               3 * T, lr=1.0)
    want = [eta_min + (1 - eta_min) * (1 + math.cos(math.pi * e / T)) / 2 for e in range(3 * T)]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_scheduler_initial_lr_state_dict_and_order_warning():
    opt = torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=0.3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)
    assert opt.param_groups[0]["initial_lr"] == 0.3 and sched.last_epoch == 0
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before "
                                         r"`optimizer.step\(\)`"):
        sched.step()
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 1 and sd["base_lrs"] == [0.3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2 = torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=0.3)
        sched2 = torch.optim.lr_scheduler.StepLR(opt2, step_size=1, gamma=0.1)
        opt2.step()
        sched2.step()
    sched2.load_state_dict(sd)
    assert sched2.last_epoch == 1


def test_complex_parameters_are_updated_as_real_pairs():
    """PyTorch runs Adam on view_as_real(p): real and imaginary parts have
    their own moments."""
    rng = np.random.default_rng(7)
    theta0 = rng.normal(size=3) + 1j * rng.normal(size=3)
    grads = [rng.normal(size=3) + 1j * rng.normal(size=3) for _ in range(STEPS)]
    p = nn.Parameter(torch.from_numpy(theta0.copy()))
    opt = torch.optim.Adam([p], lr=0.05)
    as_real = lambda z: np.stack([z.real, z.imag], axis=-1).ravel()  # noqa: E731
    want = ref_adam(as_real(theta0), [as_real(g) for g in grads], lr=0.05)
    for g, w in zip(grads, want):
        p.grad = torch.from_numpy(g)
        opt.step()
        np.testing.assert_allclose(as_real(p.detach().numpy()), w, rtol=1e-10)
    assert p.dtype == torch.complex128


def test_multistep_exponential_and_lambda_schedules():
    got = _lrs(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.5),
               8)
    np.testing.assert_allclose(got, [1, 1, 0.5, 0.5, 0.5, 0.125, 0.125, 0.125])
    got = _lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 6, lr=0.5)
    np.testing.assert_allclose(got, [0.5 * 0.9 ** e for e in range(6)], rtol=1e-12)
    got = _lrs(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 0.95 ** e + 0.1), 5,
               lr=0.2)
    np.testing.assert_allclose(got, [0.2 * (0.95 ** e + 0.1) for e in range(5)], rtol=1e-12)
    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.ones(1))]},
                           {"params": [nn.Parameter(torch.ones(1))]}], lr=1.0)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        torch.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0])


# --- gradient clipping (nn.utils) ----------------------------------------------------------------
def test_clip_grad_norm_scales_all_gradients_together():
    a, b = nn.Parameter(torch.zeros(2)), nn.Parameter(torch.zeros(1))
    (a * torch.tensor([3.0, 0.0]) + 0).sum().backward()
    (b * 4.0).sum().backward()
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0) and total.dtype == torch.float32
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), [0.8], rtol=1e-5)
    # already small: untouched (the coefficient is capped at 1)
    assert nn.utils.clip_grad_norm_(a, max_norm=10.0).item() == pytest.approx(0.6, rel=1e-5)
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.0], rtol=1e-5)
    assert nn.utils.clip_grad_norm_([a], 1.0, norm_type="inf").item() == pytest.approx(0.6)
    a.grad = torch.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([nn.Parameter(torch.ones(1))], 1.0).item() == 0.0


def test_clip_grad_value_clamps_in_place():
    w = nn.Parameter(torch.zeros(3))
    (w * torch.tensor([2.0, -3.0, 0.1])).sum().backward()
    grad = w.grad
    nn.utils.clip_grad_value_([w], 1.0)
    assert w.grad is grad
    np.testing.assert_allclose(w.grad.numpy(), [1.0, -1.0, 0.1], rtol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_differentiable_optimizers_are_refused_clearly(name):
    w = torch.nn.Parameter(torch.ones(2))
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        getattr(torch.optim, name)([w], lr=0.1, differentiable=True)
