"""funcgrad.torch.nn against PyTorch 2.x's behaviour: module registration and
traversal, state dicts, reprs, layers, initialisation, losses and their
gradients, grad_fn names and error messages."""
from __future__ import annotations

import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import funcgrad
import funcgrad.torch as torch
from funcgrad.torch import nn
from funcgrad.torch.nn import functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
        self.scale = nn.Parameter(torch.ones(1))
        self.head = nn.Linear(4, 2, bias=False)
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("scratch", torch.zeros(1), persistent=False)
        self.note = "plain attribute"

    def forward(self, x):
        return self.head(self.encoder(x)) * self.scale


# --- Module -----------------------------------------------------------------------------------
def test_named_parameters_in_registration_order_with_dotted_names():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "encoder.0.weight", "encoder.0.bias", "head.weight"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_parameters(prefix="net")][0] == "net.scale"
    assert len(list(net.parameters())) == 4
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in net.named_children()] == ["encoder", "head"]
    assert [type(m).__name__ for m in net.modules()] == ["Net", "Sequential", "Linear", "ReLU",
                                                          "Linear"]
    assert [n for n, _ in net.named_modules()] == ["", "encoder", "encoder.0", "encoder.1", "head"]
    assert net.note == "plain attribute" and "note" not in net._parameters


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.Tanh(), shared)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]


def test_attribute_errors_and_reassignment():
    net = Net()
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'scale' "
                                        r"\(torch.nn.Parameter or None expected\)"):
        net.scale = torch.ones(1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'head'"):
        net.head = 3
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'missing'"):
        net.missing
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' object to parameter "
                                        r"'w' \(torch.nn.Parameter or None required\)"):
        net.register_parameter("w", nn.Parameter(torch.ones(1)) * 2)
    with pytest.raises(KeyError, match="attribute 'note' already exists"):
        net.register_parameter("note", None)
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Bad(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(torch.ones(1))
        Bad()
    net.scale = None
    assert "scale" not in [n for n, _ in net.named_parameters()]
    net.head = nn.Identity()
    del net.encoder
    assert [n for n, _ in net.named_children()] == ["head"]


def test_forward_missing_and_call_hooks():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required '
                                                  r'"forward" function'):
        nn.Module()(1)
    lin = nn.Linear(2, 2)
    seen = []
    handle = lin.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    lin(torch.ones(3, 2))
    handle.remove()
    lin(torch.ones(3, 2))
    assert seen == [torch.Size([3, 2])]


def test_train_eval_propagate_and_validate():
    net = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Dropout()))
    assert net.training and net[1][0].training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_zero_grad_and_requires_grad_():
    net = Net()
    net(torch.ones(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(torch.equal(p.grad, torch.zeros_like(p)) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    out = net(torch.ones(2, 3))
    assert not out.requires_grad


def test_state_dict_is_detached_ordered_and_skips_non_persistent_buffers():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == ["scale", "steps", "encoder.0.weight", "encoder.0.bias", "head.weight"]
    assert isinstance(sd, OrderedDict)
    assert all(not v.requires_grad and v.grad_fn is None for v in sd.values())
    assert torch.equal(sd["head.weight"], net.head.weight)
    kept = net.state_dict(keep_vars=True)
    assert kept["scale"] is net.scale


def test_load_state_dict_matches_and_reports_keys():
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb) and pa is not pb
    assert b.head.weight.requires_grad and b.head.weight.is_leaf

    sd = a.state_dict()
    del sd["scale"]
    sd["extra"] = torch.ones(1)
    result = b.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == ["extra"]
    with pytest.raises(RuntimeError) as info:
        b.load_state_dict(sd)
    assert str(info.value) == (
        'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "scale". '
        '\n\tUnexpected key(s) in state_dict: "extra". ')


def test_load_state_dict_size_mismatch_raises_even_when_not_strict():
    lin = nn.Linear(3, 2)
    sd = {"weight": torch.zeros(2, 4), "bias": torch.zeros(2)}
    with pytest.raises(RuntimeError) as info:
        lin.load_state_dict(sd, strict=False)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param "
        "with shape torch.Size([2, 4]) from checkpoint, the shape in current model is "
        "torch.Size([2, 3]).")
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        lin.load_state_dict([1, 2])


def test_module_repr_matches_pytorch():
    net = Net()
    assert repr(net) == (
        "Net(\n"
        "  (encoder): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=4, bias=True)\n"
        "    (1): ReLU()\n"
        "  )\n"
        "  (head): Linear(in_features=4, out_features=2, bias=False)\n"
        ")")
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25, inplace=False)"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Softmax(dim=-1)) == "Softmax(dim=-1)"
    assert repr(nn.LogSoftmax(dim=1)) == "LogSoftmax(dim=1)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Embedding(5, 2)) == "Embedding(5, 2)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.BCEWithLogitsLoss()) == "BCEWithLogitsLoss()"
    assert repr(nn.Tanh()) == "Tanh()"


