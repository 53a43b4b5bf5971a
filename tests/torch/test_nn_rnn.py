"""Recurrent layers against PyTorch 2.x: the gate equations written out in
NumPy here (PyTorch's gate order), gradients by finite differences, packed
sequences equal to running each sequence alone, parameter names and shapes,
reprs, state-dict loading by name and error messages."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch import nn
from funcgrad.torch.nn.utils.rnn import (pack_padded_sequence, pack_sequence,
                                         pad_packed_sequence, pad_sequence)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def np_lstm(x, w_ih, w_hh, b_ih, b_hh, h, c):
    outs = []
    for xt in x:
        i, f, g, o = np.split(xt @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 4, axis=-1)
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        h = _sig(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs), h, c


def np_gru(x, w_ih, w_hh, b_ih, b_hh, h):
    outs = []
    for xt in x:
        xr, xz, xn = np.split(xt @ w_ih.T + b_ih, 3, axis=-1)
        hr, hz, hn = np.split(h @ w_hh.T + b_hh, 3, axis=-1)
        r, z = _sig(xr + hr), _sig(xz + hz)
        n = np.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        outs.append(h)
    return np.stack(outs), h


def _p(m, name):
    return getattr(m, name).detach().numpy()


def test_lstm_and_gru_follow_pytorchs_gate_equations(rng):
    x = rng.normal(size=(5, 3, 4))
    h0, c0 = rng.normal(size=(1, 3, 6)), rng.normal(size=(1, 3, 6))
    lstm = nn.LSTM(4, 6, dtype=torch.float64)
    out, (h, c) = lstm(torch.tensor(x), (torch.tensor(h0), torch.tensor(c0)))
    ref = np_lstm(x, *(_p(lstm, n + "_l0") for n in ("weight_ih", "weight_hh", "bias_ih",
                                                     "bias_hh")), h0[0], c0[0])
    np.testing.assert_allclose(out.detach().numpy(), ref[0], atol=1e-12)
    np.testing.assert_allclose(h.detach().numpy()[0], ref[1], atol=1e-12)
    np.testing.assert_allclose(c.detach().numpy()[0], ref[2], atol=1e-12)
    gru = nn.GRU(4, 6, batch_first=True, bidirectional=True, dtype=torch.float64)
    out, h = gru(torch.tensor(x))
    xs = x.transpose(1, 0, 2)
    fwd = np_gru(xs, *(_p(gru, n + "_l0") for n in ("weight_ih", "weight_hh", "bias_ih",
                                                    "bias_hh")), np.zeros((5, 6)))
    bwd = np_gru(xs[::-1], *(_p(gru, n + "_l0_reverse") for n in (
        "weight_ih", "weight_hh", "bias_ih", "bias_hh")), np.zeros((5, 6)))
    want = np.concatenate([fwd[0], bwd[0][::-1]], -1).transpose(1, 0, 2)
    np.testing.assert_allclose(out.detach().numpy(), want, atol=1e-12)
    np.testing.assert_allclose(h.detach().numpy(), np.stack([fwd[1], bwd[1]]), atol=1e-12)


def test_rnn_relu_two_layers_and_cells(rng):
    x = rng.normal(size=(4, 2, 3))
    rnn = nn.RNN(3, 5, num_layers=2, nonlinearity="relu", dtype=torch.float64)
    out, h = rnn(torch.tensor(x))
    h1 = np.zeros((2, 5))
    h2 = np.zeros((2, 5))
    outs = []
    for xt in x:
        h1 = np.maximum(xt @ _p(rnn, "weight_ih_l0").T + _p(rnn, "bias_ih_l0")
                        + h1 @ _p(rnn, "weight_hh_l0").T + _p(rnn, "bias_hh_l0"), 0)
        h2 = np.maximum(h1 @ _p(rnn, "weight_ih_l1").T + _p(rnn, "bias_ih_l1")
                        + h2 @ _p(rnn, "weight_hh_l1").T + _p(rnn, "bias_hh_l1"), 0)
        outs.append(h2)
    np.testing.assert_allclose(out.detach().numpy(), np.stack(outs), atol=1e-12)
    np.testing.assert_allclose(h.detach().numpy(), np.stack([h1, h2]), atol=1e-12)
    cell = nn.LSTMCell(3, 5, dtype=torch.float64)
    hc = cell(torch.tensor(x[0]))
    ref = np_lstm(x[:1], _p(cell, "weight_ih"), _p(cell, "weight_hh"), _p(cell, "bias_ih"),
                  _p(cell, "bias_hh"), np.zeros((2, 5)), np.zeros((2, 5)))
    np.testing.assert_allclose(hc[0].detach().numpy(), ref[1], atol=1e-12)
    gcell = nn.GRUCell(3, 5, dtype=torch.float64)
    np.testing.assert_allclose(
        gcell(torch.tensor(x[0, 0])).detach().numpy(),
        np_gru(x[:1, :1], _p(gcell, "weight_ih"), _p(gcell, "weight_hh"), _p(gcell, "bias_ih"),
               _p(gcell, "bias_hh"), np.zeros((1, 5)))[1][0], atol=1e-12)


def test_recurrent_gradients_by_finite_differences(rng):
    for module in (nn.LSTM(2, 3, num_layers=2, bidirectional=True, dtype=torch.float64),
                   nn.GRU(2, 3, dtype=torch.float64), nn.RNN(2, 3, dtype=torch.float64)):
        x = torch.tensor(rng.normal(size=(3, 2, 2)), requires_grad=True)

        def loss(x):
            out, h = module(x)
            return out.sum() + ((h[1] if isinstance(h, tuple) else h) ** 2).sum()
        assert torch.autograd.gradcheck(loss, (x,))
        # parameter gradients: central differences on a few entries of each weight
        module.zero_grad()
        loss(x).backward()
        for name, p in module.named_parameters():
            flat = p.detach().numpy().reshape(-1)
            for k in (0, flat.size - 1):
                old = flat[k]
                flat[k] = old + 1e-6
                up = loss(x).item()
                flat[k] = old - 1e-6
                down = loss(x).item()
                flat[k] = old
                assert abs(p.grad.numpy().reshape(-1)[k] - (up - down) / 2e-6) < 1e-6, name


def test_packed_sequences_equal_running_each_sequence_alone(rng):
    seqs = [rng.normal(size=(n, 3)) for n in (2, 5, 3)]
    lstm = nn.LSTM(3, 4, bidirectional=True, dtype=torch.float64)
    packed = pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    assert packed.batch_sizes.tolist() == [3, 3, 2, 1, 1]
    assert packed.sorted_indices.tolist() == [1, 2, 0]
    out, (h, c) = lstm(packed)
    padded, lengths = pad_packed_sequence(out, batch_first=True)
    assert lengths.tolist() == [2, 5, 3] and tuple(padded.shape) == (3, 5, 8)
    for b, s in enumerate(seqs):
        alone, (hb, _) = lstm(torch.tensor(s))
        np.testing.assert_allclose(padded.detach().numpy()[b, :len(s)], alone.detach().numpy(),
                                   atol=1e-12)
        assert np.all(padded.detach().numpy()[b, len(s):] == 0)
        np.testing.assert_allclose(h.detach().numpy()[:, b], hb.detach().numpy(), atol=1e-12)
    x = torch.tensor(rng.normal(size=(4, 2)), requires_grad=True)
    p = pack_padded_sequence(x, [4, 2])
    assert p.data.shape == (6,) and torch.autograd.gradcheck(
        lambda t: pad_packed_sequence(pack_padded_sequence(t, [4, 2]))[0], (x,))
    assert pad_sequence([torch.ones(2), torch.ones(3)], batch_first=True).tolist() == [
        [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        pack_padded_sequence(x, [2, 4])


def test_parameter_names_shapes_reprs_and_loading():
    lstm = nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True)
    names = [n for n, _ in lstm.named_parameters()]
    assert names[:8] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                         "bias_hh_l0_reverse"]
    assert lstm.weight_ih_l1.shape == (16, 8) and lstm.weight_hh_l0.shape == (16, 4)
    assert repr(lstm) == "LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)"
    assert repr(nn.RNN(3, 4, nonlinearity="relu", bias=False)) == "RNN(3, 4, bias=False)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"
    assert repr(nn.LSTMCell(3, 4, bias=False)) == "LSTMCell(3, 4, bias=False)"
    assert nn.GRU(3, 4).weight_ih_l0.shape == (12, 3)
    assert float(nn.GRU(3, 4).weight_hh_l0.abs().max()) <= 0.5
    other = nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True)
    other.load_state_dict(lstm.state_dict())
    x = torch.randn(2, 5, 3)
    assert torch.equal(other(x)[0], lstm(x)[0])


ERRORS = [
    (lambda: nn.LSTM(3, 4)(torch.zeros(2, 3, 4, 5)), ValueError,
     r"LSTM: Expected input to be 2D or 3D, got 4D instead"),
    (lambda: nn.LSTM(3, 4)(torch.zeros(2, 3, 5)), RuntimeError,
     "input.size\\(-1\\) must be equal to input_size. Expected 3, got 5"),
    (lambda: nn.LSTM(3, 4)(torch.zeros(2, 3, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 3, 4))),
     RuntimeError, r"Expected hidden\[0\] size \(1, 3, 4\), got \[1, 2, 4\]"),
    (lambda: nn.LSTMCell(3, 4)(torch.zeros(2, 5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 3"),
    (lambda: nn.RNN(3, 4, nonlinearity="foo"), ValueError,
     "Unknown nonlinearity 'foo'. Select from 'tanh' or 'relu'."),
]


@pytest.mark.parametrize("call,exc,message", ERRORS)
def test_errors_match_pytorch(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_dropout_between_layers_only_in_training():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(2, 3, dropout=0.5)
    rnn = nn.RNN(2, 3, num_layers=2, dropout=0.5)
    x = torch.randn(4, 1, 2)
    rnn.eval()
    assert torch.equal(rnn(x)[0], rnn(x)[0])


def test_fused_lstm_cell_primitives_match_the_composed_cell_to_second_order():
    from funcgrad.testing import check_grads
    from funcgrad.torch.nn import _cells
    rng = np.random.default_rng(0)
    gates, c = rng.normal(size=(3, 8)) * 3, rng.normal(size=(3, 2))
    gh, gc = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    h_ref, c_ref = _cells._reference(_cells._cell)(gates, c)
    h, c_new = _cells.lstm_cell(gates, c)
    np.testing.assert_allclose(h, h_ref, rtol=1e-14)
    np.testing.assert_allclose(c_new, c_ref, rtol=1e-14)
    check_grads(lambda g, c: _cells.lstm_cell(g, c)[0] + _cells.lstm_cell(g, c)[1] ** 2,
                (gates, c), order=2, modes=("fwd", "rev"))
    check_grads(lambda *a: _cells.lstm_cell_backward(*a)[0].sum() * _cells.lstm_cell_backward(*a)[1],
                (gates, c, gh, gc), order=2, modes=("fwd", "rev"))
    f32 = _cells.lstm_cell(gates.astype(np.float32), c.astype(np.float32))
    assert all(t.dtype == np.float32 for t in f32)
    with np.errstate(all="raise"):  # saturated gates: no overflow warning, exact limits
        h_sat, c_sat = _cells.lstm_cell(np.full((1, 4), -1000.0), np.ones((1, 1)))
    assert h_sat[0, 0] == 0.0 and c_sat[0, 0] == 0.0
