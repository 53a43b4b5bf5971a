"""Recurrent layers ``RNN``, ``LSTM``, ``GRU`` and their cells, with PyTorch's
parameter names (``weight_ih_l0``, ``weight_hh_l0_reverse``, ...), gate order
(LSTM: input, forget, cell, output; GRU: reset, update, new), shapes,
defaults (``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``) and reprs, so a
PyTorch model's ``state_dict`` loads by name.

The input projection of a whole layer is one matrix product over every time
step; each step then adds the recurrent product and applies the gates.
Packed sequences (:mod:`funcgrad.torch.nn.utils.rnn`) run padded, each
sequence's state frozen after its last step.

>>> import funcgrad.torch as torch
>>> lstm = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)
>>> out, (h, c) = lstm(torch.zeros(5, 7, 3))
>>> out.shape, h.shape, c.shape
(torch.Size([5, 7, 4]), torch.Size([2, 5, 4]), torch.Size([2, 5, 4]))
"""
from __future__ import annotations

import math
import warnings
from typing import Any, List, Optional, Tuple

import numpy as np

import funcgrad.numpy as fnp
import funcgrad.torch as torch

from . import functional as F
from . import init
from ._cells import lstm_cell
from .module import Module
from .parameter import Parameter

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

Tensor = Any
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _dtype(dtype: Any) -> Any:
    return torch.get_default_dtype() if dtype is None else dtype


# --- one step of each cell (gates in PyTorch's order) -----------------------------------------
def _rnn_step(act):
    def step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Optional[Tensor], c: Any = None):
        return act(xw + F.linear(h, w_hh, b_hh)), None
    return step


def _lstm_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Optional[Tensor], c: Tensor):
    """``c' = sigmoid(f) c + sigmoid(i) tanh(g)``, ``h' = sigmoid(o) tanh(c')`` for the
    gates ``[i, f, g, o] = xw + h W_hh^T + b_hh``, as one fused primitive."""
    gates = F.linear(h, w_hh, xw) if b_hh is None else xw + F.linear(h, w_hh, b_hh)
    return lstm_cell(gates, c)  # (F.linear with xw as its bias: one addmm node)