# --- Parameter --------------------------------------------------------------------------------
def test_parameter_repr_leaf_and_sharing():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert p.is_leaf and p.requires_grad and isinstance(p, torch.Tensor)
    with torch.no_grad():
        q = nn.Parameter(torch.ones(2))
    assert q.requires_grad and q.is_leaf
    x = torch.ones(2, requires_grad=True)
    r = nn.Parameter(x * 3)
    assert r.is_leaf and r.grad_fn is None
    frozen = nn.Parameter(torch.ones(1), requires_grad=False)
    assert repr(frozen) == "Parameter containing:\ntensor([1.])"
    assert not frozen.requires_grad


# --- layers -------------------------------------------------------------------------------------
def test_linear_forward_and_pytorch_initialisation():
    torch.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert lin.weight.shape == torch.Size([300, 400]) and lin.weight.dtype == torch.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound      # uniform's std
    assert abs(w.mean()) < 0.01 * bound
    x = torch.randn(5, 400)
    np.testing.assert_allclose(lin(x).detach().numpy(), x.numpy() @ w.T + b, rtol=1e-5,
                               atol=1e-5)
    torch.manual_seed(0)
    again = nn.Linear(400, 300)
    assert torch.equal(again.weight, lin.weight)
    assert nn.Linear(3, 2, bias=False).bias is None
    assert nn.Linear(3, 2, dtype=torch.float64).weight.dtype == torch.float64


def test_sequential_indexing_slicing_and_ordered_dict():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is seq[0]
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4
    out = seq(torch.ones(4, 2))
    assert out.shape == torch.Size([4, 1])
    assert bool(((out > 0) & (out < 1)).all())
    layers = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1)])
    assert len(list(layers.parameters())) == 4 and len(layers) == 2


def test_activations_values():
    x = torch.tensor([[-2.0, 0.0, 3.0]])
    assert torch.equal(nn.ReLU()(x), torch.tensor([[0.0, 0.0, 3.0]]))
    np.testing.assert_allclose(nn.Tanh()(x).numpy(), np.tanh(x.numpy()), rtol=1e-6)
    np.testing.assert_allclose(nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp(-x.numpy())), rtol=1e-6)
    sm = nn.Softmax(dim=1)(x).numpy()
    np.testing.assert_allclose(sm, np.exp(x.numpy()) / np.exp(x.numpy()).sum(), rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(x).numpy(), np.log(sm), rtol=1e-5)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        F.softmax(x)


def test_grad_fn_names_are_pytorchs():
    x = torch.randn(3, 4, requires_grad=True)
    target = torch.tensor([0, 3, 1])
    assert F.cross_entropy(x, target).grad_fn.name() == "NllLossBackward0"
    assert F.log_softmax(x, dim=1).grad_fn.name() == "LogSoftmaxBackward0"
    assert F.softmax(x, dim=1).grad_fn.name() == "SoftmaxBackward0"
    assert F.nll_loss(F.log_softmax(x, 1), target).grad_fn.name() == "NllLossBackward0"
    assert F.mse_loss(x, torch.zeros(3, 4)).grad_fn.name() == "MseLossBackward0"
    y = torch.rand(3, 4)
    assert F.binary_cross_entropy_with_logits(x, y).grad_fn.name() == \
        "BinaryCrossEntropyWithLogitsBackward0"
    assert F.binary_cross_entropy(torch.sigmoid(x), y).grad_fn.name() == \
        "BinaryCrossEntropyBackward0"
    assert "BinaryCrossEntropyWithLogitsBackward0 object at 0x" in \
        repr(F.binary_cross_entropy_with_logits(x, y).grad_fn)


