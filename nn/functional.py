"""``nn.functional``: the layers and losses as functions (``import nn.functional as F``).

Signatures, defaults and numbers are PyTorch's. Differences:

* An activation's ``inplace=True`` writes the result into its input, as the in-place forms
  (``relu_``, ``elu_``, ``leaky_relu_``, ``hardtanh_``, ``selu_``, ``celu_``, ``threshold_``)
  do, with PyTorch's in-place autograd rules (the dropouts' too).
* Randomness (``dropout*``, ``alpha_dropout``, ``gumbel_softmax``) draws from the project's
  generator (``ag.manual_seed``) with PyTorch's algorithms: the same masks for a seed.
* Loss ``weight``/``pos_weight`` arguments are constants (no gradient flows into them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
import warnings
from typing import Any, Literal, overload

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.creation import write_out
from autograd_core.kernels.sumsq import row_norms
from autograd_core.node import apply_nondifferentiable
from nn.ops import (
    AlphaDropoutOp, GumbelNoiseOp, BCELossOp, BCEWithLogitsOp, CrossEntropyOp, DropoutOp, EmbeddingOp,
    HuberLossOp, LinearOp, MSELossOp, NLLLossOp, NormOp, OneHot, SmoothL1LossOp, SoftMarginLossOp,
)
from nn.ops.embedding import check_classes
from nn.ops.grid_sample import affine_grid, grid_sample
from nn.layers.classic import (
    channel_shuffle, local_response_norm, lp_pool1d, lp_pool2d, lp_pool3d, max_unpool1d,
    max_unpool2d, max_unpool3d, rrelu,
)
from nn.ops.loss import (
    _REDUCTIONS, ClampedInValue, CTCLossOp, check_reduction, get_reduction, refuse_reduction,
)
from autograd_core.ops import _xp
from autograd_core.ops.inplace import check_exponential_dtype
from autograd_core.tensor import CPP_NAMES, SCALAR_NAMES
from autograd_core.ops import activation as _activation
from autograd_core.ops import arrange as _arrange
from autograd_core.ops import conv as _conv
from autograd_core.ops.conv import _Size
from autograd_core.ops.binary import _broadcast_error, _promote_types
from autograd_core.ops.shape import _check_expand
from autograd_core.ops._args import no_complex as _no_complex, not_implemented, torch_name
from autograd_core.ops.binary import result_type as _result_type
from autograd_core.ops.registry import in_float32_composite, not_a_tensor

__all__ = [
    "margin_ranking_loss", "triplet_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
    "ctc_loss",
    "linear", "identity", "flatten", "relu", "leaky_relu", "sigmoid", "tanh", "gelu",
    "softplus", "softmax", "log_softmax", "dropout", "batch_norm", "instance_norm",
    "layer_norm",
    "group_norm", "mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "one_hot", "pad", "smooth_l1_loss", "huber_loss",
    "embedding", "embedding_bag", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "unfold", "fold", "dropout1d", "dropout2d",
    "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "max_pool3d", "max_pool3d_with_indices",
    "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices",
    "fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices", "pixel_shuffle",
    "pixel_unshuffle", "bilinear",
    "elu", "selu", "celu", "prelu", "mish", "hardtanh", "relu6", "hardsigmoid", "hardswish",
    "logsigmoid", "softsign", "tanhshrink", "cosine_similarity", "pairwise_distance", "kl_div",
    "interpolate",
    "affine_grid",
    "grid_sample",
    "channel_shuffle",
    "local_response_norm",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "rrelu",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]


def _t(x: object) -> Tensor:
    return x if isinstance(x, Tensor) else _xp.constant(x)  # Python values: a constant


def _const(x, dtype=None):
    """A constant argument (weight, target) as an ndarray or None."""
    if x is None:
        return None
    arr = x._data if isinstance(x, Tensor) else np.asarray(x)
    if dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


# ---- linear and shape ---------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    r"""Applies an affine map :math:`y = x W^T + b` as one graph node.

    Args:
        input (Tensor): input of shape ``(*, in_features)``.
        weight (Tensor): weight of shape ``(out_features, in_features)``.
        bias (Tensor, optional): bias of shape ``(out_features,)``. Default: ``None``.

    Shape:
        - Input: ``(*, in_features)``; Output: ``(*, out_features)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.linear(ag.ones(2, 3), ag.ones(4, 3), ag.zeros(4))
        tensor([[3., 3., 3., 3.],
                [3., 3., 3., 3.]])
    """
    try:
        if bias is not None:
            _check_linear_bias(input, weight, bias)
            if input.ndim == 1 and bias.ndim > 1:  # PyTorch adds it into the (out,) result
                bias = bias.reshape(bias.shape[-1])
        if (bias is not None and bias.ndim > 1 and input.ndim > 1
                and bias.dtype == weight.dtype == input.dtype):
            # a bias of several dimensions broadcasts against the output, as PyTorch's (the
            # node adds a bias of one row; the sum's node reduces the gradient to its shape)
            return LinearOp.apply(input, weight, None) + bias
        return LinearOp.apply(input, weight, bias)
    except AttributeError:  # a list for input (model([[1.0, 2.0]])): PyTorch's TypeError
        not_a_tensor("linear", linear, (input, weight, bias), {})
        raise


def _check_linear_bias(input, weight, bias):
    """PyTorch's errors for a bias that does not fit ``linear``'s output (before: numpy's
    ValueError, or for a 2-d input and a 3-d bias a broadcast result). PyTorch's ``addmm``
    expands a 1-d bias (or any for a 2-d input) to ``(rows, out)``; a 1-d input's result takes
    the bias in place."""
    if weight.ndim != 2 or bias.ndim == 1 and bias.shape[0] in (weight.shape[0], 1):
        return  # (the usual bias: nothing to check)
    out_f = weight.shape[0]
    if bias.ndim == 1 or input.ndim == 2:
        _check_expand(bias, [math.prod(input.shape[:-1]), out_f], 2 - bias.ndim)
    if input.ndim == 1 and bias.ndim > 1 and tuple(bias.shape) != (1, out_f):
        if bias.shape[-1] not in (1, out_f):
            raise RuntimeError(f"The size of tensor a ({out_f}) must match the size of tensor b "
                               f"({bias.shape[-1]}) at non-singleton dimension {bias.ndim - 1}")
        shape = list(np.broadcast_shapes((out_f,), bias.shape))
        raise RuntimeError(f"output with shape [{out_f}] doesn't match the broadcast shape {shape}")


def identity(input: Tensor) -> Tensor:
    """Returns ``input`` unchanged (the function behind :class:`nn.Identity`).

    Args:
        input (Tensor): any tensor.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.ones(2)
        >>> F.identity(x) is x
        True
    """
    return input


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Flattens dims ``start_dim`` to ``end_dim`` (inclusive) into one (as ``torch.flatten``).

    Args:
        input (Tensor): the input.
        start_dim (int): first dim to flatten. Default: ``0``.
        end_dim (int): last dim to flatten. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.flatten(ag.zeros(2, 3, 4), 1).shape
        autograd_core.Size([2, 12])
    """
    return _t(input).flatten(start_dim, end_dim)


# ---- activations --------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Applies the rectified linear unit :math:`\max(0, x)` elementwise.

    Args:
        input (Tensor): the input.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.relu(ag.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: relu(input), "relu_")
    return _t(input).relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""Applies :math:`\max(0, x) + \text{negative\_slope} \cdot \min(0, x)` elementwise.

    Args:
        input (Tensor): the input.
        negative_slope (float): slope for negative inputs. Default: ``0.01``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.leaky_relu(ag.tensor([-2.0, 3.0]), 0.5)
        tensor([-1.,  3.])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: leaky_relu(input, negative_slope), "leaky_relu_")
    return ag.leaky_relu(input, negative_slope)


def sigmoid(input: Tensor) -> Tensor:
    r"""Applies the logistic function :math:`1 / (1 + e^{-x})` elementwise.

    Args:
        input (Tensor): the input.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.sigmoid(ag.tensor([0.0, 2.0]))
        tensor([0.5000, 0.8808])
    """
    return _t(input).sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Applies the hyperbolic tangent elementwise.

    Args:
        input (Tensor): the input.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.tanh(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7616])
    """
    return _t(input).tanh()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r"""Applies the Gaussian error linear unit :math:`x \Phi(x)` elementwise.

    With ``approximate="tanh"``:
    :math:`0.5 x (1 + \tanh(\sqrt{2/\pi} (x + 0.044715 x^3)))`.

    Args:
        input (Tensor): the input.
        approximate (str): ``'none'`` (exact, with erf) or ``'tanh'``. Default: ``'none'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.gelu(ag.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.1587,  0.0000,  0.8413])
    """
    return ag.gelu(input, approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r"""Applies :math:`\frac{1}{\beta} \log(1 + e^{\beta x})` elementwise.

    Where :math:`\beta x > \text{threshold}` the input is returned as is (linear), as in
    PyTorch.

    Args:
        input (Tensor): the input.
        beta (float): the :math:`\beta` above. Default: ``1.0``.
        threshold (float): above this ``beta * x`` the function is the identity. Default: ``20.0``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.softplus(ag.tensor([0.0, 30.0]))
        tensor([ 0.6931, 30.0000])
    """
    return ag.softplus(input, beta, threshold)


def _get_softmax_dim(name, ndim, stacklevel=3):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    r"""Applies :math:`\exp(x_i) / \sum_j \exp(x_j)` along ``dim``.

    Args:
        input (Tensor): the input.
        dim (int): the dim the result sums to 1 along. ``None`` picks one as PyTorch's
            deprecated implicit choice does (with its warning). Default: ``None``.
        dtype (dtype, optional): cast the input to this dtype first. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.softmax(ag.tensor([[0.0, 0.0], [0.0, 1.0]]), dim=1)
        tensor([[0.5000, 0.5000],
                [0.2689, 0.7311]])
    """
    x = _t(input)
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        dim = _get_softmax_dim("softmax", x.ndim, _stacklevel)
    return x.softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    r"""Applies :math:`x_i - \log \sum_j \exp(x_j)` along ``dim`` (stable, via logsumexp).

    Args:
        input (Tensor): the input.
        dim (int): the dim to normalise along (``None``: PyTorch's deprecated implicit
            choice, with its warning). Default: ``None``.
        dtype (dtype, optional): cast the input to this dtype first. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.log_softmax(ag.tensor([0.0, 0.0]), dim=0)
        tensor([-0.6931, -0.6931])
    """
    x = _t(input)
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        dim = _get_softmax_dim("log_softmax", x.ndim, _stacklevel)
    return x.log_softmax(dim)


# ---- dropout ------------------------------------------------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: zeroes each element with probability ``p`` and scales the rest by
    ``1 / (1 - p)`` so the expected value is kept; the identity when not training.

    The mask is drawn from the project's generator (``ag.manual_seed``), so masks differ
    from PyTorch's for the same seed; the distribution is the same.

    Args:
        input (Tensor): the input.
        p (float): probability of zeroing an element. Default: ``0.5``.
        training (bool): apply dropout if ``True``. Default: ``True``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> _ = ag.manual_seed(0)
        >>> y = F.dropout(ag.ones(1000), p=0.5)
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
        >>> F.dropout(ag.ones(3), p=0.5, training=False)
        tensor([1., 1., 1.])
    """
    if inplace and training and 0.0 < p <= 1.0:  # PyTorch writes into input (identity: input)
        return _in_place(input, lambda: dropout(input, p, training), "dropout_")
    _check_dropout_p(p)
    if not training or p == 0.0:
        return input
    return DropoutOp.apply(_t(input), p=p)


