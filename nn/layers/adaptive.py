"""``AdaptiveLogSoftmaxWithLoss`` (Grave et al., 2017, "Efficient softmax approximation for
GPUs"), PyTorch's ``torch.nn.AdaptiveLogSoftmaxWithLoss``."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from nn import functional as F
from nn.containers import ModuleList, Sequential
from nn.layers.linear import Linear
from nn.module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    r"""Adaptive softmax: frequent classes in a head, rare ones in clusters behind it.

    The classes ``[0, cutoffs[0])`` (the shortlist) and one entry per cluster make the head, a
    ``Linear(in_features, cutoffs[0] + len(cutoffs))``; cluster ``i`` (classes
    ``[cutoffs[i], cutoffs[i + 1])``, the last ending at ``n_classes``) is a projection to
    ``in_features // div_value ** (i + 1)`` features and a ``Linear`` to its classes. The
    log-probability of a class in a cluster is the head's log-probability of the cluster plus
    the cluster's own. Classes should be sorted by decreasing frequency.

    Args:
        in_features (int): number of features of the input.
        n_classes (int): number of classes.
        cutoffs (Sequence[int]): increasing, unique integers in ``[1, n_classes - 1]``, the
            first class of each cluster.
        div_value (float, optional): the divisor of each cluster's hidden size. Default: 4.0.
        head_bias (bool, optional): give the head a bias. Default: ``False``.

    Returns:
        ``forward(input, target)``: a named tuple ``(output, loss)``: ``output`` the
        log-probability of each target (shape ``(N,)``, or ``()`` for a 1-D input and 0-d
        target) and ``loss`` the mean negative log-likelihood.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[4, 7], div_value=2.0)
        >>> out = asm(ag.randn(3, 8), ag.tensor([0, 5, 9]))
        >>> out.output.shape, out.loss.shape
        (autograd_core.Size([3]), autograd_core.Size([]))
        >>> asm.log_prob(ag.randn(2, 8)).exp().sum(1)
        tensor([1.0000, 1.0000], grad_fn=<SumBackward1>)
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        factory = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            self.tail.append(Sequential(
                Linear(in_features, hidden, bias=False, **factory),
                Linear(hidden, self.cutoffs[i + 1] - self.cutoffs[i], bias=False, **factory)))

    def reset_parameters(self) -> None:
        """Re-initialise the head and every cluster's two ``Linear`` layers."""
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        if target_.dim() == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input_.dim() != 2:
                raise RuntimeError("1D target tensor expects 2D input tensors, but found "
                                   f"inputs with size {input_.size()}")
        elif target_.dim() == 0:
            if input_.dim() != 1:
                raise RuntimeError("0D target tensor expects 1D input tensors, but found "
                                   f"inputs with size {input_.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.dim() > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = np.atleast_1d(np.asarray(target_.detach().numpy()))
        if target.dtype.kind not in "iu":
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        if target.size and (target.min() < 0 or target.max() > self.n_classes - 1):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{target.min()}, {target.max()}] were found. ")
        # the head's entry of each target: itself in the shortlist, else its cluster's
        cluster = np.searchsorted(self.cutoffs, target, side="right")  # 0: the shortlist
        head_index = np.where(cluster == 0, target, self.shortlist_size + cluster - 1)
        output = input.new_zeros(target.shape[0])
        for i in range(1, self.n_clusters + 1):
            rows = np.flatnonzero(cluster == i)
            if rows.size == 0:
                continue
            picked = ag.tensor(rows)
            logprob = F.log_softmax(self.tail[i - 1](input.index_select(0, picked)), dim=1)
            relative = ag.tensor(target[rows] - self.cutoffs[i - 1]).unsqueeze(1)
            output = output.index_copy(0, picked, logprob.gather(1, relative).squeeze(1))
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = output + head_logprob.gather(1, ag.tensor(head_index).unsqueeze(1)).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            cluster_logprob = F.log_softmax(projection(input), dim=1)
            parts.append(cluster_logprob +
                         head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return ag.cat(parts, dim=1)

    def log_prob(self, input: Tensor) -> Tensor:
        """Log-probabilities of all ``n_classes`` classes, shape ``(N, n_classes)``, for an
        input of shape ``(N, in_features)``."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most probable class of each row of ``input`` (shape ``(N,)``): as
        ``log_prob(input).argmax(dim=1)``, with the clusters evaluated only for the rows whose
        head prefers a cluster."""
        head_output = self.head(input)
        output = ag.argmax(head_output, dim=1)
        outside = (output >= self.shortlist_size).numpy()
        if not outside.any():
            return output
        if outside.all():
            return ag.argmax(self._get_full_log_prob(input, head_output), dim=1)
        rows = ag.tensor(np.flatnonzero(outside))
        full = self._get_full_log_prob(input.index_select(0, rows),
                                       head_output.index_select(0, rows))
        return output.index_copy(0, rows, ag.argmax(full, dim=1))
