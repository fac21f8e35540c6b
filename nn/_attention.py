"""Attention as functions: ``scaled_dot_product_attention`` and
``multi_head_attention_forward`` (reached as ``nn.functional.<name>``, as in PyTorch).

Both are composed of the differentiable ops (matmul, softmax, dropout, linear, reshapes), so
gradients, gradcheck and second derivatives come from them; two small nodes
(``nn.ops.attention``) turn a boolean mask into an additive one and give zeros for a query
whose every key is masked (PyTorch's ``_safe_softmax``), without reading values in Python, so
``ag.compile`` captures a step through them.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.backends.cuda import flash_sdp_enabled, math_sdp_enabled
from autograd_core.ops import _xp
from autograd_core.ops.scatter import _TORCH_NAMES
from nn.ops import DropoutOp, LinearOp
from nn.ops.attention import MaskBiasOp, SafeSoftmaxOp

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _torch_name(dtype: Any) -> str:
    name = np.dtype(dtype).name
    return _TORCH_NAMES.get(name, name)


def _causal_bias(L: int, S: int, dtype: Any) -> Tensor:
    """``0`` on and below the diagonal of an ``(L, S)`` matrix (top-left aligned), ``-inf``
    above: a constant made from shapes only."""
    return _xp.constant(np.where(np.tri(L, S, dtype=bool), 0.0, -np.inf).astype(dtype))


def _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa):
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be Tensor, "
                            f"not {type(t).__name__}")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead.")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_torch_name(query.dtype)} key.dtype: {_torch_name(key.dtype)} and value.dtype: "
            f"{_torch_name(value.dtype)} instead.")
    if not query.is_floating_point():
        raise RuntimeError("scaled_dot_product_attention: expected floating point query, key "
                           f"and value, got {_torch_name(query.dtype)}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query's last dimension ({query.shape[-1]}) must "
            f"equal key's ({key.shape[-1]}); got query {tuple(query.shape)} and key "
            f"{tuple(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: key and value must have the same sequence length "
            f"(dim -2); got key {tuple(key.shape)} and value {tuple(value.shape)}")
    if attn_mask is not None:
        if not isinstance(attn_mask, Tensor):
            raise TypeError("scaled_dot_product_attention(): argument 'attn_mask' must be "
                            f"Tensor, not {type(attn_mask).__name__}")
        if attn_mask.dtype not in (np.bool_, np.float32, query.dtype):  # float: float32
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                f"attn_mask.dtype: {_torch_name(attn_mask.dtype)} and  query.dtype: "
                f"{_torch_name(query.dtype)} instead.")
        if is_causal and type(attn_mask).__name__ == "CausalBias":  # nn.attention.bias's
            raise ValueError("CausalBias should not be used with causal=True")
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa and query.ndim >= 3 and key.ndim >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hk != hv or hq % hk:
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in query; "
                f"got {hq} query heads, {hk} key heads and {hv} value heads")


def _check_backend(query: Tensor, key: Tensor, value: Tensor, dropout_p: float) -> None:
    """PyTorch's CPU choice between its math and flash kernels under the switches of
    ``nn.attention.sdpa_kernel``: an error when neither may run (the result is always the
    math formula's)."""
    if math_sdp_enabled():
        return
    if not flash_sdp_enabled():
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This is "
                           "likely due to turning off both the math kernel and the fused kernels.")
    why = None
    if dropout_p > 0.0:
        why = "Both fused kernels do not support non-zero dropout."
    elif not query.ndim == key.ndim == value.ndim == 4:
        why = ("All fused kernels requires query, key and value to be 4 dimensional, but got "
               f"Query dim: {query.ndim}, Key dim: {key.ndim}, Value dim: {value.ndim} instead.")
    elif not query.shape[-1] == key.shape[-1] == value.shape[-1]:
        why = ("Flash attention requires q,k,v to have the same last dimension, got Query.size(-1): "
               f"{query.shape[-1]}, Key.size(-1): {key.shape[-1]}, Value.size(-1): "
               f"{value.shape[-1]} instead.")
    if why is not None:
        warnings.warn(f"Flash attention kernel not used because: {why}", UserWarning, stacklevel=3)
        raise RuntimeError("No available kernel.  Aborting execution.")


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    r"""Computes attention :math:`\mathrm{softmax}(Q K^T \cdot \mathrm{scale} + M) V` over the
    last two dimensions (PyTorch's ``scaled_dot_product_attention``).

    ``query`` is ``(..., L, E)``, ``key`` ``(..., S, E)``, ``value`` ``(..., S, Ev)``; leading
    dimensions broadcast. A boolean ``attn_mask`` says which keys each query may attend to
    (``True`` takes part); a float one is added to the scores. ``is_causal`` masks the keys
    after each query (the top-left aligned lower triangle of the ``(L, S)`` scores). A query
    that may attend to no key gives zeros, as PyTorch's kernels do. Dropout with probability
    ``dropout_p`` is applied to the attention weights whenever ``dropout_p > 0`` (pass
    ``0.0`` in evaluation, as PyTorch asks). Composed of differentiable ops: gradients flow to
    ``query``, ``key``, ``value`` and a float ``attn_mask``.

    Differs from PyTorch: one implementation (PyTorch's math formula; PyTorch's CPU kernel
    is a tiled one, so float32 results may differ in the last bits); dropout masks come from
    the project's generator.

    Args:
        query (Tensor): ``(..., L, E)``.
        key (Tensor): ``(..., S, E)``.
        value (Tensor): ``(..., S, Ev)``.
        attn_mask (Tensor, optional): bool, float32 or the query's dtype, broadcastable to
            ``(..., L, S)``. Default: ``None``.
        dropout_p (float): dropout probability on the attention weights. Default: ``0.0``.
        is_causal (bool): apply a causal mask (an error together with ``attn_mask``).
            Default: ``False``.
        scale (float, optional): factor of the scores. Default: ``1 / sqrt(E)``.
        enable_gqa (bool): grouped-query attention: ``key`` and ``value`` may have fewer heads
            (dim ``-3``) than ``query``, a divisor of its number; each is repeated to match.
            Default: ``False``.

    Returns:
        Tensor: ``(..., L, Ev)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> q = ag.tensor([[[1.0, 0.0], [0.0, 1.0]]])
        >>> v = ag.tensor([[[1.0, 2.0], [3.0, 4.0]]])
        >>> F.scaled_dot_product_attention(q, q, v, is_causal=True)
        tensor([[[1.0000, 2.0000],
                 [2.3395, 3.3395]]])
    """
    _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    _check_backend(query, key, value, dropout_p)
    if enable_gqa and query.ndim >= 3 and key.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        groups = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(groups, dim=-3)
        value = value.repeat_interleave(groups, dim=-3)
    E = query.shape[-1]
    scale_factor = 1.0 / math.sqrt(E) if scale is None else scale
    scores = query.matmul(key.transpose(-2, -1))
    floats = scores.dtype in (np.float32, np.float64)
    if type(scale_factor) is float and attn_mask is None and floats and scores.numel():
        # the scale (and the causal mask) folded into the softmax kernel: the same bits
        # without the scaled scores' array, the mask's, and their nodes' passes
        weights = SafeSoftmaxOp.apply(scores, causal=is_causal, scale=scale_factor)
    else:
        scores = scores * scale_factor
        if is_causal and floats and scores.numel():  # the kernel skips the masked keys
            weights = SafeSoftmaxOp.apply(scores, causal=True)
        elif is_causal:
            weights = SafeSoftmaxOp.apply(
                scores + _causal_bias(query.shape[-2], key.shape[-2], scores.dtype))
        else:
            if attn_mask is not None:
                if attn_mask.dtype == np.bool_:
                    fill = MaskBiasOp.fill(scores.dtype)
                    attn_mask = MaskBiasOp.apply(attn_mask, fill, masked=False)
                scores = scores + attn_mask
            weights = SafeSoftmaxOp.apply(scores)
    if dropout_p > 0.0:
        weights = DropoutOp.apply(weights, dropout_p)
    if weights.dtype != value.dtype:  # a float32 mask with half inputs: scores summed in float32
        weights = weights.to(value.dtype)
    return weights.matmul(value)