def _check_dropout_p(p: float) -> None:
    """PyTorch's range check of a functional dropout's ``p``: ValueError outside [0, 1], and a
    RuntimeError (its kernel's) for NaN, which passes the Python check (NaN p gave NaNs here)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p != p:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_dropout(x, p, training):
    """Channel-wise dropout: one draw per (sample, channel), broadcast over the rest."""
    _check_dropout_p(p)
    if not training or p == 0.0:
        return x
    x = _t(x)
    return DropoutOp.apply(x, p, x.shape[:2] + (1,) * (x.ndim - 2))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` / ``(C, L)`` with probability ``p`` (the kept ones
    scaled by ``1/(1-p)``); the identity when not training. Masks come from the project's
    generator (``ag.manual_seed``).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.dropout1d(ag.ones(2, 3, 4), p=0.5, training=False).shape
        autograd_core.Size([2, 3, 4])
    """
    if inplace and training and 0.0 < p <= 1.0:  # PyTorch writes into input (identity: input)
        return _in_place(input, lambda: dropout1d(input, p, training), "dropout1d_")
    x = _t(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
            "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if x.ndim == 2:
        return _feature_dropout(x.unsqueeze(0), p, training).squeeze(0)
    return _feature_dropout(x, p, training)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels (``input[n, c]``) of ``(N, C, H, W)`` with probability ``p``, the
    kept ones scaled by ``1/(1-p)``; the identity when not training. A 3-D input is taken as
    ``(N, C, L)`` with PyTorch's warning. Masks come from the project's generator.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> _ = ag.manual_seed(0)
        >>> y = F.dropout2d(ag.ones(1, 4, 2, 2), p=0.5)
        >>> sorted(set(y.numpy().ravel().tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """
    if inplace and training and 0.0 < p <= 1.0:  # PyTorch writes into input (identity: input)
        return _in_place(input, lambda: dropout2d(input, p, training), "dropout2d_")
    x = _t(input)
    if x.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if x.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    if x.ndim < 2:
        return dropout(x, p, training)
    return _feature_dropout(x, p, training)


# ---- normalisation ------------------------------------------------------------------------
def _norm_args(name, x, C, **tensors):
    if x.ndim < 2:
        raise ValueError(f"{name}: expected at least 2-D input (N, C, ...), got {x.shape}")
    for arg, t in tensors.items():
        shape = None if t is None else getattr(t, "_data", t).shape
        if shape is None or shape == (C,):
            continue
        if name == "instance_norm" and len(shape) > 1:  # PyTorch's repeats each per sample
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                               "number of dimensions of tensor")
        if math.prod(shape) != C:  # PyTorch's check (of the count), its wording
            raise RuntimeError(f"{arg} should contain {C} elements not {math.prod(shape)}")
        if arg.startswith("running"):  # PyTorch's then reads them as vectors, its wording
            raise RuntimeError(f"TensorAccessor expected 1 dims but tensor has {len(shape)}")
        if name == "batch_norm":  # any shape of C elements (NormOp's backward: PyTorch's)
            continue
        raise RuntimeError(f"{arg} of shape {tuple(shape)}: {name} takes a vector of {C} "
                           "elements here (PyTorch reads any shape of that many)")


def _param_dtypes(x, *params):
    """PyTorch's CPU rule for a norm's parameters' dtypes: when the first given one has the
    input's dtype, every other must too ("expected scalar type Float but found Double");
    otherwise (mixed) every one must be float32 and the input float16 (float16 activations
    with float32 parameters). Before it, a float64 weight on a float32 input was used as it
    is (PyTorch refuses)."""
    given = [p._data.dtype for p in params if p is not None]
    dt = x._data.dtype
    if not given or given[0] == dt:
        for pdt in given:
            if pdt != dt:
                raise RuntimeError(f"expected scalar type {torch_name(dt)} but found "
                                   f"{torch_name(pdt)}")
        return
    if any(pdt != np.float32 for pdt in given):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if dt != np.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _in_float32(x, weight, bias):
    """PyTorch's layer and group norms normalise float16 in float32 (its opmath type) and round
    the result to float16: the input and the parameters upcast (differentiably), and the dtype
    to cast the result back to (None when nothing is upcast)."""
    if x._data.dtype != np.float16:
        return x, weight, bias, None
    up = [None if t is None else _t(t).to(ag.float32) for t in (x, weight, bias)]
    return up[0], up[1], up[2], x.dtype


def _back(y, dtype):
    return y if dtype is None else y.to(dtype)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    r"""Batch normalisation of an (N, C, *) input: statistics per channel over every other axis.

    :math:`y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \gamma + \beta`.
    Training: normalise with the batch mean and *biased* variance and, when running buffers
    are given, update them in place with ``r = momentum * batch + (1 - momentum) * r`` using
    the *unbiased* variance. Eval: normalise with the running statistics.

    Args:
        input (Tensor): input of shape ``(N, C, *)``.
        running_mean (Tensor, optional): running mean ``(C,)``, updated in place in training.
        running_var (Tensor, optional): running variance ``(C,)``, updated in place in training.
        weight (Tensor, optional): scale :math:`\gamma` ``(C,)``. Default: ``None``.
        bias (Tensor, optional): shift :math:`\beta` ``(C,)``. Default: ``None``.
        training (bool): use batch statistics. Default: ``False``.
        momentum (float): running-statistics update factor. Default: ``0.1``.
        eps (float): added to the variance. Default: ``1e-5``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([[1.0], [3.0]])
        >>> mean, var = ag.zeros(1), ag.ones(1)
        >>> F.batch_norm(x, mean, var, training=True)
        tensor([[-1.0000],
                [ 1.0000]])
        >>> mean, var
        (tensor([0.2000]), tensor([1.1000]))
    """
    x = _t(input)
    shape = x._data.shape  # numpy's tuple (a Size's items and slices cost more)
    _norm_args("batch_norm", x, shape[1] if len(shape) > 1 else 0, weight=weight, bias=bias,
               running_mean=running_mean, running_var=running_var)
    _param_dtypes(x, weight, bias, running_mean, running_var)
    C = shape[1]
    axes = (0,) + tuple(range(2, len(shape)))
    param_shape = (C,) + (1,) * (len(shape) - 2)
    if training:
        n = math.prod(shape[:1] + shape[2:])
        if n == 1:  # PyTorch's check: an empty batch passes
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {x.shape!r}")  # (a Size, printed as PyTorch's)
        if n:
            running = None
            if running_mean is not None and running_var is not None:
                running = (running_mean._data, running_var._data, float(momentum))
            return NormOp.apply(x, weight, bias, stat_shape=shape, axes=axes,
                                param_shape=param_shape, eps=eps, running=running)
        # an empty batch: no statistics (PyTorch leaves the running ones as they are, and
        # weight and bias get zero gradients)
        stats = (np.zeros(param_shape, x.dtype), np.ones(param_shape, x.dtype))
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    else:
        stats = (running_mean._data.astype(x.dtype, copy=False).reshape(param_shape),
                 running_var._data.astype(x.dtype, copy=False).reshape(param_shape))
    return NormOp.apply(x, weight, bias, stat_shape=shape, axes=axes, param_shape=param_shape,
                        eps=eps, stats=stats)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Instance normalisation of an (N, C, *) input: each (sample, channel) slice over its
    spatial axes (biased variance), then a per-channel scale and shift.

    ``use_input_stats=True`` normalises with each slice's own statistics and, when running
    buffers are given, moves them towards the batch mean of the per-slice mean and *unbiased*
    variance; ``False`` normalises with the running buffers instead.

    Example::

        >>> import numpy as np, autograd_core as ag, nn.functional as F
        >>> y = F.instance_norm(ag.tensor([[[0.0, 2.0], [1.0, 1.5]]]))
        >>> np.round(y.tolist(), 4).tolist()
        [[[-1.0, 1.0], [-0.9999, 0.9999]]]
    """
    x = _t(input)
    C = x.shape[1] if x.ndim > 1 else 0
    _norm_args("instance_norm", x, C, weight=weight, bias=bias, running_mean=running_mean,
               running_var=running_var)
    _param_dtypes(x, weight, bias)  # (PyTorch's takes running statistics of any dtype)
    N = x.shape[0]
    S = math.prod(x.shape[2:])
    stat_shape, param_shape = (N, C, S), (C,) + (1,) * (x.ndim - 2)
    if use_input_stats:
        if S == 1:
            raise ValueError("Expected more than 1 spatial element when training, got input "
                             f"size {x.shape}")
        running = None
        if running_mean is not None and running_var is not None:
            running = (running_mean._data, running_var._data, float(momentum))
        return NormOp.apply(x, weight, bias, stat_shape=stat_shape, axes=(2,),
                            param_shape=param_shape, eps=eps, running=running, kind="instance")
    if running_mean is None or running_var is None:
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    stats = (running_mean._data.astype(x.dtype, copy=False).reshape(1, C, 1),
             running_var._data.astype(x.dtype, copy=False).reshape(1, C, 1))
    return NormOp.apply(x, weight, bias, stat_shape=stat_shape, axes=(2,),
                        param_shape=param_shape, eps=eps, stats=stats, kind="instance")


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalises over the trailing ``normalized_shape`` axes of each sample (biased
    variance), then scales and shifts elementwise.

    Args:
        input (Tensor): input of shape ``(*, *normalized_shape)``.
        normalized_shape (int or sequence of int): the trailing shape to normalise over.
        weight (Tensor, optional): elementwise scale of shape ``normalized_shape``.
        bias (Tensor, optional): elementwise shift of shape ``normalized_shape``.
        eps (float): added to the variance. Default: ``1e-5``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.layer_norm(ag.tensor([[1.0, 3.0], [0.0, 10.0]]), 2)
        tensor([[-1.0000,  1.0000],
                [-1.0000,  1.0000]])
    """
    x = _t(input)
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    else:
        normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    shape = x._data.shape  # numpy's tuple: a Size's slices are Sizes built in Python
    if k == 0 or len(shape) < k or shape[-k:] != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size "
            f"{list(x.shape)}"
        )
    for pname, prm in (("weight", weight), ("bias", bias)):
        if prm is not None and tuple(prm.shape) != normalized_shape:  # PyTorch's wording
            raise RuntimeError(f"Expected {pname} to be of same shape as normalized_shape, but "
                               f"got {pname} of shape {list(prm.shape)} and normalized_shape = "
                               f"{list(normalized_shape)}")
    axes = tuple(range(len(shape) - k, len(shape)))
    _param_dtypes(x, weight, bias)
    x, weight, bias, half = _in_float32(x, weight, bias)
    return _back(NormOp.apply(x, weight, bias, stat_shape=shape, axes=axes,
                              param_shape=normalized_shape, eps=eps, kind="layer"), half)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Splits the C channels of an ``(N, C, *)`` input into ``num_groups`` groups and
    normalises each (sample, group) slice (biased variance); per-channel scale and shift.

    Args:
        input (Tensor): input of shape ``(N, C, *)``.
        num_groups (int): number of groups; must divide ``C``.
        weight (Tensor, optional): per-channel scale ``(C,)``. Default: ``None``.
        bias (Tensor, optional): per-channel shift ``(C,)``. Default: ``None``.
        eps (float): added to the variance. Default: ``1e-5``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.group_norm(ag.tensor([[1.0, 3.0, 5.0, 5.0]]), 2)
        tensor([[-1.0000,  1.0000,  0.0000,  0.0000]])
    """
    x = _t(input)
    if x.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2-D input (N, C, *), got {x.shape}")
    N, C = x.shape[:2]
    if C % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(x.shape)} and num_groups={num_groups}"
        )
    if N * C // num_groups * math.prod(x.shape[2:]) == 1:  # PyTorch's check, its wording
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         f"{[N * C // num_groups, num_groups, *x.shape[2:]]}")
    for pname, prm in (("weight", weight), ("bias", bias)):
        if prm is not None and tuple(prm.shape) != (C,):  # PyTorch's check, its wording
            raise RuntimeError(f"Expected {pname} to be a vector of size equal to the number of "
                               f"channels in input, but got {pname} of shape {list(prm.shape)} "
                               f"and input of shape {list(x.shape)}")
    per_group = (C // num_groups) * math.prod(x.shape[2:])
    _param_dtypes(x, weight, bias)
    x, weight, bias, half = _in_float32(x, weight, bias)
    return _back(NormOp.apply(x, weight, bias, stat_shape=(N, num_groups, per_group), axes=(2,),
                              param_shape=(C,) + (1,) * (x.ndim - 2), eps=eps, kind="group"),
                 half)


# ---- convolution and pooling --------------------------------------------------------------
conv1d = _conv.conv1d
conv2d = _conv.conv2d
conv3d = _conv.conv3d
conv_transpose1d = _conv.conv_transpose1d
conv_transpose2d = _conv.conv_transpose2d
conv_transpose3d = _conv.conv_transpose3d
avg_pool1d = _conv.avg_pool1d
avg_pool2d = _conv.avg_pool2d
avg_pool3d = _conv.avg_pool3d
adaptive_avg_pool1d = _conv.adaptive_avg_pool1d
adaptive_avg_pool2d = _conv.adaptive_avg_pool2d
adaptive_avg_pool3d = _conv.adaptive_avg_pool3d
unfold = _conv.unfold
fold = _conv.fold
pixel_shuffle = ag.pixel_shuffle  # (PyTorch's are torch's: ag's name a non-Tensor argument)
pixel_unshuffle = ag.pixel_unshuffle
bilinear = ag.bilinear


# What type checkers see of max_pool1d/2d: a Tensor, or (maxima, indices) when
# return_indices=True is written out (PyTorch dispatches on that flag too).
@overload
def max_pool1d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ...,
               return_indices: Literal[False] = ...) -> Tensor: ...
@overload
def max_pool1d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ..., *,
               return_indices: Literal[True]) -> tuple[Tensor, Tensor]: ...
@overload
def max_pool1d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ...,
               return_indices: bool = ...) -> Tensor | tuple[Tensor, Tensor]: ...
def max_pool1d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each window over the last dim of ``(N, C, L)`` / ``(C, L)``; with
    ``return_indices`` also the position (in L) each maximum came from (see ``max_pool2d``).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.max_pool1d(ag.tensor([[1., 3., 2., 5.]]), 2, return_indices=True)
        (tensor([[3., 5.]]), tensor([[1, 3]]))
    """
    return _conv._max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation,
                           ceil_mode, return_indices)


@overload
def max_pool2d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ...,
               return_indices: Literal[False] = ...) -> Tensor: ...
@overload
def max_pool2d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ..., *,
               return_indices: Literal[True]) -> tuple[Tensor, Tensor]: ...
@overload
def max_pool2d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ...,
               return_indices: bool = ...) -> Tensor | tuple[Tensor, Tensor]: ...
def max_pool2d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each ``kernel_size`` window of ``(N, C, H, W)`` / ``(C, H, W)`` (PyTorch's
    ``max_pool2d``: -inf padding of at most half the kernel, ``stride`` defaulting to
    ``kernel_size``, ties to the first maximum); with ``return_indices`` also each maximum's
    flat position in its ``H * W`` plane (int64), as ``max_unpool2d`` takes them.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> out, idx = F.max_pool2d(ag.arange(16.).reshape(1, 1, 4, 4), 2, return_indices=True)
        >>> idx
        tensor([[[[ 5,  7],
                  [13, 15]]]])
    """
    return _conv._max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                           ceil_mode, return_indices)


def max_pool1d_with_indices(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
                            padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``max_pool1d(..., return_indices=True)``: the maxima and their positions.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.max_pool1d_with_indices(ag.tensor([[1., 3., 2., 5.]]), 2)[1]
        tensor([[1, 3]])
    """
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode,
                      return_indices=True)


def max_pool2d_with_indices(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
                            padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``max_pool2d(..., return_indices=True)``: the maxima and their flat positions.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.max_pool2d_with_indices(ag.arange(4.).reshape(1, 1, 2, 2), 2)[1]
        tensor([[[[3]]]])
    """
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode,
                      return_indices=True)


@overload
def max_pool3d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ...,
               return_indices: Literal[False] = ...) -> Tensor: ...
@overload
def max_pool3d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ..., *,
               return_indices: Literal[True]) -> tuple[Tensor, Tensor]: ...
@overload
def max_pool3d(input: Tensor, kernel_size: _Size, stride: _Size | None = ...,
               padding: _Size = ..., dilation: _Size = ..., ceil_mode: bool = ...,
               return_indices: bool = ...) -> Tensor | tuple[Tensor, Tensor]: ...
def max_pool3d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each ``kernel_size`` window of ``(N, C, D, H, W)`` / ``(C, D, H, W)``, as
    ``max_pool2d`` in three dims; ``return_indices`` also gives each maximum's flat position in
    its ``D * H * W`` volume.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.max_pool3d(ag.arange(8.).reshape(1, 1, 2, 2, 2), 2, return_indices=True)
        (tensor([[[[[7.]]]]]), tensor([[[[[7]]]]]))
    """
    return _conv._max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation,
                           ceil_mode, return_indices)


def max_pool3d_with_indices(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
                            padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``max_pool3d(..., return_indices=True)``: the maxima and their flat positions.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.max_pool3d_with_indices(ag.arange(8.).reshape(1, 2, 2, 2), 2)[1]
        tensor([[[[7]]]])
    """
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode,
                      return_indices=True)


def _adaptive_max_pool(nd: int, input: Tensor, output_size: Any,
                       return_indices: bool) -> Tensor | tuple[Tensor, Tensor]:
    return _conv._adaptive_max(f"adaptive_max_pool{nd}d", nd, input, output_size,
                               return_indices)


