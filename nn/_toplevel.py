"""The ``nn.functional`` functions PyTorch also exposes at ``torch.*``, with the top level's
signatures where they differ from ``F``'s (``torch.dropout(input, p, train)``,
``torch.batch_norm(input, weight, bias, running_mean, running_var, ...)``,
``torch.embedding(weight, indices)``, the losses' ``reduction`` as ATen's integer).

``autograd_core`` resolves these names lazily (its ``_LAZY_NAMES``), as it resolves ``nn``:
the core must not import ``nn``, which imports the core. The names whose signature is ``F``'s
(``cosine_similarity``, ``pdist``, ``threshold``, ...) resolve to ``nn.functional`` itself.

The losses' ``reduction`` is ATen's ``0`` (none), ``1`` (mean), ``2`` (sum). Called without it,
PyTorch 2.13's top-level losses give the unreduced loss (unlike ``F``'s ``'mean'``), and so do
these.

Example::

    >>> import autograd_core as ag
    >>> ag.dropout(ag.ones(3), 0.5, False)
    tensor([1., 1., 1.])
    >>> ag.margin_ranking_loss(ag.tensor([1.0, 2.0]), ag.tensor([2.0, 0.0]), ag.tensor([1.0, 1.0]))
    tensor([1., 0.])
"""

from __future__ import annotations

import inspect
from typing import Any, Sequence, cast

from autograd_core import Tensor
from autograd_core.ops.registry import typed
from nn import functional as F
from nn.layers import rnn as _rnn

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(reduction: int) -> str:
    if isinstance(reduction, bool) or not isinstance(reduction, int) or \
            not 0 <= reduction < len(_REDUCTIONS):
        raise ValueError(f"{reduction!r} is not a valid value for reduction (0: none, 1: mean, "
                         "2: sum)")
    return _REDUCTIONS[reduction]


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout``: ``F.dropout(input, p, training=train)``."""
    return F.dropout(input, p, train)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout``: ``F.alpha_dropout(input, p, training=train)``."""
    return F.alpha_dropout(input, p, train)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout``: ``F.feature_alpha_dropout(input, p, training=train)``."""
    return F.feature_alpha_dropout(input, p, train)


def rrelu(input: Tensor, lower: float = 0.125, upper: float = 1.0 / 3.0,
          training: bool = False, generator: Any = None) -> Tensor:
    """``torch.rrelu``: ``F.rrelu`` (slopes drawn from the global generator; a ``generator``
    is refused)."""
    _no_generator(generator)
    return F.rrelu(input, lower, upper, training)


def _no_generator(generator: Any) -> None:
    if generator is not None:
        raise NotImplementedError("rrelu(): generator= is not supported; seed with "
                                  "autograd_core.manual_seed")


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],
               weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """``torch.layer_norm``: ``F.layer_norm`` (``cudnn_enable`` accepted and ignored)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """``torch.group_norm``: ``F.group_norm`` (``cudnn_enabled`` accepted and ignored)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """``torch.batch_norm``: ``F.batch_norm`` with ATen's argument order (weight and bias
    before the running statistics, every argument required)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """``torch.instance_norm``: ``F.instance_norm`` with ATen's argument order."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``torch.embedding``: the rows of ``weight`` at ``indices`` (``F.embedding`` with the
    weight first; a negative ``padding_idx`` means none, as ATen's)."""
    return F.embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def kl_div(input: Tensor, target: Tensor, reduction: int = 0, *,
           log_target: bool = False) -> Tensor:
    """``torch.kl_div``: ``F.kl_div`` with ATen's integer ``reduction`` (1 is the mean over
    every element, without F's warning about it)."""
    how = _reduction(reduction)
    loss = F.kl_div(input, target, reduction="none", log_target=log_target)
    return loss if how == "none" else getattr(loss, how)()


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:
    """``torch.margin_ranking_loss``: ``F.margin_ranking_loss``, ATen's ``reduction``."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction(reduction))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         reduction: int = 0) -> Tensor:
    """``torch.hinge_embedding_loss``: ``F.hinge_embedding_loss``, ATen's ``reduction``."""
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                        swap: bool = False, reduction: int = 0) -> Tensor:
    """``torch.triplet_margin_loss``: ``F.triplet_margin_loss``, ATen's ``reduction``."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction(reduction))


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = 0) -> Tensor:
    """``torch.cosine_embedding_loss``: ``F.cosine_embedding_loss``, ATen's ``reduction``."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction(reduction))


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    """``torch.poisson_nll_loss``: ``F.poisson_nll_loss``, every argument required."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: int = 0) -> Tensor:
    """``torch.binary_cross_entropy_with_logits``: ``F``'s, with ``pos_weight`` fourth and
    ATen's ``reduction``."""
    return F.binary_cross_entropy_with_logits(input, target, weight,
                                              reduction=_reduction(reduction),
                                              pos_weight=pos_weight)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: int = 0, zero_infinity: bool = False) -> Tensor:
    """``torch.ctc_loss``: ``F.ctc_loss``, ATen's ``reduction`` (1: the mean of each loss
    divided by its target length, as F's ``'mean'``)."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      reduction=_reduction(reduction), zero_infinity=zero_infinity)




# ---- in-place and feature forms of dropout and rrelu ----------------------------------------

def rrelu_(input: Tensor, lower: float = 0.125, upper: float = 1.0 / 3.0,
           training: bool = False, generator: Any = None) -> Tensor:
    """``torch.rrelu_``: ``F.rrelu_`` (a ``generator`` is refused, as in ``rrelu``)."""
    _no_generator(generator)
    return F.rrelu_(input, lower, upper, training)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout_``: ``torch.dropout`` written into ``input``."""
    return F._in_place(input, lambda: F.dropout(input, p, train), "dropout_")


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout_``: ``torch.alpha_dropout`` written into ``input``."""
    return F._in_place(input, lambda: F.alpha_dropout(input, p, train), "alpha_dropout_")


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout_``: ``torch.feature_alpha_dropout`` written into
    ``input``."""
    return F._in_place(input, lambda: F.feature_alpha_dropout(input, p, train), "feature_alpha_dropout_")


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout``: dropout of whole features (one draw per ``input[n, c]``,
    kept ones scaled by ``1/(1-p)``); the identity when not training.

    Example::

        >>> import autograd_core as ag
        >>> ag.feature_dropout(ag.ones(2, 3), 0.5, False)
        tensor([[1., 1., 1.],
                [1., 1., 1.]])
    """
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return F._feature_dropout(input, p, train)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout_``: ``torch.feature_dropout`` written into ``input``."""
    return F._in_place(input, lambda: feature_dropout(input, p, train), "feature_dropout_")


