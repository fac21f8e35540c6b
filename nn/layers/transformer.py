"""Attention and Transformer modules with PyTorch's names, parameters and initialisation:
``MultiheadAttention``, ``TransformerEncoderLayer``, ``TransformerEncoder``,
``TransformerDecoderLayer``, ``TransformerDecoder``, ``Transformer``.

Parameter names are PyTorch's (``self_attn.in_proj_weight``, ``self_attn.out_proj.weight``,
``linear1.weight``, ``norm1.bias``, ``layers.0....``), so a ``state_dict`` moves between the
two libraries unchanged. The modules compute what PyTorch's reference ("slow") path computes,
composed of differentiable ops (``nn.functional.multi_head_attention_forward``).

Deliberate differences from PyTorch: there is no inference fast path (PyTorch's fused kernels
and nested tensors in ``eval`` mode under ``no_grad``), so ``enable_nested_tensor`` is accepted
and has no effect; in particular, where PyTorch's fast path returns zeros at padded positions
of ``TransformerEncoder``'s output, the ordinary computation's values are returned. A mask
is not inspected to detect that it is causal (PyTorch compares it with the causal mask, which
reads its values); the results are the same either way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Union

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops import _xp
from nn import functional as F
from nn import init
from nn._attention import multi_head_attention_forward
from nn.containers import ModuleList
from nn.layers import _check
from nn.layers.dropout import Dropout
from nn.layers.linear import Linear
from nn.layers.normalization import LayerNorm
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerDecoder",
           "TransformerEncoderLayer", "TransformerDecoderLayer"]

_Activation = Union[str, Callable[[Tensor], Tensor]]


class NonDynamicallyQuantizableLinear(Linear):
    """``Linear`` under the name PyTorch gives ``MultiheadAttention.out_proj`` (so reprs
    agree).

    Example::

        >>> from nn.layers.transformer import NonDynamicallyQuantizableLinear
        >>> NonDynamicallyQuantizableLinear(4, 4)
        NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)
    """


def _dtype(dtype: Any) -> np.dtype:
    return np.dtype(dtype) if dtype is not None else np.dtype(ag.get_default_dtype())


class MultiheadAttention(Module):
    r"""Multi-head attention (Vaswani et al., 2017):
    :math:`\mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(h_1, \dots, h_H) W^O` with
    :math:`h_i = \mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V)`.

    Parameters as PyTorch's: ``in_proj_weight`` ``(3E, E)`` (or ``q_proj_weight``,
    ``k_proj_weight``, ``v_proj_weight`` when ``kdim`` or ``vdim`` differ from ``E``),
    ``in_proj_bias`` ``(3E,)``, ``out_proj`` (a ``Linear``), ``bias_k``/``bias_v``
    ``(1, 1, E)`` with ``add_bias_kv``. Initialisation as PyTorch's: ``xavier_uniform_`` on the
    input projections, zeros for both biases, ``xavier_normal_`` for ``bias_k``/``bias_v``.
    The forward pass is :func:`nn.functional.multi_head_attention_forward`; dropout draws
    from the project's generator.

    Args:
        embed_dim (int): ``E``, the model dimension.
        num_heads (int): number of heads; ``embed_dim`` must be divisible by it.
        dropout (float): dropout probability on the attention weights. Default: ``0.0``.
        bias (bool): input and output projection biases. Default: ``True``.
        add_bias_kv (bool): append a learned key and value to the sequence. Default: ``False``.
        add_zero_attn (bool): append a zero key and value. Default: ``False``.
        kdim (int, optional): features of ``key``. Default: ``embed_dim``.
        vdim (int, optional): features of ``value``. Default: ``embed_dim``.
        batch_first (bool): inputs and output are ``(N, L, E)`` instead of ``(L, N, E)``.
            Default: ``False``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Shape:
        - query ``(L, N, E)`` (``(N, L, E)`` with ``batch_first``, ``(L, E)`` unbatched),
          key ``(S, N, kdim)``, value ``(S, N, vdim)``.
        - output ``(L, N, E)``; weights ``(N, L, S)`` (``(N, num_heads, L, S)`` without
          ``average_attn_weights``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> mha = nn.MultiheadAttention(8, 2, batch_first=True)
        >>> x = ag.randn(3, 5, 8)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (autograd_core.Size([3, 5, 8]), autograd_core.Size([3, 5, 5]))
        >>> [name for name, _ in mha.named_parameters()]
        ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        _check.device("MultiheadAttention", device)
        embed_dim = _check.dim("MultiheadAttention", "embed_dim", embed_dim)  # an int
        num_heads = _check.dim("MultiheadAttention", "num_heads", num_heads)
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        _check.probability("MultiheadAttention", dropout)
        kdim = embed_dim if kdim is None else _check.size("MultiheadAttention", "kdim", kdim)
        vdim = embed_dim if vdim is None else _check.size("MultiheadAttention", "vdim", vdim)
        if (embed_dim // num_heads) * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim
        self.vdim = vdim
        self._qkv_same_embed_dim = kdim == embed_dim and vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        dt = _dtype(dtype)
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dt))
            self.k_proj_weight = Parameter(np.empty((embed_dim, kdim), dt))
            self.v_proj_weight = Parameter(np.empty((embed_dim, vdim), dt))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dt))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * embed_dim, dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dt)
        self.bias_k: Parameter | None
        self.bias_v: Parameter | None
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, embed_dim), dt))
            self.bias_v = Parameter(np.empty((1, 1, embed_dim), dt))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``.

        Args:
            query, key, value (Tensor): see the class's Shape.
            key_padding_mask (Tensor, optional): ``(N, S)``; bool (``True``: ignore that key)
                or float (added to the scores).
            need_weights (bool): also return the attention weights. Default: ``True``.
            attn_mask (Tensor, optional): ``(L, S)`` or ``(N * num_heads, L, S)``; bool
                (``True``: not allowed to attend) or float (added).
            average_attn_weights (bool): average the weights over heads. Default: ``True``.
            is_causal (bool): a hint that ``attn_mask`` is the causal mask. Default: ``False``.

        Returns:
            (Tensor, Tensor or None): the output and the weights (``None`` without
            ``need_weights``).
        """
        is_batched = query.ndim == 3
        if self.batch_first and is_batched:
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and is_batched:
            out = out.transpose(1, 0)
        return out, weights


def _activation_fn(activation: _Activation) -> Callable[[Tensor], Tensor]:
    if isinstance(activation, str):
        if activation == "relu":
            return F.relu
        if activation == "gelu":
            return F.gelu
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")
    if not callable(activation):
        raise TypeError(f"activation must be 'relu', 'gelu' or a callable, got "
                        f"{type(activation).__name__}")
    return activation


def _clones(module: Module, n: int) -> ModuleList:
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class TransformerEncoderLayer(Module):
    r"""One Transformer encoder layer: self-attention and a feed-forward block, each with a
    residual connection, dropout and layer norm (Vaswani et al., 2017), as PyTorch's.

    ``norm_first=False``: ``x = norm1(x + sa(x)); x = norm2(x + ff(x))``;
    ``norm_first=True``: ``x = x + sa(norm1(x)); x = x + ff(norm2(x))``, with
    ``ff(x) = dropout2(linear2(dropout(activation(linear1(x)))))`` and
    ``sa(x) = dropout1(self_attn(x, x, x)[0])``. No inference fast path (see the module
    docstring); the numbers are those of PyTorch's reference path.

    Args:
        d_model (int): the model dimension.
        nhead (int): number of attention heads.
        dim_feedforward (int): hidden size of the feed-forward block. Default: ``2048``.
        dropout (float): dropout probability. Default: ``0.1``.
        activation (str or callable): ``"relu"``, ``"gelu"`` or a function. Default:
            ``F.relu``.
        layer_norm_eps (float): the norms' ``eps``. Default: ``1e-5``.
        batch_first (bool): inputs are ``(N, S, E)``. Default: ``False``.
        norm_first (bool): normalise before attention and feed-forward. Default: ``False``.
        bias (bool): biases in the linear layers and the norms. Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(ag.randn(5, 3, 8)).shape
        autograd_core.Size([5, 3, 8])
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: _Activation = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        fn = _activation_fn(activation)
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = fn

    def forward(self, src: Tensor, src_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                is_causal: bool = False) -> Tensor:
        """Run the layer on ``src`` (masks as :meth:`MultiheadAttention.forward`'s
        ``attn_mask`` and ``key_padding_mask``)."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    r"""One Transformer decoder layer: self-attention, attention over the encoder's output
    (``memory``) and a feed-forward block, each with a residual connection, dropout and layer
    norm, as PyTorch's (``norm_first`` as in :class:`TransformerEncoderLayer`).

    Args:
        d_model (int): the model dimension.
        nhead (int): number of attention heads.
        dim_feedforward (int): hidden size of the feed-forward block. Default: ``2048``.
        dropout (float): dropout probability. Default: ``0.1``.
        activation (str or callable): ``"relu"``, ``"gelu"`` or a function. Default:
            ``F.relu``.
        layer_norm_eps (float): the norms' ``eps``. Default: ``1e-5``.
        batch_first (bool): inputs are ``(N, T, E)``. Default: ``False``.
        norm_first (bool): normalise before each block. Default: ``False``.
        bias (bool): biases in the linear layers and the norms. Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> layer = nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(ag.randn(4, 3, 8), ag.randn(6, 3, 8)).shape
        autograd_core.Size([4, 3, 8])
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: _Activation = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        fn = _activation_fn(activation)
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, bias=bias, **kw)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, bias=bias, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = fn

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:
        """Run the layer on ``tgt`` attending to ``memory``."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                    memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                               memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           is_causal=is_causal, need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer`` (deep copies: independent
    parameters, ``layers.0``, ``layers.1``, ...), then ``norm`` if given.

    Args:
        encoder_layer (TransformerEncoderLayer): the layer to copy.
        num_layers (int): number of layers.
        norm (Module, optional): applied to the last layer's output. Default: ``None``.
        enable_nested_tensor (bool): accepted and ignored (PyTorch's inference fast path with
            nested tensors; there is none here). Default: ``True``.
        mask_check (bool): accepted and ignored (no fast path to check masks for).
            Default: ``True``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        >>> enc = nn.TransformerEncoder(layer, num_layers=2)
        >>> mask = nn.Transformer.generate_square_subsequent_mask(5)
        >>> enc(ag.randn(3, 5, 8), mask=mask, is_causal=True).shape
        autograd_core.Size([3, 5, 8])
    """

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Module | None = None, enable_nested_tensor: bool = True,
                 mask_check: bool = True) -> None:
        num_layers = _check.size("TransformerEncoder", "num_layers", num_layers)
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(self, src: Tensor, mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        """Run every layer on ``src`` with the same masks (``is_causal``: a hint that
        ``mask`` is the causal mask; ``None`` is taken as ``False``)."""
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=bool(is_causal),
                         src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """A stack of ``num_layers`` copies of ``decoder_layer``, then ``norm`` if given.

    Args:
        decoder_layer (TransformerDecoderLayer): the layer to copy.
        num_layers (int): number of layers.
        norm (Module, optional): applied to the last layer's output. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), num_layers=2)
        >>> dec(ag.randn(4, 3, 8), ag.randn(6, 3, 8)).shape
        autograd_core.Size([4, 3, 8])
    """

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm: Module | None = None) -> None:
        num_layers = _check.size("TransformerDecoder", "num_layers", num_layers)
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        """Run every layer on ``tgt`` attending to ``memory``."""
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask,
                         memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """The Transformer of Vaswani et al. (2017), as PyTorch's ``nn.Transformer``: an encoder of
    ``num_encoder_layers`` layers and a decoder of ``num_decoder_layers`` layers, each stack
    followed by a ``LayerNorm``; every parameter with more than one dimension is initialised
    with ``xavier_uniform_``.

    Args:
        d_model (int): the model dimension. Default: ``512``.
        nhead (int): number of attention heads. Default: ``8``.
        num_encoder_layers (int): Default: ``6``.
        num_decoder_layers (int): Default: ``6``.
        dim_feedforward (int): Default: ``2048``.
        dropout (float): Default: ``0.1``.
        activation (str or callable): ``"relu"``, ``"gelu"`` or a function. Default:
            ``F.relu``.
        custom_encoder (Module, optional): used instead of the default encoder.
        custom_decoder (Module, optional): used instead of the default decoder.
        layer_norm_eps (float): Default: ``1e-5``.
        batch_first (bool): inputs are ``(N, S, E)``. Default: ``False``.
        norm_first (bool): Default: ``False``.
        bias (bool): Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1,
        ...                        num_decoder_layers=1, dim_feedforward=16)
        >>> tgt_mask = model.generate_square_subsequent_mask(4)
        >>> model(ag.randn(6, 3, 8), ag.randn(4, 3, 8), tgt_mask=tgt_mask).shape
        autograd_core.Size([4, 3, 8])
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: _Activation = F.relu,
                 custom_encoder: Any | None = None, custom_decoder: Any | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            enc_layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout,
                                                activation, layer_norm_eps, batch_first,
                                                norm_first, bias, **kw)
            enc_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.encoder = TransformerEncoder(enc_layer, num_encoder_layers, enc_norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            dec_layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout,
                                                activation, layer_norm_eps, batch_first,
                                                norm_first, bias, **kw)
            dec_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.decoder = TransformerDecoder(dec_layer, num_decoder_layers, dec_norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None,
                tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        """Encode ``src`` and decode ``tgt`` against it (PyTorch's argument names)."""
        is_batched = src.ndim == 3
        b = 0 if self.batch_first else 1
        if is_batched and src.shape[b] != tgt.shape[b]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None,
                                        dtype: Any = None) -> Tensor:
        """The ``(sz, sz)`` causal mask: ``0`` on and below the diagonal, ``-inf`` above (a
        float mask that hides each position's successors).

        Example::

            >>> import nn
            >>> nn.Transformer.generate_square_subsequent_mask(3)
            tensor([[0., -inf, -inf],
                    [0., 0., -inf],
                    [0., 0., 0.]])
        """
        _check.device("generate_square_subsequent_mask", device)
        sz = _check.size("generate_square_subsequent_mask", "sz", sz)
        return _xp.constant(np.triu(np.full((sz, sz), -np.inf, _dtype(dtype)), 1))

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