def adaptive_max_pool1d(input: Tensor, output_size: int,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each window ``[floor(i*L/out), ceil((i+1)*L/out))`` of ``(N, C, L)`` /
    ``(C, L)``; ``return_indices`` also gives each maximum's position in ``L``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool1d(ag.tensor([[1., 5., 2., 4., 3.]]), 2, return_indices=True)
        (tensor([[5., 4.]]), tensor([[1, 3]]))
    """
    return _adaptive_max_pool(1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: int | tuple[int | None, ...],
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each adaptive window of ``(N, C, H, W)`` / ``(C, H, W)`` (those of
    ``adaptive_avg_pool2d``; ``None`` in ``output_size`` keeps that dim); ``return_indices``
    also gives each maximum's flat position in its ``H * W`` plane.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool2d(ag.arange(9.).reshape(1, 3, 3), 2)
        tensor([[[4., 5.],
                 [7., 8.]]])
    """
    return _adaptive_max_pool(2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size: int | tuple[int | None, ...],
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """``adaptive_max_pool2d`` over the last three dims of ``(N, C, D, H, W)`` /
    ``(C, D, H, W)`` (indices flat in ``D * H * W``).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool3d(ag.arange(8.).reshape(1, 2, 2, 2), (1, 1, 2))
        tensor([[[[6., 7.]]]])
    """
    return _adaptive_max_pool(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: int,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool1d(..., return_indices=True)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool1d_with_indices(ag.tensor([[1., 5., 2.]]), 1)[1]
        tensor([[1]])
    """
    return _adaptive_max_pool(1, input, output_size, True)  # type: ignore[return-value]


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: int | tuple[int | None, ...],
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool2d(..., return_indices=True)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool2d_with_indices(ag.arange(4.).reshape(1, 2, 2), 1)[1]
        tensor([[[3]]])
    """
    return _adaptive_max_pool(2, input, output_size, True)  # type: ignore[return-value]


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: int | tuple[int | None, ...],
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool3d(..., return_indices=True)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool3d_with_indices(ag.arange(8.).reshape(1, 2, 2, 2), 1)[1]
        tensor([[[[7]]]])
    """
    return _adaptive_max_pool(3, input, output_size, True)  # type: ignore[return-value]


def _fractional_max_pool(nd: int, input: Tensor, kernel_size: Any, output_size: Any,
                         output_ratio: Any, return_indices: bool,
                         _random_samples: Tensor | None) -> Tensor | tuple[Tensor, Tensor]:
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    x = input if isinstance(input, Tensor) else ag.tensor(input)
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}{'()' if nd == 2 else '_out()'}: Expected {nd + 1}D or "
                           f"{nd + 2}D tensor, but got: {list(x.shape)}")
    if output_size is None:
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else \
            (output_ratio,) * nd
        if len(ratio) != nd:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        output_size = [int(x.shape[d - nd] * ratio[d]) for d in range(nd)]
    if _random_samples is None:  # from the project's generator (ag.manual_seed)
        n_batch = 1 if x.dim() == nd + 1 else x.shape[0]
        _random_samples = ag.rand(n_batch, x.shape[-nd - 1], nd, dtype=x.dtype)
    return _conv._fractional_max(nd, x, kernel_size, output_size, _random_samples,
                                 return_indices)


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:
    """Fractional max pooling (Graham, 2014) over ``(N, C, H, W)`` / ``(C, H, W)``: windows
    of ``kernel_size`` whose starts step pseudo-randomly so that ``output_size`` (or
    ``output_ratio`` times the input's size) windows span each dim.

    Each ``(n, c)`` plane's starts come from its two samples in ``[0, 1)`` of
    ``_random_samples`` ``(N, C, 2)`` (the first for the width, as PyTorch's), drawn with
    ``autograd_core.rand`` when not given; ``return_indices`` also gives each maximum's flat
    position in its ``H * W`` plane.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.arange(25.).reshape(1, 5, 5)
        >>> F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=ag.full((1, 1, 2), 0.5))
        tensor([[[ 6.,  8.,  9.],
                 [16., 18., 19.],
                 [21., 23., 24.]]])
    """
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:
    """``fractional_max_pool2d`` over the last three dims of ``(N, C, T, H, W)`` /
    ``(C, T, H, W)``; ``_random_samples`` ``(N, C, 3)`` (time, height, width); indices flat
    in ``T * H * W``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.arange(64.).reshape(1, 1, 4, 4, 4)
        >>> u = ag.zeros(1, 1, 3)  # windows at 0 and 2 along each dim
        >>> F.fractional_max_pool3d(x, 2, output_size=2, _random_samples=u).flatten()
        tensor([21., 23., 29., 31., 53., 55., 61., 63.])
    """
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool2d_with_indices(
        input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """``fractional_max_pool2d(..., return_indices=True)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.fractional_max_pool2d_with_indices(ag.arange(4.).reshape(1, 2, 2), 2, 1)[1]
        tensor([[[3]]])
    """
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio,  # type: ignore[return-value]
                                True, _random_samples)


def fractional_max_pool3d_with_indices(
        input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """``fractional_max_pool3d(..., return_indices=True)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.fractional_max_pool3d_with_indices(ag.arange(27.).reshape(1, 3, 3, 3), 2, 1)[1]
        tensor([[[[26]]]])
    """
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio,  # type: ignore[return-value]
                                True, _random_samples)


# ---- losses -------------------------------------------------------------------------------
def _legacy_reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    legacy = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{legacy}' instead.", stacklevel=3)  # PyTorch names the one meant
    return legacy


def _reduce(t, reduction):
    if reduction == "none":
        return t
    return t.sum() if reduction == "sum" else t.mean()


def _shape_warning(name, x, y):
    if isinstance(x, Tensor) and isinstance(y, Tensor) and x._data.shape == y._data.shape:
        return False  # (the common case without np.shape's Python wrapper)
    if tuple(np.shape(x)) != tuple(np.shape(y)):
        warnings.warn(
            f"Using a target size ({tuple(np.shape(y))}) that is different to the input size "
            f"({tuple(np.shape(x))}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        return True
    return False


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error: ``(input - target) ** 2`` elementwise, then reduced.

    Args:
        input (Tensor): predictions (floating point).
        target (Tensor): targets, same shape as ``input`` (a different shape broadcasts, with
            PyTorch's warning).
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        weight (Tensor, optional): per-element weights of the input's size; ``'mean'`` is then
            the weighted sum divided by the sum of the weights (PyTorch's).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.mse_loss(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 4.0]))
        tensor(2.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    # PyTorch's promotion (float32 input, int64 target -> float32), not numpy's (float64)
    xd, td = getattr(input, "_data", None), getattr(target, "_data", None)
    if xd is not None and td is not None and xd.dtype == td.dtype and xd.dtype.kind == "f":
        dt = xd.dtype  # one float dtype: its own promotion
    else:
        dt = _result_type(np.asarray(getattr(input, "_data", input)),
                          np.asarray(getattr(target, "_data", target)))
    if dt.kind == "c":  # PyTorch has no complex mse kernel either
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{torch_name(dt)}\'')
    if dt.kind != "f":  # PyTorch has no integer mse kernel (and a mean of ints is lossy)
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{dt.name}\': mse_loss '
                                  "needs floating point input and target (convert with "
                                  ".float())")
    input, target = (v.to(dt) if isinstance(v, Tensor) and v._data.dtype != dt else v
                     for v in (input, target))
    broadcast = _shape_warning("mse_loss", input, target)
    if weight is not None:
        d = _t(input) - target
        return _weighted(d * d, weight, input, reduction)
    if broadcast:
        d = _t(input) - target
        return _reduce(d * d, reduction)
    return MSELossOp.apply(input, target, reduction=reduction)


def _bool_as(target, input):
    """A bool target as the input's dtype (PyTorch promotes it; ``-`` refuses bools here)."""
    if _dtype_of(target) == np.bool_:
        return target.to(_t(input)._data.dtype)
    return target


def _weighted(loss: Tensor, weight: Tensor, input: Tensor, reduction: str) -> Tensor:
    """PyTorch's weighted elementwise losses: ``loss * weight``, then summed, or divided by
    the sum of the weights for ``'mean'``."""
    if tuple(np.shape(getattr(weight, "_data", weight))) != tuple(_t(input).shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    total = loss.sum()
    return total if reduction == "sum" else total / _t(weight).sum()


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error: ``|input - target|`` elementwise, then reduced (gradient
    ``sign(input - target)``, 0 at 0).

    Args:
        input (Tensor): predictions.
        target (Tensor): targets, same shape as ``input``.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        weight (Tensor, optional): per-element weights, as in :func:`mse_loss`.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.l1_loss(ag.tensor([1.0, 2.0]), ag.tensor([0.0, 4.0]), reduction="sum")
        tensor(3.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    _shape_warning("l1_loss", input, target)
    if weight is not None:
        return _weighted((_t(input) - target).abs(), weight, input, reduction)
    return _reduce((_t(input) - target).abs(), reduction)


_INT64 = np.dtype(np.int64)


def _check_class_dtype(t, xshape):
    if t.dtype != _INT64 and (t.dtype != np.uint8 or len(xshape) > 2):  # PyTorch's rules
        raise RuntimeError("expected scalar type Long but found Byte" if t.dtype == np.uint8
                           else "expected target dtype to be Long or Byte, but got "
                           f"{torch_name(t.dtype)}")


def _class_layout(x, target, name):
    """(x as (M, C), targets as (M,), output shape for reduction='none')."""
    t = _const(target)
    xshape = x._data.shape  # numpy's tuple (Size's slicing builds a Size per call)
    if len(xshape) == 2 and t.shape == xshape[:1] and t.dtype is _INT64:  # the common (N, C)
        return x, t, xshape[:1]                                           # case: checks pass
    if x.ndim == 1:  # a class index: 0-d, or one element (PyTorch's 1-D target of size 1)
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _check_class_dtype(t, xshape)
        if t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target "
                             f"size: {t.shape[0]}")
        return x.reshape(1, x.shape[0]), _reshaped(target, t, (1,)), ()
    if x.ndim == 0:
        _check_class_dtype(t, xshape)
        raise RuntimeError(f"{name}: input must have at least 1 dimension")
    N, C = xshape[:2]
    expected = (N,) + xshape[2:]
    if (t.shape[0] if t.ndim else 0) != N:  # PyTorch's checks (nll_loss), its wording
        raise ValueError(f"Expected input batch_size ({N}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if x.ndim == 2 and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")
    _check_class_dtype(t, xshape)  # (after the shapes, as PyTorch's nll_loss)
    if x.ndim == 2:
        return x, t, (N,)
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    return x.permute(perm).reshape(-1, C), _reshaped(target, t, (-1,)), expected


def _reshaped(target, t, shape):
    """The targets ``t`` (``target``'s array) in ``shape``: by an op where ``target`` is a
    Tensor, so that a step captured by ``ag.compile`` reads each call's targets (a numpy
    reshape would be a constant of the trace)."""
    return target.reshape(shape) if isinstance(target, Tensor) else t.reshape(shape)


def _check_weight(weight, C, dtype):
    w = _const(weight, dtype)
    if w is not None and w.shape != (C,):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no "
                           f"classes but got weight tensor of shape: {list(w.shape)}")
    return w


def _refuse_grad(fn: str, arg: str, t: Any) -> None:
    """PyTorch's refusal of an argument that requires grad where its kernel has no
    derivative for it (we took it as a constant: no gradient, silently)."""
    if isinstance(t, Tensor) and t.requires_grad and ag.is_grad_enabled():
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")


def _nll_name(x: Tensor) -> str:
    return "nll_loss2d_forward" if x.ndim > 2 else "nll_loss_forward"


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between the softmax of logits ``input`` (N, C) / (N, C, d...) / (C,) and
    class-index targets (one fused node: log-softmax via logsumexp forward, ``(softmax -
    target) * g / N`` backward) or class-probability targets (same shape as ``input``).

    With class indices, per sample (w = class weights, eps = label_smoothing)::

        loss_i = (1 - eps) * w[y_i] * (-logp[i, y_i]) + eps / C * sum_c w[c] * (-logp[i, c])

    ``'mean'`` divides by ``sum_i w[y_i]`` over non-ignored samples (PyTorch, also for the
    smoothing term). With probabilities ``q`` (smoothed as ``q (1 - eps) + eps / C``)::

        loss_i = -sum_c w[c] q[i, c] logp[i, c],   'mean' divides by N (not by the weights).

    Args:
        input (Tensor): logits ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``.
        target (Tensor): class indices ``(N,)`` / ``(N, d1, ...)`` / ``()`` (integer), or
            class probabilities of ``input``'s shape (floating point).
        weight (Tensor, optional): per-class weights ``(C,)`` (a constant). Default: ``None``.
        size_average (bool, optional): deprecated (see ``reduction``).
        ignore_index (int): class-index targets equal to this are skipped. Default: ``-100``.
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        label_smoothing (float): in ``[0, 1]``. Default: ``0.0``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> logits = ag.tensor([[0.0, 0.0], [0.0, 0.0]])
        >>> F.cross_entropy(logits, ag.tensor([0, 1]))
        tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    if label_smoothing > 1.0:  # PyTorch checks only this side; a value <= 0 smooths nothing
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    label_smoothing = max(float(label_smoothing), 0.0)
    x = _t(input)
    xd = x._data
    if xd.dtype.kind != "f":
        raise RuntimeError(f"cross_entropy: expected floating point logits, got {x.dtype}")
    class_dim = 0 if xd.ndim == 1 else 1
    w = None if weight is None else _check_weight(weight, xd.shape[class_dim], xd.dtype)
    tgt = _const(target)
    if tgt.shape == xd.shape and tgt.dtype.kind != "f":  # PyTorch: a same-shape target holds
        # class probabilities (e.g. one-hot labels left as int64)
        raise RuntimeError("Expected floating point type for target with class probabilities, "
                           f"got {torch_name(tgt.dtype)}")
    if tgt.dtype.kind == "f":
        if ignore_index != -100:  # PyTorch's check, its wording
            raise RuntimeError("ignore_index is not supported for floating point target")
        if isinstance(weight, Tensor):  # as PyTorch's: a product with the weight Tensor (a
            w = weight  # gradient if it requires one; a float64 weight makes the loss float64)
        return _cross_entropy_probs(x, target, w, reduction, label_smoothing, class_dim)
    _refuse_grad(_nll_name(x), "weight", weight)
    x2, t2, out_shape = _class_layout(x, target, "cross_entropy")
    out = CrossEntropyOp.apply(x2, t2, w, ignore_index=ignore_index, reduction=reduction,
                               label_smoothing=float(label_smoothing))
    if reduction == "none" and out.shape != out_shape:
        out = out.reshape(out_shape)
    return out


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options: Any = None) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``, PyTorch's
    fused language-model loss, computed as that reference (``options``, PyTorch's chunking of
    the computation to save memory, is accepted and ignored). ``ignore_index=None`` is
    ``-100``. Only a 2-D ``linear_weight`` ``(C, in_features)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x, w = ag.tensor([[1.0, 2.0]]), ag.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> F.linear_cross_entropy(x, w, ag.tensor([1]))
        tensor(0.3133)
    """
    if linear_weight.ndim != 2:
        raise NotImplementedError("linear_cross_entropy: only a 2-D linear_weight (C, "
                                  f"in_features) is supported, got {linear_weight.ndim}-D")
    logits = linear(input, linear_weight, linear_bias)
    return cross_entropy(logits, target, weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)


def _cross_entropy_probs(x, target, w, reduction, eps, class_dim):
    shape = tuple(np.shape(target._data if isinstance(target, Tensor) else target))
    if shape != x.shape:  # PyTorch's class-index path: its shape checks, then the dtype's
        _class_layout(x, target, "cross_entropy")
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "  # PyTorch's words, and ours
            f"{torch_name(_const(target).dtype)} (cross_entropy: class-probability "
            f"targets must have the input's shape {tuple(x.shape)})")
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


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` at class indices ``target``.

    Per sample ``-w[y_i] * input[i, y_i]``; ``'mean'`` divides by ``sum_i w[y_i]`` over the
    non-ignored samples.

    Args:
        input (Tensor): log-probabilities ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``.
        target (Tensor): integer class indices ``(N,)`` / ``(N, d1, ...)`` / ``()``.
        weight (Tensor, optional): per-class weights ``(C,)`` (a constant). Default: ``None``.
        size_average (bool, optional): deprecated (see ``reduction``).
        ignore_index (int): targets equal to this are skipped. Default: ``-100``.
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> logp = ag.tensor([[-0.5, -1.0], [-2.0, -0.1]])
        >>> F.nll_loss(logp, ag.tensor([0, 1]), reduction="none")
        tensor([0.5000, 0.1000])
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    x = _t(input)
    C = x.shape[0 if x.ndim == 1 else 1]
    w = _check_weight(weight, C, x.dtype)
    _refuse_grad(_nll_name(x), "weight", weight)
    x2, t2, out_shape = _class_layout(x, target, "nll_loss")
    out = NLLLossOp.apply(x2, t2, w, ignore_index=ignore_index, reduction=reduction)
    if reduction == "none" and out.shape != out_shape:
        out = out.reshape(out_shape)
    return out


def _same_size(name, x, y):
    xs = x._data.shape if isinstance(x, Tensor) else tuple(np.shape(x))
    ys = y._data.shape if isinstance(y, Tensor) else tuple(np.shape(y))
    if xs != ys:
        raise ValueError(
            f"Using a target size ({ys}) that is different to the input size ({xs}) is "
            f"deprecated. Please ensure they have the same size."
            if name == "binary_cross_entropy"
            else f"Target size ({ys}) must be the same as input size ({xs})"
        )


def _target(target, dtype):
    if isinstance(target, Tensor):
        return target if target._data.dtype == dtype else target.to(dtype)
    return np.asarray(target, dtype=dtype)


def _dtype_of(x) -> np.dtype | None:
    """The numpy dtype of a Tensor, None for anything else (numbers, arrays: left to the
    loss's own conversion)."""
    return x._data.dtype if isinstance(x, Tensor) else None


def _cast_error(result, output) -> RuntimeError:
    """PyTorch's refusal of an in-place result that cannot be stored in the output's dtype."""
    return RuntimeError(f"result type {torch_name(result)} can't be cast to the desired output "
                        f"type {torch_name(output)}")


def _floating(kernel, x, target) -> None:
    """PyTorch's refusal of a loss kernel on integer input and target."""
    t = _dtype_of(target)
    dt = _promote_types(_t(x)._data.dtype, t) if t is not None else _t(x)._data.dtype
    if dt.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{torch_name(dt)}\'')


def _same_dtype(x, target) -> None:
    """PyTorch's check of kernels that take input and target of one dtype (BCE)."""
    t = _dtype_of(target)
    if t is not None and t != _t(x)._data.dtype:
        raise RuntimeError(f"Found dtype {torch_name(t)} but expected "
                           f"{torch_name(_t(x)._data.dtype)}")


def _loss_weight(op_name, w, shape, weight_first):
    """A loss's ``weight`` or ``pos_weight`` array, refused with PyTorch's errors unless it
    broadcasts to the input's ``shape`` (a larger weight would broadcast the loss itself);
    ``weight_first``: the weight is PyTorch's "tensor a" in the mismatch message."""
    if w is None:
        return None
    try:
        full = np.broadcast_shapes(w.shape, tuple(shape))
    except ValueError:
        a, b = (w, np.empty(shape, bool)) if weight_first else (np.empty(shape, bool), w)
        raise _broadcast_error(op_name, a, b) from None
    if full != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(full)} ({op_name}: a weight of shape {w.shape})")
    return w


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy ``-w (y log x + (1 - y) log(1 - x))`` on probabilities ``x``.

    The logs are clamped to ``>= -100`` as PyTorch does (so x = 0 or 1 gives a finite loss).

    Args:
        input (Tensor): probabilities in ``[0, 1]``.
        target (Tensor): targets in ``[0, 1]``, same shape as ``input``.
        weight (Tensor, optional): rescaling weight, broadcast to ``input`` (a constant).
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.binary_cross_entropy(ag.tensor([0.5, 0.5]), ag.tensor([1.0, 0.0]))
        tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    _same_size("binary_cross_entropy", input, target)
    _floating("binary_cross_entropy", input, target)
    _same_dtype(input, target)
    x = _t(input)
    w = _loss_weight("binary_cross_entropy", _const(weight, x.dtype), x.shape, False)
    _refuse_grad("binary_cross_entropy", "weight", weight)
    if w is not None:
        w = np.broadcast_to(w, x.shape)
    return BCELossOp.apply(x, _target(target, x.dtype), w, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross-entropy in one numerically stable node.

    Per element ``(1 - y) x + (1 + (pos_weight - 1) y) * softplus(-x)``, times ``weight``. As
    PyTorch's, the loss has the target's dtype (a float32 input with a float64 target gives
    float64, the reverse float32); integer and bool targets are refused.

    Args:
        input (Tensor): logits.
        target (Tensor): targets in ``[0, 1]``, same shape as ``input``.
        weight (Tensor, optional): rescaling weight, broadcast (a constant). Default: ``None``.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        pos_weight (Tensor, optional): weight of positive examples, broadcast along the last
            dim (a constant). Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.binary_cross_entropy_with_logits(ag.tensor([0.0, 0.0]), ag.tensor([1.0, 0.0]))
        tensor(0.6931)
    """
    if type(input) is Tensor and type(target) is Tensor and weight is None and \
            pos_weight is None and size_average is None and reduce is None and \
            reduction in _REDUCTIONS:  # a training loop's call: what the checks below
        xd, yd = input._data, target._data  # lead to, without them (~1 us less a step)
        if xd.dtype is yd.dtype and xd.dtype.kind == "f" and xd.shape == yd.shape:
            return BCEWithLogitsOp.apply(input, target, None, None, reduction=reduction)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    _same_size("binary_cross_entropy_with_logits", input, target)
    x = _t(input)
    dtype = x._data.dtype  # numpy's (compares faster than Tensor.dtype)
    name = "binary_cross_entropy_with_logits"
    if dtype.kind != "f":
        raise NotImplementedError(f'"log_sigmoid_cpu" not implemented for '
                                  f"'{torch_name(dtype)}'")
    # PyTorch's loss is (1 - target) * input - ...: the target's dtype (checked only when it
    # is not the input's: this runs at every step of a training loop)
    out = target._data.dtype if isinstance(target, Tensor) else dtype
    if out is not dtype and out == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if out is not dtype and out.kind != "f":
        raise _cast_error(dtype, out)
    _refuse_grad(name, "weight", weight)
    _refuse_grad(name, "pos_weight", pos_weight)
    if out is not dtype and out != dtype:  # computed in the wider dtype, stored in the target's
        wide = np.promote_types(dtype, out)
        w = _loss_weight(name, _const(weight, wide), x._data.shape, False)
        pw = _loss_weight(name, _const(pos_weight, wide), x._data.shape, True)
        loss = BCEWithLogitsOp.apply(x.to(wide), _target(target, wide), w, pw, reduction="none")
        return _reduce(loss.to(out), reduction)
    w = _loss_weight(name, _const(weight, dtype), x._data.shape, False)
    pw = _loss_weight(name, _const(pos_weight, dtype), x._data.shape, True)
    return BCEWithLogitsOp.apply(x, _target(target, dtype), w, pw, reduction=reduction)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """One-hot encoding (int64) with a new trailing axis of length ``num_classes``.

    Args:
        tensor (Tensor): non-negative integer class values.
        num_classes (int): number of classes; ``-1`` means ``tensor.max() + 1``.
            Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.one_hot(ag.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    t = _t(tensor)
    idx = t._data
    if idx.dtype != np.int64:  # PyTorch's takes int64 only (int32 labels too are refused)
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:  # the width is read off the values
        from autograd_core.ops.registry import refuse_capture

        refuse_capture("one_hot() without num_classes")
        check_classes(idx, None)
        num_classes = int(idx.max()) + 1 if idx.size else 0
    return apply_nondifferentiable(OneHot, t, num_classes=num_classes)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pads the last ``len(pad) // 2`` dims of ``input``.

    ``pad = (left, right, top, bottom, ...)``, last dim first. ``mode``: ``'constant'``
    (``value``, default 0; negative entries crop), ``'reflect'`` (mirror without repeating the
    edge; each pad smaller than its dim), ``'replicate'`` (repeat the edge) or ``'circular'``
    (wrap around, at most once); the last three pad at most 3 dims and leave the first one or
    two (batch, channel) alone.

    Args:
        input (Tensor): the input.
        pad (sequence of int): the amounts, an even number of them.
        mode (str): ``'constant'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.
            Default: ``'constant'``.
        value (float, optional): fill value for ``'constant'``. Default: ``None`` (zero).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.pad(ag.ones(1, 2), (1, 2), value=9.0)
        tensor([[9., 1., 1., 9., 9.]])
        >>> F.pad(ag.tensor([[[1., 2., 3.]]]), (2, 1), mode="reflect")
        tensor([[[3., 2., 1., 2., 3., 2.]]])
    """
    pad = tuple(int(p) for p in pad)
    x = _t(input)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {x.ndim}")
    if mode == "constant":
        return ag.constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument")
    n_dims = len(pad) // 2
    source = x
    if n_dims > 3 or x.ndim < n_dims + 1 or x.ndim > n_dims + 2:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\nSupported "
            "combinations for non-constant padding:\n" + "\n".join(
                f"  - {k}D or {k + 1}D input: padding size = {2 * k - 2} (pads last "
                f"{'dimension' if k == 2 else f'{k - 1} dimensions'})" for k in (2, 3, 4)))
    if mode == "reflect":  # every dim checked on the input's shape first, last dim first
        for k in range(n_dims):
            lo, hi, n = pad[2 * k], pad[2 * k + 1], x.shape[-1 - k]
            if lo >= n or hi >= n:
                raise RuntimeError(
                    f"Argument #{4 + 2 * k}: Padding size should be less than the "
                    f"corresponding input dimension, but got: padding ({lo}, {hi}) at dimension "
                    f"{x.ndim - 1 - k} of input {list(x.shape)}")
    if mode != "circular" and x.dtype == ag.bool:  # PyTorch's pad kernels have no bool loop
        kind = "reflection" if mode == "reflect" else "replication"
        raise NotImplementedError(f"\"{kind}_pad{n_dims}d\" not implemented for 'Bool'")
    _check_padded_size(list(x.shape), pad, mode)
    if mode != "circular" and min(pad) >= 0:
        from nn.ops.pad import EdgePad  # one node, PyTorch's sums in backward

        pads = tuple((pad[2 * k], pad[2 * k + 1]) for k in reversed(range(n_dims)))
        x = EdgePad.apply(x, pads=pads, mode=mode)
        kind = "Reflection" if mode == "reflect" else "Replication"
        return _xp.reads_input(x, source, f"{kind}Pad{n_dims}D", rereads=False)
    for k in range(n_dims):
        dim = x.ndim - 1 - k
        lo, hi = pad[2 * k], pad[2 * k + 1]
        n = x.shape[dim]
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if lo >= 0 and hi >= 0:  # slices and cat, no index tensor: ag.compile captures it
            x = _arrange.edge_pad(x, dim, lo, hi, mode)
            continue
        j = np.arange(-lo, n + hi)
        if mode == "reflect":
            j = np.abs(j)
            j = np.where(j >= n, 2 * (n - 1) - j, j)
        elif mode == "replicate":
            j = np.clip(j, 0, n - 1)
        else:  # PyTorch crops negative pads first, then wraps within what is left
            start, m = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
            j = start + np.arange(-max(lo, 0), m + max(hi, 0)) % m if m > 0 else j % n
        x = x.index_select(dim, _xp.constant(j.astype(np.int64)))
    if mode == "circular":  # PyTorch's is a composite too
        return x
    # PyTorch's reflection/replication pad backward kernels read the input
    kind = "Reflection" if mode == "reflect" else "Replication"
    return _xp.reads_input(x, source, f"{kind}Pad{n_dims}D", rereads=False)


def _check_padded_size(shape: list[int], pad: Sequence[int], mode: str) -> None:
    """PyTorch's refusals of negative pads that leave nothing: a circular pad making a size
    negative; a reflect/replicate pad making every padded size < 1 (or one of them negative:
    PyTorch's kernels then fail on the size)."""
    n_dims = len(pad) // 2
    sizes = shape[len(shape) - n_dims:]
    out = [n + pad[2 * k] + pad[2 * k + 1] for k, n in enumerate(reversed(sizes))][::-1]
    if mode == "circular":
        if min(out) < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return
    if all(o < 1 for o in out):
        names = "DHW"[3 - len(sizes):]
        given = ", ".join(f"{a}: {n}" for a, n in zip(names, sizes))
        if len(sizes) == 3:
            given = given.replace(",", "", 1)  # PyTorch's "(D: 2 H: 3, W: 3)"
        elif len(sizes) == 2 and mode == "replicate":
            given += " "  # PyTorch's "(H: 3, W: 3 )"
        got = " ".join(f"{a}: {o}" for a, o in zip(names, out))
        raise RuntimeError(f"input ({given}) is too small. Calculated output {got}")
    if min(out) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out)}: "
                           f"{shape[:len(shape) - n_dims] + out}")


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Smooth L1 loss: ``0.5 d^2 / beta`` where ``|d| < beta``, ``|d| - 0.5 beta`` elsewhere
    (``d = input - target``), then reduced; ``beta=0`` is the L1 loss.

    Args:
        input (Tensor): predictions.
        target (Tensor): targets, same shape as ``input``.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        beta (float): where the loss turns from quadratic to linear. Default: ``1.0``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.smooth_l1_loss(ag.tensor([0.5, 3.0]), ag.zeros(2), reduction="none")
        tensor([0.1250, 2.5000])
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _floating("smooth_l1_cpu", input, target)
    broadcast = _shape_warning("smooth_l1_loss", input, target)
    node = _piecewise_loss(SmoothL1LossOp, input, target, reduction, beta, broadcast)
    if node is not None:
        return node
    d = _t(input) - _bool_as(target, input)
    a = d.abs()
    if beta == 0:
        return _reduce(a, reduction)
    # ATen's terms: 0.5 * z * z / beta (d * d * (0.5 / beta) rounded otherwise)
    return _reduce(ag.where(a < beta, a * 0.5 * a / beta, a - 0.5 * beta), reduction)


def _piecewise_loss(op, input, target, reduction, k, broadcast):
    """smooth L1 / Huber as one node with ATen's rounding (``nn.ops.loss``) when input and
    target are float32/float64 tensors of one dtype and shape and ``k > 0``; else None (the
    composite: broadcasting, float16, a number target)."""
    if broadcast or k <= 0 or not isinstance(input, Tensor) or not isinstance(target, Tensor):
        return None
    x, y = input._data, target._data
    if x.dtype != y.dtype or x.dtype not in (np.float32, np.float64) or x.shape != y.shape:
        return None
    return op.apply(input, target, reduction=reduction, k=float(k))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Huber loss: ``0.5 d^2`` where ``|d| < delta``, ``delta (|d| - 0.5 delta)`` elsewhere
    (``d = input - target``), times ``weight`` when given, then reduced.

    Args:
        input (Tensor): predictions.
        target (Tensor): targets, same shape as ``input``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'`` (``'mean'`` divides by the number
            of elements). Default: ``'mean'``.
        delta (float): where the loss turns from quadratic to linear. Default: ``1.0``.
        weight (Tensor, optional): elementwise weight, broadcast (a constant). Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.huber_loss(ag.tensor([0.5, 3.0]), ag.zeros(2), reduction="none", delta=2.0)
        tensor([0.1250, 4.0000])
    """
    reduction = get_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _floating("huber_cpu", input, target)
    dt, t = _t(input)._data.dtype, _dtype_of(target)
    if t is not None and t != dt:  # PyTorch writes the loss in the input's dtype
        if dt.kind != "f":
            raise _cast_error(_promote_types(dt, t), dt)
        target = target.to(dt)
    broadcast = _shape_warning("huber_loss", input, target)
    if weight is None:
        node = _piecewise_loss(HuberLossOp, input, target, reduction, delta, broadcast)
        if node is not None:
            return node
    loss = _huber_terms(_t(input), target, delta)
    if weight is not None:  # PyTorch's: the same size as input, and differentiated
        if tuple(np.shape(getattr(weight, "_data", weight))) != tuple(_t(input).shape):
            raise ValueError("Weights and input must have the same size.")
        loss = loss * _t(weight)
    return _reduce(loss, reduction)


@in_float32_composite  # float16: ATen's huber kernel computes each term in float32
def _huber_terms(input: Tensor, target: Any, delta: float) -> Tensor:
    d = input - target
    a = d.abs()
    return ag.where(a < delta, d * d * 0.5, (a - 0.5 * delta) * delta)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Looks up rows of ``weight`` at the integer indices ``input``.

    The row at ``padding_idx`` gets no gradient. ``scale_grad_by_freq`` divides each row's
    gradient by the number of times its index occurs in ``input``; ``sparse=True`` makes a leaf
    ``weight``'s ``.grad`` a sparse COO tensor (one row of values per lookup, as PyTorch's; for
    ``optimizers.SparseAdam``, ``SGD`` and ``Adagrad``). With ``max_norm``, the rows looked up
    whose norm exceeds it are first scaled down to it in place (``weight`` changes, outside
    autograd), as in PyTorch. Differs from PyTorch: with ``sparse=True``, a ``weight`` with
    gradient hooks gets (and its hooks see) the dense gradient, and ``autograd.grad`` returns
    the dense one.

    Args:
        input (Tensor): int32/int64 indices of any shape.
        weight (Tensor): the table ``(num_embeddings, embedding_dim)``.
        padding_idx (int, optional): a row that receives no gradient. Default: ``None``.
        max_norm (float, optional): renormalise the rows looked up to this norm at most, in
            place. Default: ``None``.
        norm_type (float): the p of the p-norm for ``max_norm``. Default: ``2.0``.
        scale_grad_by_freq (bool): divide the gradients by the indices' frequencies in
            ``input``. Default: ``False``.
        sparse (bool): ``weight.grad`` is a sparse COO tensor. Default: ``False``.

    Shape:
        - Output: ``input.shape + (embedding_dim,)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> table = ag.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
        >>> F.embedding(ag.tensor([[2, 1]]), table)
        tensor([[[3., 4.],
                 [1., 2.]]])
        >>> w = table.clone().requires_grad_()
        >>> F.embedding(ag.tensor([2, 0, 2]), w, sparse=True).sum().backward()
        >>> w.grad._indices(), w.grad.to_dense()
        (tensor([[2, 0, 2]]), tensor([[1., 1.],
                [0., 0.],
                [2., 2.]]))
    """
    if sparse:
        from autograd_core.ops.registry import refuse_capture

        refuse_capture("embedding(sparse=True)")  # its backward writes a sparse .grad
    idx = _const(input)
    if idx.dtype not in (np.int32, np.int64):
        kind = {"f": "Float", "b": "Bool", "c": "Complex"}.get(idx.dtype.kind, str(idx.dtype))
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {kind}Tensor instead (while checking arguments for "
            "embedding)")
    w = _t(weight)
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = w.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:  # PyTorch's assertion, its words
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx + n if padding_idx < 0 else padding_idx
    if max_norm is not None:
        _renorm_rows_(w, idx, max_norm, norm_type, "embedding")
    return EmbeddingOp.apply(w, input if isinstance(input, Tensor) else Tensor._wrap(idx),
                             padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq),
                             sparse=bool(sparse))