# ---- pooling with indices -----------------------------------------------------------------

def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:
    """``torch.adaptive_max_pool1d``: ``F.adaptive_max_pool1d`` with its indices,
    ``(output, indices)``.

    Example::

        >>> import autograd_core as ag
        >>> ag.adaptive_max_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
        (tensor([[[3., 5.]]]), tensor([[[1, 3]]]))
    """
    pooled = F.adaptive_max_pool1d(input, output_size, return_indices=True)
    return cast("tuple[Tensor, Tensor]", pooled)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (),
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """``torch.max_pool1d_with_indices``: ``F.max_pool1d`` with its indices (an empty
    ``stride``, ATen's default, is ``kernel_size``).

    Example::

        >>> import autograd_core as ag
        >>> ag.max_pool1d_with_indices(ag.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
        (tensor([[[3., 5.]]]), tensor([[[1, 3]]]))
    """
    return F.max_pool1d(input, kernel_size, stride if stride not in ((), []) else None,
                        padding, dilation, ceil_mode, return_indices=True)

# ---- torch.rnn_tanh_cell, rnn_relu_cell, lstm_cell, gru_cell: one step with given weights ----

def _cell_checks(input: Tensor, states: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor,
                 gates: int) -> None:
    """PyTorch's checks of a cell's input, hidden states and weights, in its order and words;
    the hidden size is ``w_hh``'s second dimension."""
    if input.size(1) != w_ih.size(1):
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                           f"{w_ih.size(1)}")
    hidden = w_hh.size(1)
    for idx, state in enumerate(states):
        if input.size(0) != state.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{idx} "
                               f"batch size {state.size(0)}")
        if state.size(1) != hidden:
            raise RuntimeError(f"hidden{idx} has inconsistent hidden_size: got "
                               f"{state.size(1)}, expected {hidden}")
    for name, weight in (("weight_ih", w_ih), ("weight_hh", w_hh)):
        if weight.size(0) != gates * hidden:
            raise RuntimeError(f"{name} first dim must be {gates} * hidden_size = "
                               f"{gates * hidden}, but got {weight.size(0)}")


