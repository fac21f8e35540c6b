"""``nn.functional``: the layers and losses as functions (``import nn.functional as F``).

Signatures, defaults and numbers are PyTorch's. Differences:

* ``inplace=True`` is accepted and ignored (results are always new tensors; in-place
  activations would break the tape's saved values here).
* Randomness (``dropout``) draws from the project's generator (``ag.manual_seed``), so masks
  differ from PyTorch's for the same seed; the distribution is the same.
* Loss ``weight``/``pos_weight`` arguments are constants (no gradient flows into them).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from nn.ops import (
    BCELossOp, BCEWithLogitsOp, CrossEntropyOp, DropoutOp, LinearOp, MSELossOp, NLLLossOp,
    NormOp,
)
from nn.ops.loss import check_reduction

__all__ = [
    "linear", "identity", "flatten", "relu", "leaky_relu", "sigmoid", "tanh", "gelu",
    "softplus", "softmax", "log_softmax", "dropout", "batch_norm", "layer_norm",
    "group_norm", "mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "one_hot", "pad", "smooth_l1_loss", "huber_loss",
    "embedding",
]


def _t(x):
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def _const(x, dtype=None):
    """A constant argument (weight, target) as an ndarray or None."""
    if x is None:
        return None
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


# ---- linear and shape ---------------------------------------------------------------------
def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` as one graph node (weight shape ``(out, in)``)."""
    return LinearOp.apply(input, weight, bias)


def identity(input):
    return input


def flatten(input, start_dim=0, end_dim=-1):
    return _t(input).flatten(start_dim, end_dim)


# ---- activations --------------------------------------------------------------------------
def relu(input, inplace=False):
    return _t(input).relu()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return ag.leaky_relu(input, negative_slope)


def sigmoid(input):
    return _t(input).sigmoid()


def tanh(input):
    return _t(input).tanh()


def gelu(input, approximate="none"):
    return ag.gelu(input, approximate)


def softplus(input, beta=1.0, threshold=20.0):
    return ag.softplus(input, beta, threshold)