def _renorm_rows_(weight, idx, max_norm, norm_type, name):
    """PyTorch's ``embedding_renorm_``: each row of ``weight`` named in ``idx`` whose
    ``norm_type``-norm exceeds ``max_norm`` is scaled in place by ``max_norm / (norm + 1e-7)``,
    outside autograd (the weight's version advances, as for any in-place write). Nothing is
    written when an index is out of range: the lookup then raises its error."""
    from autograd_core.ops.registry import refuse_capture

    refuse_capture(f"{name}(max_norm=...)")  # rows chosen by the indices' values, written
    data = weight._data
    rows = np.unique(idx)
    if rows.size == 0 or rows[0] < 0 or rows[-1] >= data.shape[0]:
        return
    if float(norm_type) == 2 and data.dtype.char in "fd":  # Tensor.norm's order, as ATen's
        norms = row_norms(data[rows])
    else:
        norms = np.linalg.norm(data[rows], ord=float(norm_type), axis=1)
    over = norms > max_norm
    if over.any():
        rows = rows[over]
        scale = (max_norm / (norms[over].astype(np.float64) + 1e-7)).astype(data.dtype)
        data[rows] = data[rows] * scale[:, None]
        weight._bump_version()


def _index_dtype_check(arr: np.ndarray, what: str) -> None:
    if arr.dtype not in (np.int32, np.int64):
        kind = {"f": "Float", "b": "Bool", "c": "Complex"}.get(arr.dtype.kind, str(arr.dtype))
        raise RuntimeError(
            f"Expected tensor for argument #1 '{what}' to have one of the following scalar "
            f"types: Long, Int; but got {kind}Tensor instead (while checking arguments for "
            "embedding_bag)")


