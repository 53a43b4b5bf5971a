"""Activations, distance functions, interpolation, the extra losses, containers
and utilities of funcgrad.torch.nn against PyTorch 2.x: closed forms, values
recorded from PyTorch 2.13, gradients (finite differences), the gradient at
kinks, reprs and error messages."""
from __future__ import annotations

import math

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.testing import check_grads
from funcgrad.torch import nn
from funcgrad.torch.nn import functional as F


@pytest.fixture
def rng():
    return np.random.default_rng(0)


_erf = np.vectorize(math.erf)


def _softplus(x):
    return np.logaddexp(0, x)


ACTIVATIONS = [  # module, closed form
    (nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    (nn.GELU("tanh"), lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi)
                                                         * (x + 0.044715 * x ** 3)))),
    (nn.SiLU(), lambda x: x / (1 + np.exp(-x))),
    (nn.ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0)))),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.PReLU(), lambda x: np.where(x > 0, x, 0.25 * x)),
    (nn.Softplus(2, 10), lambda x: np.where(2 * x > 10, x, _softplus(2 * x) / 2)),
    (nn.LogSigmoid(), lambda x: -_softplus(-x)),
    (nn.Hardtanh(-2, 3), lambda x: np.clip(x, -2, 3)),
    (nn.Mish(), lambda x: x * np.tanh(_softplus(x))),
]
REPRS = ["GELU(approximate='none')", "GELU(approximate='tanh')", "SiLU()", "ELU(alpha=0.7)",
         "LeakyReLU(negative_slope=0.2)", "PReLU(num_parameters=1)",
         "Softplus(beta=2, threshold=10)", "LogSigmoid()", "Hardtanh(min_val=-2, max_val=3)",
         "Mish()"]


@pytest.mark.parametrize("k", range(len(ACTIVATIONS)))
def test_activations_closed_forms_gradients_and_reprs(rng, k):
    module, ref = ACTIVATIONS[k]
    assert repr(module) == REPRS[k]
    module = module.double()
    x = np.concatenate([rng.normal(size=10) * 3, [-40.0, 40.0, 0.3]])
    got = module(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, ref(x), rtol=1e-12, atol=1e-14)
    t = torch.tensor(x[:10] + 0.05, requires_grad=True)  # away from the kinks
    assert torch.autograd.gradcheck(lambda t: module(t), (t,))


def test_gradients_at_kinks_recorded_from_pytorch():
    def grad(f, x):
        t = torch.tensor(x, requires_grad=True)
        f(t).sum().backward()
        return t.grad.tolist()
    assert grad(lambda t: F.leaky_relu(t, 0.2), [0.0]) == [pytest.approx(0.2)]
    assert grad(lambda t: F.hardtanh(t), [-1.0, 1.0, 0.0]) == [0.0, 0.0, 1.0]
    assert grad(lambda t: F.elu(t, 0.5), [0.0]) == [0.5]
    assert grad(F.gelu, [0.0]) == [0.5]
    assert grad(lambda t: F.softplus(t, threshold=1.0), [2.0]) == [1.0]


def test_prelu_per_channel_and_errors():
    m = nn.PReLU(3, 0.1, dtype=torch.float64)
    x = torch.tensor(np.array([[-1.0, -2.0, 3.0]]), requires_grad=True)
    assert m(x).tolist() == [[-0.1, -0.2, 3.0]]
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == [("weight", (3,))]
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel"):
        F.prelu(torch.zeros(2, 4), torch.zeros(3))
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(torch.zeros(1), approximate="fast")


def test_erf_primitive_differentiates_both_modes(rng):
    from funcgrad.torch.nn import _activations as A
    check_grads(A._erf, (rng.normal(size=(3, 2)),), order=2, modes=("fwd", "rev"))


# --- distances and interpolation --------------------------------------------------------------
def test_normalize_cosine_similarity_pairwise_distance(rng):
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    np.testing.assert_allclose(F.normalize(ta, p=3, dim=0).detach().numpy(),
                               a / (np.abs(a) ** 3).sum(0) ** (1 / 3), rtol=1e-12)
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(F.cosine_similarity(ta, tb).detach().numpy(), cos, rtol=1e-12)
    np.testing.assert_allclose(F.pairwise_distance(ta, tb).detach().numpy(),
                               np.linalg.norm(a - b + 1e-6, axis=1), rtol=1e-12)
    assert F.normalize(torch.zeros(1, 2)).tolist() == [[0.0, 0.0]]
    for f in (lambda x, y: F.normalize(x), lambda x, y: F.cosine_similarity(x, y),
              lambda x, y: F.pairwise_distance(x, y, p=1.5)):
        assert torch.autograd.gradcheck(f, (ta, tb))