def test_dropout_train_and_eval():
    torch.manual_seed(0)
    drop = nn.Dropout(p=0.25)
    x = torch.ones(20000)
    y = drop(x).numpy()
    kept = y != 0
    assert abs(1 - kept.mean() - 0.25) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    drop.eval()
    assert torch.equal(drop(x), x)
    x = torch.ones(10, requires_grad=True)
    drop.train()
    out = drop(x)
    out.sum().backward()
    assert torch.equal(x.grad, out.detach())            # gradient = mask / (1 - p)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        nn.Dropout(1.5)
    assert torch.equal(F.dropout(torch.ones(3), p=1.0), torch.zeros(3))


def test_flatten_and_embedding():
    assert nn.Flatten()(torch.zeros(2, 3, 4)).shape == torch.Size([2, 12])
    assert nn.Flatten(0, 1)(torch.zeros(2, 3, 4)).shape == torch.Size([6, 4])
    torch.manual_seed(0)
    emb = nn.Embedding(6, 3, padding_idx=1)
    assert torch.equal(emb.weight[1], torch.zeros(3))
    idx = torch.tensor([[1, 2], [2, 5]])
    out = emb(idx)
    assert out.shape == torch.Size([2, 2, 3])
    assert torch.equal(out[0, 1], emb.weight[2])
    out.sum().backward()
    counts = np.zeros((6, 1), np.float32)
    for i in (2, 2, 5):
        counts[i] += 1
    np.testing.assert_array_equal(emb.weight.grad.numpy(), np.broadcast_to(counts, (6, 3)))
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(torch.tensor([6]))
    capped = nn.Embedding(3, 4, max_norm=1.0)
    capped(torch.tensor([0, 1]))
    norms = np.linalg.norm(capped.weight.detach().numpy()[:2], axis=1)
    assert np.all(norms <= 1.0 + 1e-5)


# --- init -----------------------------------------------------------------------------------------
def test_init_functions_fill_in_place():
    torch.manual_seed(0)
    w = nn.Parameter(torch.zeros(200, 100))
    assert nn.init.uniform_(w, -0.5, 0.5) is w
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    a = w.detach().numpy()
    assert a.min() >= -0.5 and a.max() <= 0.5 and a.std() > 0.25
    nn.init.normal_(w, mean=2.0, std=0.1)
    assert abs(w.detach().numpy().mean() - 2.0) < 0.01
    assert abs(w.detach().numpy().std() - 0.1) < 0.01
    nn.init.zeros_(w)
    assert torch.equal(w, torch.zeros(200, 100))
    nn.init.ones_(w)
    assert torch.equal(w, torch.ones(200, 100))
    nn.init.xavier_uniform_(w, gain=2.0)
    bound = 2.0 * math.sqrt(6 / 300)
    assert np.abs(w.detach().numpy()).max() <= bound
    assert np.abs(w.detach().numpy()).max() > 0.9 * bound
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 100)
    assert np.abs(w.detach().numpy()).max() <= bound
    assert np.abs(w.detach().numpy()).max() > 0.9 * bound
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(torch.zeros(3))


