"""The Tensor API around autograd: printing glue, factories, conversions."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import funcgrad.torch as torch


def test_printing_uses_pytorch_rules_and_options():
    x = torch.tensor([1.123456, 2.0], dtype=torch.float64, requires_grad=True)
    assert repr(x) == "tensor([1.1235, 2.0000], dtype=torch.float64, requires_grad=True)"
    assert str(x * 2) == "tensor([2.2469, 4.0000], dtype=torch.float64, grad_fn=<MulBackward0>)"
    torch.set_printoptions(precision=2)
    try:
        assert repr(torch.tensor([1.123456])) == "tensor([1.12])"
    finally:
        torch.set_printoptions(profile="default")
    assert repr(torch.tensor(3)) == "tensor(3)"
    assert repr(torch.tensor([], dtype=torch.int64)) == "tensor([], dtype=torch.int64)"


def test_default_dtype_switch():
    torch.set_default_dtype(torch.float64)
    try:
        t = torch.tensor([1.5])
        assert t.dtype is torch.float64 and repr(t) == "tensor([1.5000])"
        assert repr(torch.ones(1, dtype=torch.float32)) == "tensor([1.], dtype=torch.float32)"
    finally:
        torch.set_default_dtype(torch.float32)


def test_size_and_shape_api():
    x = torch.zeros(2, 3)
    assert x.shape == (2, 3) and repr(x.size()) == "torch.Size([2, 3])"
    assert x.size(-1) == 3 and x.dim() == 2 and x.numel() == 6 and len(x) == 2
    assert x.shape.numel() == 6 and repr(x.shape[1:]) == "torch.Size([3])"
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(torch.tensor(1.0))


def test_factories():
    assert torch.ones(2, 3).shape == torch.ones((2, 3)).shape == torch.ones([2, 3]).shape
    assert torch.zeros(2, dtype=torch.int64).dtype is torch.int64
    assert torch.full((2,), 1.5).dtype is torch.float32
    assert torch.arange(3).dtype is torch.int64 and torch.arange(3.0).dtype is torch.float32
    assert torch.eye(3).tolist()[1] == [0.0, 1.0, 0.0]
    assert torch.randint(0, 5, (100,)).max().item() < 5
    torch.manual_seed(3)
    a = torch.randn(4)
    torch.manual_seed(3)
    assert torch.equal(a, torch.randn(4)) and a.dtype is torch.float32
    assert torch.rand(2, 2).shape == (2, 2) and torch.zeros_like(a).tolist() == [0.0] * 4
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        torch.tensor(a)


def test_from_numpy_shares_memory_and_as_tensor():
    arr = np.zeros(3)
    t = torch.from_numpy(arr)
    t.add_(1)
    assert arr.tolist() == [1.0, 1.0, 1.0] and t.dtype is torch.float64
    assert torch.as_tensor(arr) is not None and torch.as_tensor(t) is t


def test_copy_and_pickle_of_leaves():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    c = copy.deepcopy(w)
    assert c.requires_grad and c.is_leaf and c.tolist() == [1.0, 2.0]
    c.detach().zero_()
    assert w.tolist() == [1.0, 2.0] and c.grad is None
    (w * 3).sum().backward()
    c = copy.deepcopy(w)  # .grad is copied too, not shared
    assert c.grad.tolist() == [3.0, 3.0] and c.grad is not w.grad
    c.grad.zero_()
    assert w.grad.tolist() == [3.0, 3.0]
    p = pickle.loads(pickle.dumps(w))
    assert p.requires_grad and p.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(w * 2)


def test_device_and_conversions():
    x = torch.tensor([1.7, -1.7])
    assert x.to("cpu") is x and str(x.device) == "cpu" and x.cpu() is x
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        x.cuda()
    assert x.long().tolist() == [1, -1] and x.int().dtype is torch.int32
    assert x.double().dtype is torch.float64 and x.to(torch.float64).dtype is torch.float64
    assert x.type() == "torch.FloatTensor" and torch.typename(x) == "torch.FloatTensor"
    assert int(torch.tensor(3)) == 3 and [10, 20][torch.tensor(1)] == 20


def test_numpy_interop():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = np.sin(x)  # routed to funcgrad.numpy: differentiable, a tensor
    assert isinstance(y, torch.Tensor) and y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [1.0, float(np.cos(1.0).astype(np.float32))]
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        np.asarray(x)
    assert np.asarray(x.detach()).dtype == np.float32
    assert (np.ones(2) * torch.ones(2)).__class__ is torch.Tensor


def test_operators_with_foreign_types_raise_type_error():
    with pytest.raises(TypeError, match="unsupported operand type"):
        torch.ones(1) - None
    assert (torch.ones(1) == None) is False  # noqa: E711
