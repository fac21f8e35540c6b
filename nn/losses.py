"""Loss modules; each calls its ``nn.functional`` form (see there for the formulas)."""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor
from nn import functional as F
from nn.functional import _legacy_reduction
from nn.module import Module
from nn.ops.loss import check_reduction

__all__ = ["GaussianNLLLoss", "CTCLoss", "MarginRankingLoss", "TripletMarginLoss",
           "PoissonNLLLoss", "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
           "SmoothL1Loss", "HuberLoss", "KLDivLoss", "SoftMarginLoss", "HingeEmbeddingLoss",
           "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss", "MultiMarginLoss",
           "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss"]


class _Loss(Module):
    @staticmethod
    def _check_reduction(reduction: str) -> None:
        if reduction != "elementwise_mean":  # (kept: the loss warns and means, as PyTorch's)
            check_reduction(reduction)

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _legacy_reduction(size_average, reduce, reduction)
        self._check_reduction(self.reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if weight is not None and not isinstance(weight, Tensor):
            weight = Tensor._wrap(weight)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error ``(input - target) ** 2``, reduced (see :func:`nn.functional.mse_loss`).

    Args:
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)``; Target: ``(*)``, same shape.
        - Output: scalar, or ``(*)`` if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> loss = nn.MSELoss()
        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> out = loss(x, ag.tensor([1.0, 4.0]))
        >>> out.backward()
        >>> out, x.grad
        (tensor(2., grad_fn=<MseLossBackward0>), tensor([ 0., -2.]))
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``, reduced (see :func:`nn.functional.l1_loss`).

    Args:
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)``; Target: ``(*)``, same shape.
        - Output: scalar, or ``(*)`` if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.L1Loss()(ag.tensor([1.0, 2.0]), ag.tensor([0.0, 4.0]))
        tensor(1.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on logits, with class-index or class-probability targets.

    ``weight``, ``ignore_index`` and ``label_smoothing`` behave as in PyTorch; the formulas are
    in :func:`nn.functional.cross_entropy`. Class-index targets take one fused node.

    Args:
        weight (Tensor, optional): per-class weights ``(C,)`` (a constant buffer).
        size_average (bool, optional): deprecated (see ``reduction``).
        ignore_index (int): class-index targets equal to this are skipped. Default: ``-100``.
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        label_smoothing (float): in ``[0, 1]``. Default: ``0.0``.

    Shape:
        - Input: ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dK)`` logits.
        - Target: class indices ``()``, ``(N)`` or ``(N, d1, ..., dK)``; or probabilities of
          the input's shape.
        - Output: scalar, or the target's (index) shape if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> loss = nn.CrossEntropyLoss()
        >>> logits = ag.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
        >>> loss(logits, ag.tensor([0, 2]))
        tensor(0.6691)
        >>> loss(logits, ag.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
        tensor(0.6691)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood on log-probabilities (pair with :class:`nn.LogSoftmax`).

    Per sample ``-weight[y_i] * input[i, y_i]``; ``'mean'`` divides by the summed weights of
    the non-ignored targets (see :func:`nn.functional.nll_loss`).

    Args:
        weight (Tensor, optional): per-class weights ``(C,)`` (a constant buffer).
        size_average (bool, optional): deprecated (see ``reduction``).
        ignore_index (int): targets equal to this are skipped. Default: ``-100``.
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dK)``.
        - Target: ``()``, ``(N)`` or ``(N, d1, ..., dK)`` integer class indices.
        - Output: scalar, or the target's shape if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> logp = nn.LogSoftmax(dim=1)(ag.zeros(2, 4))
        >>> nn.NLLLoss()(logp, ag.tensor([1, 3]))
        tensor(1.3863)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities, ``-w (y log x + (1 - y) log(1 - x))``.

    The logs are clamped to ``>= -100`` as in PyTorch (see
    :func:`nn.functional.binary_cross_entropy`).

    Args:
        weight (Tensor, optional): rescaling weight, broadcast to the input (a constant buffer).
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)`` probabilities; Target: ``(*)``, same shape.
        - Output: scalar, or ``(*)`` if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.BCELoss()(ag.tensor([0.8, 0.2]), ag.tensor([1.0, 0.0]))
        tensor(0.2231)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one numerically stable node.

    ``pos_weight`` scales the positive term (see
    :func:`nn.functional.binary_cross_entropy_with_logits`).

    Args:
        weight (Tensor, optional): rescaling weight, broadcast (a constant buffer).
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        pos_weight (Tensor, optional): weight of positive examples per class (a constant
            buffer).

    Shape:
        - Input: ``(*)`` logits; Target: ``(*)``, same shape.
        - Output: scalar, or ``(*)`` if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> loss = nn.BCEWithLogitsLoss(pos_weight=ag.tensor([2.0]))
        >>> loss(ag.tensor([0.0, 0.0]), ag.tensor([1.0, 0.0]))
        tensor(1.0397)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        if weight is not None and not isinstance(weight, Tensor):
            weight = Tensor._wrap(weight)
        if pos_weight is not None and not isinstance(pos_weight, Tensor):
            pos_weight = Tensor._wrap(pos_weight)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Smooth L1 loss: quadratic ``0.5 d^2 / beta`` below ``beta``, linear ``|d| - 0.5 beta``
    above (see :func:`nn.functional.smooth_l1_loss`).

    Args:
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        beta (float): the switch point. Default: ``1.0``.

    Shape:
        - Input: ``(*)``; Target: ``(*)``, same shape.
        - Output: scalar, or ``(*)`` if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.SmoothL1Loss()(ag.tensor([0.5, 3.0]), ag.zeros(2))
        tensor(1.3125)
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber loss: quadratic ``0.5 d^2`` below ``delta``, ``delta (|d| - 0.5 delta)`` above
    (see :func:`nn.functional.huber_loss`).

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        delta (float): the switch point. Default: ``1.0``.

    Shape:
        - Input: ``(*)``; Target: ``(*)``, same shape.
        - Output: scalar, or ``(*)`` if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.HuberLoss(delta=2.0)(ag.tensor([0.5, 3.0]), ag.zeros(2))
        tensor(2.0625)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence loss, ``input`` being log-probabilities
    (see :func:`nn.functional.kl_div`).

    Args:
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'batchmean'`` | ``'sum'`` | ``'mean'``.
            Default: ``'mean'``.
        log_target (bool): ``target`` is given as log-probabilities. Default: ``False``.

    Shape:
        - Input: ``(*)``; Target: ``(*)``, same shape.
        - Output: scalar, or ``(*)`` if ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> loss = nn.KLDivLoss(reduction="batchmean")
        >>> loss(ag.tensor([[-1.0, -0.5]]), ag.tensor([[0.5, 0.5]]))
        tensor(0.0569)
    """

    @staticmethod
    def _check_reduction(reduction: str) -> None:
        if reduction != "batchmean":
            _Loss._check_reduction(reduction)

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    """``max(0, -y * (x1 - x2) + margin)`` (see :func:`nn.functional.margin_ranking_loss`).

    Args:
        margin (float): Default: ``0.0``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.MarginRankingLoss(margin=0.2)(ag.tensor([1.0, 0.0]), ag.tensor([0.5, 0.5]),
        ...                                  ag.tensor([1.0, -1.0]))
        tensor(0.)
    """

    def __init__(self, margin: float = 0.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` (see :func:`nn.functional.triplet_margin_loss`).

    Args:
        margin (float): Default: ``1.0``.
        p (float): the norm's degree. Default: ``2.0``.
        eps (float): Default: ``1e-6``.
        swap (bool): the distance swap. Default: ``False``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> loss = nn.TripletMarginLoss(eps=0.0)
        >>> round(loss(ag.zeros(1, 2), ag.tensor([[6.0, 8.0]]), ag.tensor([[3.0, 4.0]])).item(), 4)
        6.0
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood (see :func:`nn.functional.poisson_nll_loss`).

    Args:
        log_input (bool): ``input`` is the log-rate. Default: ``True``.
        full (bool): add Stirling's term. Default: ``False``.
        eps (float): Default: ``1e-8``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.PoissonNLLLoss()(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 2.0]))
        tensor(0.8591)
    """

    def __init__(self, log_input: bool = True, full: bool = False,
                 size_average: bool | None = None, eps: float = 1e-8,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood (see :func:`nn.functional.gaussian_nll_loss`).

    Args:
        full (bool): add the constant ``0.5 * log(2 pi)``. Default: ``False``.
        eps (float): the smallest variance used. Default: ``1e-6``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(N, *)`` or ``(*)``; Target: the same; Var: the same, the same less the
          last dimension, one dimension of size 1, or a number.
        - Output: scalar, or the input's shape with ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> loss = nn.GaussianNLLLoss()
        >>> loss(ag.tensor([[0.0, 2.0]]), ag.tensor([[1.0, 1.0]]), ag.tensor([1.0]))
        tensor(0.5000)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    @staticmethod
    def _check_reduction(reduction: str) -> None:
        pass  # F.gaussian_nll_loss refuses a bad one in PyTorch's words

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class CTCLoss(_Loss):
    """The connectionist temporal classification loss (see :func:`nn.functional.ctc_loss`).

    Args:
        blank (int): the blank class. Default: 0.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        zero_infinity (bool): make infinite losses and their gradients zero.
            Default: ``False``.

    Shape:
        - Log_probs: ``(T, N, C)`` or ``(T, C)``; Targets: ``(N, S)`` or
          ``(sum(target_lengths),)``; Input_lengths, Target_lengths: ``(N,)`` or ``()``.
        - Output: scalar, or ``(N,)`` with ``reduction='none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> ag.manual_seed(0)  # doctest: +ELLIPSIS
        <...>
        >>> x = ag.randn(5, 2, 4, requires_grad=True)
        >>> loss = nn.CTCLoss()(x.log_softmax(2), ag.tensor([[1, 2], [3, 3]]), [5, 4], [2, 2])
        >>> loss.backward()
        >>> x.grad.shape
        autograd_core.Size([5, 2, 4])
    """

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Tensor,
                target_lengths: Tensor) -> Tensor:
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)