def test_interpolate_values_recorded_from_pytorch(rng):
    x = torch.tensor([[[[1.0, 2.0], [3.0, 5.0]]]])
    assert F.interpolate(x, size=(3, 3), mode="bilinear").tolist() == [[[
        [1.0, 1.5, 2.0], [2.0, 2.75, 3.5], [3.0, 4.0, pytest.approx(5.0)]]]]
    assert F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True).tolist() == [[[
        [1.0, 1.5, 2.0], [2.0, 2.75, 3.5], [3.0, 4.0, 5.0]]]]
    assert F.interpolate(x, scale_factor=1.5).tolist() == [[[
        [1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [3.0, 3.0, 5.0]]]]
    np.testing.assert_allclose(F.interpolate(x[0], size=5, mode="linear").numpy(),
                               [[[1.0, 1.1, 1.5, 1.9, 2.0], [3.0, 3.2, 4.0, 4.8, 5.0]]], rtol=1e-6)
    xr = torch.tensor(rng.normal(size=(1, 2, 3, 4)), requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda t: F.interpolate(t, scale_factor=1.7, mode="bilinear"), (xr,))
    with pytest.raises(NotImplementedError, match="Got 3D input, but bilinear mode needs 4D"):
        F.interpolate(x[0], size=3, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners option can only be set with the "
                                         "interpolating modes"):
        F.interpolate(x, size=3, align_corners=True)
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F.interpolate(x, size=3, scale_factor=2)


# --- losses -----------------------------------------------------------------------------------
def _np_reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_extra_losses_closed_forms_and_gradients(rng, reduction):
    a, b, c = (rng.normal(size=(5, 4)) for _ in range(3))
    y = np.array([1, -1, 1, -1, 1])
    ta, tb, tc = (torch.tensor(v, requires_grad=True) for v in (a, b, c))
    d = a - b
    cases = [
        (nn.HuberLoss(reduction, delta=0.7), (ta, tb),
         np.where(np.abs(d) < 0.7, 0.5 * d * d, 0.7 * (np.abs(d) - 0.35))),
        (nn.SmoothL1Loss(reduction=reduction, beta=0.5), (ta, tb),
         np.where(np.abs(d) < 0.5, d * d, np.abs(d) - 0.25)),
        (nn.MarginRankingLoss(0.3, reduction=reduction),
         (ta[:, 0], tb[:, 0], torch.tensor(y.astype(float))),
         np.maximum(0, -y * (a[:, 0] - b[:, 0]) + 0.3)),
    ]
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    cases.append((nn.CosineEmbeddingLoss(0.2, reduction=reduction), (ta, tb, torch.tensor(y)),
                  np.where(y == 1, 1 - cos, np.maximum(0, cos - 0.2))))
    dp = np.linalg.norm(a - b + 1e-6, axis=1)
    dn = np.linalg.norm(a - c + 1e-6, axis=1)
    cases.append((nn.TripletMarginLoss(2.0, reduction=reduction), (ta, tb, tc),
                  np.maximum(dp - dn + 2.0, 0)))
    for module, args, ref in cases:
        np.testing.assert_allclose(module(*args).detach().numpy(), _np_reduce(ref, reduction),
                                   rtol=1e-12, atol=1e-14)
        diff = [x for x in args if x.requires_grad]
        rest = [x for x in args if not x.requires_grad]
        assert torch.autograd.gradcheck(lambda *xs: module(*xs, *rest), tuple(diff))


def test_kl_div_reductions_and_warning(rng):
    logp = np.log(rng.dirichlet(np.ones(4), size=3))
    q = rng.dirichlet(np.ones(4), size=3)
    q[0, 0] = 0.0
    terms = np.where(q > 0, q * (np.log(np.where(q > 0, q, 1)) - logp), 0)
    tl, tq = torch.tensor(logp, requires_grad=True), torch.tensor(q)
    np.testing.assert_allclose(F.kl_div(tl, tq, reduction="batchmean").item(), terms.sum() / 3)
    np.testing.assert_allclose(F.kl_div(tl, tq, reduction="sum").item(), terms.sum())
    np.testing.assert_allclose(F.kl_div(tl, torch.tensor(np.log(q + 1e-300)), reduction="sum",
                                        log_target=True).item(), terms.sum(), rtol=1e-9)
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss by both"):
        np.testing.assert_allclose(F.kl_div(tl, tq).item(), terms.mean())
    assert torch.autograd.gradcheck(lambda t: F.kl_div(t, tq, reduction="batchmean"), (tl,))
    assert repr(nn.KLDivLoss(reduction="batchmean")) == "KLDivLoss()"
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater"):
        nn.TripletMarginLoss(margin=0)


# --- containers -------------------------------------------------------------------------------
def test_containers_register_names_and_reprs():
    d = nn.ModuleDict({"cls": nn.Linear(2, 3), "act": nn.ReLU()})
    assert [n for n, _ in d.named_parameters()] == ["cls.weight", "cls.bias"]
    assert repr(d) == ("ModuleDict(\n  (cls): Linear(in_features=2, out_features=3, bias=True)\n"
                       "  (act): ReLU()\n)")
    assert list(d.keys()) == ["cls", "act"] and d.pop("act").__class__ is nn.ReLU
    pl = nn.ParameterList([torch.ones(2), nn.Parameter(torch.ones(2, 3, dtype=torch.float64))])
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    assert repr(pl) == ("ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2]"
                        "\n    (1): Parameter containing: [torch.float64 of size 2x3]\n)")
    pd = nn.ParameterDict({"a": torch.ones(2, 3), "b": torch.ones(1)})
    assert repr(pd) == ("ParameterDict(\n    (a): Parameter containing: [torch.FloatTensor of "
                        "size 2x3]\n    (b): Parameter containing: [torch.FloatTensor of size 1]"
                        "\n)")
    assert list(pd.state_dict()) == ["a", "b"] and isinstance(pd["a"], nn.Parameter)
    u = nn.Unflatten(1, (2, -1))
    assert repr(u) == "Unflatten(dim=1, unflattened_size=(2, -1))"
    assert u(torch.zeros(3, 8, 5)).shape == (3, 2, 4, 5)
