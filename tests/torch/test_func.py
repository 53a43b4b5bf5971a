"""funcgrad.torch.func against closed forms and the facade's own eager
``backward()`` (no torch needed), PyTorch's errors, and torch.func itself when
torch is installed."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch import nn
from funcgrad.torch import func
from funcgrad.torch.nn import functional as F
from funcgrad.tree_util import tree_flatten


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def f64():
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(torch.float32)


def _np(t):
    return t.detach().numpy()


def scalar_fn(x, w):
    return (torch.sin(x) @ w).sum() * torch.cos(x).sum()


def vector_fn(x, w):
    return torch.tanh(torch.sin(x) @ w) * 2


def _eager_grads(fn, *arrays):
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    fn(*leaves).backward()
    return [_np(t.grad) for t in leaves]


def _eager_jacobian(fn, x, w):
    """Row by row with backward(): d out[i] / d (x, w)."""
    out = fn(torch.tensor(x), torch.tensor(w))
    rows = [_eager_grads(lambda x, w, i=i: fn(x, w)[i], x, w) for i in range(out.shape[0])]
    return [np.stack([r[k] for r in rows]) for k in range(2)]


def test_grad_and_value_match_backward(rng, f64):
    x, w = rng.normal(size=3), rng.normal(size=(3, 2))
    gx, gw = _eager_grads(scalar_fn, x, w)
    got = func.grad(scalar_fn, argnums=(0, 1))(torch.tensor(x), torch.tensor(w))
    np.testing.assert_allclose(_np(got[0]), gx, rtol=1e-13)
    np.testing.assert_allclose(_np(got[1]), gw, rtol=1e-13)
    g, value = func.grad_and_value(scalar_fn, argnums=-1)(torch.tensor(x), torch.tensor(w))
    np.testing.assert_allclose(_np(g), gw, rtol=1e-13)
    assert value.item() == pytest.approx(float(scalar_fn(torch.tensor(x), torch.tensor(w))))
    g, aux = func.grad(lambda x, w: (scalar_fn(x, w), x * 2), has_aux=True)(
        torch.tensor(x), torch.tensor(w))
    np.testing.assert_allclose(_np(aux), 2 * x)
    (g, (value, aux)) = func.grad_and_value(lambda x: ((x ** 2).sum(), "aux"), has_aux=True)(
        torch.tensor(x))
    assert aux == "aux" and value.item() == pytest.approx(float((x ** 2).sum()))
    # a constant gradient is a tensor too; keyword arguments are not differentiated
    const = func.grad(lambda x, k: (x * k).sum())(torch.ones(2), k=3.0)
    assert isinstance(const, torch.Tensor) and torch.equal(const, torch.full((2,), 3.0))
    assert torch.allclose(func.grad(func.grad(torch.sin))(torch.tensor(0.5)),
                          -torch.sin(torch.tensor(0.5)))


def test_jacobians_hessian_vjp_jvp_match_backward(rng, f64):
    x, w = rng.normal(size=3), rng.normal(size=(3, 2))
    jx, jw = _eager_jacobian(vector_fn, x, w)
    tx, tw = torch.tensor(x), torch.tensor(w)
    for jac in (func.jacrev, func.jacfwd):
        got = jac(vector_fn, argnums=(0, 1))(tx, tw)
        np.testing.assert_allclose(_np(got[0]), jx, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(_np(got[1]), jw, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(_np(jac(vector_fn)(tx, tw)), jx, rtol=1e-12, atol=1e-15)
        one, aux = jac(lambda x: (x ** 2, x.sum()), has_aux=True)(tx)
        np.testing.assert_allclose(_np(one), np.diag(2 * x))
        assert aux.item() == pytest.approx(x.sum())
    # the Hessian of sum(x^3) * w0 is diagonal 6 x w0
    h = func.hessian(lambda x: (x ** 3).sum() * 2.0)(tx)
    np.testing.assert_allclose(_np(h), np.diag(12 * x), rtol=1e-13)
    hxx, hxw = func.hessian(scalar_fn, argnums=(0, 1))(tx, tw)[0]
    assert hxx.shape == (3, 3) and hxw.shape == (3, 3, 2)
    np.testing.assert_allclose(_np(hxw), _np(func.jacrev(func.grad(scalar_fn), argnums=1)(tx, tw)),
                               rtol=1e-12)
    out, vjp_fn = func.vjp(vector_fn, tx, tw)
    ct = rng.normal(size=2)
    gx, gw = vjp_fn(torch.tensor(ct))
    np.testing.assert_allclose(_np(gx), ct @ jx, rtol=1e-12)
    np.testing.assert_allclose(_np(gw), np.tensordot(ct, jw, 1), rtol=1e-12)
    out, vjp_fn, aux = func.vjp(lambda x: (x * 2, "a"), tx, has_aux=True)
    assert aux == "a" and len(vjp_fn(torch.ones(3))) == 1
    dx, dw = rng.normal(size=3), rng.normal(size=(3, 2))
    out, tangent = func.jvp(vector_fn, (tx, tw), (torch.tensor(dx), torch.tensor(dw)))
    np.testing.assert_allclose(_np(tangent), jx @ dx + np.tensordot(jw, dw, 2), rtol=1e-12)
    np.testing.assert_allclose(_np(out), _np(vector_fn(tx, tw)))


def test_functional_call_gradients_of_a_module(rng, f64):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2))
    x, y = torch.tensor(rng.normal(size=(6, 3))), torch.tensor(rng.normal(size=(6, 2)))
    ((model(x) - y) ** 2).mean().backward()
    expected = {k: _np(p.grad) for k, p in model.named_parameters()}
    running = _np(model[1].running_mean).copy()
    originals = [id(p) for p in model.parameters()]
    params = {k: p.detach() for k, p in model.named_parameters()}
    buffers = {k: b.clone() for k, b in model.named_buffers()}

    def loss(params):
        return ((func.functional_call(model, (params, buffers), (x,)) - y) ** 2).mean()
    got = func.grad(loss)(params)
    assert sorted(got) == sorted(expected)
    for k in expected:
        np.testing.assert_allclose(_np(got[k]), expected[k], rtol=1e-12, atol=1e-15)
    # the module's own tensors are back in place; the given buffers were updated instead
    assert [id(p) for p in model.parameters()] == originals
    assert isinstance(model[0].weight, nn.Parameter)
    np.testing.assert_allclose(_np(model[1].running_mean), running)
    assert not np.allclose(_np(buffers["1.running_mean"]), running)
    out = func.functional_call(model[0], {"weight": torch.ones(4, 3), "bias": torch.zeros(4)},
                               torch.ones(3))
    assert torch.equal(out, torch.full((4,), 3.0))


def test_functional_call_ties_strictness_and_errors():
    lin, other = nn.Linear(2, 2, bias=False), nn.Linear(2, 2, bias=False)
    other.weight = lin.weight
    tied = nn.Sequential(lin, nn.Tanh(), other)
    half, x = torch.full((2, 2), 0.5), torch.tensor([1.0, -2.0])
    both = func.functional_call(tied, {"0.weight": half}, x)  # "2.weight" is the same tensor
    assert torch.allclose(both, half @ torch.tanh(half @ x))
    first = func.functional_call(tied, {"0.weight": half}, x, tie_weights=False)
    with torch.no_grad():
        assert torch.allclose(first, lin.weight @ torch.tanh(half @ x))
    model = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match="Error\\(s\\) in reparametrizing for Linear:\n\t"
                                           "Unexpected key\\(s\\): 'foo'.\n\tMissing key\\(s\\): "
                                           "'bias'."):
        func.functional_call(model, {"weight": torch.ones(1, 2), "foo": torch.ones(1)},
                             (torch.ones(2),), strict=True)
    with pytest.raises(ValueError, match="weight appeared in multiple dictionaries"):
        func.functional_call(model, ({"weight": torch.ones(1, 2)}, {"weight": torch.ones(1, 2)}),
                             (torch.ones(2),))


def test_errors_have_pytorchs_messages():
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor, got "
                                           "tensor with 1 dims. Maybe you wanted to use the vjp "
                                           "or jacrev APIs instead?"):
        func.grad(lambda x: x * 2)(torch.ones(2))
    with pytest.raises(RuntimeError, match="output of function f should be a tuple: \\(output, "
                                           "aux\\) if has_aux is True"):
        func.grad(lambda x: (x * 2).sum(), has_aux=True)(torch.ones(2))
    with pytest.raises(RuntimeError, match="Got argnum=2, but only 1 positional inputs"):
        func.grad(lambda x: x.sum(), argnums=2)(torch.ones(2))
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        func.jvp(torch.sin, torch.ones(2), torch.ones(2))
    with pytest.raises(RuntimeError, match="Expected primals and tangents to have the same "
                                           "python structure"):
        func.jvp(torch.sin, (torch.ones(2),), (torch.ones(2), torch.ones(2)))
    with pytest.raises(RuntimeError, match="Tensor is of size \\[2\\] while the given forward "
                                           "gradient is of size \\[3\\]"):
        func.jvp(torch.sin, (torch.ones(2),), (torch.ones(3),))
    with pytest.raises(ValueError, match="`chunk_size` should be greater than 0"):
        func.jacrev(torch.sin, chunk_size=0)
    with pytest.raises(RuntimeError, match="Only allowed values for randomness are"):
        func.jacfwd(torch.sin, randomness="foo")


def test_docstring_examples():
    import doctest
    result = doctest.testmod(func, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_against_torch_func(rng):
    T = pytest.importorskip("torch")
    TF = T.func
    x, w = rng.normal(size=3), rng.normal(size=(3, 2))
    ours = (torch.tensor(x), torch.tensor(w))
    theirs = (T.tensor(x), T.tensor(w))

    def same(a, b):
        a_leaves, b_leaves = tree_flatten(a)[0], T.utils._pytree.tree_leaves(b)
        assert len(a_leaves) == len(b_leaves)
        for p, q in zip(a_leaves, b_leaves):
            np.testing.assert_allclose(_np(p), q.detach().numpy(), rtol=1e-12, atol=1e-14)

    def scalar_t(x, w):
        return (T.sin(x) @ w).sum() * T.cos(x).sum()

    def vector_t(x, w):
        return T.tanh(T.sin(x) @ w) * 2
    same(func.grad(scalar_fn, (0, 1))(*ours), TF.grad(scalar_t, (0, 1))(*theirs))
    same(func.jacrev(vector_fn, (0, 1))(*ours), TF.jacrev(vector_t, (0, 1))(*theirs))
    same(func.jacfwd(vector_fn, (0, 1))(*ours), TF.jacfwd(vector_t, (0, 1))(*theirs))
    same(func.hessian(scalar_fn, (0, 1))(*ours), TF.hessian(scalar_t, (0, 1))(*theirs))
    same(func.jvp(vector_fn, ours, ours), TF.jvp(vector_t, theirs, theirs))
    model_t = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2)).double()
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    model.load_state_dict({k: torch.tensor(v.detach().numpy())
                           for k, v in model_t.state_dict().items()})
    X = rng.normal(size=(5, 3))
    g = func.grad(lambda p: func.functional_call(model, p, torch.tensor(X)).sum())(
        {k: p.detach() for k, p in model.named_parameters()})
    g_t = TF.grad(lambda p: TF.functional_call(model_t, p, T.tensor(X)).sum())(
        {k: p.detach() for k, p in model_t.named_parameters()})
    same([g[k] for k in sorted(g)], [g_t[k] for k in sorted(g_t)])


def test_attention_modules_under_the_transforms(rng, f64):
    """grad over functional_call of a TransformerEncoderLayer (the SDPA path with a
    padding mask) equals backward(); forward-over-reverse Hessian-vector
    products of attention agree with finite differences of the gradient."""
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0)
    x = torch.tensor(rng.normal(size=(3, 2, 4)))
    padding = torch.tensor(np.array([[False, False, True], [False] * 3]))
    layer(x, src_key_padding_mask=padding).pow(2).sum().backward()
    params = {k: p.detach() for k, p in layer.named_parameters()}
    got = func.grad(lambda p: func.functional_call(layer, p, (x,), {
        "src_key_padding_mask": padding}).pow(2).sum())(params)
    for k, p in layer.named_parameters():
        np.testing.assert_allclose(_np(got[k]), _np(p.grad), rtol=1e-10, atol=1e-13)

    def f(q):
        return F.scaled_dot_product_attention(q, q * 2, q, is_causal=True).pow(2).sum()
    q, v = rng.normal(size=(1, 3, 2)), rng.normal(size=(1, 3, 2))
    hvp = func.jvp(func.grad(f), (torch.tensor(q),), (torch.tensor(v),))[1]
    eps = 1e-6
    fd = (_np(func.grad(f)(torch.tensor(q + eps * v))) -
          _np(func.grad(f)(torch.tensor(q - eps * v)))) / (2 * eps)
    np.testing.assert_allclose(_np(hvp), fd, rtol=1e-6, atol=1e-8)