class SoftMarginLoss(_Loss):
    r"""The two-class logistic loss :math:`\log(1 + e^{-y x})`, reduced (see
    :func:`nn.functional.soft_margin_loss`).

    Args:
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.SoftMarginLoss()(ag.tensor([0.0, 0.0]), ag.tensor([1.0, -1.0]))
        tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    r"""``x`` where the target is 1, :math:`\max(0, \text{margin} - x)` where it is -1, reduced
    (see :func:`nn.functional.hinge_embedding_loss`).

    Args:
        margin (float): Default: ``1.0``.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.HingeEmbeddingLoss(margin=2.0)(ag.tensor([0.5, 0.5]), ag.tensor([1.0, -1.0]))
        tensor(1.)
    """

    def __init__(self, margin: float = 1.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    r"""One-versus-all logistic loss over ``C`` labels (see
    :func:`nn.functional.multilabel_soft_margin_loss`).

    Args:
        weight (Tensor, optional): a weight per label (``C``), kept as a buffer.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.MultiLabelSoftMarginLoss()(ag.zeros(1, 3), ag.tensor([[1.0, 0.0, 1.0]]))
        tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    r""":math:`1 - \cos(x_1, x_2)` where the target is 1, :math:`\max(0, \cos(x_1, x_2) -
    \text{margin})` where it is -1, reduced (see :func:`nn.functional.cosine_embedding_loss`).

    Args:
        margin (float): in ``[-1, 1]``. Default: ``0.0``.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.CosineEmbeddingLoss()(ag.tensor([[1.0, 0.0]]), ag.tensor([[0.0, 1.0]]),
        ...                          ag.tensor([1.0]))
        tensor(1.)
    """

    def __init__(self, margin: float = 0.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    r"""Multi-class hinge loss (see :func:`nn.functional.multi_margin_loss`).

    Args:
        p (int): 1 or 2. Default: ``1``.
        margin (float): Default: ``1.0``.
        weight (Tensor, optional): a weight per class (``C``), kept as a buffer.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.MultiMarginLoss()(ag.tensor([[0.1, 0.2, 0.4, 0.8]]), ag.tensor([3]))
        tensor(0.3250)
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and Tensor._wrap(weight).ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{Tensor._wrap(weight).ndim}D instead")
        super().__init__(weight, size_average, reduce, reduction)
        self.p, self.margin = p, margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    r"""Multi-label hinge loss; the target lists each sample's classes, padded with -1 (see
    :func:`nn.functional.multilabel_margin_loss`).

    Args:
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.MultiLabelMarginLoss()(ag.tensor([[0.1, 0.2, 0.4, 0.8]]),
        ...                           ag.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    r""":math:`\max(d(a, p) - d(a, n) + \text{margin}, 0)` with any distance ``d`` (see
    :func:`nn.functional.triplet_margin_with_distance_loss`).

    Args:
        distance_function (Callable, optional): ``d(x1, x2) -> Tensor``; ``None`` keeps an
            :class:`nn.PairwiseDistance` (shown in the repr). Default: ``None``.
        margin (float): greater than 0. Default: ``1.0``.
        swap (bool): the distance swap of Balntas et al. Default: ``False``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> loss = nn.TripletMarginWithDistanceLoss(margin=2.0)
        >>> loss
        TripletMarginWithDistanceLoss(
          (distance_function): PairwiseDistance()
        )
        >>> a, pos, neg = ag.zeros(1, 2), ag.tensor([[3.0, 4.0]]), ag.tensor([[6.0, 8.0]])
        >>> round(loss(a, neg, pos).item(), 3)
        7.0
    """

    def __init__(self, *, distance_function: Any = None, margin: float = 1.0,
                 swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        from nn.layers.distance import PairwiseDistance

        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin, self.swap = margin, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)
