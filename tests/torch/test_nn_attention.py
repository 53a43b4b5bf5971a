"""Attention in funcgrad.torch: F.scaled_dot_product_attention,
nn.MultiheadAttention, nn.TransformerEncoderLayer/TransformerEncoder against
NumPy references of PyTorch's documented equations (no torch needed), finite
differences, PyTorch's parameter names, reprs and errors; and, when torch is
installed, against torch itself with the same weights (values and gradients)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch import nn
from funcgrad.torch.nn import functional as F


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# --- NumPy references ---------------------------------------------------------------------------
def _softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sdpa_ref(q, k, v, bias=None, scale=None):
    s = q @ np.swapaxes(k, -1, -2) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if bias is not None:
        s = s + bias
    dead = np.isneginf(s).all(axis=-1, keepdims=True)
    w = np.where(dead, 0.0, _softmax(np.where(dead, 0.0, s)))
    return w @ v


def mha_ref(mha, q, k, v, bias=None):
    """Sequence-first (L, N, E) multi-head attention, as PyTorch documents it."""
    p = {name: t.detach().numpy() for name, t in mha.state_dict().items()}
    E, H = mha.embed_dim, mha.num_heads
    w, b = np.split(p["in_proj_weight"], 3), np.split(p["in_proj_bias"], 3)
    qp, kp, vp = (x @ wi.T + bi for x, wi, bi in zip((q, k, v), w, b))

    def heads(x):  # (T, N, E) -> (N, H, T, E/H)
        return x.reshape(x.shape[0], x.shape[1], H, E // H).transpose(1, 2, 0, 3)
    s = heads(qp) @ np.swapaxes(heads(kp), -1, -2) / np.sqrt(E // H)
    weights = _softmax(s if bias is None else s + bias)
    out = (weights @ heads(vp)).transpose(2, 0, 1, 3).reshape(q.shape[0], q.shape[1], E)
    return out @ p["out_proj.weight"].T + p["out_proj.bias"], weights


def layer_norm_ref(x, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps)


def _t(a, grad=False):
    return torch.tensor(a, requires_grad=grad)


# --- scaled_dot_product_attention --------------------------------------------------------------
@pytest.mark.parametrize("mask", [None, "bool", "float", "causal", "dead", "scale"])
def test_sdpa_matches_the_reference_and_finite_differences(rng, mask):
    q, k, v = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(
        size=(2, 3, 6, 2))
    kwargs, bias = {}, None
    if mask in ("bool", "dead"):
        allowed = rng.random((4, 6)) > 0.4
        allowed[:, 0] = mask == "bool"
        if mask == "dead":
            allowed[1] = False  # query 1 sees no key: a zero row, not NaN
        kwargs["attn_mask"] = _t(allowed)
        bias = np.where(allowed, 0.0, -np.inf)
    elif mask == "float":
        bias = rng.normal(size=(3, 4, 6))
        kwargs["attn_mask"] = _t(bias, grad=True)
    elif mask == "causal":
        kwargs["is_causal"] = True
        bias = np.where(np.tril(np.ones((4, 6), bool)), 0.0, -np.inf)
    elif mask == "scale":
        kwargs["scale"] = 0.3
    expected = sdpa_ref(q, k, v, bias, kwargs.get("scale"))
    got = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), **kwargs)
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-12, atol=1e-14)
    if mask == "dead":
        assert np.all(got.detach().numpy()[:, :, 1] == 0)
    args = [_t(q[:1, :1], True), _t(k[:1, :1], True), _t(v[:1, :1], True)]
    if mask == "float":
        kwargs["attn_mask"] = _t(bias[:1], grad=True)
        args.append(kwargs.pop("attn_mask"))
        assert torch.autograd.gradcheck(
            lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, **kwargs),
            tuple(args))
    else:
        if "attn_mask" in kwargs:
            kwargs["attn_mask"] = kwargs["attn_mask"][:4]
        assert torch.autograd.gradcheck(
            lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kwargs), tuple(args))


def test_sdpa_grouped_query_attention_and_dropout(rng):
    q, k, v = rng.normal(size=(4, 3, 5)), rng.normal(size=(2, 6, 5)), rng.normal(size=(2, 6, 2))
    got = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), enable_gqa=True)
    expected = sdpa_ref(q, np.repeat(k, 2, axis=0), np.repeat(v, 2, axis=0))
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-12)
    zeros = F.scaled_dot_product_attention(_t(q), _t(q), _t(q), dropout_p=1.0)
    assert np.all(zeros.detach().numpy() == 0)
    torch.manual_seed(0)
    dropped = F.scaled_dot_product_attention(_t(q), _t(q), _t(q), dropout_p=0.5).detach().numpy()
    assert not np.allclose(dropped, sdpa_ref(q, q, q))


def test_sdpa_errors():
    q = torch.ones(2, 3, 4)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when "
                                           "is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(3, 3, dtype=torch.bool),
                                       is_causal=True)
    with pytest.raises(RuntimeError, match="Expected attn_mask dtype to be bool or float"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(3, 3, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="last dim of query"):
        F.scaled_dot_product_attention(q, torch.ones(2, 3, 5), q)
    with pytest.raises(RuntimeError, match="same sequence length"):
        F.scaled_dot_product_attention(q, q, torch.ones(2, 5, 4))
    with pytest.raises(ValueError, match="dropout probability"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)


# --- MultiheadAttention -------------------------------------------------------------------------
def test_mha_parameters_names_init_and_repr():
    mha = nn.MultiheadAttention(4, 2)
    shapes = [(name, tuple(t.shape)) for name, t in mha.state_dict().items()]
    assert shapes == [("in_proj_weight", (12, 4)), ("in_proj_bias", (12,)),
                      ("out_proj.weight", (4, 4)), ("out_proj.bias", (4,))]
    assert np.all(mha.in_proj_bias.detach().numpy() == 0)
    assert np.all(mha.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6 / (12 + 4))  # xavier_uniform_ on (3E, E)
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= bound
    assert repr(mha) == ("MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear("
                         "in_features=4, out_features=4, bias=True)\n)")
    other = nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True, bias=True)
    assert [(n, tuple(t.shape)) for n, t in other.state_dict().items()] == [
        ("q_proj_weight", (4, 4)), ("k_proj_weight", (4, 3)), ("v_proj_weight", (4, 5)),
        ("in_proj_bias", (12,)), ("bias_k", (1, 1, 4)), ("bias_v", (1, 1, 4)),
        ("out_proj.weight", (4, 4)), ("out_proj.bias", (4,))]
    assert [n for n, _ in nn.MultiheadAttention(4, 1, bias=False).named_parameters()] == [
        "in_proj_weight", "out_proj.weight"]
    torch.set_default_dtype(torch.float64)
    try:
        assert nn.MultiheadAttention(4, 2).in_proj_weight.dtype == torch.float64
    finally:
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_matches_the_reference(rng, batch_first):
    mha = nn.MultiheadAttention(4, 2, batch_first=batch_first).double()
    q, k, v = rng.normal(size=(3, 2, 4)), rng.normal(size=(5, 2, 4)), rng.normal(size=(5, 2, 4))
    padding = np.array([[False, False, True, False, True], [False] * 4 + [True]])
    allowed = rng.random((3, 5)) > 0.3
    allowed[:, 0] = True
    bias = np.where(~padding[:, None, None, :] & allowed, 0.0, -np.inf)
    expected, weights = mha_ref(mha, q, k, v, bias)
    inputs = [_t(x.swapaxes(0, 1) if batch_first else x) for x in (q, k, v)]
    masks = {"key_padding_mask": _t(padding), "attn_mask": _t(~allowed)}
    out, w = mha(*inputs, **masks)
    out = out.detach().numpy().swapaxes(0, 1) if batch_first else out.detach().numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w.detach().numpy(), weights.mean(axis=1), rtol=1e-12, atol=1e-14)
    _, per_head = mha(*inputs, **masks, average_attn_weights=False)
    np.testing.assert_allclose(per_head.detach().numpy(), weights, rtol=1e-12, atol=1e-14)
    fast, none = mha(*inputs, **masks, need_weights=False)
    assert none is None
    np.testing.assert_allclose(fast.detach().numpy().swapaxes(0, 1) if batch_first else fast.detach().numpy(),
                               expected, rtol=1e-12, atol=1e-14)
    float_masks = {"key_padding_mask": _t(np.where(padding, -np.inf, 0.0)),
                   "attn_mask": _t(np.where(allowed, 0.0, -np.inf))}
    np.testing.assert_allclose(mha(*inputs, **float_masks)[0].detach().numpy(), mha(*inputs, **masks)[0]
                               .detach().numpy(), rtol=1e-12)
    unbatched, _ = mha(*(x[:, 0] if not batch_first else x[0] for x in inputs))
    np.testing.assert_allclose(unbatched.detach().numpy(), mha_ref(mha, q[:, :1], k[:, :1], v[:, :1])[0]
                               [:, 0], rtol=1e-12, atol=1e-14)


def test_mha_gradients_finite_differences(rng):
    mha = nn.MultiheadAttention(4, 2, kdim=3, vdim=2, add_bias_kv=True, add_zero_attn=True)
    mha = mha.double()
    inputs = [_t(rng.normal(size=s), True) for s in ((3, 2, 4), (5, 2, 3), (5, 2, 2))]
    padding = _t(np.array([[False, True, False, False, False], [False] * 4 + [True]]))
    assert torch.autograd.gradcheck(lambda *x: mha(*x, key_padding_mask=padding)[0], tuple(inputs))
    params = list(mha.parameters())

    def loss():
        return (mha(*inputs, key_padding_mask=padding)[0] ** 2).sum()
    loss().backward()
    directions = [rng.normal(size=p.shape) for p in params]
    slope = sum(float((p.grad.detach().numpy() * d).sum()) for p, d in zip(params, directions))
    values = []
    for sign in (1, -1):  # central difference of the loss along the directions
        with torch.no_grad():
            for p, d in zip(params, directions):
                p.add_(_t(sign * 1e-6 * d))
            values.append(float(loss()))
            for p, d in zip(params, directions):
                p.sub_(_t(sign * 1e-6 * d))
    assert abs((values[0] - values[1]) / 2e-6 - slope) < 1e-6 * max(1.0, abs(slope))


def test_mha_errors():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
        nn.MultiheadAttention(0, 2)
    mha = nn.MultiheadAttention(4, 2)
    x = torch.ones(3, 2, 4)
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is torch.Size\(\[2, "
                                           r"2\]\), but should be \(3, 3\)."):
        mha(x, x, x, attn_mask=torch.zeros(2, 2))
    with pytest.raises(AssertionError, match=r"expecting key_padding_mask shape of \(2, 3\)"):
        mha(x, x, x, key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))
    with pytest.raises(AssertionError, match="For batched \\(3-D\\) `query`, expected `key` and "
                                             "`value` to be 3-D but found 2-D"):
        mha(x, x[0], x[0])
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 4, but got 3"):
        mha(x[..., :3], x[..., :3], x[..., :3])
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask"):
        mha(x, x, x, attn_mask=torch.zeros(3, 3, dtype=torch.int64))


# --- TransformerEncoderLayer / TransformerEncoder ---------------------------------------------
def _encoder_layer_ref(layer, x, bias):
    p = {name: t.detach().numpy() for name, t in layer.state_dict().items()}

    def ln(x, name):
        return layer_norm_ref(x) * p[name + ".weight"] + p[name + ".bias"]

    def sa(x):
        return mha_ref(layer.self_attn, x, x, x, bias)[0]

    def ff(x):
        hidden = np.maximum(x @ p["linear1.weight"].T + p["linear1.bias"], 0)
        return hidden @ p["linear2.weight"].T + p["linear2.bias"]
    if layer.norm_first:
        x = x + sa(ln(x, "norm1"))
        return x + ff(ln(x, "norm2"))
    x = ln(x + sa(x), "norm1")
    return ln(x + ff(x), "norm2")


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_matches_the_reference(rng, norm_first):
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0,
                                       norm_first=norm_first).double()
    encoder = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(4).double())
    assert encoder.layers[0] is not layer and encoder.layers[0] is not encoder.layers[1]
    with torch.no_grad():
        for p in encoder.parameters():
            p.copy_(torch.tensor(rng.normal(size=p.shape)))
    x = rng.normal(size=(5, 2, 4))
    causal = np.triu(np.ones((5, 5), bool), 1)
    padding = np.array([[False] * 4 + [True], [False] * 5])
    bias = np.where(causal[None, None] | padding[:, None, None, :], -np.inf, 0.0)
    expected = x
    for sub in encoder.layers:
        expected = _encoder_layer_ref(sub, expected, bias)
    p = encoder.norm.state_dict()
    expected = layer_norm_ref(expected) * p["weight"].detach().numpy() + p["bias"].detach().numpy()
    got = encoder(_t(x), mask=_t(causal), src_key_padding_mask=_t(padding))
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-11, atol=1e-12)
    small = _t(x[:3, :1], True)
    assert torch.autograd.gradcheck(lambda x: encoder(x, mask=_t(causal[:3, :3])), (small,))


def test_transformer_names_activation_and_errors(rng):
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8)
    assert [n for n, _ in layer.named_parameters()] == [
        "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
        "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight",
        "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"]
    encoder = nn.TransformerEncoder(layer, 3)
    assert repr(encoder).startswith("TransformerEncoder(\n  (layers): ModuleList(\n    (0-2): "
                                    "3 x TransformerEncoderLayer(\n      (self_attn): "
                                    "MultiheadAttention(")
    assert len(encoder.state_dict()) == 36
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    gelu = nn.TransformerEncoderLayer(4, 2, 8, 0.0, activation="gelu", batch_first=True).eval()
    custom = nn.TransformerEncoderLayer(4, 2, 8, 0.0, activation=F.gelu, batch_first=True)
    custom.load_state_dict(gelu.state_dict())
    x = torch.tensor(rng.normal(size=(2, 3, 4)), dtype=torch.float32)
    np.testing.assert_allclose(custom(x).detach().numpy(), gelu(x).detach().numpy())


def test_transformer_decoder_matches_the_reference(rng):
    layer = nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0).double()
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.tensor(rng.normal(size=p.shape)))
    tgt, memory = rng.normal(size=(3, 2, 4)), rng.normal(size=(5, 2, 4))
    causal = np.triu(np.ones((3, 3), bool), 1)
    p = {name: t.detach().numpy() for name, t in layer.state_dict().items()}

    def ln(x, k):
        return layer_norm_ref(x) * p[f"norm{k}.weight"] + p[f"norm{k}.bias"]
    x = ln(tgt + mha_ref(layer.self_attn, tgt, tgt, tgt, np.where(causal, -np.inf, 0.0))[0], 1)
    x = ln(x + mha_ref(layer.multihead_attn, x, memory, memory)[0], 2)
    hidden = np.maximum(x @ p["linear1.weight"].T + p["linear1.bias"], 0)
    expected = ln(x + hidden @ p["linear2.weight"].T + p["linear2.bias"], 3)
    got = layer(_t(tgt), _t(memory), tgt_mask=_t(causal))
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-11, atol=1e-12)
    decoder = nn.TransformerDecoder(layer, 2)
    assert list(decoder.state_dict())[:2] == ["layers.0.self_attn.in_proj_weight",
                                              "layers.0.self_attn.in_proj_bias"]
    assert torch.autograd.gradcheck(lambda t, m: decoder(t, m, tgt_mask=_t(causal[:2, :2])),
                                    (_t(tgt[:2, :1], True), _t(memory[:3, :1], True)))


def test_transformer_mask_init_and_errors():
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    assert mask.dtype == torch.float32
    np.testing.assert_array_equal(mask.detach().numpy(), np.triu(np.full((3, 3), -np.inf), 1))
    model = nn.Transformer(8, 2, 1, 1, dim_feedforward=16)
    names = [n for n, _ in model.named_parameters()]
    assert names[0] == "encoder.layers.0.self_attn.in_proj_weight"
    assert "decoder.layers.0.multihead_attn.out_proj.weight" in names
    assert names[-2:] == ["decoder.norm.weight", "decoder.norm.bias"]
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(torch.randn(5, 3, 8), torch.randn(4, 2, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to "
                                           "d_model"):
        model(torch.randn(5, 3, 8), torch.randn(4, 3, 6))


def test_transformer_against_pytorch(rng):
    T = pytest.importorskip("torch")
    T.manual_seed(0)
    with warnings.catch_warnings():  # torch: "enable_nested_tensor is True, but ..."
        warnings.simplefilter("ignore", UserWarning)
        theirs = T.nn.Transformer(4, 2, 2, 2, dim_feedforward=8, dropout=0.0, norm_first=True,
                                  batch_first=True).double()
    ours = nn.Transformer(4, 2, 2, 2, dim_feedforward=8, dropout=0.0, norm_first=True,
                          batch_first=True).double()
    assert repr(ours) == repr(theirs)
    _load_from(ours, theirs)
    src, tgt = rng.normal(size=(3, 5, 4)), rng.normal(size=(3, 4, 4))
    padding = np.zeros((3, 5), bool)
    padding[1, 3:] = True
    t_in = [T.tensor(a, requires_grad=True) for a in (src, tgt)]
    f_in = [_t(a, True) for a in (src, tgt)]
    t_out = theirs(*t_in, tgt_mask=T.nn.Transformer.generate_square_subsequent_mask(4),
                   src_key_padding_mask=T.tensor(padding),
                   memory_key_padding_mask=T.tensor(padding))
    f_out = ours(*f_in, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4),
                 src_key_padding_mask=_t(padding), memory_key_padding_mask=_t(padding))
    np.testing.assert_allclose(f_out.detach().numpy(), t_out.detach().numpy(), atol=1e-13)
    g = rng.normal(size=t_out.shape)
    t_out.backward(T.tensor(g))
    f_out.backward(_t(g))
    for a, b in zip(t_in, f_in):
        np.testing.assert_allclose(b.grad.detach().numpy(), a.grad.numpy(), atol=1e-12)
    for (name, a), (_, b) in zip(theirs.named_parameters(), ours.named_parameters()):
        np.testing.assert_allclose(b.grad.detach().numpy(), a.grad.numpy(), atol=1e-12,
                                   err_msg=name)


# --- against PyTorch itself ------------------------------------------------------------------
def _load_from(ours, theirs):
    ours.load_state_dict({k: torch.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("case", ["mha", "mha-kv", "encoder", "encoder-prenorm-gelu"])
def test_attention_against_pytorch(rng, case):
    T = pytest.importorskip("torch")
    T.manual_seed(0)
    if case.startswith("mha"):
        extra = {"kdim": 3, "vdim": 5, "add_bias_kv": True} if case == "mha-kv" else {}
        theirs = T.nn.MultiheadAttention(4, 2, batch_first=True, **extra).double()
        ours = nn.MultiheadAttention(4, 2, batch_first=True, **extra).double()
        shapes = [(2, 3, 4), (2, 5, extra.get("kdim", 4)), (2, 5, extra.get("vdim", 4))]
    else:
        kw = {"norm_first": True, "activation": "gelu"} if case.endswith("gelu") else {}
        theirs = T.nn.TransformerEncoder(T.nn.TransformerEncoderLayer(
            4, 2, 8, 0.0, batch_first=True, **kw), 2, enable_nested_tensor=False).double()
        ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(
            4, 2, 8, 0.0, batch_first=True, **kw), 2).double()
        shapes = [(2, 5, 4)]
    _load_from(ours, theirs)
    arrays = [rng.normal(size=s) for s in shapes]
    padding = np.array([[False, False, True, False, False], [False] * 4 + [True]])
    t_in = [T.tensor(a, requires_grad=True) for a in arrays]
    f_in = [_t(a, True) for a in arrays]
    if case.startswith("mha"):
        t_out = theirs(*t_in, key_padding_mask=T.tensor(padding))
        f_out = ours(*f_in, key_padding_mask=_t(padding))
        np.testing.assert_allclose(f_out[1].detach().numpy(), t_out[1].detach().numpy(), atol=1e-13)
        t_out, f_out = t_out[0], f_out[0]
    else:
        causal = np.triu(np.ones((5, 5), bool), 1)
        t_out = theirs(*t_in, mask=T.tensor(causal), src_key_padding_mask=T.tensor(padding))
        f_out = ours(*f_in, mask=_t(causal), src_key_padding_mask=_t(padding))
    np.testing.assert_allclose(f_out.detach().numpy(), t_out.detach().numpy(), atol=1e-13)
    g = rng.normal(size=t_out.shape)
    t_out.backward(T.tensor(g))
    f_out.backward(_t(g))
    for a, b in zip(t_in, f_in):
        np.testing.assert_allclose(b.grad.detach().numpy(), a.grad.detach().numpy(), atol=1e-12)
    for (name, a), (_, b) in zip(theirs.named_parameters(), ours.named_parameters()):
        np.testing.assert_allclose(b.grad.detach().numpy(), a.grad.detach().numpy(), atol=1e-12, err_msg=name)


@pytest.mark.parametrize("module_name", ["funcgrad.torch.nn._attention",
                                         "funcgrad.torch.nn.transformer"])
def test_docstring_examples(module_name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module_name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