def _bags(input, offsets, include_last_offset):
    """``(indices, bag of each index, number of bags)`` from PyTorch's two input forms,
    checked as PyTorch checks them."""
    idx = _const(input)
    _index_dtype_check(idx, "indices")
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {type(offsets)}")
        return idx.reshape(-1), np.repeat(np.arange(idx.shape[0]), idx.shape[1]), idx.shape[0]
    if idx.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    off = _const(offsets)
    if off.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    _index_dtype_check(off, "offsets")
    if off.size and off[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {off[0]}")
    if off.size and off[-1] > idx.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.size} but "
                           f"got offsets[-1] of {off[-1]}")
    if np.any(np.diff(off) < 0):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {off.tolist()}")
    ends = off[1:] if include_last_offset else np.append(off[1:], idx.size)
    n_bags = ends.size
    sizes = ends - off[:n_bags]
    return idx[:sizes.sum()], np.repeat(np.arange(n_bags), sizes), n_bags


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, averages or takes the maximum of bags of ``weight``'s rows, without building the
    intermediate ``(bag, index, dim)`` embeddings.

    ``input`` is either 2-D ``(B, N)``, ``B`` bags of ``N`` indices (``offsets`` must be
    ``None``), or 1-D, the bags one after another, bag ``b`` starting at ``offsets[b]`` (with
    ``include_last_offset``, ``offsets`` has ``B + 1`` entries, the last one the end of the
    last bag). Indices equal to ``padding_idx`` are left out of their bag (of its count too);
    an empty bag gives zeros. The gradients are those of composing ``embedding`` with the
    reduction; in ``'max'`` mode the maximum element of each bag and dimension gets it.
    ``scale_grad_by_freq`` and ``sparse`` (modes ``'sum'`` and ``'mean'``) as for ``embedding``.
    ``max_norm`` renormalises the rows looked up in place, as for ``embedding``;
    ``scale_grad_by_freq`` divides by each index's true frequency (PyTorch 2.13's CPU kernel
    divides some rows by another index's count, pytorch#190063); the bags are read from the
    indices' values, so ``ag.compile`` runs a step that calls it eagerly.

    Args:
        input (Tensor): int32/int64 indices, ``(B, N)`` or ``(L,)``.
        weight (Tensor): the table ``(num_embeddings, embedding_dim)``.
        offsets (Tensor, optional): the start of each bag in a 1-D ``input``. Default: ``None``.
        max_norm (float, optional): renormalise the rows looked up to this norm at most, in
            place. Default: ``None``.
        norm_type (float): the p of the p-norm for ``max_norm``. Default: ``2``.
        scale_grad_by_freq (bool): divide the gradients by the indices' frequencies in
            ``input``. Default: ``False``.
        mode (str): ``'sum'``, ``'mean'`` or ``'max'``. Default: ``'mean'``.
        sparse (bool): ``weight.grad`` is a sparse COO tensor. Default: ``False``.
        per_sample_weights (Tensor, optional): a weight for each index, shaped like ``input``
            (mode ``'sum'`` only). Default: ``None``.
        include_last_offset (bool): ``offsets`` ends with the end of the last bag.
            Default: ``False``.
        padding_idx (int, optional): an index left out of the bags. Default: ``None``.

    Shape:
        - Output: ``(B, embedding_dim)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> table = ag.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
        >>> F.embedding_bag(ag.tensor([0, 2, 1, 1, 2]), table, ag.tensor([0, 2]))
        tensor([[1.5000, 1.0000],
                [0.6667, 1.3333]])
        >>> F.embedding_bag(ag.tensor([[0, 1], [2, 0]]), table, mode="max")
        tensor([[1., 1.],
                [2., 2.]])
    """
    from autograd_core.ops.registry import refuse_capture

    refuse_capture("embedding_bag")  # the bags are made from the indices' values
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    w = _t(weight)
    if w.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {w.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    idx, bag, n_bags = _bags(input, offsets, include_last_offset)
    n, dim = w.shape
    if padding_idx is not None and not -n <= padding_idx < n:  # PyTorch's check, its words
        raise RuntimeError(f"padding_idx must be within the number of embeddings, {-n} through "
                           f"{n - 1}, but got {padding_idx}")
    bad = np.flatnonzero((idx < 0) | (idx >= n))
    if bad.size:
        raise RuntimeError(f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not in "
                           f"the valid range [0, {n})")
    if max_norm is not None:
        _renorm_rows_(w, idx, max_norm, norm_type, "embedding_bag")
    keep = np.arange(idx.size)
    if padding_idx is not None:
        keep = np.flatnonzero(idx != (padding_idx + n if padding_idx < 0 else padding_idx))
    bag = bag[keep]
    rows = EmbeddingOp.apply(w, Tensor._wrap(idx[keep]),
                             scale_grad_by_freq=bool(scale_grad_by_freq), sparse=bool(sparse))
    if per_sample_weights is not None:
        rows = rows * _t(per_sample_weights).reshape(-1)[Tensor._wrap(keep)].unsqueeze(1)
    counts = np.bincount(bag, minlength=n_bags)
    if mode != "max":
        out = ag.zeros(n_bags, dim, dtype=rows.dtype).index_add(0, Tensor._wrap(bag), rows)
        if mode == "mean":
            out = out / Tensor._wrap(np.maximum(counts, 1).astype(rows.dtype)[:, None])
        return out
    if not keep.size:  # every bag empty: zeros, still recorded (weight's gradient: zeros)
        return ag.zeros(n_bags, dim, dtype=rows.dtype) + rows.sum(0)
    # a (bag, slot) table of rows, empty slots pointing at a row of -inf
    slot = np.arange(bag.size) - np.repeat(np.cumsum(counts) - counts, counts)
    table = np.full((n_bags, counts.max()), bag.size)
    table[bag, slot] = np.arange(bag.size)
    filler = Tensor._wrap(np.full((1, dim), -np.inf, dtype=rows.dtype))
    out = ag.cat([rows, filler])[Tensor._wrap(table)].max(dim=1).values
    return ag.where(Tensor._wrap(counts[:, None] > 0), out, Tensor._wrap(np.zeros((), rows.dtype)))

def _activations_from_the_op_table():
    """Every kernel-backed op of ``autograd_core`` (``@op(..., kernels=...)``) is an activation
    PyTorch keeps in ``torch.nn.functional``: those not written out above come from the table,
    so a new activation needs no line here."""
    from autograd_core.ops.registry import DECLS

    for decl in DECLS.values():
        if decl.kernels and decl.function and decl.name not in globals():
            globals()[decl.name] = _with_inplace(decl.fn, decl.name)
            __all__.append(decl.name)


def _with_inplace(fn: Any, name: str) -> Any:
    """``fn`` with ``nn.functional``'s signature, ``(input, ..., inplace=False)``: PyTorch's
    activations there take ``inplace`` (write the result into ``input``)."""
    import inspect

    params = list(inspect.signature(fn).parameters.values())
    params[0] = params[0].replace(name="input")
    params.append(inspect.Parameter("inplace", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    default=False))

    n_args = len(params) - 2  # the op's own parameters after input; then inplace

    def activation(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        inplace = kwargs.pop("inplace", False) or (len(args) > n_args and args[n_args])
        if inplace:
            return _in_place(input, lambda: fn(input, *args[:n_args], **kwargs), f"{name}_")
        return fn(input, *args[:n_args], **kwargs)

    activation.__name__ = activation.__qualname__ = name
    activation.__doc__ = fn.__doc__
    activation.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return activation


_activations_from_the_op_table()


# ---- issue 12: more activations, distances, kl_div ------------------------------------------
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Applies the exponential linear unit elementwise: :math:`x` for :math:`x > 0`, else
    :math:`\alpha (e^x - 1)`.

    Args:
        input (Tensor): the input.
        alpha (float): the scale of the negative part. Default: ``1.0``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.elu(ag.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.0000,  2.0000])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: elu(input, alpha), "elu_")
    return _activation.elu(_t(input), alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Applies the scaled exponential linear unit elementwise:
    :math:`\text{scale} \cdot \text{elu}(x, \alpha)` with Klambauer et al.'s constants
    (:math:`\alpha \approx 1.6733`, :math:`\text{scale} \approx 1.0507`).

    Args:
        input (Tensor): the input.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.selu(ag.tensor([-1.0, 1.0]))
        tensor([-1.1113,  1.0507])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: selu(input), "selu_")
    return _activation.selu(_t(input))


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Applies the continuously differentiable ELU elementwise: :math:`x` for :math:`x > 0`,
    else :math:`\alpha (e^{x / \alpha} - 1)`.

    Args:
        input (Tensor): the input.
        alpha (float): the scale. Default: ``1.0``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.celu(ag.tensor([-1.0, 2.0]), alpha=2.0)
        tensor([-0.7869,  2.0000])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: celu(input, alpha), "celu_")
    return _activation.celu(_t(input), alpha)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    r"""Applies :math:`x` for :math:`x > 0`, else :math:`w x`, with one learnt slope per channel
    (dim 1) or one for all.

    Args:
        input (Tensor): the input, channels in dim 1 (when it has 2 or more dims).
        weight (Tensor): the slopes, 1 or ``C`` of them.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.prelu(ag.tensor([[-2.0, 3.0]]), ag.tensor([0.25]))
        tensor([[-0.5000,  3.0000]])
    """
    return _activation.prelu(_t(input), _t(weight))


@in_float32_composite(grad=True)  # float16: ATen's kernels compute in float32
def mish(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Applies :math:`x \tanh(\text{softplus}(x))` elementwise (Misra, 2019).

    Args:
        input (Tensor): the input.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.mish(ag.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.3034,  0.0000,  0.8651])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: mish(input), "mish_")
    _no_complex(input, "mish_cpu")
    return _activation.mish(_t(input))


def _floating_only(x, kernel):
    """PyTorch's refusal of an integer, bool or complex input to an activation whose kernel
    has floating loops only (``"hardswish_cpu" not implemented for 'Long'``)."""
    dt = x.dtype if isinstance(x, Tensor) else np.asarray(x).dtype
    if np.dtype(dt).kind != "f":
        raise not_implemented(kernel, np.dtype(dt))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    r"""Clamps ``input`` to ``[min_val, max_val]`` elementwise.

    Args:
        input (Tensor): the input.
        min_val (float): the lower end. Default: ``-1.0``.
        max_val (float): the upper end. Default: ``1.0``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.hardtanh(ag.tensor([-3.0, 0.5, 2.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: hardtanh(input, min_val, max_val), "hardtanh_")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    x = _t(input)
    kind = x.dtype.kind if isinstance(x, Tensor) else "f"
    if kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if kind in "iu":  # integers stay integers, the bounds cut toward zero (PyTorch's)
        if kind == "u" and (min_val < 0 or max_val < 0):
            raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
        return ag.clamp(x, int(min_val), int(max_val))
    if not x.requires_grad:
        return ag.clamp(x, min_val, max_val)
    # PyTorch's gradient is zero where x <= min_val or x >= max_val (at the ends too, where
    # clamp's passes it; and it passes at NaN); its hardtanh_backward reads x
    xc = _opmath(x)
    outside = (xc <= min_val) | (xc >= max_val)
    with ag.no_grad():
        y = ag.clamp(x, min_val, max_val).where(outside, x)
    return _xp.ZeroWhere.apply(x, y, outside, op="Hardtanh")


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Applies :math:`\min(\max(0, x), 6)` elementwise.

    Args:
        input (Tensor): the input.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.relu6(ag.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: relu6(input), "relu6_")
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Applies :math:`\text{relu6}(x + 3) / 6` elementwise.

    Args:
        input (Tensor): the input.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.hardsigmoid(ag.tensor([-4.0, 0.0, 1.5]))
        tensor([0.0000, 0.5000, 0.7500])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: hardsigmoid(input), "hardsigmoid_")
    _floating_only(input, "hardsigmoid_cpu")
    return _activation.hardsigmoid(_t(input))  # one node, ATen's derivative


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Applies :math:`x \cdot \text{relu6}(x + 3) / 6` elementwise (Howard et al., 2019).

    Args:
        input (Tensor): the input.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.hardswish(ag.tensor([-4.0, 1.0, 4.0]))
        tensor([-0.0000,  0.6667,  4.0000])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return _in_place(input, lambda: hardswish(input), "hardswish_")
    _floating_only(input, "hardswish_cpu")
    return _activation.hardswish(_t(input))  # one node, ATen's derivative (float16: in float32)


def logsigmoid(input: Tensor) -> Tensor:
    r"""Applies :math:`\log(1 / (1 + e^{-x}))` elementwise, computed stably as
    :math:`\min(x, 0) - \log(1 + e^{-|x|})`.

    Args:
        input (Tensor): the input.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.logsigmoid(ag.tensor([-1.0, 0.0, 1.0]))
        tensor([-1.3133, -0.6931, -0.3133])
    """
    return _activation.logsigmoid(_t(input))  # the op refuses non-float inputs, PyTorch's words


def softsign(input: Tensor) -> Tensor:
    r"""Applies :math:`x / (1 + |x|)` elementwise.

    Args:
        input (Tensor): the input.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.softsign(ag.tensor([-1.0, 3.0]))
        tensor([-0.5000,  0.7500])
    """
    x = _t(input)
    return x / (x.abs() + 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    r"""Applies :math:`x - \tanh(x)` elementwise.

    Args:
        input (Tensor): the input.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.tanhshrink(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 0.2384])
    """
    x = _t(input)
    return x - x.tanh()


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    r"""Returns the cosine of the angle between ``x1`` and ``x2`` along ``dim``:
    :math:`\sum (x_1 / \max(\|x_1\|, \epsilon)) (x_2 / \max(\|x_2\|, \epsilon))`; the two
    broadcast together.

    Args:
        x1 (Tensor): the first input.
        x2 (Tensor): the second input.
        dim (int): the dimension of the vectors. Default: 1.
        eps (float): the smallest norm divided by. Default: ``1e-8``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.cosine_similarity(ag.tensor([[1.0, 0.0], [1.0, 1.0]]), ag.tensor([[1.0, 1.0]]))
        tensor([0.7071, 1.0000])
    """
    a, b = _t(x1), _t(x2)
    common = _promote_types(a._data.dtype, b._data.dtype)
    if common.kind != "f":  # complex refused too, as PyTorch 2.13
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{torch_name(common)}")
    a, b = (v if v._data.dtype == common else v.to(common) for v in (a, b))
    try:
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:  # numpy's words otherwise
        raise _broadcast_error("cosine_similarity", a._data, b._data) from None
    a = a if tuple(a.shape) == shape else a.expand(shape)
    b = b if tuple(b.shape) == shape else b.expand(shape)
    return ((a / _norm_at_least(a, dim, eps)) * (b / _norm_at_least(b, dim, eps))).sum(dim)


def _norm_at_least(x: Tensor, dim: int, eps: float) -> Tensor:
    """``max(||x||, eps)`` along ``dim`` (kept), the clamp not differentiated: PyTorch clamps the
    norm in place under no_grad, so the gradient is the unclamped norm's (0 at a zero vector,
    where a differentiated clamp of ``sqrt`` would give NaN)."""
    n = ag.linalg.vector_norm(x, dim=dim, keepdim=True)
    held = n.detach()
    return n + (ag.clamp(held, min=eps) - held)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    r"""Returns the ``p``-norm of ``x1 - x2 + eps`` along the last dimension (the two
    broadcast together).

    Args:
        x1 (Tensor): the first input, ``(N, D)`` or ``(D,)``.
        x2 (Tensor): the second input.
        p (float): the norm's order. Default: 2.
        eps (float): added to the difference, to stay off the norm's kink. Default: ``1e-6``.
        keepdim (bool): keep the reduced dimension. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.pairwise_distance(ag.tensor([[3.0, 4.0]]), ag.zeros(1, 2), eps=0.0)
        tensor([5.])
    """
    d = _t(x1) - _t(x2) + eps
    nd = d.ndim
    if nd == 0:
        return d.abs()
    # PyTorch's norm: its gradient at a zero distance is 0 (the composed sqrt gave NaN); p = 0
    # counts the nonzero differences and stays on the graph with no gradient, as PyTorch's
    return ag.linalg.vector_norm(d, p, dim=-1, keepdim=keepdim)


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    r"""The Kullback-Leibler divergence loss, ``input`` being log-probabilities:
    :math:`t (\log t - x)` pointwise (0 where :math:`t = 0`), or :math:`e^t (t - x)` with
    ``log_target=True``.

    ``reduction='batchmean'`` divides the sum by the batch size (the mathematical KL
    divergence); ``'mean'`` by the number of elements, with PyTorch's warning.

    Args:
        input (Tensor): log-probabilities.
        target (Tensor): probabilities (log-probabilities with ``log_target``).
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'batchmean'`` | ``'sum'`` | ``'mean'``.
            Default: ``'mean'``.
        log_target (bool): ``target`` is given as log-probabilities. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.kl_div(ag.tensor([[-1.0, -0.5]]), ag.tensor([[0.5, 0.5]]), reduction="batchmean")
        tensor(0.0569)
    """
    if size_average is not None or reduce is not None:  # (no 'mean' warning then, as PyTorch)
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction != "batchmean":
        reduction = get_reduction(reduction)
    x, t = _t(input), _t(target)
    if x._data.dtype.kind in "iub" or t._data.dtype.kind in "iub":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = t.exp() * (t - x)
    else:
        positive = t > 0
        safe = ag.where(positive, t, 1.0)
        loss = ag.where(positive, t * safe.log(), 0.0) - t * x
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return _reduce(loss, reduction)


def _interp_sizes(x: Tensor, size: Any, scale_factor: Any,
                  recompute: bool | None) -> tuple[list[int], list[float | None]]:
    n = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = [int(s) for s in (size if isinstance(size, (tuple, list)) else [size] * n)]
        if len(sizes) != n:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(x.shape[2:])} and output size of {sizes}. Please provide "
                             f"input tensor in (N, C, d1, d2, ...,dK) format and output size "
                             f"in (o1, o2, ...,oK) format.")
        return sizes, [None] * n
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    scales = [float(s) for s in (scale_factor if isinstance(scale_factor, (tuple, list))
                                 else [scale_factor] * n)]
    if len(scales) != n:
        raise ValueError(f"Input and scale_factor must have the same number of spatial "
                         f"dimensions, but got input with spatial dimensions of "
                         f"{list(x.shape[2:])} and scale_factor of shape {scales}. Please "
                         f"provide input tensor in (N, C, d1, d2, ...,dK) format and "
                         f"scale_factor in (s1, s2, ...,sK) format.")
    sizes = [int(math.floor(float(x.shape[2 + i]) * s)) for i, s in enumerate(scales)]
    return sizes, ([None] * n if recompute else list(scales))


