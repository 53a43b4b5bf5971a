"""0-d results of elementwise operations on 0-d tensors hold a NumPy scalar
instead of a 0-d array (``_graph.SCALAR_VALUES``, ``own_array``). Nothing a
user can do may tell the difference: every way to write into a tensor's data
or to share it takes the tensor's own 0-d array first."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch._graph import SCALAR_VALUES


def scalar_valued(requires_grad: bool = False) -> torch.Tensor:
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=requires_grad)
    y = torch.sin(x) * 2.0
    assert type(y._value) in SCALAR_VALUES  # the case under test
    return y


def test_it_reads_like_a_0d_tensor():
    y = scalar_valued(requires_grad=True)
    assert y.shape == () and y.dim() == 0 and y.numel() == 1
    assert y.dtype == torch.float64 and y.requires_grad
    assert y.item() == pytest.approx(2 * np.sin(0.5)) and float(y) == y.item()
    assert repr(y) == f"tensor({2 * np.sin(0.5):.4f}, dtype=torch.float64, grad_fn=<MulBackward0>)"
    assert f"{y:.3f}" == f"{2 * np.sin(0.5):.3f}"
    assert y.tolist() == y.item()
    f32 = torch.sin(torch.tensor(0.5))
    assert f32.dtype == torch.float32 and type(f32._value) is np.float32


def test_numpy_and_array_share_the_data():
    y = scalar_valued()
    a = y.numpy()
    assert type(a) is np.ndarray and a.shape == ()
    a[()] = 7.0
    assert y.item() == 7.0 and np.shares_memory(np.asarray(y), a)


def test_detach_data_and_parameters_share_the_data():
    for alias in (lambda y: y.detach(), lambda y: y.data,
                  lambda y: torch.nn.Parameter(y, requires_grad=False)):
        y = scalar_valued()
        z = alias(y)
        z.add_(1.0)
        assert y.item() == pytest.approx(2 * np.sin(0.5) + 1)
        y.mul_(0.0)
        assert z.item() == 0.0


def test_views_share_the_data():
    for view in (lambda y: y.view(()), lambda y: y[...], lambda y: y.reshape(()),
                 lambda y: y.unsqueeze(0)):
        y = scalar_valued()
        v = view(y)
        v.add_(1.0)
        assert y.item() == pytest.approx(2 * np.sin(0.5) + 1), view
        assert v._version == y._version == 1


def test_in_place_updates_and_item_assignment():
    y = scalar_valued()
    y += 1.0
    y[()] = y.item() * 2
    assert y.item() == pytest.approx(2 * (2 * np.sin(0.5) + 1)) and y._version == 2
    w = scalar_valued()
    w.data = y
    y.zero_()
    assert w.item() == 0.0  # .data = y shares y's data, as in PyTorch


def test_a_saved_scalar_valued_tensor_modified_in_place_fails_backward():
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = torch.sin(x) * 2.0
    z = torch.sin(y)  # saves y
    with torch.no_grad():
        y.detach().add_(1.0)  # the detached alias shares the version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_gradients_through_scalar_valued_tensors():
    x = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(5):
        y = torch.sin(y) * 1.5
    y.retain_grad()
    z = y * y
    z.backward()
    v, d = 0.3, 1.0
    for _ in range(5):
        d *= 1.5 * np.cos(v)
        v = 1.5 * np.sin(v)
    assert x.grad.item() == pytest.approx(2 * v * d)
    assert type(x.grad._value) is np.ndarray and x.grad.shape == ()
    assert y.grad.item() == pytest.approx(2 * v)
    g, = torch.autograd.grad(torch.sin(x) * 2.0, x, create_graph=True)
    (h,) = torch.autograd.grad(g, x)
    assert h.item() == pytest.approx(-2 * np.sin(0.3))


def test_gradcheck_perturbs_a_scalar_valued_input():
    y = scalar_valued().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: torch.exp(t) * t, (y,))