# --- losses ----------------------------------------------------------------------------------------
def _log_softmax(z, axis=1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_indices_weight_ignore_index(reduction):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4))
    t = np.array([0, 3, -100, 2, 3])
    w = np.array([1.0, 0.5, 2.0, 1.5])
    lp = _log_softmax(z)
    keep = t != -100
    safe = np.where(keep, t, 0)
    per = np.where(keep, -w[safe] * lp[np.arange(5), safe], 0.0)
    want = {"none": per, "sum": per.sum(), "mean": per.sum() / w[safe][keep].sum()}[reduction]
    zt = torch.tensor(z, requires_grad=True)
    got = F.cross_entropy(zt, torch.tensor(t), weight=torch.tensor(w), reduction=reduction)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12)
    loss_module = nn.CrossEntropyLoss(weight=torch.tensor(w), reduction=reduction)
    np.testing.assert_allclose(loss_module(zt, torch.tensor(t)).detach().numpy(), want)


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(6, 3)).astype(np.float32)
    t = rng.integers(0, 3, 6)
    zt = torch.tensor(z, requires_grad=True)
    nn.CrossEntropyLoss()(zt, torch.tensor(t)).backward()
    want = (np.exp(_log_softmax(z)) - np.eye(3)[t]) / 6
    assert zt.grad.dtype == torch.float32
    np.testing.assert_allclose(zt.grad.numpy(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_probabilities_and_label_smoothing(reduction, smoothing):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(4, 3))
    p = rng.dirichlet(np.ones(3), size=4)
    w = np.array([0.5, 1.0, 2.0])
    lp = _log_softmax(z)
    q = p * (1 - smoothing) + smoothing / 3
    per = -(lp * q * w).sum(axis=1)
    want = {"none": per, "sum": per.sum(), "mean": per.sum() / 4}[reduction]
    got = F.cross_entropy(torch.tensor(z), torch.tensor(p), weight=torch.tensor(w),
                          reduction=reduction, label_smoothing=smoothing)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_indices_with_label_smoothing(reduction):
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 4))
    t = np.array([1, -100, 0, 3, 3])
    w = np.array([1.0, 2.0, 0.5, 1.5])
    eps = 0.1
    lp = _log_softmax(z)
    keep = t != -100
    safe = np.where(keep, t, 0)
    nll = np.where(keep, -w[safe] * lp[np.arange(5), safe], 0.0)
    smooth = np.where(keep, -(lp * w).sum(axis=1), 0.0)
    denom = w[safe][keep].sum()
    if reduction == "mean":
        want = (1 - eps) * nll.sum() / denom + eps / 4 * smooth.sum() / denom
    elif reduction == "sum":
        want = (1 - eps) * nll.sum() + eps / 4 * smooth.sum()
    else:
        want = (1 - eps) * nll + eps / 4 * smooth
    got = F.cross_entropy(torch.tensor(z), torch.tensor(t), weight=torch.tensor(w),
                          reduction=reduction, label_smoothing=eps)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    z = torch.tensor([[1e4, -1e4, 0.0], [0.0, 0.0, 3e4]], requires_grad=True)
    loss = F.cross_entropy(z, torch.tensor([1, 2]))
    assert loss.item() == pytest.approx(1e4, rel=1e-6)
    loss.backward()
    assert np.all(np.isfinite(z.grad.numpy()))


def test_cross_entropy_errors():
    z = torch.randn(3, 4)
    with pytest.raises(IndexError, match="Target 4 is out of bounds."):
        F.cross_entropy(z, torch.tensor([0, 4, 1]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target "
                                         r"batch_size \(2\)."):
        F.cross_entropy(z, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.cross_entropy(z, torch.tensor([0, 1, 2]), reduction="foo")
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Float"):
        F.nll_loss(z, torch.tensor([0.0, 1.0, 2.0]))


def test_mse_l1_bce_values_and_module_forms():
    x = torch.tensor([[0.2, 0.9], [0.5, 0.1]])
    y = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    xn, yn = x.numpy(), y.numpy()
    np.testing.assert_allclose(nn.MSELoss()(x, y).item(), ((xn - yn) ** 2).mean(), rtol=1e-6)
    np.testing.assert_allclose(nn.MSELoss(reduction="sum")(x, y).item(), ((xn - yn) ** 2).sum(),
                               rtol=1e-6)
    np.testing.assert_allclose(nn.L1Loss()(x, y).item(), np.abs(xn - yn).mean(), rtol=1e-6)
    bce = -(yn * np.log(xn) + (1 - yn) * np.log(1 - xn))
    np.testing.assert_allclose(nn.BCELoss()(x, y).item(), bce.mean(), rtol=1e-6)
    np.testing.assert_allclose(nn.BCELoss(reduction="none")(x, y).numpy(), bce, rtol=1e-6)
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(x, torch.zeros(2))
    with pytest.raises(ValueError, match="is different to the input size"):
        F.binary_cross_entropy(x, torch.zeros(2))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))