def _cubic_along(x: Tensor, d: int, src: np.ndarray, n_in: int, dtype: Any) -> Tensor:
    """Keys' cubic convolution (``A = -0.75``, PyTorch's) along dim ``d`` at the source
    coordinates ``src``: four taps ``floor(src) - 1 ... + 2``, clamped to the edges, summed
    in order (PyTorch's ``cubic_interp1d``)."""
    a = -0.75
    base = np.floor(src)
    t = (src - base).astype(dtype)
    u = 1 - t
    weights = (((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
               ((a + 2) * t - (a + 3)) * t * t + 1,
               ((a + 2) * u - (a + 3)) * u * u + 1,
               ((a * (u + 1) - 5 * a) * (u + 1) + 8 * a) * (u + 1) - 4 * a)
    view = (src.size,) + (1,) * (x.ndim - 1 - d)
    terms = [_along_dim(x, d, np.clip(base.astype(np.int64) - 1 + k, 0, n_in - 1))
             * ag.tensor(np.asarray(w, dtype).reshape(view)) for k, w in enumerate(weights)]
    return ((terms[0] + terms[1]) + terms[2]) + terms[3]


def _aa_filter(mode: str, x: np.ndarray) -> np.ndarray:
    """The resampling filters of ``antialias=True`` (PIL's): a triangle, Keys' cubic with
    ``A = -0.5``, Lanczos' windowed sinc with 3 lobes."""
    x = np.abs(x)
    if mode == "bilinear":
        return np.where(x < 1.0, 1.0 - x, 0.0)
    if mode == "bicubic":
        a = -0.5
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))
    return np.where(x < 3.0, np.sinc(x) * np.sinc(x / 3.0), 0.0)


def _aa_weights(n_in: int, n_out: int, mode: str, corners: bool, s: float | None,
                dtype: Any) -> np.ndarray:
    """The ``(n_out, n_in)`` matrix of an antialiased resize along one dim: output ``i`` is
    centred at ``scale * (i + 0.5)`` in the input and averages the inputs under the filter,
    widened by ``scale`` when shrinking (so every input contributes), the weights normalised
    to sum 1 (ATen's ``_upsample_*2d_aa``)."""
    if corners:
        scale = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        scale = 1.0 / s if s is not None and s > 0 else n_in / n_out
    half = {"bilinear": 1.0, "bicubic": 2.0, "lanczos": 3.0}[mode]
    support, inv = (half * scale, 1.0 / scale) if scale >= 1.0 else (half, 1.0)
    center = scale * (np.arange(n_out) + 0.5)
    lo = np.maximum((center - support + 0.5).astype(np.int64), 0)  # truncation, as C's
    hi = np.minimum((center + support + 0.5).astype(np.int64), n_in)
    j = np.arange(n_in)
    inside = (j >= lo[:, None]) & (j < hi[:, None])
    w = np.where(inside, _aa_filter(mode, (j - center[:, None] + 0.5) * inv), 0.0)
    total = w.sum(axis=1, keepdims=True)
    return np.divide(w, total, out=w, where=total != 0).astype(dtype)


def _along_dim(x: Tensor, d: int, idx: np.ndarray) -> Tensor:
    """``x[:, ..., idx]`` along dim ``d`` (``idx`` in range): ``Index`` with np.take's gather."""
    from nn.ops.upsample import TakeAlong

    return TakeAlong.apply(x, index=(slice(None),) * d + (np.asarray(idx, np.int64),),
                           basic=False)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    r"""Resizes the spatial dimensions of ``input`` (``(N, C, L)`` or ``(N, C, H, W)``) to
    ``size``, or by ``scale_factor``.

    ``mode='nearest'`` copies the nearest source entry (PyTorch's index, ``floor(dst * scale)``
    in float32), ``'nearest-exact'`` the source entry whose centre is nearest;
    ``'linear'`` (3-d), ``'bilinear'`` (4-d) and ``'trilinear'`` (5-d) interpolate linearly
    and ``'bicubic'`` (4-d) with Keys' cubic kernel (``A = -0.75``), the pixel centres
    aligned (``align_corners=False``, the default) or the corner pixels
    (``align_corners=True``); ``'area'`` averages (adaptive average pooling).
    ``antialias=True`` (bilinear, bicubic and ``'lanczos'``, 4-d input) resamples as PIL
    does: each output averages every input under the filter, the filter widened by the
    shrink factor, so a downscaled image does not alias (bicubic there with ``A = -0.5``).

    Args:
        input (Tensor): the input, batch and channel first.
        size (int or tuple of ints, optional): the output's spatial size.
        scale_factor (float or tuple of floats, optional): the multiplier of the spatial size.
        mode (str): ``'nearest'``, ``'nearest-exact'``, ``'linear'``, ``'bilinear'``,
            ``'bicubic'``, ``'trilinear'``, ``'area'`` or ``'lanczos'`` (with ``antialias``).
            Default: ``'nearest'``.
        align_corners (bool, optional): for the linear modes. Default: ``False``.
        recompute_scale_factor (bool, optional): compute the scale from the sizes rather than
            use ``scale_factor``.
        antialias (bool): low-pass filter when shrinking (bilinear, bicubic, lanczos; 4-d
            input). Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.interpolate(ag.tensor([[[1.0, 2.0]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
        >>> F.interpolate(ag.tensor([[[1.0, 2.0]]]), size=3, mode="linear", align_corners=True)
        tensor([[[1.0000, 1.5000, 2.0000]]])
    """
    x = _t(input)
    linear_modes = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4, "lanczos": 4}
    if mode not in ("nearest", "nearest-exact", "area", *linear_modes):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented here "
                                  "(nearest, nearest-exact, linear, bilinear, bicubic, "
                                  "trilinear, lanczos and area are)")
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and x.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if x.ndim not in (3, 4, 5):  # PyTorch's wording
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
            f"modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if mode in linear_modes and x.ndim != linear_modes[mode]:
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs "
                                  f"{linear_modes[mode]}D input")
    sizes, scales = _interp_sizes(x, size, scale_factor, recompute_scale_factor)
    if mode == "area":  # PyTorch's: adaptive average pooling to the output size (its checks)
        pool = (_conv.adaptive_avg_pool1d, _conv.adaptive_avg_pool2d,
                _conv.adaptive_avg_pool3d)[x.ndim - 3]
        return pool(x, sizes[0] if x.ndim == 3 else tuple(sizes))
    if min(sizes) <= 0 or min(x.shape[2:]) <= 0:  # PyTorch's check, its wording
        names = "DHW"[3 - len(sizes):]
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input ("
            + ", ".join(f"{a}: {n}" for a, n in zip(names, x.shape[2:])) + ") "
            + ("and " if len(sizes) == 1 else "") + "output ("
            + ", ".join(f"{a}: {n}" for a, n in zip(names, sizes)) + ")")
    if 0 in x.shape[1:]:  # no channel: PyTorch's check (an empty batch passes), its wording
        raise RuntimeError(f"Non-empty {x.ndim}D data tensor expected but got a tensor with "
                           f"sizes {list(x.shape)}")
    corners = bool(align_corners)
    # ATen's dtype support: no integer (but uint8 images), complex, or float16 antialias
    dt = x._data.dtype
    if mode in linear_modes and (dt.kind in "biuc" or (antialias and dt == np.float16)):
        if dt == np.uint8 and mode in ("bilinear", "bicubic", "lanczos"):
            return Tensor._wrap(_resize_uint8(x._data, sizes, scales, mode, corners, antialias))
        raise not_implemented(
            "compute_index_ranges_weights" if antialias else
            {"bilinear": "upsample_bilinear2d_channels_last",
             "bicubic": "compute_indices_weights_cubic"}.get(mode,
                                                             "compute_indices_weights_linear"),
            dt)
    if antialias:  # separable: a weight matrix per dim, the last dim first (ATen's order)
        out = x
        for d in (3, 2):
            n_in, n_out, s = x.shape[d], sizes[d - 2], scales[d - 2]
            if n_in == n_out:  # ATen's forward copies it, whatever scale_factor says
                continue
            w = _aa_weights(n_in, n_out, mode, corners, s, x.dtype)
            out = out @ ag.tensor(w.T.copy()) if d == 3 else ag.tensor(w) @ out
        return x.clone() if out is x else out
    if mode == "nearest" and x.ndim == 4 and sizes != list(x.shape[2:]) and all(
            o in (n, 2 * n) for o, n in zip(sizes, x.shape[2:])):
        # doubling (ATen's exact shortcut, source dst // 2) in H and/or W: one node
        from nn.ops.upsample import NearestUp2

        return NearestUp2.apply(x, rows=sizes[0] == 2 * x.shape[2],
                                cols=sizes[1] == 2 * x.shape[3])
    out = x
    for k in reversed(range(x.ndim - 2)):  # the last dim first: PyTorch's order of sums
        d, n_in, n_out, s = 2 + k, x.shape[2 + k], sizes[k], scales[k]
        dst = np.arange(n_out)
        if mode == "nearest-exact":  # PyTorch's: the source pixel whose centre is nearest
            fscale = np.float32(1.0 / s if s is not None and s > 0 else n_in / max(n_out, 1))
            idx = np.minimum(np.floor((dst.astype(np.float32) + np.float32(0.5)) * fscale)
                             .astype(np.int64), n_in - 1)
            out = _along_dim(out, d, idx)
            continue
        if mode == "nearest":
            fscale = np.float32(1.0 / s if s is not None and s > 0 else n_in / max(n_out, 1))
            # ATen's exact shortcuts (same or double size) exist in its 2-d kernel only: the 1-d
            # and 3-d kernels use a given scale_factor even where the sizes are equal or double
            if x.ndim == 4 and n_in and n_out in (n_in, 2 * n_in):
                idx = dst // (n_out // n_in)
            else:
                idx = np.minimum(np.floor(dst.astype(np.float32) * fscale).astype(np.int64),
                                 n_in - 1)
            out = _along_dim(out, d, idx)
            continue
        if n_out == n_in and mode != "bicubic":  # ATen's linear kernels copy a dim whose size
            continue  # is unchanged, whatever scale_factor says; its cubic one resamples it
        out = _resample_along(out, d, n_out, s, mode, corners)
    if mode in _UPSAMPLE_NODES and out is not x:
        from nn.ops.upsample import LinearAlong

        if isinstance(out.grad_fn, LinearAlong):
            # the pass that gives the result, under the name of PyTorch's one node (the
            # passes before it, one per other resized dim, keep theirs: DIFFERENCES.md)
            out.grad_fn._grad_fn = _UPSAMPLE_NODES[mode]
    return x.clone() if out is x else out  # a new tensor, as PyTorch's, even when all is copied


#: PyTorch's node of interpolate's linear modes
_UPSAMPLE_NODES = {"linear": "UpsampleLinear1DBackward0", "bilinear": "UpsampleBilinear2DBackward0",
                   "trilinear": "UpsampleTrilinear3DBackward0"}


def _resample_along(x: Tensor, d: int, n_out: int, s: float | None, mode: str,
                    corners: bool) -> Tensor:
    """Linear or cubic (``mode == "bicubic"``) interpolation of ``x`` along dim ``d`` to
    ``n_out`` points, in ``x``'s dtype (one pass of ``interpolate``)."""
    n_in, dst = x.shape[d], np.arange(n_out)
    if corners:
        scale = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = scale * dst
    else:
        scale = 1.0 / s if s is not None and s > 0 else n_in / n_out
        src = scale * (dst + 0.5) - 0.5
        if mode != "bicubic":  # the cubic kernel reads clamped neighbours instead
            src = np.maximum(src, 0.0)
    if mode == "bicubic":
        return _cubic_along(x, d, src, n_in, x.dtype)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam1 = np.clip(src - i0, 0.0, 1.0)
    i1 = i0 + (i0 < n_in - 1)
    view = (n_out,) + (1,) * (x.ndim - 1 - d)
    w1 = lam1.astype(x.dtype).reshape(view)
    w0 = (1.0 - lam1).astype(x.dtype).reshape(view)
    if x.dtype in (np.float32, np.float64):  # one node, the same numbers
        from nn.ops.upsample import LinearAlong

        return LinearAlong.apply(x, d=d, i0=i0, i1=i1, w0=w0, w1=w1)
    return _along_dim(x, d, i0) * ag.tensor(w0) + _along_dim(x, d, i1) * ag.tensor(w1)