def _hidden(name: str, hx: Any) -> Tensor:
    if not isinstance(hx, Tensor):
        raise TypeError(f"{name}(): argument 'hx' (position 2) must be Tensor, not "
                        f"{type(hx).__name__}")
    return hx


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """``torch.rnn_tanh_cell``: one Elman step, ``tanh(input w_ih^T + b_ih + hx w_hh^T +
    b_hh)``, for a 2-D ``input`` (batch, input_size) and ``hx`` (batch, hidden_size).

    Example::

        >>> import autograd_core as ag
        >>> ag.rnn_tanh_cell(ag.ones(1, 2), ag.zeros(1, 1), ag.ones(1, 2), ag.ones(1, 1))
        tensor([[0.9640]])
    """
    hx = _hidden("rnn_tanh_cell", hx)
    _cell_checks(input, (hx,), w_ih, w_hh, 1)
    return _rnn._rnn_step(_rnn._affine(input, w_ih.T, b_ih), hx, w_hh.T, b_hh, "tanh")


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """``torch.rnn_relu_cell``: one Elman step with ReLU, ``relu(input w_ih^T + b_ih +
    hx w_hh^T + b_hh)``.

    Example::

        >>> import autograd_core as ag
        >>> ag.rnn_relu_cell(ag.ones(1, 2), ag.ones(1, 1), -ag.ones(1, 2), ag.ones(1, 1))
        tensor([[0.]])
    """
    hx = _hidden("rnn_relu_cell", hx)
    _cell_checks(input, (hx,), w_ih, w_hh, 1)
    return _rnn._rnn_step(_rnn._affine(input, w_ih.T, b_ih), hx, w_hh.T, b_hh, "relu")


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """``torch.lstm_cell``: one LSTM step (gates i, f, g, o in the weights' rows), ``hx =
    (h, c)``; returns ``(h', c')``.

    Example::

        >>> import autograd_core as ag
        >>> h, c = ag.lstm_cell(ag.ones(1, 1), (ag.zeros(1, 1), ag.ones(1, 1)),
        ...                     ag.ones(4, 1), ag.zeros(4, 1))
        >>> h, c
        (tensor([[0.6277]]), tensor([[1.2878]]))
    """
    if not isinstance(hx, (tuple, list)):
        raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, "
                        f"not {type(hx).__name__}")
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    _cell_checks(input, hx, w_ih, w_hh, 4)
    return _rnn._lstm_step(_rnn._affine(input, w_ih.T, b_ih), hx[0], hx[1], w_hh.T, b_hh)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """``torch.gru_cell``: one GRU step (gates r, z, n in the weights' rows; ``n = tanh(W_in x
    + b_in + r * (W_hn h + b_hn))``, as PyTorch's).

    Example::

        >>> import autograd_core as ag
        >>> ag.gru_cell(ag.ones(1, 1), ag.ones(1, 1), ag.zeros(3, 1), ag.zeros(3, 1))
        tensor([[0.5000]])
    """
    hx = _hidden("gru_cell", hx)
    _cell_checks(input, (hx,), w_ih, w_hh, 3)
    return _rnn._gru_step(_rnn._affine(input, w_ih.T, b_ih), hx, w_hh.T, b_hh)

#: the top-level names whose signature is ``nn.functional``'s: resolved there
SAME_AS_F = ("cosine_similarity", "pairwise_distance", "pdist", "threshold", "threshold_",
             "rms_norm", "channel_shuffle", "selu", "celu", "selu_", "celu_")


# A number or a list given where a Tensor goes: PyTorch's TypeError naming the function, not
# an AttributeError from inside (``registry.typed``)
globals().update({_name: typed(_fn, _name) for _name, _fn in list(globals().items())
                  if inspect.isfunction(_fn) and _fn.__module__ == __name__
                  and not _name.startswith("_")})
