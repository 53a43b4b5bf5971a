"""Convolution, padding, pooling and normalisation layers against PyTorch 2.x:
values against naive loop references (written here, independent of the
strided kernels) and against values recorded from PyTorch 2.13, gradients to
second order against finite differences, parameter names and shapes, reprs,
running statistics and the error messages for bad arguments."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.testing import check_grads
from funcgrad.torch import nn
from funcgrad.torch.nn import _kernels as K
from funcgrad.torch.nn import functional as F


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def naive_conv(x, w, b, stride, padding, dilation, groups):
    """Direct definition: one output element at a time."""
    nd = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    k = w.shape[2:]
    out = [(xp.shape[2 + i] - dilation[i] * (k[i] - 1) - 1) // stride[i] + 1 for i in range(nd)]
    y = np.zeros((n, o, *out))
    og = o // groups
    for b_, oc in itertools.product(range(n), range(o)):
        grp = oc // og
        for pos in itertools.product(*map(range, out)):
            acc = 0.0
            for ic in range(cg):
                for tap in itertools.product(*map(range, k)):
                    idx = tuple(pos[i] * stride[i] + tap[i] * dilation[i] for i in range(nd))
                    acc += xp[(b_, grp * cg + ic) + idx] * w[(oc, ic) + tap]
            y[(b_, oc) + pos] = acc + (0 if b is None else b[oc])
    return y


CONV_CASES = [  # nd, stride, padding, dilation, groups
    (1, 1, 0, 1, 1), (1, 2, 1, 2, 2), (2, 1, 1, 1, 1), (2, 2, 0, 1, 2), (2, (2, 1), (1, 2), (1, 2), 1),
    (3, 1, 1, 1, 1), (3, 2, 0, 1, 2),
]


def _tup(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("nd,stride,padding,dilation,groups", CONV_CASES)
def test_conv_matches_the_direct_definition(rng, nd, stride, padding, dilation, groups):
    size = (7, 6, 5)[:nd] if nd < 3 else (5, 4, 5)
    x = rng.normal(size=(2, 4) + size)
    w = rng.normal(size=(6, 4 // groups) + (3, 2, 2)[:nd])
    b = rng.normal(size=6)
    s, p, d = _tup(stride, nd), _tup(padding, nd), _tup(dilation, nd)
    fn = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    got = fn(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride, padding, dilation, groups)
    np.testing.assert_allclose(got.numpy(), naive_conv(x, w, b, s, p, d, groups), atol=1e-12)


@pytest.mark.parametrize("stride,padding,dilation,groups",
                         [((1, 1), (0, 0), (1, 1), 1), ((2, 1), (1, 0), (1, 2), 2)])
def test_conv_kernels_differentiate_to_second_order(rng, stride, padding, dilation, groups):
    x = rng.normal(size=(2, 4, 5, 4))
    w = rng.normal(size=(2, 4 // groups, 2, 2))
    b = rng.normal(size=2)
    p = dict(stride=stride, padding=tuple((q, q) for q in padding), dilation=dilation,
             groups=groups)
    check_grads(lambda x, w, b: K.conv(x, w, b, **p), (x, w, b), order=2, modes=("fwd", "rev"))
    y = K.conv(x, w, None, **p)
    g = rng.normal(size=y.shape)
    check_grads(lambda g, w: K.conv_input(g, w, xshape=x.shape, **p), (g, w), order=2, modes=("fwd", "rev"))
    check_grads(lambda x, g: K.conv_weight(x, g, wshape=w.shape, **p), (x, g), order=2, modes=("fwd", "rev"))


def test_conv_transpose_is_the_adjoint_of_conv(rng):
    # <conv(x, w), y> == <x, conv_transpose(y, w)> for every stride/padding/dilation
    for stride, padding, dilation, groups in [(1, 0, 1, 1), (2, 1, 1, 2), (3, 2, 2, 1)]:
        x = rng.normal(size=(2, 4, 9, 8))
        w = rng.normal(size=(6, 4 // groups, 3, 2))
        y = F.conv2d(torch.tensor(x), torch.tensor(w), None, stride, padding, dilation, groups)
        v = rng.normal(size=tuple(y.shape))
        out_pad = [(x.shape[2 + i] + 2 * padding - dilation * (w.shape[2 + i] - 1) - 1) % stride
                   for i in range(2)]
        back = F.conv_transpose2d(torch.tensor(v), torch.tensor(w), None, stride, padding,
                                  out_pad, groups, dilation)
        assert tuple(back.shape) == x.shape
        np.testing.assert_allclose(np.sum(y.numpy() * v), np.sum(x * back.numpy()), rtol=1e-10)


def test_conv_transpose_values_recorded_from_pytorch():
    x = torch.tensor([[[1.0, 2.0], [3.0, 4.0]]])
    w = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    got = F.conv_transpose2d(x, w, torch.tensor([0.5]), stride=2, padding=1, output_padding=1)
    assert got.tolist() == [[[4.5, 6.5, 8.5], [6.5, 4.5, 8.5], [12.5, 12.5, 16.5]]]


def test_module_gradients_through_the_facade(rng):
    conv = nn.Conv2d(2, 3, 3, stride=2, padding=1, dtype=torch.float64)
    x = torch.tensor(rng.normal(size=(2, 2, 5, 5)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, 2, 1), (x, conv.weight,
                                                                               conv.bias))
    y = conv(x)
    assert y.grad_fn.name() == "ConvolutionBackward0"
    tconv = nn.ConvTranspose1d(2, 3, 3, stride=2, dtype=torch.float64)
    x1 = torch.tensor(rng.normal(size=(2, 4)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, w, b: F.conv_transpose1d(x, w, b, 2), (
        x1, tconv.weight, tconv.bias))


def test_conv_modules_names_shapes_reprs_and_dtype():
    conv = nn.Conv2d(4, 6, (3, 5), stride=2, padding=1, dilation=2, groups=2, bias=False,
                     padding_mode="reflect")
    assert repr(conv) == ("Conv2d(4, 6, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), "
                          "dilation=(2, 2), groups=2, bias=False, padding_mode=reflect)")
    assert [(n, tuple(p.shape)) for n, p in conv.named_parameters()] == [("weight", (6, 2, 3, 5))]
    t = nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=1, groups=1)
    assert repr(t) == ("ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), "
                       "output_padding=(1, 1))")
    assert [(n, tuple(p.shape)) for n, p in t.named_parameters()] == [
        ("weight", (3, 4, 3, 3)), ("bias", (4,))]
    assert repr(nn.Conv1d(2, 2, 3, padding="same")) == (
        "Conv1d(2, 2, kernel_size=(3,), stride=(1,), padding=same)")
    assert nn.Conv3d(1, 2, 2).weight.shape == (2, 1, 2, 2, 2)
    # kaiming_uniform(a=sqrt(5)): |w| <= 1/sqrt(fan_in), bias likewise
    c = nn.Conv2d(3, 8, 3)
    bound = 1 / math.sqrt(27)
    assert float(c.weight.abs().max()) <= bound and float(c.bias.abs().max()) <= bound
    assert c.weight.dtype == torch.float32
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        assert nn.Conv1d(1, 1, 1).weight.dtype == torch.float64
        assert nn.BatchNorm2d(2).running_mean.dtype == torch.float64
        assert nn.LayerNorm(3).weight.dtype == torch.float64
    finally:
        torch.set_default_dtype(old)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_padding_modes_equal_explicit_pad_then_conv(rng, mode):
    conv = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode, dtype=torch.float64)
    x = torch.tensor(rng.normal(size=(1, 2, 5, 6)))
    padded = F.pad(x, (2, 2, 1, 1), mode="constant" if mode == "zeros" else mode)
    np.testing.assert_allclose(conv(x).detach().numpy(),
                               naive_conv(padded.numpy(), conv.weight.detach().numpy(),
                                          conv.bias.detach().numpy(), (1, 1), (0, 0), (1, 1), 1),
                               atol=1e-12)


def test_pad_modes_values_and_gradients(rng):
    x = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    assert F.pad(x, (2, 1), mode="reflect").tolist() == [[[3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0]]]
    assert F.pad(x, (2, 1), mode="replicate").tolist() == [[[1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 4.0]]]
    assert F.pad(x, (2, 1), mode="circular").tolist() == [[[3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 1.0]]]
    assert F.pad(x, (-1, 2), value=7.0).tolist() == [[[2.0, 3.0, 4.0, 7.0, 7.0]]]
    x2 = torch.tensor(rng.normal(size=(1, 2, 3, 4)), requires_grad=True)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert torch.autograd.gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode), (x2,))
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding"):
        F.pad(x, (4, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode"):
        F.pad(x, (1, 1), mode="bogus")


X = np.array([[[[0, 7, 3, 10, 6, 2], [9, 5, 1, 8, 4, 0], [7, 3, 10, 6, 2, 9], [5, 1, 8, 4, 0, 7],
                [3, 10, 6, 2, 9, 5]]]], dtype=np.float64)

# recorded from PyTorch 2.13: (kwargs, values, indices)
MAX_POOL_CASES = [
    (dict(kernel_size=3, stride=2, ceil_mode=True),
     [[10.0, 10.0, 9.0], [10.0, 10.0, 9.0]], [[14, 3, 17], [14, 14, 17]]),
    (dict(kernel_size=3, stride=1, padding=1, dilation=2),
     [[8.0, 9.0, 8.0, 8.0], [10.0, 10.0, 10.0, 10.0], [8.0, 9.0, 8.0, 8.0]],
     [[9, 6, 9, 20], [3, 14, 3, 14], [9, 6, 9, 20]]),
    (dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
     [[0.0, 7.0, 10.0, 2.0], [9.0, 10.0, 8.0, 9.0], [5.0, 10.0, 9.0, 7.0]],
     [[0, 1, 3, 5], [6, 14, 9, 17], [18, 25, 28, 23]]),
]
AVG_POOL_CASES = [
    (dict(kernel_size=3, stride=2, padding=1),
     [[2.333333, 3.777778, 3.333333], [3.333333, 5.111111, 4.444444], [2.111111, 3.444444, 3.0]]),
    (dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
     [[5.25, 5.666667, 5.0], [5.0, 5.111111, 4.444444], [4.75, 5.166667, 4.5]]),
    (dict(kernel_size=3, stride=2, ceil_mode=True),
     [[5.0, 5.555556, 3.833333], [5.888889, 5.222222, 5.333333]]),
    (dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
     [[5.25, 5.666667, 5.0, 1.0], [5.0, 5.111111, 4.444444, 5.333333],
      [4.75, 5.166667, 4.5, 6.0]]),
    (dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
     [[0.0, 2.5, 4.0, 0.5], [4.0, 4.75, 5.0, 2.25], [2.0, 6.25, 3.75, 3.0]]),
]


@pytest.mark.parametrize("kwargs,values,indices", MAX_POOL_CASES)
def test_max_pool_values_and_indices_recorded_from_pytorch(kwargs, values, indices):
    x = torch.tensor(X, requires_grad=True)
    y, idx = F.max_pool2d(x, return_indices=True, **kwargs)
    assert y.detach().numpy()[0, 0].tolist() == values
    assert idx.numpy()[0, 0].tolist() == indices and idx.dtype == torch.int64
    y.sum().backward()  # each input gets one per window it wins
    np.testing.assert_array_equal(x.grad.numpy().ravel(),
                                  np.bincount(np.ravel(indices), minlength=X.size))


@pytest.mark.parametrize("kwargs,values", AVG_POOL_CASES)
def test_avg_pool_values_recorded_from_pytorch(rng, kwargs, values):
    x = torch.tensor(X, requires_grad=True)
    np.testing.assert_allclose(F.avg_pool2d(x, **kwargs).detach().numpy()[0, 0], values,
                               atol=1e-6)
    xr = torch.tensor(rng.normal(size=(1, 2, 5, 6)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: F.avg_pool2d(t, **kwargs), (xr,))


def test_pool_kernels_second_order(rng):
    x = rng.normal(size=(2, 2, 5, 6))
    pads = ((1, 2), (1, 1))
    div = K.avg_divisor((5, 6), (3, 3), (2, 2), ((1, 1), (1, 1)), (1, 0), True, None)
    check_grads(lambda x: K.avg_pool(x, div, kernel=(3, 3), stride=(2, 2), padding=pads),
                (x,), order=2, modes=("fwd", "rev"))
    idx = K.max_pool_indices(x, (2, 2), (2, 2), ((0, 0), (0, 0)), (1, 1))
    check_grads(lambda x: K.take_planes(x, idx), (x,), order=2, modes=("fwd", "rev"))


def test_adaptive_pools_recorded_from_pytorch(rng):
    x = torch.tensor(X)
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (3, 4)).numpy()[0, 0],
                               [[5.25, 4.0, 7.0, 3.0], [5.0, 4.666667, 4.0, 3.666667],
                                [4.75, 6.25, 3.75, 5.25]], atol=1e-6)
    v, i = F.adaptive_max_pool2d(x, (2, 4), return_indices=True)
    assert v.numpy()[0, 0].tolist() == [[9.0, 10.0, 10.0, 9.0], [10.0, 10.0, 9.0, 9.0]]
    assert i.numpy()[0, 0].tolist() == [[6, 14, 3, 17], [25, 14, 28, 17]]
    xr = torch.tensor(rng.normal(size=(2, 7, 5)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, None)), (xr,))
    assert torch.autograd.gradcheck(lambda t: F.adaptive_max_pool2d(t, (3, 2)), (xr,))
    assert F.adaptive_avg_pool1d(torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]]), 2).tolist() == [
        [2.0, 4.0]]


def test_pool_module_reprs():
    assert repr(nn.MaxPool2d(2)) == ("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                                     "ceil_mode=False)")
    assert repr(nn.AvgPool2d(3, 2)) == "AvgPool2d(kernel_size=3, stride=2, padding=0)"
    assert repr(nn.AvgPool1d(2)) == "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"
    assert repr(nn.AdaptiveAvgPool2d((2, 3))) == "AdaptiveAvgPool2d(output_size=(2, 3))"
    assert repr(nn.AdaptiveMaxPool2d(2)) == "AdaptiveMaxPool2d(output_size=2)"
    y, i = nn.MaxPool1d(2, return_indices=True)(torch.tensor([[1.0, 3.0, 2.0, 0.0]]))
    assert y.tolist() == [[3.0, 2.0]] and i.tolist() == [[1, 2]]


# --- errors (PyTorch 2.13's messages) --------------------------------------------------------
ERRORS = [
    (lambda: F.conv2d(torch.zeros(2, 3), torch.zeros(1, 1, 1, 1)), RuntimeError,
     r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: "
     r"\[2, 3\]"),
    (lambda: F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 3, 3, 3)), RuntimeError,
     r"Given groups=1, weight of size \[4, 3, 3, 3\], expected input\[1, 2, 5, 5\] to have 3 "
     r"channels, but got 2 channels instead"),
    (lambda: F.conv2d(torch.zeros(1, 3, 2, 2), torch.zeros(4, 3, 3, 3)), RuntimeError,
     r"Calculated padded input size per channel: \(2 x 2\). Kernel size: \(3 x 3\). Kernel size "
     r"can't be greater than actual input size"),
    (lambda: F.conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 3, 3), padding="same",
                      stride=2), RuntimeError,
     "padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 3, 3), padding="foo"),
     RuntimeError, "Invalid padding string: 'foo'"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 3, 3, groups=2), ValueError, "out_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 4, 3, padding_mode="x"), ValueError,
     "padding_mode must be one of .*, but got padding_mode='x'"),
    (lambda: nn.Conv2d(4, 4, 3, padding="same", stride=2), ValueError,
     "padding='same' is not supported for strided convolutions"),
    (lambda: F.max_pool2d(torch.zeros(1, 1, 4, 4), 2, padding=2), RuntimeError,
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and "
     "dilation=1"),
    (lambda: F.max_pool2d(torch.zeros(4, 4), 2), RuntimeError,
     r"non-empty 3D or 4D \(batch mode\) tensor expected for input"),
    (lambda: F.avg_pool2d(torch.zeros(1, 1, 1, 1), 2), RuntimeError,
     r"Given input size: \(1x1x1\). Calculated output size: \(1x0x0\). Output size is too small"),
    (lambda: nn.BatchNorm2d(3)(torch.zeros(2, 3, 4)), ValueError,
     r"expected 4D input \(got 3D input\)"),
    (lambda: nn.BatchNorm1d(3)(torch.zeros(1, 3)), ValueError,
     "Expected more than 1 value per channel when training"),
    (lambda: nn.GroupNorm(2, 3), ValueError, "num_channels must be divisible by num_groups"),
    (lambda: F.layer_norm(torch.zeros(2, 3), (4,)), RuntimeError,
     r"Given normalized_shape=\[4\], expected input with shape \[\*, 4\]"),
]


@pytest.mark.parametrize("call,exc,message", ERRORS)
def test_errors_match_pytorch(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


# --- normalisation ----------------------------------------------------------------------------
def test_batch_norm_running_statistics_closed_form(rng):
    bn = nn.BatchNorm2d(3, momentum=0.3, dtype=torch.float64)
    x = rng.normal(size=(4, 3, 2, 5)) * 2 + 1
    y = bn(torch.tensor(x))
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(y.detach().numpy(), (x - mean[:, None, None]) /
                               np.sqrt(var[:, None, None] + 1e-5), atol=1e-12)
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.3 * mean, atol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.7 + 0.3 * x.var(axis=(0, 2, 3), ddof=1),
                               atol=1e-12)
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == torch.int64
    bn.eval()
    np.testing.assert_allclose(bn(torch.tensor(x)).detach().numpy(),
                               (x - 0.3 * mean[:, None, None]) / np.sqrt(
                                   bn.running_var.numpy()[:, None, None] + 1e-5), atol=1e-12)
    assert bn.num_batches_tracked.item() == 1  # eval does not count
    cumulative = nn.BatchNorm1d(2, momentum=None, dtype=torch.float64)
    batches = [rng.normal(size=(5, 2)) for _ in range(3)]
    for b in batches:
        cumulative(torch.tensor(b))
    np.testing.assert_allclose(cumulative.running_mean.numpy(),
                               np.mean([b.mean(0) for b in batches], axis=0), atol=1e-12)
    assert list(nn.BatchNorm1d(2, track_running_stats=False).state_dict()) == ["weight", "bias"]


def test_norm_layers_against_closed_forms_and_gradcheck(rng):
    x = rng.normal(size=(2, 4, 3, 2))
    t = torch.tensor(x, requires_grad=True)
    ln = nn.LayerNorm((3, 2), dtype=torch.float64)
    ref = (x - x.mean(axis=(2, 3), keepdims=True)) / np.sqrt(x.var(axis=(2, 3), keepdims=True)
                                                               + 1e-5)
    np.testing.assert_allclose(ln(t).detach().numpy(), ref, atol=1e-12)
    inorm = nn.InstanceNorm2d(4)
    np.testing.assert_allclose(inorm(t).detach().numpy(), ref, atol=1e-12)
    gn = nn.GroupNorm(2, 4, dtype=torch.float64)
    g = x.reshape(2, 2, -1)
    ref_g = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5))
    np.testing.assert_allclose(gn(t).detach().numpy(), ref_g.reshape(x.shape), atol=1e-12)
    bn = nn.BatchNorm2d(4, dtype=torch.float64)
    for f, params in [(F.layer_norm, ((3, 2), ln.weight, ln.bias)),
                      (F.group_norm, (2, gn.weight, gn.bias))]:
        assert torch.autograd.gradcheck(lambda x, *p: f(x, params[0], *p), (t,) + params[1:])
    assert torch.autograd.gradcheck(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, True), (t, bn.weight, bn.bias))


def test_norm_reprs_and_state_dict_keys():
    assert repr(nn.BatchNorm2d(6)) == ("BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, "
                                       "bias=True, track_running_stats=True)")
    assert repr(nn.LayerNorm((5, 3))) == ("LayerNorm((5, 3), eps=1e-05, elementwise_affine=True, "
                                          "bias=True)")
    assert repr(nn.GroupNorm(3, 6)) == "GroupNorm(3, 6, eps=1e-05, affine=True, bias=True)"
    assert repr(nn.InstanceNorm2d(6)) == ("InstanceNorm2d(6, eps=1e-05, momentum=0.1, "
                                          "affine=False, bias=False, track_running_stats=False)")
    assert list(nn.BatchNorm2d(3, bias=False).state_dict()) == [
        "weight", "running_mean", "running_var", "num_batches_tracked"]
    assert list(nn.InstanceNorm2d(3).state_dict()) == []
