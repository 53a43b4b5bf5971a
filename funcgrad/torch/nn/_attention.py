"""``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``:
composed from the facade's differentiable tensor operations (every order of
gradient follows, including the gradient of a float ``attn_mask``), with
PyTorch 2.x semantics:

- ``scaled_dot_product_attention``: a boolean ``attn_mask`` says which keys a
  query MAY attend to (``True`` = keep); a float one is added to the scores.
  A query whose keys are all masked gets a zero output (PyTorch's "safe
  softmax"), not NaN.
- ``multi_head_attention_forward`` (what ``nn.MultiheadAttention`` runs): a
  boolean ``attn_mask`` / ``key_padding_mask`` says which keys are NOT allowed
  (``True`` = masked), the opposite convention, as in PyTorch.

>>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
>>> q = k = v = torch.eye(2).reshape(1, 2, 2)
>>> F.scaled_dot_product_attention(q, k, v, is_causal=True)
tensor([[[1.0000, 0.0000],
         [0.3302, 0.6698]]])
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Tuple

import numpy as np

import funcgrad.torch as torch

Tensor = Any

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _F():
    from . import functional
    return functional


def _is_bool(t: Tensor) -> bool:
    return t.dtype == torch.bool


def _check_float_mask(mask: Tensor, name: str, query: Tensor) -> None:
    if not (_is_bool(mask) or mask.is_floating_point()):
        raise RuntimeError(f"Expected {name} dtype to be bool or float or to match query dtype, "
                           f"but got {name}.dtype: {mask.dtype} and  query.dtype: "
                           f"{query.dtype} instead.")


def _repeat_heads(t: Tensor, groups: int) -> Tensor:
    """``t.repeat_interleave(groups, dim=-3)`` (grouped-query attention)."""
    if groups == 1:
        return t
    shape = tuple(t.shape)
    expanded = t.unsqueeze(-3).expand(*shape[:-3], shape[-3], groups, *shape[-2:])
    return expanded.reshape(*shape[:-3], shape[-3] * groups, *shape[-2:])


def _safe_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dim; a row whose scores are all ``-inf`` gives
    zeros (and a zero gradient) instead of NaN."""
    dead = np.isneginf(scores.detach().numpy()).all(axis=-1, keepdims=True)
    if not dead.any():
        return torch.softmax(scores, dim=-1)
    dead = torch.from_numpy(dead)
    weights = torch.softmax(torch.where(dead, torch.zeros_like(scores), scores), dim=-1)
    return torch.where(dead, torch.zeros_like(weights), weights)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Optional[Tensor] = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: Optional[float] = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + bias) @ value`` over the last two dims
    (``(..., L, E)``, ``(..., S, E)``, ``(..., S, Ev)`` -> ``(..., L, Ev)``).

    ``scale`` defaults to ``1/sqrt(E)``; ``is_causal`` lets query ``i`` see keys
    ``0..i`` only; ``attn_mask`` (broadcast to ``(..., L, S)``) is boolean
    (``True`` = may attend) or float (added to the scores); ``dropout_p`` drops
    attention weights (always, as PyTorch's function does: pass
    ``dropout_p=0.0`` in evaluation); ``enable_gqa`` repeats the key/value heads
    (dim ``-3``) to match the query's.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> q = torch.ones(1, 1, 2); k = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    >>> v = torch.tensor([[[1.0], [3.0]]])
    >>> F.scaled_dot_product_attention(q, k, v)
    tensor([[[2.]]])
    >>> F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor([[True, False]]))
    tensor([[[1.]]])
    """
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must be at least "
                           f"2-D, got {query.dim()}-D, {key.dim()}-D and {value.dim()}-D")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: the last dim of query "
                           f"({query.shape[-1]}) and key ({key.shape[-1]}) must match")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key and value must have the same "
                           f"sequence length (dim -2), got {key.shape[-2]} and "
                           f"{value.shape[-2]}")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError(f"scaled_dot_product_attention: number of heads in key/value "
                               f"({hk}/{hv}) must divide the number of heads in query ({hq})")
        key, value = _repeat_heads(key, hq // hk), _repeat_heads(value, hq // hv)
    length, source = query.shape[-2], key.shape[-2]
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = torch.matmul(query, key.transpose(-2, -1)) * factor
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
        attn_mask = torch.from_numpy(np.tril(np.ones((length, source), dtype=bool)))
    if attn_mask is not None:
        _check_float_mask(attn_mask, "attn_mask", query)
        if _is_bool(attn_mask):
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            scores = scores + attn_mask
    weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = _F().dropout(weights, dropout_p, training=True)
    return torch.matmul(weights, value)


# --- multi-head attention ---------------------------------------------------------------------
def _canonical_mask(mask: Optional[Tensor], name: str, other: Optional[Tensor], other_name: str,
                    dtype: Any) -> Optional[Tensor]:
    """A bool mask as a float one (``-inf`` where ``True``); a float mask as is."""
    if mask is None:
        return None
    if not (_is_bool(mask) or mask.is_floating_point()):
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and _is_bool(other) != _is_bool(mask):
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same "
                      "type for both instead.", UserWarning, stacklevel=4)
    if _is_bool(mask):
        return torch.zeros(*mask.shape, dtype=dtype).masked_fill(mask, float("-inf"))
    return mask


def _check_shapes(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Optional[Tensor],
                  attn_mask: Optional[Tensor], num_heads: int) -> bool:
    """PyTorch's ``_mha_shape_check``: whether the input is batched."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be "
                                 f"3-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 1-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                     "instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _pad_last(mask: Optional[Tensor]) -> Optional[Tensor]:
    """One more (unmasked) key column."""
    return None if mask is None else _F().pad(mask, (0, 1))


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Optional[Tensor], in_proj_bias: Optional[Tensor],
        bias_k: Optional[Tensor], bias_v: Optional[Tensor], add_zero_attn: bool,
        dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Optional[Tensor],
        training: bool = True, key_padding_mask: Optional[Tensor] = None,
        need_weights: bool = True, attn_mask: Optional[Tensor] = None,
        use_separate_proj_weight: bool = False, q_proj_weight: Optional[Tensor] = None,
        k_proj_weight: Optional[Tensor] = None, v_proj_weight: Optional[Tensor] = None,
        static_k: Optional[Tensor] = None, static_v: Optional[Tensor] = None,
        average_attn_weights: bool = True,
        is_causal: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
    """Multi-head attention on sequence-first inputs (``(L, N, E)``, or
    unbatched ``(L, E)``), as ``torch.nn.functional.multi_head_attention_forward``.

    Returns ``(output, weights)``: ``weights`` is ``None`` unless
    ``need_weights``; then ``(N, L, S)`` averaged over heads, or
    ``(N, num_heads, L, S)`` when ``average_attn_weights=False``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> x = torch.ones(3, 1, 2)
    >>> out, w = F.multi_head_attention_forward(x, x, x, 2, 1, torch.ones(6, 2), None, None,
    ...     None, False, 0.0, torch.eye(2), None)
    >>> out.shape, w
    (torch.Size([3, 1, 2]), tensor([[[0.3333, 0.3333, 0.3333],
             [0.3333, 0.3333, 0.3333],
             [0.3333, 0.3333, 0.3333]]]))
    """
    F = _F()
    is_batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", attn_mask,
                                       "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not "
                                 f"match value's {tuple(value.shape[:2])}")
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        weights = in_proj_weight.chunk(3)
    biases = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
    q, k, v = (F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                               f"be {(bsz * num_heads, tgt_len, src_len)}.")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        k = torch.cat([k, bias_k.repeat(1, bsz, 1)])
        v = torch.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    elif (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must both be given or both be None")

    heads = bsz * num_heads
    q = q.reshape(tgt_len, heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], heads, head_dim).transpose(0, 1) if static_k is None else static_k
    v = v.reshape(v.shape[0], heads, head_dim).transpose(0, 1) if static_v is None else static_v
    if add_zero_attn:
        zeros = torch.zeros(heads, 1, head_dim, dtype=q.dtype)
        k, v = torch.cat([k, zeros], dim=1), torch.cat([v, zeros], dim=1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but "
                                 f"got {key_padding_mask.shape}")
        padding = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        padding = padding.reshape(heads, 1, src_len)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = torch.matmul(q * math.sqrt(1.0 / head_dim), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        attn = torch.softmax(scores, dim=-1)
        if dropout_p > 0.0:
            attn = F.dropout(attn, p=dropout_p)
        out = torch.matmul(attn, v)
        attn = attn.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn = attn.mean(dim=1)
    else:
        if attn_mask is not None:  # (1 or bsz*heads, L, S) -> broadcastable per head
            lead = (1, 1) if attn_mask.shape[0] == 1 else (bsz, num_heads)
            attn_mask = attn_mask.reshape(*lead, attn_mask.shape[1], src_len)
        out = scaled_dot_product_attention(q.reshape(bsz, num_heads, tgt_len, head_dim),
                                           k.reshape(bsz, num_heads, src_len, head_dim),
                                           v.reshape(bsz, num_heads, src_len, head_dim),
                                           attn_mask, dropout_p)
        attn = None
    # (bsz*heads, L, hd) or (bsz, heads, L, hd) -> (L, bsz, E)
    out = out.reshape(bsz, num_heads, tgt_len, head_dim).permute(2, 0, 1, 3)
    out = F.linear(out.reshape(tgt_len, bsz, embed_dim), out_proj_weight, out_proj_bias)
    if not is_batched:
        out = out.squeeze(1)
        if attn is not None:
            attn = attn.squeeze(0)
    return out, attn