def _get_softmax_dim(name, ndim, stacklevel=3):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    x = _t(input)
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        dim = _get_softmax_dim("softmax", x.ndim, _stacklevel)
    return x.softmax(dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    x = _t(input)
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        dim = _get_softmax_dim("log_softmax", x.ndim, _stacklevel)
    return x.log_softmax(dim)


# ---- dropout ------------------------------------------------------------------------------
def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by
    ``1/(1-p)`` (expected value preserved); identity when not training."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    return DropoutOp.apply(_t(input), p=p)


# ---- normalisation ------------------------------------------------------------------------
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation over the batch (and length) axes of an (N, C) or (N, C, L) input.

    Training: normalise with the batch mean and *biased* variance and, when running buffers
    are given, update them in place with ``r = momentum * batch + (1 - momentum) * r`` using
    the *unbiased* variance. Eval: normalise with the running statistics."""
    x = _t(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected at least 2-D input (N, C, ...), got {x.shape}")
    C = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    param_shape = (C,) + (1,) * (x.ndim - 2)
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t.shape != (C,):
            raise RuntimeError(f"batch_norm: {name} should have shape ({C},), got {t.shape}")
    if training:
        n = math.prod(x.shape[a] for a in axes)
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {x.shape}"
            )
        running = None
        if running_mean is not None and running_var is not None:
            running = (running_mean.data, running_var.data, float(momentum))
        return NormOp.apply(x, weight, bias, stat_shape=x.shape, axes=axes,
                            param_shape=param_shape, eps=eps, running=running)
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are required when not "
                         "training")
    stats = (running_mean.data.astype(x.dtype, copy=False).reshape(param_shape),
             running_var.data.astype(x.dtype, copy=False).reshape(param_shape))
    return NormOp.apply(x, weight, bias, stat_shape=x.shape, axes=axes, param_shape=param_shape,
                        eps=eps, stats=stats)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` axes of each sample (biased
    variance), then scale and shift elementwise."""
    x = _t(input)
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or x.ndim < k or tuple(x.shape[-k:]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size "
            f"{list(x.shape)}"
        )
    axes = tuple(range(x.ndim - k, x.ndim))
    return NormOp.apply(x, weight, bias, stat_shape=x.shape, axes=axes,
                        param_shape=normalized_shape, eps=eps, kind="layer")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the C channels of an (N, C, *) input into ``num_groups`` groups and normalise
    each (sample, group) slice; per-channel scale and shift."""
    x = _t(input)
    if x.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2-D input (N, C, *), got {x.shape}")
    N, C = x.shape[:2]
    if C % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(x.shape)} and num_groups={num_groups}"
        )
    per_group = (C // num_groups) * math.prod(x.shape[2:])
    return NormOp.apply(x, weight, bias, stat_shape=(N, num_groups, per_group), axes=(2,),
                        param_shape=(C,) + (1,) * (x.ndim - 2), eps=eps, kind="group")


# ---- losses -------------------------------------------------------------------------------
def _legacy_reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='mean'|'sum'|'none' instead.", stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _reduce(t, reduction):
    if reduction == "none":
        return t
    return t.sum() if reduction == "sum" else t.mean()


def _shape_warning(name, x, y):
    if tuple(np.shape(x)) != tuple(np.shape(y)):
        warnings.warn(
            f"Using a target size ({tuple(np.shape(y))}) that is different to the input size "
            f"({tuple(np.shape(x))}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        return True
    return False


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean squared error ``(input - target)^2`` reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    dt = np.result_type(np.asarray(getattr(input, "data", input)),
                        np.asarray(getattr(target, "data", target)))
    if dt.kind not in "fc":  # PyTorch has no integer mse kernel (and a mean of ints is lossy)
        raise RuntimeError(f'"mse_cpu" not implemented for \'{dt.name}\': mse_loss needs '
                           "floating point input and target (convert with .float())")
    if _shape_warning("mse_loss", input, target):
        d = _t(input) - target
        return _reduce(d * d, reduction)
    return MSELossOp.apply(input, target, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean absolute error ``|input - target|`` reduced (gradient sign(x - y), 0 at 0)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _shape_warning("l1_loss", input, target)
    return _reduce((_t(input) - target).abs(), reduction)


def _class_layout(x, target, name):
    """(x as (M, C), targets as (M,), output shape for reduction='none')."""
    t = _const(target)
    if x.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError(f"{name}: for an unbatched (C,) input the target must be a "
                               f"scalar class index, got shape {t.shape}")
        return x.reshape(1, x.shape[0]), t.reshape(1), ()
    if x.ndim == 0:
        raise RuntimeError(f"{name}: input must have at least 1 dimension")
    N, C = x.shape[:2]
    expected = (N,) + tuple(x.shape[2:])
    if t.shape != expected:
        raise RuntimeError(
            f"{name}: expected target of shape {expected} for input of shape {x.shape}, got "
            f"{t.shape}"
        )
    if x.ndim == 2:
        return x, t, (N,)
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    return x.permute(perm).reshape(-1, C), t.reshape(-1), expected


def _check_weight(weight, C, dtype):
    w = _const(weight, dtype)
    if w is not None and w.shape != (C,):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no "
                           f"classes but got weight tensor of shape: {list(w.shape)}")
    return w


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross-entropy between the softmax of logits ``input`` (N, C) / (N, C, d...) / (C,) and
    class-index targets (one fused node: log-softmax via logsumexp forward, ``(softmax -
    target) * g / N`` backward) or class-probability targets (same shape as ``input``).

    With class indices, per sample (w = class weights, eps = label_smoothing)::

        loss_i = (1 - eps) * w[y_i] * (-logp[i, y_i]) + eps / C * sum_c w[c] * (-logp[i, c])

    ``'mean'`` divides by ``sum_i w[y_i]`` over non-ignored samples (PyTorch, also for the
    smoothing term). With probabilities ``q`` (smoothed as ``q (1 - eps) + eps / C``)::

        loss_i = -sum_c w[c] q[i, c] logp[i, c],   'mean' divides by N (not by the weights).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x = _t(input)
    if x.dtype.kind != "f":
        raise RuntimeError(f"cross_entropy: expected floating point logits, got {x.dtype}")
    class_dim = 0 if x.ndim == 1 else 1
    C = x.shape[class_dim]
    w = _check_weight(weight, C, x.dtype)
    tgt = _const(target)
    if tgt.dtype.kind == "f":
        return _cross_entropy_probs(x, target, w, reduction, label_smoothing, class_dim)
    x2, t2, out_shape = _class_layout(x, target, "cross_entropy")
    out = CrossEntropyOp.apply(x2, t2, w, ignore_index=ignore_index, reduction=reduction,
                               label_smoothing=float(label_smoothing))
    if reduction == "none" and out.shape != out_shape:
        out = out.reshape(out_shape)
    return out


def _cross_entropy_probs(x, target, w, reduction, eps, class_dim):
    if tuple(np.shape(target.data if isinstance(target, Tensor) else target)) != x.shape:
        raise RuntimeError(
            f"cross_entropy: class-probability targets must have the input's shape {x.shape}"
        )
    C = x.shape[class_dim]
    logp = x.log_softmax(class_dim)
    q = target if isinstance(target, Tensor) else np.asarray(target, dtype=x.dtype)
    if eps > 0:
        q = q * (1.0 - eps) + eps / C
    prod = logp * q
    if w is not None:
        shape = [1] * x.ndim
        shape[class_dim] = C
        prod = prod * w.reshape(shape)
    if reduction == "none":
        return -prod.sum(class_dim)
    total = -prod.sum()
    if reduction == "sum":
        return total
    return total / (x.numel() // C) if x.numel() else total * float("nan")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` at class indices ``target``:
    ``-w[y_i] * input[i, y_i]``; ``'mean'`` divides by ``sum_i w[y_i]`` (non-ignored)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    x = _t(input)
    C = x.shape[0 if x.ndim == 1 else 1]
    w = _check_weight(weight, C, x.dtype)
    x2, t2, out_shape = _class_layout(x, target, "nll_loss")
    out = NLLLossOp.apply(x2, t2, w, ignore_index=ignore_index, reduction=reduction)
    if reduction == "none" and out.shape != out_shape:
        out = out.reshape(out_shape)
    return out


def _same_size(name, x, y):
    xs = tuple(np.shape(x.data if isinstance(x, Tensor) else x))
    ys = tuple(np.shape(y.data if isinstance(y, Tensor) else y))
    if xs != ys:
        raise ValueError(
            f"Using a target size ({ys}) that is different to the input size ({xs}) is "
            f"deprecated. Please ensure they have the same size."
            if name == "binary_cross_entropy"
            else f"Target size ({ys}) must be the same as input size ({xs})"
        )


def _target(target, dtype):
    if isinstance(target, Tensor):
        return target if target.dtype == dtype else target.to(dtype)
    return np.asarray(target, dtype=dtype)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-w (y log x + (1 - y) log(1 - x))`` on probabilities ``x``, logs clamped to
    >= -100 as PyTorch does (so x = 0 or 1 gives a finite loss)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _same_size("binary_cross_entropy", input, target)
    x = _t(input)
    w = _const(weight, x.dtype)
    if w is not None:
        w = np.broadcast_to(w, x.shape)
    return BCELossOp.apply(x, _target(target, x.dtype), w, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable node:
    ``(1 - y) x + (1 + (pos_weight - 1) y) * softplus(-x)``, times ``weight``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _same_size("binary_cross_entropy_with_logits", input, target)
    x = _t(input)
    w = _const(weight, x.dtype)
    pw = _const(pos_weight, x.dtype)
    return BCEWithLogitsOp.apply(x, _target(target, x.dtype), w, pw, reduction=reduction)


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding with a new trailing axis of ``num_classes`` (max + 1 if -1)."""
    idx = _const(tensor)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of integer dtype")
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    elif idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.int64), 1, axis=-1)
    return Tensor(out)


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims of ``input``: ``pad = (left, right, top, bottom,
    ...)``, last dim first; negative entries crop. Only ``mode="constant"`` is available."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode={mode!r} is not supported here (only 'constant')")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > _t(input).ndim:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {_t(input).ndim}")
    return ag.constant_pad_nd(input, pad, 0 if value is None else value)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 d^2 / beta`` where ``|d| < beta``, ``|d| - 0.5 beta`` elsewhere (``d = input -
    target``), reduced; ``beta=0`` is the L1 loss."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _shape_warning("smooth_l1_loss", input, target)
    d = _t(input) - target
    a = d.abs()
    if beta == 0:
        return _reduce(a, reduction)
    return _reduce(ag.where(a.data < beta, d * d * (0.5 / beta), a - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 d^2`` where ``|d| < delta``, ``delta (|d| - 0.5 delta)`` elsewhere (``d = input -
    target``), times ``weight`` (broadcast; a constant) when given, then reduced (``mean``
    divides by the number of elements)."""
    check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _shape_warning("huber_loss", input, target)
    d = _t(input) - target
    a = d.abs()
    loss = ag.where(a.data < delta, d * d * 0.5, (a - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * Tensor(_const(weight, loss.dtype))
    return _reduce(loss, reduction)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at the integer ``input`` (shape ``input.shape + (dim,)``); the row at
    ``padding_idx`` gets no gradient. ``max_norm``, ``scale_grad_by_freq`` and ``sparse=True``
    are not available here (NotImplementedError)."""
    if max_norm is not None:
        raise NotImplementedError("embedding: max_norm (renormalising rows in place) is not "
                                  "supported here")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are not "
                                  "supported here")
    idx = _const(input)
    if idx.dtype not in (np.int32, np.int64):
        kind = {"f": "Float", "b": "Bool", "c": "Complex"}.get(idx.dtype.kind, str(idx.dtype))
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {kind}Tensor instead (while checking arguments for "
            "embedding)")
    w = _t(weight)
    n = w.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    flat = idx.reshape(-1).astype(np.int64)
    rows = w[flat]
    if padding_idx is not None:
        p = padding_idx + n if padding_idx < 0 else padding_idx
        rows = ag.where((flat == p)[:, None], w.detach()[flat], rows)
    return rows.reshape(idx.shape + (w.shape[1],))


def _activations_from_the_op_table():
    """Every kernel-backed op of ``autograd_core`` (``@op(..., kernels=...)``) is an activation
    PyTorch keeps in ``torch.nn.functional``: those not written out above come from the table,
    so a new activation needs no line here."""
    from autograd_core.ops.registry import DECLS

    for decl in DECLS.values():
        if decl.kernels and decl.function and decl.name not in globals():
            globals()[decl.name] = decl.fn
            __all__.append(decl.name)


_activations_from_the_op_table()