# ---- multi-head attention -----------------------------------------------------------------

def _canonical_mask(mask: Tensor | None, name: str, dtype: Any) -> Tensor | None:
    """A bool mask (``True``: masked) as a float one (``-inf``: masked); float masks as they
    are (PyTorch's ``_canonical_mask``)."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name} must be a Tensor or None, got {type(mask).__name__}")
    if mask.dtype == np.bool_:
        return MaskBiasOp.apply(mask, MaskBiasOp.fill(dtype), masked=True)
    if not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched; PyTorch's ``_mha_shape_check`` messages."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.ndim}-D and {value.ndim}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.ndim}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 1-D but found {key_padding_mask.ndim}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor "
                                     "instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")


def _in_projection(query, key, value, E, in_proj_weight, in_proj_bias, use_separate,
                   q_proj_weight, k_proj_weight, v_proj_weight):
    linear = LinearOp.apply
    if in_proj_bias is None:
        b_q = b_k = b_v = None
    else:
        b_q, b_k, b_v = in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]
    if not use_separate:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if query is key and key is value:  # self-attention: one product for q, k and v
            q, k, v = linear(query, in_proj_weight, in_proj_bias).chunk(3, dim=-1)
            return q, k, v
        w = in_proj_weight
        q_proj_weight, k_proj_weight, v_proj_weight = w[:E], w[E:2 * E], w[2 * E:]
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
    return (linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k),
            linear(value, v_proj_weight, b_v))


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """One more key column (of 0: not masked) for the bias key or the zero key."""
    if mask is None:
        return None
    zeros = np.zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype)
    return ag.cat([mask, _xp.constant(zeros)], -1)


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    r"""The forward pass of :class:`nn.MultiheadAttention` on sequence-first inputs, as a
    function of its weights (PyTorch's ``multi_head_attention_forward``).

    ``query`` is ``(L, N, E)`` (or ``(L, E)`` unbatched), ``key`` and ``value`` ``(S, N, *)``.
    Masks: ``key_padding_mask`` ``(N, S)`` and ``attn_mask`` ``(L, S)`` or
    ``(N * num_heads, L, S)``, boolean (``True``: not allowed to attend) or float (added to
    the scores). With ``need_weights`` the weights are computed explicitly and returned
    (averaged over heads when ``average_attn_weights``); a query that may attend to no key
    then gives NaN, as in PyTorch; without it the attention runs through
    :func:`scaled_dot_product_attention`, which gives zeros there. ``is_causal`` is a hint
    that ``attn_mask`` is the causal mask, used as PyTorch uses it.

    Differs from PyTorch: ``static_k`` and ``static_v`` are not supported.

    Args:
        query, key, value (Tensor): the inputs, sequence first.
        embed_dim_to_check (int): ``E``, checked against ``query``.
        num_heads (int): number of heads; ``E`` must be a multiple of it.
        in_proj_weight, in_proj_bias (Tensor, optional): the packed ``(3E, E)`` projection of
            query, key and value, and its ``(3E,)`` bias.
        bias_k, bias_v (Tensor, optional): ``(1, 1, E)`` key and value appended to the sequence.
        add_zero_attn (bool): append a zero key and value.
        dropout_p (float): dropout on the attention weights (when ``training``).
        out_proj_weight, out_proj_bias (Tensor): the output projection.
        training (bool): apply dropout. Default: ``True``.
        key_padding_mask, attn_mask (Tensor, optional): masks as above.
        need_weights (bool): also return the attention weights. Default: ``True``.
        use_separate_proj_weight (bool): project with ``q_proj_weight``, ``k_proj_weight``,
            ``v_proj_weight`` instead of ``in_proj_weight``. Default: ``False``.
        average_attn_weights (bool): average the returned weights over heads. Default: ``True``.
        is_causal (bool): ``attn_mask`` is the causal mask. Default: ``False``.

    Returns:
        (Tensor, Tensor or None): the output ``(L, N, E)`` and the weights ``(N, L, S)`` (or
        ``(N, num_heads, L, S)``), or ``None`` without ``need_weights``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> E = 4
        >>> x = ag.ones(3, 2, E)
        >>> out, w = F.multi_head_attention_forward(
        ...     x, x, x, E, 2, ag.ones(3 * E, E), None, None, None, False, 0.0,
        ...     ag.ones(E, E), None)
        >>> out.shape, w.shape
        (autograd_core.Size([3, 2, 4]), autograd_core.Size([2, 3, 3]))
        >>> w[0]
        tensor([[0.3333, 0.3333, 0.3333],
                [0.3333, 0.3333, 0.3333],
                [0.3333, 0.3333, 0.3333]])
    """
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k and static_v are not "
                                  "supported here")
    is_batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        same_kv = key is value
        same_qk = query is key
        query = query.unsqueeze(1)
        key = query if same_qk else key.unsqueeze(1)
        value = key if same_kv else value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if (key_padding_mask is not None and attn_mask is not None
            and key_padding_mask.dtype != attn_mask.dtype):
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. "
                      "Use same type for both instead.", stacklevel=2)
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint says the mask is causal: sdpa's is_causal applies it
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", query.dtype)
        if key_padding_mask is not None:
            is_causal = False
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
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape "
                             f"{tuple(value.shape)}")
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k is set but bias_v is None" if bias_v is None
                             else "bias_v is set but bias_k is None")

    q, k, v = _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias,
                             use_separate_proj_weight, q_proj_weight, k_proj_weight,
                             v_proj_weight)
    if bias_k is not None and bias_v is not None:
        k = ag.cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = ag.cat([v, bias_v.expand(1, bsz, embed_dim)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    # (len, N, E) -> (N * heads, len, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        zeros = _xp.constant(np.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype))
        k = ag.cat([k, zeros], 1)
        v = ag.cat([v, zeros], 1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            dim = 0 if key_padding_mask.shape[0] != bsz else 1
            raise AssertionError(f"Expected key_padded_mask.shape[{dim}] to be "
                                 f"{(bsz, src_len)[dim]}, but got "
                                 f"{key_padding_mask.shape[dim]}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        scores = q_scaled.matmul(k.transpose(-2, -1))
        if attn_mask is not None:
            scores = attn_mask + scores
        weights = scores.softmax(-1)
        if dropout_p > 0.0:
            weights = DropoutOp.apply(weights, dropout_p)
        out = weights.matmul(v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    else:
        if attn_mask is not None:
            if attn_mask.shape[0] == 1:
                attn_mask = attn_mask.unsqueeze(0)
            else:
                attn_mask = attn_mask.reshape(bsz, num_heads, attn_mask.shape[-2], src_len)
        q = q.reshape(bsz, num_heads, tgt_len, head_dim)
        k = k.reshape(bsz, num_heads, src_len, head_dim)
        v = v.reshape(bsz, num_heads, src_len, head_dim)
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
        weights = None
    out = LinearOp.apply(out, out_proj_weight, out_proj_bias)
    out = out.reshape(tgt_len, bsz, out.shape[-1])  # not -1: a batch of 0 has 0 elements
    if weights is not None:
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            weights = weights.squeeze(0)
    if not is_batched:
        out = out.squeeze(1)
    return out, weights