def _resize_uint8(x: np.ndarray, sizes: list[int], scales: list[float | None], mode: str,
                  corners: bool, antialias: bool) -> np.ndarray:
    """``interpolate`` of a uint8 image as ATen's uint8 kernel: one pass per dim whose size
    changes, the last first, each with the float64 weight matrix of ``mode`` scaled to int16
    fixed point (as many fraction bits as keep the largest weight below 2^15), the sums
    rounded, shifted back and clamped to 0..255 before the next pass."""
    out = x
    for d in reversed(range(2, x.ndim)):
        n_in, n_out, s = x.shape[d], sizes[d - 2], scales[d - 2]
        if n_in == n_out:
            continue
        if antialias:
            w = _aa_weights(n_in, n_out, mode, corners, s, np.float64)
        else:  # the float path's weights: interpolate the identity
            w = _resample_along(ag.eye(n_in, dtype=ag.float64), 0, n_out, s, mode,
                                corners)._data
        bits = 0
        while bits < 22 and int(0.5 + w.max() * (1 << (bits + 1))) < (1 << 15):
            bits += 1
        v = w * (1 << bits)
        wi = np.trunc(v + np.where(v < 0, -0.5, 0.5)).astype(np.int64)
        acc = np.moveaxis(np.moveaxis(out.astype(np.int64), d, -1) @ wi.T, -1, d)
        out = np.clip((acc + (1 << bits >> 1)) >> bits, 0, 255).astype(np.uint8)
    return out.copy() if out is x else out


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: ``target`` 1 asks ``input1`` to rank
    above ``input2`` by ``margin``, -1 below.

    Args:
        input1 (Tensor), input2 (Tensor): the scores compared.
        target (Tensor): 1 or -1, broadcastable with the inputs.
        margin (float): Default: ``0.0``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.margin_ranking_loss(ag.tensor([1.0, 0.0]), ag.tensor([0.5, 0.5]),
        ...                       ag.tensor([1.0, 1.0]), margin=0.2)
        tensor(0.3500)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    x1, x2, y = _t(input1), _t(input2), _t(target)
    if not (x1.ndim == x2.ndim == y.ndim):
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {x1.size()!r}, input2: {x2.size()!r}, target: {y.size()!r} ")
    return _reduce((-y * (x1 - x2) + margin).clamp(min=0.0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the ``p``-norm distance
    (:func:`pairwise_distance`); ``swap`` uses ``min(d(a, n), d(p, n))`` for the negative.

    Args:
        anchor (Tensor), positive (Tensor), negative (Tensor): ``(N, D)`` or ``(D,)``.
        margin (float): Default: ``1.0``.
        p (float): the norm's degree. Default: ``2``.
        eps (float): added to the differences (as PyTorch). Default: ``1e-6``.
        swap (bool): the distance swap of Balntas et al. Default: ``False``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> a, pos, neg = ag.zeros(1, 2), ag.tensor([[3.0, 4.0]]), ag.tensor([[6.0, 8.0]])
        >>> round(F.triplet_margin_loss(a, pos, neg, margin=1.0, eps=0.0).item(), 4)
        0.0
        >>> round(F.triplet_margin_loss(a, neg, pos, margin=1.0, eps=0.0).item(), 4)
        6.0
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, po, ne = _t(anchor), _t(positive), _t(negative)
    if not (a.ndim == po.ndim == ne.ndim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a.ndim}D, positive {po.ndim}D, and negative "
            f"{ne.ndim}D inputs")
    d_pos = pairwise_distance(a, po, p, eps)
    d_neg = pairwise_distance(a, ne, p, eps)
    if swap:
        d_neg = ag.minimum(d_neg, pairwise_distance(po, ne, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0.0), reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under a Poisson of rate ``exp(input)``
    (``log_input``) or ``input``: ``exp(input) - target * input``, or
    ``input - target * log(input + eps)``; ``full`` adds Stirling's
    ``target * log(target) - target + 0.5 * log(2 pi target)`` where ``target > 1``.

    Args:
        input (Tensor): log-rates (``log_input``) or rates.
        target (Tensor): counts.
        log_input (bool): Default: ``True``.
        full (bool): add the Stirling term. Default: ``False``.
        eps (float): keeps ``log`` finite when ``log_input=False``. Default: ``1e-8``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.poisson_nll_loss(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 2.0]))
        tensor(0.8591)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    x, y = _t(input), _t(target)
    loss = x.exp() - y * x if log_input else x - y * (x + eps).log()
    if full:  # Stirling's term where target > 1, differentiable in target as PyTorch's (it
        # was a constant: a wrong target gradient); 1 stands in elsewhere, so that no log of a
        # value <= 0 is taken (PyTorch's target gradient is NaN at target 0, here 0)
        small = y <= 1
        safe = y.masked_fill(small, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + stirling.masked_fill(small, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under Gaussians of mean ``input`` and variance
    ``var``: ``0.5 * (log(max(var, eps)) + (input - target) ** 2 / max(var, eps))``, plus
    ``0.5 * log(2 pi)`` when ``full``.

    ``var`` has ``input``'s shape (one variance per expectation), or that shape less its last
    dimension, or a single mismatched dimension of size 1 (one variance shared along it), or
    is a number. As in PyTorch, the clamp at ``eps`` is not differentiated: the gradient
    reaches ``var`` as if unclamped.

    Args:
        input (Tensor): the expectations, ``(N, *)`` or ``(*)``.
        target (Tensor): the samples, same shape as ``input`` (or broadcastable).
        var (Tensor or float): the positive variances.
        full (bool): add the constant term. Default: ``False``.
        eps (float): the smallest variance used. Default: ``1e-6``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x, y = ag.tensor([0.0, 1.0]), ag.tensor([1.0, 1.0])
        >>> F.gaussian_nll_loss(x, y, ag.tensor([1.0, 4.0]), reduction="none")  # 0.5 * (log v + d^2 / v)
        tensor([0.5000, 0.6931])
        >>> F.gaussian_nll_loss(x, y, 1.0, full=True)
        tensor(1.1689)
    """
    from autograd_core.ops.registry import refuse_capture

    x, y = _t(input), _t(target)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        v = ag.full_like(x, float(var))
    else:
        v = _t(var)
        if v._data.dtype.kind != "f":  # PyTorch clamps var in place (eps: the default dtype)
            raise RuntimeError(f"result type {SCALAR_NAMES[ag.get_default_dtype().name]} can't "
                               "be cast to the desired output type "
                               + CPP_NAMES.get(v._data.dtype.name, v._data.dtype.name))
        refuse_capture("gaussian_nll_loss's check of var")
        if bool(np.any(v._data < 0)):
            raise ValueError("var has negative entry/entries")
    if tuple(v.shape) != tuple(x.shape):
        if tuple(x.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (x.ndim == v.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1):
            raise ValueError("var is of incorrect size")
    refuse_reduction(reduction)
    v = ClampedInValue.apply(v, min=eps)
    loss = 0.5 * (v.log() + (x - y) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _ctc_lengths(lengths: Any, what: str) -> np.ndarray:
    arr = np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
    if arr.dtype.kind not in "iub":
        raise RuntimeError(f"{what} must be integral")
    return arr.astype(np.int64).reshape(-1) if arr.ndim == 0 else arr.astype(np.int64)


def _ctc_where(msg: str) -> RuntimeError:
    return RuntimeError(f"{msg} (while checking arguments for ctc_loss_allocate_outputs)")


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The connectionist temporal classification loss (Graves et al. 2006): the negative
    log-likelihood of each target sequence summed over all its alignments with the input
    frames, by the log-space forward-backward algorithm (Numba kernels).

    ``reduction='mean'`` divides each sample's loss by its target length (at least 1) and
    averages over the batch, as PyTorch. The gradient with respect to ``log_probs`` is
    PyTorch's (see ``nn.ops.loss.CTCLossOp``): exact through ``log_softmax``, the way
    ``log_probs`` are meant to be made; it is not differentiable twice.

    Args:
        log_probs (Tensor): ``(T, N, C)`` log-probabilities of the classes per frame, or
            ``(T, C)`` for one unbatched sample.
        targets (Tensor): ``(N, S)`` padded label sequences, or the ``sum(target_lengths)``
            labels of all samples concatenated; labels are classes other than ``blank``.
        input_lengths (Tensor or tuple of ints): ``(N,)`` frames used per sample, at most T.
        target_lengths (Tensor or tuple of ints): ``(N,)`` target length per sample.
        blank (int): the blank class. Default: 0.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        zero_infinity (bool): make infinite losses (no alignment fits) and their gradients
            zero. Default: ``False``.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> lp = ag.full((2, 1, 2), float(np.log(0.5)))  # two frames, classes {blank, a}
        >>> # "a" is read from the frames as "a a", "a -" or "- a": probability 3/4
        >>> F.ctc_loss(lp, ag.tensor([[1]]), [2], [1], reduction="sum")
        tensor(0.2877)
    """
    from autograd_core.ops.registry import refuse_capture

    reduction = get_reduction(reduction)
    refuse_capture("ctc_loss")  # lengths and labels are read in Python
    lp = _t(log_probs)
    if lp.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for '
                                  f"'{torch_name(lp.dtype)}'")
    tg = np.asarray(targets._data if isinstance(targets, Tensor) else targets)
    il = _ctc_lengths(input_lengths, "input_lengths")
    tl = _ctc_lengths(target_lengths, "target_lengths")
    unbatched = lp.ndim != 3
    if unbatched:
        lp = lp.unsqueeze(1)  # a batch of one; 1-D targets are read as concatenated, as
        il, tl = il.reshape(-1), tl.reshape(-1)  # PyTorch's (their size must be the length)
    if lp.ndim != 3:
        raise _ctc_where(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional "
                         f"tensor for argument #1 'log_probs'")
    T, N, C = lp.shape
    if not lp.numel():  # PyTorch's check (an empty batch too)
        raise RuntimeError("log_probs tensor must not be empty")
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if il.shape != (N,):
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.shape != (N,):
        raise RuntimeError("target_lengths must be of size batch_size")
    if tg.ndim == 1:  # concatenated: pad
        if tg.shape[0] != tl.sum():
            raise _ctc_where(f"Expected tensor to have size {tl.sum()} at dimension 0, but got "
                             f"size {tg.shape[0]} for argument #2 'targets'")
        padded = np.zeros((N, max(int(tl.max(initial=0)), 1)), dtype=np.int64)
        for n, (start, length) in enumerate(zip(np.cumsum(tl) - tl, tl)):
            padded[n, :length] = tg[start:start + length]
        tg = padded
    else:
        if tg.shape[0] != N:
            raise _ctc_where(f"Expected tensor to have size {N} at dimension 0, but got size "
                             f"{tg.shape[0]} for argument #2 'targets'")
        if N and tl.max() > tg.shape[1]:
            raise _ctc_where(f"Expected tensor to have size at least {tl.max()} at dimension 1, "
                             f"but got size {tg.shape[1]} for argument #2 'targets'")
    for what, lengths, top in (("input_lengths", il, T), ("target_lengths", tl, None)):
        if N and lengths.min() < 0:
            raise _ctc_where(f"Expected {what} to have value at least 0, but got value "
                             f"{lengths.min()}")
        if top is not None and N and lengths.max() > top:
            raise _ctc_where(f"Expected {what} to have value at most {top}, but got value "
                             f"{lengths.max()}")
    tg = tg.astype(np.int64)
    for n in range(N):
        used = tg[n, :tl[n]]
        if used.size and (used.min() < 0 or used.max() >= C):
            raise RuntimeError(f"ctc_loss: target labels must be classes in [0, {C}), got "
                               f"{int(used.min() if used.min() < 0 else used.max())}")
    nll = CTCLossOp.apply(lp, np.ascontiguousarray(tg), il, tl, blank=int(blank),
                          zero_infinity=bool(zero_infinity))
    if reduction == "none":
        return nll.squeeze(0) if unbatched else nll
    if reduction == "sum":
        return nll.sum()
    return (nll / ag.tensor(np.maximum(tl, 1).astype(nll.dtype))).mean()


# ---- attention (nn/_attention.py) -----------------------------------------------------------
from nn._attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402

__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward",
            "linear_cross_entropy"]


# ---- issue 12, second batch: normalize, glu, softmin, shrinks, threshold, rms_norm, pdist ---
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    r"""Divides ``input`` by its ``p``-norm along ``dim``:
    :math:`v / \max(\lVert v \rVert_p, \epsilon)`.

    Args:
        input (Tensor): the input, of any shape.
        p (float): the norm's order. Default: ``2.0``.
        dim (int or tuple of ints): the dimension(s) of the vectors. Default: ``1``.
        eps (float): the smallest norm divided by. Default: ``1e-12``.
        out (Tensor, optional): the output tensor (not differentiable). Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.normalize(ag.tensor([[3.0, 4.0], [0.0, 0.0]]))
        tensor([[0.6000, 0.8000],
                [0.0000, 0.0000]])
    """
    x = _t(input)
    denom = ag.clamp_min(ag.linalg.vector_norm(x, p, dim=dim, keepdim=True), eps)  # PyTorch's
    y = x / denom.expand_as(x)
    if out is None:
        return y
    if ag.is_grad_enabled() and (x.requires_grad or out.requires_grad):
        raise RuntimeError("div(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    return write_out("div", y, out)  # PyTorch's: div's out=, resized as there


@in_float32_composite  # float16: ATen's kernel computes in float32
def glu(input: Tensor, dim: int = -1) -> Tensor:
    r"""The gated linear unit: splits ``input`` in halves :math:`a, b` along ``dim`` and
    returns :math:`a \otimes \sigma(b)` (Dauphin et al., 2017).

    Args:
        input (Tensor): the input; ``dim`` must have an even size.
        dim (int): the dimension split in two. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.glu(ag.tensor([[1.0, 2.0, 0.0, 100.0]]))
        tensor([[0.5000, 2.0000]])
    """
    _no_complex(input, "glu_cpu")
    x = _t(input)
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-x.ndim}, {x.ndim - 1}], but got {dim})")
    n = x.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension "
                           f"{dim % x.ndim} is size {n}")
    if x._data.dtype in (np.float32, np.float64):
        return _activation.Glu.apply(x, dim=dim % x.ndim)
    a, b = ag.chunk(x, 2, dim)
    return a * b.sigmoid()


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    r"""Applies :math:`\exp(-x_i) / \sum_j \exp(-x_j)` along ``dim`` (softmax of ``-input``).

    Args:
        input (Tensor): the input.
        dim (int): the dim the result sums to 1 along (``None``: PyTorch's deprecated implicit
            choice, with its warning). Default: ``None``.
        dtype (dtype, optional): cast the input to this dtype first. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.softmin(ag.tensor([0.0, 1.0]), dim=0)
        tensor([0.7311, 0.2689])
    """
    x = _t(input)
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        dim = _get_softmax_dim("softmin", x.ndim, _stacklevel)
    return (-x).softmax(dim)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    r"""Applies :math:`x` where :math:`|x| > \lambda`, else 0, elementwise.

    Args:
        input (Tensor): the input.
        lambd (float): the :math:`\lambda` of the dead zone. Default: ``0.5``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.hardshrink(ag.tensor([-1.0, 0.3, 0.5, 2.0]))
        tensor([-1.,  0.,  0.,  2.])
    """
    return _activation.hardshrink(_t(input), lambd)


@in_float32_composite  # float16: the value in float32 as ATen's kernel; its backward compares
# x with lambd made float16, as the float16 composition here (its gradient)
def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    r"""Applies :math:`x - \lambda` where :math:`x > \lambda`, :math:`x + \lambda` where
    :math:`x < -\lambda`, else 0, elementwise.

    Args:
        input (Tensor): the input.
        lambd (float): the :math:`\lambda` (at least 0). Default: ``0.5``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.softshrink(ag.tensor([-1.0, 0.3, 2.0]))
        tensor([-0.5000,  0.0000,  1.5000])
    """
    _floating_only(input, "softshrink_check")
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    x = _t(input)
    # zero gradient inside [-lambd, lambd] whatever comes in (x - clamp(x) made inf - inf = NaN
    # of an infinite one), as PyTorch's
    inside = (x >= -lambd) & (x <= lambd)
    y = ag.where(inside, 0.0, x - ag.clamp(x.detach(), -lambd, lambd))
    return _xp.reads_input(y, x, "Softshrink")  # PyTorch's softshrink_backward reads x


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    r"""Applies :math:`x` where :math:`x > \text{threshold}`, else ``value``, elementwise.

    Args:
        input (Tensor): the input.
        threshold (float): the value to threshold at.
        value (float): the value written below (or at) the threshold.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.threshold(ag.tensor([-1.0, 0.5, 2.0]), 0.5, -7.0)
        tensor([-7., -7.,  2.])
    """
    if inplace:  # PyTorch writes into input (a later read of input sees the result)
        return threshold_(input, threshold, value)
    _no_complex(input, "threshold_cpu")
    if isinstance(input, Tensor) and input.dtype.kind == "b":  # integers compute, bool not
        raise not_implemented("threshold_cpu", input._data.dtype)
    x = _t(input)  # NaN is not <= threshold: it passes through, as in PyTorch
    # PyTorch's threshold_backward reads x
    return _xp.reads_input(ag.where(_opmath(x) <= threshold, ag.full_like(x, value), x), x,
                           "Threshold")


