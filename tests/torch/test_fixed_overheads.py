"""The per-step paths made leaner for issue 7 (``torch.tensor`` of an
ndarray, the implicit seed of ``backward``/``autograd.grad``, leaf
accumulation, ``.grad``) keep their behaviour."""
import warnings

import numpy as np
import pytest

import funcgrad.torch as torch


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.int64, np.complex128])
def test_tensor_of_ndarray_copies_and_keeps_dtype_and_layout(order, dt):
    a = np.asarray(np.arange(6).reshape(2, 3), dtype=dt, order=order)
    t = torch.tensor(a)
    assert t._value is not a and not np.shares_memory(t._value, a)
    assert t._value.dtype == a.dtype and t._value.strides == a.strides
    a[0, 0] = 7
    assert t[0, 0].item() == 0
    assert t.is_leaf and not t.requires_grad and t.grad_fn is None


def test_tensor_of_read_only_or_strided_ndarray():
    a = np.arange(12.0)
    a.flags.writeable = False
    t = torch.tensor(a[::3])
    assert t._value.flags.writeable and t._value.flags.c_contiguous
    assert t.tolist() == [0.0, 3.0, 6.0, 9.0]


def test_tensor_of_ndarray_requires_grad():
    t = torch.tensor(np.ones(3), requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None
    assert type(t.grad_fn) is type(None) and t._node.variable is t
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex"):
        torch.tensor(np.ones(3, np.int64), requires_grad=True)


@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_implicit_seed_of_one_element_outputs(shape):
    x = torch.tensor(np.full(shape, 3.0), requires_grad=True)
    (x * x).backward()
    assert x.grad.shape == x.shape and x.grad._value.dtype == np.float64
    assert float(x.grad.sum()) == 6.0
    g, = torch.autograd.grad((x * x).sum(), x)
    assert g.shape == x.shape and float(g.sum()) == 6.0


def test_implicit_seed_errors():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        (x * 2).backward()
    z = torch.ones(1, dtype=torch.complex64, requires_grad=True)
    with pytest.raises(RuntimeError, match="only for real scalar outputs but got "
                                           "torch.complex64"):
        (z * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        torch.ones(()).backward()


def test_seed_count_errors():
    x = torch.ones((), requires_grad=True)
    with pytest.raises(RuntimeError, match="grad_tensors has 2 entries but there are 1 tensors"):
        torch.autograd.backward([x * 2], [torch.ones(()), torch.ones(())])
    with pytest.raises(RuntimeError, match="got 2 grad_outputs and 1 outputs"):
        torch.autograd.grad([x * 2], [x], [torch.ones(()), torch.ones(())])


def test_leaf_grad_accumulates_without_aliasing_and_runs_hooks():
    w = torch.tensor(np.ones(3), requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (w * 2).sum().backward()
    first = w.grad
    (w * 3).sum().backward()
    assert w.grad is first and first.tolist() == [5.0, 5.0, 5.0]
    assert seen == [[2.0, 2.0, 2.0], [5.0, 5.0, 5.0]]
    g = torch.ones(3)
    (w * 1).backward(g)  # the caller's gradient is never taken as .grad
    w.grad = None
    (w * 1).backward(g)
    assert w.grad._value is not g._value and not np.shares_memory(w.grad._value, g._value)


def test_grad_of_non_leaf_warns_only_when_unset():
    x = torch.ones((), requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None
    y.retain_grad()
    (y * 1).backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(y.grad) == 1.0 and float(x.grad) == 2.0
