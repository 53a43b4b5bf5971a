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