def test_bce_with_logits_pos_weight_weight_and_gradient():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(4, 3))
    t = rng.integers(0, 2, (4, 3)).astype(np.float64)
    pw = np.array([1.0, 2.0, 0.5])
    w = rng.uniform(size=(4, 3))
    s = 1 / (1 + np.exp(-z))
    per = -w * (pw * t * np.log(s) + (1 - t) * np.log(1 - s))
    zt = torch.tensor(z, requires_grad=True)
    loss = nn.BCEWithLogitsLoss(weight=torch.tensor(w), pos_weight=torch.tensor(pw))(
        zt, torch.tensor(t))
    np.testing.assert_allclose(loss.item(), per.mean(), rtol=1e-12)
    loss.backward()
    want = w * ((1 - t) * s - pw * t * (1 - s)) / per.size
    np.testing.assert_allclose(zt.grad.numpy(), want, rtol=1e-10)
    big = torch.tensor([1e4, -1e4], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(big, torch.tensor([0.0, 1.0]))
    assert loss.item() == pytest.approx(1e4)
    loss.backward()
    assert torch.equal(big.grad, torch.tensor([0.5, -0.5]))


def test_nll_and_one_hot():
    lp = F.log_softmax(torch.randn(3, 5), dim=1)
    t = torch.tensor([4, 0, 2])
    np.testing.assert_allclose(F.nll_loss(lp, t).item(),
                               -lp.numpy()[np.arange(3), t.numpy()].mean(), rtol=1e-6)
    oh = F.one_hot(t)
    assert oh.dtype == torch.int64 and oh.shape == torch.Size([3, 5])
    assert F.one_hot(t, num_classes=7).shape == torch.Size([3, 7])
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(t, num_classes=3)
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(torch.tensor([1.0]))


def test_second_derivative_through_a_loss_matches_functional_hessian():
    rng = np.random.default_rng(5)
    z0 = rng.normal(size=(2, 3))
    t = np.array([2, 0])
    zt = torch.tensor(z0, requires_grad=True)
    (g,) = torch.autograd.grad(F.cross_entropy(zt, torch.tensor(t)), zt, create_graph=True)
    (h_row,) = torch.autograd.grad(g[0, 1], zt)

    def loss(z):
        lp = _log_softmax_traced(z)
        return -np.mean(lp[np.arange(2), t])

    hess = funcgrad.hessian(loss)(z0)
    np.testing.assert_allclose(h_row.numpy(), hess[0, 1], rtol=1e-9, atol=1e-12)


def _log_softmax_traced(z):
    z = z - funcgrad.stop_gradient(np.max(funcgrad.stop_gradient(z), axis=1, keepdims=True))
    return z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))


def test_legacy_size_average_reduce_arguments():
    x, y = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        out = F.mse_loss(x, y, size_average=False)
    assert out.item() == 5.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert nn.MSELoss(reduce=False)(x, y).shape == torch.Size([2])


# --- the docstring examples of nn, optim, save/load and the demo run as written ------------------
@pytest.mark.parametrize("module_name", [
    "funcgrad.torch.nn", "funcgrad.torch.nn.module", "funcgrad.torch.nn.parameter",
    "funcgrad.torch.nn.layers", "funcgrad.torch.nn.losses", "funcgrad.torch.nn.functional",
    "funcgrad.torch.nn.init", "funcgrad.torch.nn.utils", "funcgrad.torch.optim",
    "funcgrad.torch.optim.optimizer",
    "funcgrad.torch.optim.sgd", "funcgrad.torch.optim.adam", "funcgrad.torch.optim.lr_scheduler",
    "funcgrad.torch.optim._functional", "funcgrad.torch.serialization", "funcgrad.demo",
])
def test_docstring_examples(module_name):
    import doctest
    import importlib

    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0


def test_functional_transforms_over_modules_and_losses():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = torch.randn(5, 3)
    t = torch.tensor([0, 1, 1, 0, 1])
    g = funcgrad.grad(lambda x: F.cross_entropy(model(x), t))(x)
    x2 = x.clone().requires_grad_(True)
    F.cross_entropy(model(x2), t).backward()
    assert torch.allclose(g, x2.grad)
    h = funcgrad.hessian(lambda z: F.binary_cross_entropy_with_logits(z, torch.ones(3)))(
        torch.zeros(3))
    assert torch.allclose(h, torch.eye(3) * (0.25 / 3))