def _opmath(x):
    """``x`` as ATen's activation kernels compare it with a number (``threshold``, and
    ``hardtanh``'s backward): float16 in float32, the number a float32 (compared as float16,
    the number made float16, an element next to a float16 tie fell on the other side)."""
    return x.detach().float() if x._data.dtype == np.float16 else x


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int],
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    r"""Root-mean-square normalisation over the trailing ``normalized_shape`` axes
    (Zhang & Sennrich, 2019): :math:`x / \sqrt{\text{mean}(x^2) + \epsilon} \cdot w`.

    Args:
        input (Tensor): input of shape ``(*, *normalized_shape)``.
        normalized_shape (int or sequence of int): the trailing shape to normalise over.
        weight (Tensor, optional): elementwise scale of shape ``normalized_shape``.
        eps (float, optional): added to the mean square; ``None`` means
            ``ag.finfo(input.dtype).eps``. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.rms_norm(ag.tensor([[3.0, 4.0], [1.0, -1.0]]), [2], eps=0.0)
        tensor([[ 0.8485,  1.1314],
                [ 1.0000, -1.0000]])
    """
    x = _t(input)
    shape = ((int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer))
             else tuple(int(s) for s in normalized_shape))
    k = len(shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size {list(x.shape)}")
    if weight is not None and tuple(_t(weight).shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(_t(weight).shape)} and normalized_shape = "
                           f"{list(shape)}")
    # as PyTorch's: float16 is normalised in float32 (eps, the default, being float32's),
    # scaled by the weight in the promoted dtype, and the result has the input's dtype
    out_dtype = x.dtype
    if x._data.dtype == np.float16:
        x = x.to(ag.float32)
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    axes = tuple(range(x.ndim - k, x.ndim))
    y = x * ((x * x).mean(axes, keepdim=True) + eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y if y.dtype == out_dtype else y.to(out_dtype)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    r"""The ``p``-norm distance between every pair of rows of an ``(N, M)`` input: the upper
    triangle of the distance matrix, row by row, as a vector of ``N (N - 1) / 2``.

    Args:
        input (Tensor): the rows, ``(N, M)``.
        p (float): the norm's order, in ``[0, inf]``. Default: ``2``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.pdist(ag.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
        tensor([5.0000, 1.0000, 4.2426])
    """
    x = _t(input)
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if x._data.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(x.shape[0], 1)
    d = x[i] - x[j]
    if p == math.inf and d.numel():
        # PyTorch's pdist (unlike vector_norm) gives each difference tied for the largest |d|
        # the whole gradient, not a share of it
        a = d.abs()
        top = a.amax(1, keepdim=True).detach()
        return (top + ((a - a.detach()) * (a.detach() == top)).sum(1, keepdim=True)).squeeze(1)
    return ag.linalg.vector_norm(d, p, dim=1)


__all__ += ["normalize", "glu", "softmin", "hardshrink", "softshrink", "threshold", "rms_norm",
            "pdist"]


# ---- issue 12, second batch: margin and embedding losses -----------------------------------
def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    r"""The two-class logistic loss :math:`\log(1 + e^{-y x})` elementwise, then reduced.

    Args:
        input (Tensor): the scores.
        target (Tensor): 1 or -1, the same shape as ``input``.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.soft_margin_loss(ag.tensor([0.0, 2.0]), ag.tensor([1.0, -1.0]), reduction="none")
        tensor([0.6931, 2.1269])
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    x, t = _t(input), _t(target)
    dt = x._data.dtype  # PyTorch writes the loss into a tensor of the input's dtype
    if dt.kind != "f":
        wide = _promote_types(dt, t._data.dtype)  # exp of integers is float32
        raise _cast_error(wide if wide.kind == "f" else np.dtype(np.float32), dt)
    y = _target(t, dt)
    if dt in (np.float32, np.float64) and x._data.size and tuple(y.shape) == tuple(x.shape) \
            and not y.requires_grad:  # one node with ATen's backward
        return SoftMarginLossOp.apply(x, np.asarray(y._data), reduction=reduction)
    return _reduce(softplus(-y * x), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    r"""``input`` (a distance) where ``target`` is 1, :math:`\max(0, \text{margin} - x)` where
    it is -1; then reduced.

    Args:
        input (Tensor): the distances.
        target (Tensor): 1 or -1, the same shape as ``input``.
        margin (float): Default: ``1.0``.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.hinge_embedding_loss(ag.tensor([0.3, 0.3]), ag.tensor([1.0, -1.0]),
        ...                        reduction="none")
        tensor([0.3000, 0.7000])
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    x, y = _t(input), _t(target)
    zero = ag.zeros_like(x)
    loss = (ag.where(y != 1, (margin - x).clamp(min=0.0), zero)
            + ag.where(y != -1, x, zero))
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    r"""One-versus-all logistic loss over ``C`` labels:
    :math:`-\frac{1}{C} \sum_i w_i (y_i \log \sigma(x_i) + (1 - y_i) \log \sigma(-x_i))` per
    sample, then reduced over the samples.

    Args:
        input (Tensor): ``(N, C)`` or ``(C,)`` scores.
        target (Tensor): 0 or 1 per label, the same shape as ``input``.
        weight (Tensor, optional): a weight per label (``C``), a constant.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.multilabel_soft_margin_loss(ag.tensor([[0.0, 0.0]]), ag.tensor([[1.0, 0.0]]))
        tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    refuse_reduction(reduction)
    x, y = _t(input), _t(target)
    loss = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
    if weight is not None:
        loss = loss * _t(weight)
    class_dim = x.ndim - 1  # input's last dim, also where target broadcasts it (PyTorch's)
    loss = loss.sum(class_dim) / x.shape[class_dim]
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    r""":math:`1 - \cos(x_1, x_2)` where ``target`` is 1,
    :math:`\max(0, \cos(x_1, x_2) - \text{margin})` where it is -1; then reduced.

    Args:
        input1 (Tensor): ``(N, D)`` or ``(D,)``.
        input2 (Tensor): the same shape as ``input1``.
        target (Tensor): 1 or -1, ``(N,)`` or ``()``.
        margin (float): in ``[-1, 1]``. Default: ``0``.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> a, b = ag.tensor([[1.0, 0.0], [1.0, 0.0]]), ag.tensor([[1.0, 1.0], [1.0, 1.0]])
        >>> F.cosine_embedding_loss(a, b, ag.tensor([1.0, -1.0]), reduction="none")
        tensor([0.2929, 0.7071])
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    a, b, y = _t(input1), _t(input2), _t(target)
    k = y.ndim
    if k > 1:  # PyTorch checks the target's dimension first
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if k == 0 and (a.ndim != 1 or b.ndim != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(a.shape)} and {list(b.shape)}.")
    if k == 1 and (a.ndim != 2 or b.ndim != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(a.shape)} and {list(b.shape)}.")
    # PyTorch's EPSILON, added to both squared magnitudes, is a float32 constant (1e-12 rounded
    # to float: 9.99999996e-13); a zero vector's gradient scales with 1/sqrt(eps)
    eps = float(np.float32(1e-12))
    cos = (a * b).sum(k) / (((a * a).sum(k) + eps) * ((b * b).sum(k) + eps)).sqrt()
    zero = ag.zeros_like(cos)
    loss = (ag.where(y == 1, 1 - cos, zero)
            + ag.where(y == -1, (cos - margin).clamp(min=0.0), zero))
    return _reduce(loss, reduction)


def _margin_layout(name: str, x: Tensor, target: Any) -> tuple[Tensor, np.ndarray]:
    """``input`` as ``(N, C)`` and the integer target as an array (a 1-D input is one
    sample). The target's values pick elements in Python: ``ag.compile`` runs such a step
    eagerly."""
    from autograd_core.ops.registry import refuse_capture

    refuse_capture(name)
    if x.ndim not in (1, 2) or x.shape[-1] == 0:  # (an empty batch passes, as PyTorch's)
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(x.shape)}")
    y = np.asarray(_const(target))
    if y.dtype != np.int64:  # PyTorch's kernels take int64 class indices only
        raise RuntimeError(f"expected scalar type Long but found {torch_name(y.dtype)}")
    return (x.reshape(1, -1) if x.ndim == 1 else x), y


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: bool | None = None,
                      reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    r"""Multi-class hinge loss: per sample with class :math:`y`,
    :math:`\frac{1}{C} \sum_{i \ne y} \max(0, w_y (\text{margin} - x_y + x_i))^p`; then
    reduced over the samples.

    Args:
        input (Tensor): ``(N, C)`` or ``(C,)`` scores.
        target (Tensor): class indices, ``(N,)`` or ``()``.
        p (int): 1 or 2. Default: ``1``.
        margin (float): Default: ``1.0``.
        weight (Tensor, optional): a weight per class (``C``), a constant.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.multi_margin_loss(ag.tensor([[0.1, 0.2, 0.4, 0.8]]), ag.tensor([3]))
        tensor(0.3250)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    w = _const(weight)
    if w is not None and w.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _refuse_grad("multi_margin_loss", "weight", weight)
    x0 = _t(input)
    x, y = _margin_layout("multi_margin_loss", x0, target)
    n, c = x.shape
    if y.size != n or (x0.ndim == 2 and y.ndim != 1) or y.ndim > 1:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(y.shape)}. Input has shape {list(x0.shape)}.")
    y = y.reshape(n)
    if ((y < 0) | (y >= c)).any():
        raise RuntimeError("target out of range")
    if w is not None and w.size != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(w.shape)}")
    rows = np.arange(n)
    # PyTorch's kernel adds a term only where z > 0 (gradient 0 at z == 0, a NaN left out)
    z = margin - x[rows, y].reshape(n, 1) + x
    z = ag.where(z > 0, z, 0.0)
    if p == 2:
        z = z * z
    if w is not None:
        z = z * w[y].reshape(n, 1).astype(x._data.dtype)
    others = np.ones((n, c), dtype=x._data.dtype)
    others[rows, y] = 0
    loss = (z * others).sum(1) / c
    return _reduce(loss.reshape(()) if x0.ndim == 1 else loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    r"""Multi-label hinge loss: per sample, with target classes :math:`J` (the indices in
    ``target`` before the first -1),
    :math:`\frac{1}{C} \sum_{j \in J} \sum_{i \notin J} \max(0, 1 - (x_j - x_i))`; then
    reduced over the samples.

    Args:
        input (Tensor): ``(N, C)`` or ``(C,)`` scores.
        target (Tensor): class indices, the same shape as ``input``, padded with -1.
        size_average (bool, optional): deprecated (see ``reduction``).
        reduce (bool, optional): deprecated (see ``reduction``).
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.multilabel_margin_loss(ag.tensor([[0.1, 0.2, 0.4, 0.8]]),
        ...                          ag.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = get_reduction(reduction)
    x0 = _t(input)
    x, y = _margin_layout("multilabel_margin_loss", x0, target)
    if tuple(y.shape) != tuple(x0.shape):
        raise RuntimeError(f"inconsistent target size: {list(y.shape)} for input of size: "
                           f"{list(x0.shape)}")
    n, c = x.shape
    y = y.reshape(n, c)
    # how often each class is listed before the first -1 (PyTorch counts repeats)
    listed = np.cumprod(y != -1, axis=1).astype(bool)
    if ((y[listed] < 0) | (y[listed] >= c)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    counts = np.zeros((n, c))
    np.add.at(counts, (np.nonzero(listed)[0], y[listed]), 1)
    pairs = (counts[:, :, None] * (counts == 0)[:, None, :]).astype(x._data.dtype)
    # PyTorch's kernel adds a term only where it is > 0 (gradient 0 at 0, a NaN term left
    # out) and only for the pairs it visits (an inf term elsewhere is not an inf * 0)
    hinge = 1.0 - x.reshape(n, c, 1) + x.reshape(n, 1, c)
    hinge = ag.where((hinge > 0) & ag.tensor(pairs != 0), hinge, 0.0)
    loss = (hinge * pairs).sum((1, 2)) / c
    return _reduce(loss.reshape(()) if x0.ndim == 1 else loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Any = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    r""":math:`\max(d(a, p) - d(a, n) + \text{margin}, 0)` with any distance ``d``
    (:func:`pairwise_distance` by default); ``swap`` uses :math:`\min(d(a, n), d(p, n))`.

    Args:
        anchor (Tensor), positive (Tensor), negative (Tensor): the same number of dims.
        distance_function (Callable, optional): ``d(x1, x2) -> Tensor``, non-negative.
            Default: ``None`` (:func:`pairwise_distance`).
        margin (float): greater than 0. Default: ``1.0``.
        swap (bool): the distance swap of Balntas et al. Default: ``False``.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> a, pos, neg = ag.zeros(1, 2), ag.tensor([[6.0, 8.0]]), ag.tensor([[3.0, 4.0]])
        >>> l1 = lambda u, v: (u - v).abs().sum(-1)
        >>> F.triplet_margin_with_distance_loss(a, pos, neg, distance_function=l1)
        tensor(8.)
    """
    check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, po, ne = _t(anchor), _t(positive), _t(negative)
    if not (a.ndim == po.ndim == ne.ndim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a.ndim}D, positive {po.ndim}D, and negative "
            f"{ne.ndim}D inputs")
    d = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = d(a, po), d(a, ne)
    if swap:
        d_neg = ag.minimum(d_neg, d(po, ne))
    return _reduce((margin + d_pos - d_neg).clamp(min=0.0), reduction)


__all__ += ["soft_margin_loss", "hinge_embedding_loss", "multilabel_soft_margin_loss",
            "cosine_embedding_loss", "multi_margin_loss", "multilabel_margin_loss",
            "triplet_margin_with_distance_loss"]


# ---- issue 12, second batch: dropout3d, alpha dropout, gumbel_softmax ----------------------
def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels (``input[n, c]``) of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` with
    probability ``p``, the kept ones scaled by ``1/(1-p)``; the identity when not training.
    Masks come from the project's generator (``ag.manual_seed``).

    Args:
        input (Tensor): the input.
        p (float): probability of zeroing a channel. Default: ``0.5``.
        training (bool): apply dropout if ``True``. Default: ``True``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> _ = ag.manual_seed(0)
        >>> y = F.dropout3d(ag.ones(2, 8, 2, 2, 2))
        >>> sorted(set(y[0, :, 0, 0, 0].tolist()) | set(y[0, :, 1, 1, 1].tolist()))
        [0.0, 2.0]
    """
    if inplace and training and 0.0 < p <= 1.0:  # PyTorch writes into input (identity: input)
        return _in_place(input, lambda: dropout3d(input, p, training), "dropout3d_")
    x = _t(input)
    if x.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if x.ndim != 5:
        return _feature_dropout(x.unsqueeze(0), p, training).squeeze(0)
    return _feature_dropout(x, p, training)


def _alpha_dropout(x: Tensor, p: float, training: bool, feature: bool) -> Tensor:
    _check_dropout_p(p)
    if not training or p == 0.0:
        return x
    x = _t(x)
    if feature and x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1.0:
        return x * 0.0
    mask_shape = x.shape[:2] + (1,) * (x.ndim - 2) if feature else None
    return AlphaDropoutOp.apply(x, p, mask_shape)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Alpha dropout (Klambauer et al., 2017): dropped elements take SELU's saturation value
    and an affine map keeps a zero-mean, unit-variance input so; the identity when not
    training (note PyTorch's default ``training=False`` here). Masks come from the project's
    generator.

    Args:
        input (Tensor): the input.
        p (float): probability of dropping an element. Default: ``0.5``.
        training (bool): apply dropout if ``True``. Default: ``False``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> _ = ag.manual_seed(0)
        >>> y = F.alpha_dropout(ag.randn(100000, dtype=ag.float64), 0.2, training=True)
        >>> round(y.mean().item(), 1), round(y.std().item(), 1)
        (0.0, 1.0)
    """
    if inplace and training and 0.0 < p <= 1.0:  # PyTorch writes into input (identity: input)
        return _in_place(input, lambda: alpha_dropout(input, p, training), "alpha_dropout_")
    return _alpha_dropout(input, p, training, feature=False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels: one draw per ``input[n, c]`` (see
    :func:`alpha_dropout`); the identity when not training.

    Args:
        input (Tensor): the input, ``(N, C, *)``.
        p (float): probability of dropping a channel. Default: ``0.5``.
        training (bool): apply dropout if ``True``. Default: ``False``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> _ = ag.manual_seed(0)
        >>> y = F.feature_alpha_dropout(ag.zeros(1, 3, 4), 0.5, training=True)
        >>> [len(set(row.tolist())) for row in y[0]]
        [1, 1, 1]
    """
    if inplace and training and 0.0 < p <= 1.0:  # PyTorch writes into input (identity: input)
        return _in_place(input, lambda: feature_alpha_dropout(input, p, training), "feature_alpha_dropout_")
    return _alpha_dropout(input, p, training, feature=True)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    r"""Samples from the Gumbel-softmax distribution (Jang et al., 2016; Maddison et al.,
    2016): :math:`	ext{softmax}((	ext{logits} + g) / 	au)` with :math:`g` standard Gumbel
    noise drawn from the project's generator. ``hard=True`` returns one-hot samples whose
    gradient is the soft sample's (the straight-through estimator).

    Args:
        logits (Tensor): unnormalised log-probabilities, ``(*, num_features)``.
        tau (float): the temperature, positive. Default: ``1``.
        hard (bool): return one-hot vectors. Default: ``False``.
        eps (float): unused, kept for PyTorch's signature (deprecated there). Default:
            ``1e-10``.
        dim (int): the dimension of the classes. Default: ``-1``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> _ = ag.manual_seed(0)
        >>> y = F.gumbel_softmax(ag.zeros(2, 3), hard=True)
        >>> y.sum(-1)
        tensor([1., 1.])
        >>> sorted(set(y.flatten().tolist()))
        [0.0, 1.0]
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    x = _t(logits)
    check_exponential_dtype(x)  # PyTorch's noise draw refuses int, bool and complex logits
    y_soft = (GumbelNoiseOp.apply(x) / tau).softmax(dim)
    if not hard:
        return y_soft
    # one-hot at the maximum (ties have probability 0 under continuous noise)
    y_hard = ag.where(y_soft == y_soft.amax(dim, keepdim=True), ag.ones_like(x),
                      ag.zeros_like(x))
    return y_hard - y_soft.detach() + y_soft


__all__ += ["dropout3d", "alpha_dropout", "feature_alpha_dropout", "gumbel_softmax"]


# ---- issue 12, second batch: the deprecated upsample aliases of interpolate ----------------
def _upsample_deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=3)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`interpolate` (with PyTorch's warning).

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample(ag.tensor([[[1.0, 2.0]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
    """
    _upsample_deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: :func:`interpolate` with ``mode='nearest'`` (with PyTorch's warning).

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample_nearest(ag.tensor([[[[1.0, 2.0]]]]), size=(1, 4))
        tensor([[[[1., 1., 2., 2.]]]])
    """
    _upsample_deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: :func:`interpolate` with ``mode='bilinear'`` and ``align_corners=True``,
    as PyTorch's (with its warning).

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample_bilinear(ag.tensor([[[[1.0, 2.0]]]]), size=(1, 3))
        tensor([[[[1.0000, 1.5000, 2.0000]]]])
    """
    _upsample_deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ += ["upsample", "upsample_nearest", "upsample_bilinear"]


# ---- issue 12, second batch: the in-place activations --------------------------------------
def _in_place(input: Tensor, compute: Any, name: str) -> Tensor:
    """Writes ``compute()`` into ``input`` with PyTorch's in-place autograd rules (refused on a
    leaf that requires grad while recording; ``input``'s version moves); ``name``: PyTorch's
    in-place op, named in its TypeError where ``input`` is not a Tensor."""
    from autograd_core.ops.inplace import inplace

    if not isinstance(input, Tensor):
        not_a_tensor(name, _in_place, (input,), {})
    return inplace(input, compute)


def relu_(input: Tensor) -> Tensor:
    r"""In-place :func:`relu`: writes :math:`\max(0, x)` into ``input`` and returns it.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([-1.0, 2.0])
        >>> F.relu_(x) is x, x
        (True, tensor([0., 2.]))
    """
    return _in_place(input, lambda: relu(input), "relu_")


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`elu`.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([-1.0, 2.0])
        >>> F.elu_(x) is x, x
        (True, tensor([-0.6321,  2.0000]))
    """
    return _in_place(input, lambda: elu(input, alpha), "elu_")


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place :func:`leaky_relu`.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([-1.0, 2.0])
        >>> F.leaky_relu_(x, 0.5) is x, x
        (True, tensor([-0.5000,  2.0000]))
    """
    return _in_place(input, lambda: leaky_relu(input, negative_slope), "leaky_relu_")


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place :func:`hardtanh`.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([-3.0, 0.5, 2.0])
        >>> F.hardtanh_(x) is x, x
        (True, tensor([-1.0000,  0.5000,  1.0000]))
    """
    return _in_place(input, lambda: hardtanh(input, min_val, max_val), "hardtanh_")


def selu_(input: Tensor) -> Tensor:
    """In-place :func:`selu`.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([-1.0, 1.0])
        >>> F.selu_(x) is x, x
        (True, tensor([-1.1113,  1.0507]))
    """
    return _in_place(input, lambda: selu(input), "selu_")


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`celu`.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([-1.0, 2.0])
        >>> F.celu_(x, alpha=2.0) is x, x
        (True, tensor([-0.7869,  2.0000]))
    """
    return _in_place(input, lambda: celu(input, alpha), "celu_")


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place :func:`rrelu`.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([-1.0, 2.0])
        >>> F.rrelu_(x, 0.25, 0.25) is x, x
        (True, tensor([-0.2500,  2.0000]))
    """
    return _in_place(input, lambda: rrelu(input, lower, upper, training), "rrelu_")


_threshold = threshold  # threshold_'s parameter of that name hides the function


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place :func:`threshold`.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([-1.0, 0.5, 2.0])
        >>> F.threshold_(x, 0.5, -7.0) is x, x
        (True, tensor([-7., -7.,  2.]))
    """
    return _in_place(input, lambda: _threshold(input, threshold, value), "threshold_")


__all__ += ["relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "threshold_",
            "rrelu_"]