def _gru_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Optional[Tensor], c: Any = None):
    hw = F.linear(h, w_hh, b_hh)
    x_r, x_z, x_n = xw.chunk(3, -1)
    h_r, h_z, h_n = hw.chunk(3, -1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return n + z * (h - n), None


_STEPS = {"RNN_TANH": _rnn_step(torch.tanh), "RNN_RELU": _rnn_step(torch.relu),
          "LSTM": _lstm_step, "GRU": _gru_step}


class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU``."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or isinstance(
                dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size != 0:
            raise NotImplementedError("funcgrad's LSTM does not support proj_size")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", UserWarning,
                          stacklevel=3)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        dtype = _dtype(dtype)
        self._flat_weights_names: List[str] = []
        for layer in range(num_layers):
            for d in range(dirs):
                layer_in = input_size if layer == 0 else hidden_size * dirs
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_in)), ("weight_hh", (gate_size,
                                                                               hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                for name, shape in shapes:
                    setattr(self, name + sfx, Parameter(torch.empty(*shape, dtype=dtype)))
                    self._flat_weights_names.append(name + sfx)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

        >>> import funcgrad.torch as torch
        >>> rnn = torch.nn.RNN(2, 4); rnn.reset_parameters()
        >>> bool((rnn.weight_hh_l0.abs() <= 0.5).all())
        True
        """
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _weights(self, layer: int, direction: int) -> Tuple[Tensor, ...]:
        sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        return (getattr(self, "weight_ih" + sfx), getattr(self, "weight_hh" + sfx),
                getattr(self, "bias_ih" + sfx) if self.bias else None,
                getattr(self, "bias_hh" + sfx) if self.bias else None)

    def _check_hidden(self, h: Tensor, expected: tuple, what: str) -> None:
        if tuple(h.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(h.shape)}")

    def forward(self, input: Any, hx: Any = None) -> Any:
        from .utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
        packed = isinstance(input, PackedSequence)
        name = "LSTM" if self.mode == "LSTM" else ("GRU" if self.mode == "GRU" else "RNN")
        if packed:
            padded, lengths = pad_packed_sequence(input, batch_first=False)
            x, batched = padded, True
            lengths = np.asarray(lengths.numpy())
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                                 "instead")
            batched = input.dim() == 3
            x = input if batched else input.unsqueeze(1)
            if batched and self.batch_first:
                x = x.transpose(0, 1)
            lengths = None
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        steps, batch = x.shape[0], x.shape[1]
        dirs = 2 if self.bidirectional else 1
        expected = (self.num_layers * dirs, batch, self.hidden_size)
        lstm = self.mode == "LSTM"
        if hx is None:
            zeros = torch.zeros(*expected, dtype=x.dtype)
            h0, c0 = zeros, (zeros if lstm else None)
        else:
            if lstm:
                h0, c0 = hx
            else:
                h0, c0 = hx, None
            if not batched and not packed:
                for t, what in ((h0, "hx" if not lstm else "hx[0]"), (c0, "hx[1]")):
                    if t is not None and t.dim() != 2:
                        raise RuntimeError(f"For unbatched 2-D input, {what} should also be "
                                           f"2-D but got {t.dim()}-D tensor")
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if c0 is not None else None
            self._check_hidden(h0, expected, "hidden[0]" if lstm else "hidden")
            if lstm:
                self._check_hidden(c0, expected, "hidden[1]")
        mask = None
        if lengths is not None:  # (steps, batch, 1): 1 while a sequence is running
            mask = torch.from_numpy((np.arange(steps)[:, None] < lengths[None, :])
                                    .astype(np.dtype(str(x.dtype).replace("torch.", "")))
                                    [:, :, None])
        step = _STEPS[self.mode]
        h_n, c_n = [], []
        layer_input = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, d)
                xw = F.linear(layer_input, w_ih, b_ih)  # every step at once
                if lstm and b_hh is not None:  # b_hh once for all steps, not per step
                    xw, b_hh = xw + b_hh, None
                # one split node (its VJP concatenates once), not a slice per step
                xws = [piece.squeeze(0) for piece in fnp.split(xw, steps, axis=0)] \
                    if steps else []
                k = layer * dirs + d
                h, c = h0[k], (c0[k] if lstm else None)
                order = range(steps - 1, -1, -1) if d == 1 else range(steps)
                seq: List[Any] = [None] * steps
                for t in order:
                    h_new, c_new = step(xws[t], h, w_hh, b_hh, c)
                    if mask is not None:
                        m = mask[t]
                        h_new = h + m * (h_new - h)
                        if lstm:
                            c_new = c + m * (c_new - c)
                    h, c = h_new, c_new
                    seq[t] = h if mask is None else h * mask[t]
                outs.append(torch.stack(seq))
                h_n.append(h)
                if lstm:
                    c_n.append(c)
            layer_input = outs[0] if dirs == 1 else torch.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        output = layer_input
        h_n = torch.stack(h_n)
        c_n = torch.stack(c_n) if lstm else None
        if packed:
            output = pack_padded_sequence(output, torch.from_numpy(lengths.astype(np.int64)),
                                          enforce_sorted=False)
            output = type(input)(output.data, input.batch_sizes, input.sorted_indices,
                                 input.unsorted_indices)
        elif not batched:
            output = output.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        elif self.batch_first:
            output = output.transpose(0, 1)
        return (output, (h_n, c_n)) if lstm else (output, h_n)


class RNN(RNNBase):
    """Elman RNN ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with
    ``nonlinearity`` ``"tanh"`` or ``"relu"``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.RNN(3, 4, nonlinearity="relu", bias=False)
    RNN(3, 4, bias=False)
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)


class LSTM(RNNBase):
    """Long short-term memory; returns ``output, (h_n, c_n)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True)
    LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit; returns ``output, h_n``.

    >>> import funcgrad.torch as torch
    >>> out, h = torch.nn.GRU(3, 4)(torch.zeros(6, 2, 3))
    >>> out.shape, h.shape
    (torch.Size([6, 2, 4]), torch.Size([1, 2, 4]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)


# --- cells ------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """The shared parameters of the cells: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""
    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        dtype = _dtype(dtype)
        g = self._gates * hidden_size
        self.weight_ih = Parameter(torch.empty(g, input_size, dtype=dtype))
        self.weight_hh = Parameter(torch.empty(g, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(torch.empty(g, dtype=dtype))
            self.bias_hh = Parameter(torch.empty(g, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

        >>> import funcgrad.torch as torch
        >>> torch.nn.GRUCell(2, 4).reset_parameters()
        """
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input: Tensor, hx: Any) -> Tuple[Tensor, bool]:
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        batched = input.dim() == 2
        return (input if batched else input.unsqueeze(0)), batched

    def _state(self, hx: Optional[Tensor], batch: int, dtype: Any, batched: bool) -> Tensor:
        if hx is None:
            return torch.zeros(batch, self.hidden_size, dtype=dtype)
        return hx if batched else hx.unsqueeze(0)


class RNNCell(RNNCellBase):
    """One Elman RNN step.

    >>> import funcgrad.torch as torch
    >>> torch.nn.RNNCell(3, 4)(torch.zeros(2, 3)).shape
    torch.Size([2, 4])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        x, batched = self._prepare(input, hx)
        h = self._state(hx, x.shape[0], x.dtype, batched)
        step = _STEPS["RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"]
        h, _ = step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns ``(h', c')``.

    >>> import funcgrad.torch as torch
    >>> h, c = torch.nn.LSTMCell(3, 4)(torch.zeros(2, 3))
    >>> h.shape, c.shape
    (torch.Size([2, 4]), torch.Size([2, 4]))
    """
    _gates = 4

    def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None):
        x, batched = self._prepare(input, hx)
        if hx is None:
            h = c = self._state(None, x.shape[0], x.dtype, batched)
        else:
            h, c = (self._state(t, x.shape[0], x.dtype, batched) for t in hx)
        h, c = _lstm_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                          self.bias_hh, c)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step.

    >>> import funcgrad.torch as torch
    >>> torch.nn.GRUCell(3, 4)
    GRUCell(3, 4)
    """
    _gates = 3

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        x, batched = self._prepare(input, hx)
        h = self._state(hx, x.shape[0], x.dtype, batched)
        h, _ = _gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                         self.bias_hh)
        return h if batched else h.squeeze(0)