def test_inplace_relu_and_dropout_stay_in_the_graph():
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    y = x * 1
    z = nn.ReLU(inplace=True)(y)
    assert z is y and z.grad_fn.name() == "ReluBackward0"
    z.sum().backward()
    assert torch.equal(x.grad, torch.tensor([0.0, 1.0]))
    leaf = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation."):
        F.relu(leaf, inplace=True)
    torch.manual_seed(0)
    y = x * 1
    out = F.dropout(y, 0.5, inplace=True)
    assert out is y and out.grad_fn is not None


def test_dtype_casts_and_load_with_assign():
    lin = nn.Linear(2, 3)
    assert lin.double() is lin
    assert lin.weight.dtype == torch.float64 and isinstance(lin.weight, nn.Parameter)
    assert lin(torch.ones(1, 2, dtype=torch.float64)).dtype == torch.float64
    lin.to(torch.float32)
    assert lin.bias.dtype == torch.float32 and lin.bias.requires_grad
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        lin.to("cuda")
    new_w = torch.full((3, 2), 0.5)
    lin.load_state_dict({"weight": new_w, "bias": torch.zeros(3)}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    assert torch.equal(lin.weight, new_w)
    lin.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert torch.equal(lin.weight, torch.zeros(3, 2))


def test_nll_loss_picks_by_index_so_minus_inf_elsewhere_is_harmless():
    lp = torch.tensor([[0.0, -float("inf")], [-float("inf"), 0.0]], requires_grad=True)
    loss = F.nll_loss(lp, torch.tensor([0, 1]))
    assert loss.item() == 0.0
    loss.backward()
    assert torch.equal(lp.grad, torch.tensor([[-0.5, 0.0], [0.0, -0.5]]))
    assert not np.signbit(lp.grad.numpy()[0, 1])          # +0, as PyTorch


def test_init_honours_an_explicit_generator():
    draws = []
    for _ in range(2):
        gen = torch.Generator().manual_seed(3)
        draws.append(nn.init.kaiming_uniform_(torch.zeros(4, 3), generator=gen).clone())
        torch.rand(5)                                   # the default generator is not used
    assert torch.equal(draws[0], draws[1])


def test_mse_loss_target_gradient_prints_positive_zero():
    # PyTorch computes the target's gradient as 2 (t - x), not -(2 (x - t)),
    # so where input == target it prints 0., never -0.
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t = torch.tensor([1.0, 0.0, 3.0], requires_grad=True)
    F.mse_loss(x, t).backward()
    assert str(x.grad) == "tensor([0.0000, 1.3333, 0.0000])"
    assert str(t.grad) == "tensor([ 0.0000, -1.3333,  0.0000])"
    same = torch.tensor([1.0, 2.0], requires_grad=True)
    target = torch.tensor([1.0, 2.0], requires_grad=True)
    nn.MSELoss(reduction="sum")(same, target).backward()
    assert str(target.grad) == "tensor([0., 0.])"
    assert str(same.grad) == "tensor([0., 0.])"
    assert not np.signbit(target.grad.numpy()).any()


@pytest.mark.parametrize("kwargs,reduction", [
    ({"size_average": False}, "sum"), ({"reduce": False}, "none"),
    ({"size_average": True, "reduce": True}, "mean"), ({"size_average": False, "reduce": True}, "sum"),
])
def test_legacy_reduction_same_in_function_and_module(kwargs, reduction):
    x, y = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])
    expected = {"sum": 5.0, "mean": 2.5}.get(reduction)
    with pytest.warns(UserWarning, match=f"please use reduction='{reduction}' instead") as rec:
        out = F.mse_loss(x, y, **kwargs)
    assert rec[0].filename == __file__           # points at the caller's line
    with pytest.warns(UserWarning, match=f"please use reduction='{reduction}' instead"):
        module = nn.MSELoss(**kwargs)
    assert module.reduction == reduction
    if expected is None:
        assert out.tolist() == module(x, y).tolist() == [1.0, 4.0]
    else:
        assert out.item() == module(x, y).item() == expected
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        F.mse_loss(x, y, reduction="bogus")
