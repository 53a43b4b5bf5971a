"""Variable-length sequences: ``pad_sequence``, ``PackedSequence``,
``pack_padded_sequence``, ``pad_packed_sequence``, ``pack_sequence``
(PyTorch 2.x layout: ``data`` holds the time steps one after the other, each
with the sequences still running, longest first; ``batch_sizes`` counts them).
Packing and unpacking are gathers, so gradients flow through both.

>>> import funcgrad.torch as torch
>>> from funcgrad.torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
>>> padded = pad_sequence([torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0])])
>>> padded.T
tensor([[1., 2., 3.],
        [4., 0., 0.]])
>>> packed = pack_padded_sequence(padded, torch.tensor([3, 1]))
>>> packed.data, packed.batch_sizes
(tensor([1., 4., 2., 3.]), tensor([2, 1, 1]))
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

import funcgrad.torch as torch

__all__ = ["PackedSequence", "pad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence"]

Tensor = Any


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of sequences packed for the recurrent layers (see the module docs).

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.nn.utils.rnn import pack_sequence
    >>> pack_sequence([torch.tensor([1.0]), torch.tensor([2.0, 3.0])],
    ...               enforce_sorted=False).sorted_indices
    tensor([1, 0])
    """

    def __new__(cls, data: Tensor, batch_sizes: Optional[Tensor] = None,
                sorted_indices: Optional[Tensor] = None,
                unsorted_indices: Optional[Tensor] = None) -> "PackedSequence":
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = torch.from_numpy(np.argsort(sorted_indices.numpy()))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)


def pad_sequence(sequences: Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes ``(L_i, *)`` into ``(L_max, B, *)`` (or
    ``(B, L_max, *)``), padding with ``padding_value``.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.nn.utils.rnn import pad_sequence
    >>> pad_sequence([torch.ones(2), torch.ones(1)], batch_first=True, padding_value=-1.0)
    tensor([[ 1.,  1.],
            [ 1., -1.]])
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    longest = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        extra = longest - s.shape[0]
        if extra:
            fill = torch.full((extra,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            s = torch.cat([s, fill] if padding_side == "right" else [fill, s])
        rows.append(s)
    return torch.stack(rows, 0 if batch_first else 1)


def _lengths(lengths: Any) -> np.ndarray:
    if isinstance(lengths, torch.Tensor):
        return np.asarray(lengths.numpy(), dtype=np.int64)
    return np.asarray(lengths, dtype=np.int64)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (or ``(B, T, *)``) of sequences of ``lengths``.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.nn.utils.rnn import pack_padded_sequence
    >>> pack_padded_sequence(torch.zeros(3, 2, 1), [2, 3], enforce_sorted=False).batch_sizes
    tensor([2, 2, 1])
    """
    lens = _lengths(lengths)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        order = np.arange(lens.size)
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = torch.from_numpy(order.astype(np.int64))
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    x = input.transpose(0, 1) if batch_first else input
    if lens.size and lens.max() > x.shape[0]:
        raise RuntimeError(f"Expected max length {x.shape[0]} but found {lens.max()}")
    sorted_lens = lens[order]
    steps = int(sorted_lens[0]) if lens.size else 0
    batch_sizes = np.array([(sorted_lens > t).sum() for t in range(steps)], dtype=np.int64)
    t_idx = np.repeat(np.arange(steps), batch_sizes)
    b_idx = np.concatenate([order[:n] for n in batch_sizes]) if steps else np.zeros(0, np.int64)
    data = x[torch.from_numpy(t_idx), torch.from_numpy(b_idx)]
    return PackedSequence(data, torch.from_numpy(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: the padded batch (original order) and the lengths.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> padded, lengths = pad_packed_sequence(pack_sequence([torch.ones(2), torch.ones(1)]))
    >>> padded.T, lengths
    (tensor([[1., 1.],
            [1., 0.]]), tensor([2, 1]))
    """
    data, batch_sizes = sequence.data, np.asarray(sequence.batch_sizes.numpy())
    steps = batch_sizes.size
    batch = int(batch_sizes[0]) if steps else 0
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
    else:
        total_length = steps
    order = (np.arange(batch) if sequence.sorted_indices is None
             else np.asarray(sequence.sorted_indices.numpy()))
    # position in data of (t, sorted slot b), or the padding row at the end
    starts = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]]).astype(np.int64)
    pad_row = int(batch_sizes.sum())
    where = np.full((total_length, batch), pad_row, dtype=np.int64)
    for t in range(steps):
        where[t, order[:batch_sizes[t]]] = starts[t] + np.arange(batch_sizes[t])
    fill = torch.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = torch.cat([data, fill])[torch.from_numpy(where)]
    lengths = np.zeros(batch, dtype=np.int64)
    lengths[order] = [(batch_sizes > s).sum() for s in range(batch)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, torch.from_numpy(lengths)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shapes ``(L_i, *)``.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.nn.utils.rnn import pack_sequence
    >>> pack_sequence([torch.tensor([1.0, 2.0]), torch.tensor([3.0])]).data
    tensor([1., 3., 2.])
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)
