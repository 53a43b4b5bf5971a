"""Facade code under ``funcgrad.vmap`` and ``torch.func.vmap``.

Registry-style: every case of ``vmap_cases.CASES`` (a per-example function
written against a ``torch`` module) is checked three ways: ``vmap(f)(xs)``
equals ``f`` stacked over the examples, equals PyTorch's own
``torch.func.vmap(f)`` on the same data, and ``vmap(grad(sum f))`` equals the
stacked eager ``backward()`` gradients. Then torch.func.vmap's API
(in_dims/out_dims, randomness, chunk_size, key order) and per-sample
gradients of an ``nn.Module`` against torch.func on the same weights."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad
import funcgrad.torch as ft
from funcgrad.torch import func

from .vmap_cases import CASES

B = 3


def _data(name, shapes, batch=B):
    rng = np.random.default_rng(sum(map(ord, name)))
    return [rng.normal(size=(batch,) + s) for s in shapes]


def _stacked(fn, xs, mapped):
    return np.stack([fn(*[ft.tensor(x[k]) if m else ft.tensor(x) for x, m in zip(xs, mapped)])
                     .numpy() for k in range(B)])


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_equals_stacked_examples(name):
    fn, shapes = CASES[name]
    xs = _data(name, shapes)
    variants = [(0,) * len(xs)]
    if len(xs) > 1:  # the last argument shared by every example
        variants.append((0,) * (len(xs) - 1) + (None,))
    for in_axes in variants:
        mapped = [a is not None for a in in_axes]
        args = [x if m else x[0] for x, m in zip(xs, mapped)]
        got = funcgrad.vmap(lambda *a: fn(ft, *a), in_axes=in_axes)(*map(ft.tensor, args))
        assert isinstance(got, ft.Tensor)
        want = _stacked(lambda *a: fn(ft, *a), args, mapped)
        assert got.dtype == ft.from_numpy(want).dtype
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)
        got2 = func.vmap(lambda *a: fn(ft, *a), in_dims=in_axes)(*map(ft.tensor, args))
        np.testing.assert_allclose(got2.numpy(), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_matches_torch_func(name):
    torch = pytest.importorskip("torch")
    fn, shapes = CASES[name]
    xs = _data(name, shapes)
    got = func.vmap(lambda *a: fn(ft, *a))(*map(ft.tensor, xs))
    want = torch.func.vmap(lambda *a: fn(torch, *a))(*map(torch.tensor, xs))
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(n for n in CASES if n != "argmax"))
def test_vmap_of_grad_equals_stacked_backward(name):
    fn, shapes = CASES[name]
    xs = _data(name, shapes)
    loss = lambda *a: fn(ft, *a).sum()  # noqa: E731
    got = func.vmap(func.grad(loss, argnums=tuple(range(len(xs)))))(*map(ft.tensor, xs))
    for k in range(B):
        leaves = [ft.tensor(x[k], requires_grad=True) for x in xs]
        loss(*leaves).backward()
        for g, leaf in zip(got, leaves):
            want = leaf.grad.numpy() if leaf.grad is not None else np.zeros(leaf.shape)
            np.testing.assert_allclose(g[k].numpy(), want, rtol=1e-9, atol=1e-12)


# --- torch.func.vmap's API -----------------------------------------------------------
def test_in_dims_out_dims_and_unmapped_kwargs():
    x, y = ft.randn(2, 3), ft.randn(2)
    out = func.vmap(lambda a, b, scale=1.0: a * b * scale, in_dims=(1, None), out_dims=1)(
        x, y, scale=2.0)  # (keyword arguments are not mapped)
    np.testing.assert_allclose(out.numpy(), (x * y[:, None] * 2).numpy(), rtol=1e-6)
    nested = func.vmap(lambda d: d["a"] + d["b"], in_dims=({"a": 0, "b": None},))(
        {"a": ft.ones(4, 2), "b": ft.ones(2)})
    assert nested.shape == (4, 2)
    pair = func.vmap(lambda a: (a.sum(), a * 2), out_dims=(0, 1))(ft.ones(4, 2))
    assert pair[0].shape == (4,) and pair[1].shape == (2, 4)


def test_constant_outputs_are_tensors():
    out = func.vmap(lambda a: ft.ones(2))(ft.ones(3, 1))
    assert isinstance(out, ft.Tensor) and out.shape == (3, 2)


def test_randomness():
    x = ft.ones(4, 3)
    with pytest.raises(RuntimeError, match="called random operation while in randomness "
                                           "error mode"):
        func.vmap(lambda a: a * ft.rand(3))(x)
    with pytest.raises(RuntimeError, match="called random operation"):
        func.vmap(lambda a: ft.nn.functional.dropout(a, 0.5))(x)
    same = func.vmap(lambda a: a * ft.rand(3), randomness="same")(x)
    assert np.allclose(same.numpy(), same.numpy()[0])  # one draw shared by every example
    with pytest.raises(NotImplementedError, match="randomness='different' is not supported"):
        func.vmap(lambda a: a * ft.rand(3), randomness="different")(x)
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        func.vmap(lambda a: a, randomness="sometimes")
    ft.rand(2)  # outside vmap again: no error


def test_chunk_size_and_bad_in_dims():
    x = ft.randn(5, 2)
    np.testing.assert_allclose(func.vmap(ft.sin, chunk_size=2)(x).numpy(), ft.sin(x).numpy())
    with pytest.raises(ValueError, match="chunk_size should be None or greater than 0"):
        func.vmap(ft.sin, chunk_size=0)
    with pytest.raises(ValueError, match="expected `in_dims` to be int or a"):
        func.vmap(ft.sin, in_dims=[0])


def test_dict_order_is_the_callers():
    m = ft.nn.Linear(2, 1)
    params = {k: v.detach() for k, v in m.named_parameters()}
    loss = lambda p, x: func.functional_call(m, p, (x,)).sum()  # noqa: E731
    assert list(func.grad(loss)(params, ft.ones(2))) == ["weight", "bias"]
    assert list(func.vmap(func.grad(loss), in_dims=(None, 0))(params, ft.ones(3, 2))) == \
        ["weight", "bias"]


def test_grad_of_a_constant_path_is_a_tensor():
    g = funcgrad.grad(lambda x: (x * 3).sum())(ft.ones(2))
    assert isinstance(g, ft.Tensor) and g.dtype == ft.float32
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])
    z = funcgrad.grad(lambda x, y: (y * 3).sum())(ft.ones(2), ft.ones(2))
    assert isinstance(z, ft.Tensor) and z.shape == (2,)
    p = ft.nn.Parameter(ft.ones(2))
    assert type(funcgrad.grad(lambda w: (w * 2).sum())(p)) is ft.Tensor
    assert isinstance(funcgrad.vjp(lambda x: x * 2, ft.ones(2))[1](ft.ones(2))[0], ft.Tensor)
    assert isinstance(funcgrad.jvp(lambda x: ft.ones(2), (ft.ones(2),), (ft.ones(2),))[1],
                      ft.Tensor)


# --- per-sample gradients of a module, against torch.func --------------------------------
def _net(t):
    """A small conv net written against ``t`` (funcgrad.torch or torch)."""
    F = t.nn.functional

    class Net(t.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = t.nn.Conv2d(1, 4, 3)
            self.fc = t.nn.Linear(4 * 3 * 3, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv(x)), 2)
            return F.log_softmax(self.fc(x.flatten(1)), dim=1)
    return Net()


def test_per_sample_gradients_match_torch_func():
    torch = pytest.importorskip("torch")
    ft.manual_seed(0)
    ours, theirs = _net(ft), _net(torch)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(1)
    data, targets = rng.normal(size=(8, 1, 8, 8)).astype(np.float32), rng.integers(0, 10, 8)

    def per_sample(t, fn, model):
        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}

        def loss(p, b, x, y):
            out = fn.functional_call(model, (p, b), (x.unsqueeze(0),))
            return t.nn.functional.nll_loss(out, y.unsqueeze(0))
        return fn.vmap(fn.grad(loss), in_dims=(None, None, 0, 0))(
            params, buffers, t.tensor(data), t.tensor(targets))

    got, want = per_sample(ft, func, ours), per_sample(torch, torch.func, theirs)
    assert list(got) == list(want) == [k for k, _ in ours.named_parameters()]
    for k in got:
        assert tuple(got[k].shape) == tuple(want[k].shape) == (8,) + tuple(ours.state_dict()[k].shape)
        np.testing.assert_allclose(got[k].numpy(), want[k].numpy(), rtol=1e-4, atol=1e-6)
    # and the facade's own per-example loop of backward()
    for i in (0, 5):
        ours.zero_grad()
        ft.nn.functional.nll_loss(ours(ft.tensor(data[i:i + 1])), ft.tensor(targets[i:i + 1])).backward()
        for k, p in ours.named_parameters():
            np.testing.assert_allclose(got[k][i].numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-6)
