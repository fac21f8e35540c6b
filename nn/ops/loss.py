"""Loss functions as single graph nodes, with PyTorch's formulas.

Reductions: ``'mean'`` (PyTorch's divisor for each loss), ``'sum'``, ``'none'``.
"""

from __future__ import annotations

import numpy as np

from autograd_core.kernels import losses as LK
from autograd_core.kernels import pointwise as PW
from autograd_core.kernels import softmax as SK
from autograd_core.node import Node
from autograd_core.ops import _xp as xp
from autograd_core.ops.registry import warn_caller
from autograd_core.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> None:
    """Raises PyTorch's ValueError unless ``reduction`` is ``'mean'``, ``'sum'`` or ``'none'``.

    Example::

        >>> from nn.ops.loss import check_reduction
        >>> check_reduction("sum")
        >>> check_reduction("avg")
        Traceback (most recent call last):
        ...
        ValueError: avg is not a valid value for reduction
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def get_reduction(reduction: str) -> str:
    """``reduction`` checked as ``check_reduction`` does, but for PyTorch's deprecated
    ``'elementwise_mean'``, which is ``'mean'`` with PyTorch's warning (its
    ``_Reduction.get_enum``, what most losses call; ``poisson_nll_loss`` and a few others check
    first and refuse it).

    Example::

        >>> from nn.ops.loss import get_reduction
        >>> get_reduction("sum")
        'sum'
    """
    if reduction in _REDUCTIONS:
        return reduction
    if reduction == "elementwise_mean":
        warn_caller("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                    "instead.")
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def refuse_reduction(reduction: str) -> None:
    """PyTorch's ValueError of ``gaussian_nll_loss`` and ``multilabel_soft_margin_loss`` (its
    own words there) unless ``reduction`` is ``'mean'``, ``'sum'`` or ``'none'``."""
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")


def _logsumexp_rows(x):
    """``(m, log s)``, each (M, 1): the row max and ``log(sum(exp(x - m)))``, so that
    ``logsumexp = m + log s``, kept apart: ``(x - m) - log s`` keeps the log term where
    ``x - (m + log s)`` would lose it beside a huge max (float32 logits near 3e38)."""
    m = _row_max(x)
    return m, np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def _row_max(x):
    """The (M, 1) row max, 0 where it is not finite (a row of -inf stays -inf, not NaN)."""
    m = x.max(axis=1, keepdims=True)
    if not np.all(np.isfinite(m)):
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype)
    return m


def _reduce(per_sample, reduction, divisor):
    if reduction == "none":
        return per_sample
    # np.add.reduce is ndarray.sum without numpy's Python wrapper, whose inf/NaN warnings
    # would name numpy's file, not this one, and escape autograd_core._quiet's filter
    total = np.add.reduce(per_sample, axis=None)
    if reduction == "sum":
        return total
    if type(divisor) is int and divisor:  # M: nothing to quiet (errstate costs more)
        return np.asarray(total / divisor, dtype=per_sample.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(total / divisor, dtype=per_sample.dtype)


def _nll_reduce(loss, reduction, weighted, valid):
    """``(reduced loss, divisor)`` of per-sample terms ``loss`` as ATen's nll_loss reduces
    them: ``kernels.losses.nll_cascade_sum`` of the terms, a mean divided by the count of samples kept (exact)
    or the cascade sum of their weights ``weighted``."""
    if reduction == "none":
        return loss, 1
    total = LK.nll_cascade_sum(loss, valid)
    if reduction == "sum":
        return np.asarray(total), 1
    if weighted is not None:
        divisor = LK.nll_cascade_sum(weighted, valid)
    else:
        divisor = loss.size if valid is None else int(np.count_nonzero(valid))
    if divisor:
        return np.asarray(total / loss.dtype.type(divisor)), divisor
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(total / loss.dtype.type(divisor), dtype=loss.dtype), divisor


def _class_targets(target, n_classes, ignore_index):
    """(safe targets with ignored entries set to 0, valid mask or None)."""
    if target.dtype.kind not in "iu":
        raise RuntimeError(
            f"expected class-index targets of an integer dtype (int64), got {target.dtype}"
        )
    valid = None
    safe = target
    if target.size:  # the common case in two reductions: every target a class, none ignored
        lo, hi = np.minimum.reduce(target, axis=None), np.maximum.reduce(target, axis=None)
        if 0 <= lo and hi < n_classes and (ignore_index is None or not lo <= ignore_index <= hi):
            return safe, valid
    if ignore_index is not None and ignore_index >= -(2 ** 62):
        ignored = target == ignore_index
        if ignored.any():
            valid = ~ignored
            safe = np.where(valid, target, 0)
    if safe.size:
        lo, hi = safe.min(), safe.max()
        if lo < 0 or hi >= n_classes:
            bad = lo if lo < 0 else hi
            raise IndexError(f"Target {bad} is out of bounds (classes 0..{n_classes - 1}).")
    return safe, valid


class CrossEntropyOp(Node):
    """Softmax cross-entropy on logits ``x`` of shape (M, C) with class-index targets (M,).

    Per sample, with ``w`` the class weights (ones when absent), ``eps`` the label smoothing,
    ``lse`` the row logsumexp and ``logp = x - lse``::

        loss_i = (1 - eps) * w[y_i] * (-logp[i, y_i]) + eps / C * sum_c w[c] * (-logp[i, c])

    and 0 where ``y_i == ignore_index``. ``'mean'`` divides the sum by ``sum_i w[y_i]`` over
    non-ignored samples (PyTorch's divisor, used for the smoothing term too).

    Backward in one pass: ``dx = (softmax(x) * A_i - a_ic) * g_i / D`` with ``a`` the target
    distribution above (one-hot when ``eps == 0``) and ``A_i = sum_c a_ic``. Only ``x`` and the
    row log-sum are saved; the softmax is recomputed as ``exp((x - m) - log s)``.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops import *
        >>> x = ag.zeros(1, 2, requires_grad=True)
        >>> CrossEntropyOp.apply(x, np.array([1]), None, ignore_index=-100, reduction="mean",
        ...                  label_smoothing=0.0)
        tensor(0.6931, grad_fn=<CrossEntropyLossBackward0>)
    """

    _op_name = "cross_entropy"  # the public op a refusal names (Node.op_name)

    _grad_fn = "CrossEntropyLossBackward0"

    def forward(self, x, target, weight, ignore_index, reduction, label_smoothing):
        M, C = x.shape
        self.reduction, self.eps = reduction, float(label_smoothing)
        safe, valid = _class_targets(target, C, ignore_index)
        rows = np.arange(M)
        self.rowkernel = bool(x.size) and x.dtype in (np.float32, np.float64)
        if self.rowkernel:  # the row kernel: PyTorch's log_softmax roundings, its exp
            m, logs = SK.logsumexp_rows(np.ascontiguousarray(x))
            m, logs = m[:, None], logs[:, None]
        else:
            m, logs = _logsumexp_rows(x)
        # a +inf logit: logsumexp's inf, but log_softmax's NaN row (PyTorch's loss is NaN)
        if not np.isfinite(np.add.reduce(logs, axis=None)):  # (one cheap pass when all finite)
            logs = np.where(logs == np.inf, np.nan, logs).astype(x.dtype, copy=False)
        nll = logs[:, 0] - (x[rows, safe] - m[:, 0])
        if weight is not None:
            wy = weight[safe]
            if valid is not None:
                wy = wy * valid
        else:
            wy = valid.astype(x.dtype) if valid is not None else None
        eps = self.eps
        loss = nll * wy if wy is not None else nll
        if eps > 0:
            if weight is None:
                smooth = C * logs[:, 0] - np.add.reduce(x - m, axis=1)  # (= .sum: see _reduce)
            else:
                smooth = weight.sum() * logs[:, 0] - (x - m) @ weight
            if valid is not None:
                smooth = smooth * valid
            loss = (1.0 - eps) * loss + (eps / C) * smooth
        self.safe, self.wy, self.weight, self.valid = safe, wy, weight, valid
        self.save_for_backward(x, logs)  # the row max is recomputed: a cheap pass, no memory
        loss = loss.astype(x.dtype, copy=False)
        if eps == 0:  # PyTorch's nll_loss of the log-softmax: its sums
            out, self.divisor = _nll_reduce(loss, reduction, wy if weight is not None else None,
                                            valid)
            return out
        if reduction == "mean":
            divisor = wy.sum() if wy is not None else M
        else:
            divisor = 1
        self.divisor = divisor
        return _reduce(loss, reduction, divisor)

    def _coefficients(self, g, dtype):
        """Per-sample gradient scale ``g_i / D`` (array or Tensor, shape (M,))."""
        if self.reduction == "none":
            return g if self.divisor == 1 else g / self.divisor
        if self.reduction == "mean" and self.divisor == 0:
            return g * 0.0  # every target ignored: the loss is NaN, the gradient 0 (PyTorch)
        return g / self.divisor if self.reduction == "mean" else g

    def _targets(self, M, C, dtype):
        """(a: dense target distribution (M, C), A: its row sums (M,)) as arrays."""
        eps, wy, weight = self.eps, self.wy, self.weight
        onehot_w = np.ones(M, dtype) if wy is None else wy.astype(dtype, copy=False)
        a = np.zeros((M, C), dtype)
        a[np.arange(M), self.safe] = (1.0 - eps) * onehot_w
        A = (1.0 - eps) * onehot_w
        if eps > 0:
            valid = np.ones(M, dtype) if self.valid is None else self.valid.astype(dtype)
            wc = np.ones(C, dtype) if weight is None else weight.astype(dtype, copy=False)
            a += (eps / C) * valid[:, None] * wc[None, :]
            A = A + (eps / C) * wc.sum() * valid
        return a, A

    def backward(self, g):  # composite: what create_graph records
        x, logs = self.saved
        return self._backward_composite(g, x), None

    def fused_backward(self, g):  # one pass on the arrays
        x, logs = self.saved
        M, C = x.shape
        coef = np.asarray(self._coefficients(g, x.dtype), dtype=x.dtype)
        coef = np.full(M, coef) if coef.ndim == 0 else coef  # (a broadcast view costs more)
        if self.eps == 0 and self.rowkernel:  # one pass: log_softmax's backward of a one-hot
            c = coef if self.wy is None else coef * self.wy
            return SK.nll_backward_rows(np.ascontiguousarray(x), logs[:, 0],
                                        np.asarray(c, x.dtype),
                                        np.asarray(self.safe, np.int64)), None
        rows = np.arange(M)
        p = np.subtract(x, _row_max(x))
        p -= logs
        np.exp(p, out=p)
        if self.eps == 0:
            c = coef if self.wy is None else coef * self.wy
            p *= c[:, None]
            p[rows, self.safe] -= c
            return p, None
        a, A = self._targets(M, C, x.dtype)
        p *= (A * coef)[:, None]
        p -= a * coef[:, None]
        return p, None

    def _backward_composite(self, g, x):
        M, C = x.shape
        a, A = self._targets(M, C, x.dtype)
        coef = self._coefficients(g, x.dtype)
        if coef.ndim == 0:
            coef = coef.expand(M)
        p = x.softmax(1)
        return p * (coef * A).reshape(M, 1) - coef.reshape(M, 1) * a


class NLLLossOp(Node):
    """Negative log-likelihood on log-probabilities ``x`` (M, C) with class indices (M,):
    ``loss_i = -w[y_i] * x[i, y_i]`` (0 for ignored), ``'mean'`` divides by ``sum w[y_i]``.
    The gradient is linear in ``g`` with a constant sparse coefficient.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops import *
        >>> NLLLossOp.apply(ag.tensor([[-0.5, -1.0]]), np.array([1]), None, ignore_index=-100,
        ...             reduction="sum")
        tensor(1.)
    """

    _grad_fn = "NllLossBackward0"

    def forward(self, x, target, weight, ignore_index, reduction):
        M, C = x.shape
        self.reduction = reduction
        safe, valid = _class_targets(target, C, ignore_index)
        wy = None
        if weight is not None:
            wy = weight[safe].astype(x.dtype)
        if valid is not None:
            wy = (wy if wy is not None else np.ones(M, x.dtype)) * valid
        picked = -x[np.arange(M), safe]
        loss = picked * wy if wy is not None else picked
        self.safe, self.wy, self.shape, self.dtype = safe, wy, x.shape, x.dtype
        self.valid = valid
        self.save_for_backward(x)  # under create_graph, the gradient reads x (PyTorch's)
        out, self.divisor = _nll_reduce(loss.astype(x.dtype, copy=False), reduction,
                                        wy if weight is not None else None, valid)
        return out

    def backward(self, g):
        (x,) = self.saved
        return xp.depends_on(self._backward(g), x, rereads=False), None

    def _backward(self, g):
        M, C = self.shape
        coef = np.zeros((M, C), self.dtype)
        w = -np.ones(M, self.dtype) if self.wy is None else -self.wy
        if self.valid is None:
            coef[np.arange(M), self.safe] = w
        else:  # an ignored row's gradient stays +0.0 (PyTorch's; -0.0 * g gave -0.0)
            coef[np.flatnonzero(self.valid), self.safe[self.valid]] = w[self.valid]
        if self.reduction == "none":
            return g.reshape(M, 1) * coef
        if self.reduction == "mean":  # PyTorch's w * -(g / D) (w / D * g rounded otherwise)
            if self.divisor == 0:  # every target ignored: a zero gradient, as PyTorch
                return g * np.zeros_like(coef)
            g = g / self.divisor
        return g * coef


def _elementwise_reduce(loss, reduction):
    if reduction == "none":
        return loss
    # np.add.reduce: numpy's pairwise sum without the Python wrapper of ndarray.sum/mean
    total = np.add.reduce(loss.reshape(-1))
    if reduction == "sum":
        return total
    return np.asarray(total / loss.size, dtype=loss.dtype)


def _grad_scale(g, reduction, n):
    """The incoming gradient as the per-element scale of an elementwise loss."""
    if reduction == "mean":
        if type(g) is np.ndarray and g.ndim == 0:
            # a 0-d array as its scalar: the same division, without the ufunc's array path
            return g[()] / n
        return g / n
    return g


def _weighted_mean(grad, weight, reduction, n):
    """``grad * weight``, then ``/ n`` under ``reduction='mean'``: the tail of PyTorch's
    ``binary_cross_entropy(_with_logits)_backward``, whose elementwise slope is multiplied by
    the incoming gradient first and divided by the element count last (scaling ``g`` by
    ``1 / n`` first rounded otherwise: about half of the elements an ulp off)."""
    if weight is not None:
        grad = np.multiply(grad, weight, out=grad if grad.shape == np.broadcast_shapes(
            grad.shape, np.shape(weight)) else None)
    if reduction == "mean":
        grad = np.divide(grad, grad.dtype.type(n), out=grad)
    return grad


class MSELossOp(Node):
    """``(x - y)^2`` reduced. Saves x and y (no new memory), recomputes ``x - y``.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops import *
        >>> MSELossOp.apply(ag.tensor([1.0, 3.0]), ag.tensor([1.0, 1.0]), reduction="mean")
        tensor(2.)
    """

    _grad_fn = "MseLossBackward0"

    def forward(self, x, y, reduction):
        self.reduction, self.n = reduction, x.size
        self.save_for_backward(x, y)
        d = x - y
        return _elementwise_reduce(np.multiply(d, d, out=d), reduction)

    def backward(self, g):
        x, y = self.saved
        s = _grad_scale(g, self.reduction, self.n)
        gx = (x - y) * (s * 2.0)
        need = self.needs_input_grad
        return (gx if need[0] else None), (-gx if need[1] else None)

    def fused_backward(self, g):
        """ATen's ``mse_loss_backward``: ``norm * (x - y) * g`` in that order, ``norm`` (``2 /
        numel`` for a mean, else 2) rounded to the dtype first; the rule above rounded
        ``g / n`` first (a quarter of float32 gradients, most float64 ones, an ulp off)."""
        x, y = self.saved
        norm = 2.0 / max(self.n, 1) if self.reduction == "mean" else 2.0  # (empty: no terms)
        if x.dtype == np.float16:  # (ATen's half kernel: each step in float32, rounded)
            d = (x.astype(np.float32) - y.astype(np.float32)).astype(np.float16)
            gx = ((np.float16(norm).astype(np.float32) * d).astype(np.float16).astype(
                np.float32) * np.asarray(g, np.float32)).astype(np.float16)
        else:
            gx = x.dtype.type(norm) * (x - y) * g
        gx = np.asarray(gx, dtype=x.dtype)
        need = self.needs_input_grad
        return (gx if need[0] else None), (-gx if need[1] else None)


class _PiecewiseLossOp(Node):
    """A loss quadratic for ``|x - y| < k`` and linear beyond, reduced, with ATen's kernels'
    rounding: the forward's terms as ATen writes them, the backward ``norm * slope * g``
    (``norm`` = ``1 / numel`` for a mean, else 1, in the dtype; the slope ``d / beta`` or
    ``+-1`` for smooth L1, ``d`` or ``+-delta`` for Huber), its vectorised body's order. As
    composites, smooth L1's terms for ``beta != 1`` and both gradients of a mean were rounded
    otherwise (up to 28% of the terms and 8% of float32 gradients an ulp off). x and y of one
    floating dtype and shape; ``k > 0``."""

    def forward(self, x, y, reduction, k):
        self.reduction, self.n, self.k = reduction, x.size, k
        self.save_for_backward(x, y)
        z = np.abs(x - y)
        return _elementwise_reduce(self._terms(z, x.dtype.type(k)), reduction)

    def _slope(self, d, k):
        raise NotImplementedError

    def backward(self, g):  # under create_graph: the same derivative, recorded
        x, y = self.saved
        d = x - y
        slope = self._slope(d, self.k)
        gx = slope * _grad_scale(g, self.reduction, self.n)
        need = self.needs_input_grad
        return (gx if need[0] else None), (-gx if need[1] else None)

    def fused_backward(self, g):
        x, y = self.saved
        dt = x.dtype.type
        norm = dt(1.0 / max(self.n, 1)) if self.reduction == "mean" else dt(1.0)  # (empty)
        gx = np.asarray(norm * self._slope(x - y, dt(self.k)) * g, dtype=x.dtype)
        need = self.needs_input_grad
        return (gx if need[0] else None), (-gx if need[1] else None)


class SmoothL1LossOp(_PiecewiseLossOp):
    _grad_fn = "SmoothL1LossBackward0"

    @staticmethod
    def _terms(z, beta):
        return np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)

    def _slope(self, d, beta):
        a = xp.data(d)
        sign = np.where(a > 0, 1, -1).astype(a.dtype)
        return xp.where(np.abs(a) >= beta, sign, d / beta)


class HuberLossOp(_PiecewiseLossOp):
    _grad_fn = "HuberLossBackward0"

    @staticmethod
    def _terms(z, delta):
        return np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))

    def _slope(self, d, delta):
        a = xp.data(d)
        edge = np.where(a > 0, 1, -1).astype(a.dtype) * a.dtype.type(delta)
        return xp.where(np.abs(a) >= delta, edge, d)


def _clamped_log(v):
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(v), -100.0)


class BCEInputGrad(Node):
    """``(x - y) / max((1 - x) x, EPSILON)``, binary_cross_entropy's gradient in its input per
    unit of incoming gradient, as a primitive (used under create_graph) with PyTorch's second
    derivatives: in ``x``, ``(x^2 - 2 x y + y) / ((x + 1e-12)^2 (1 - x + 1e-12)^2)`` (ATen's
    ``binary_cross_entropy_double_backward``: not the derivative of the clamped quotient
    where ``x (1 - x) < EPSILON``), in ``y``, ``-1 / max((1 - x) x, EPSILON)``."""

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return (x - y) / np.maximum((1.0 - x) * x, BCELossOp.EPSILON)

    def backward(self, g):
        x, y = self.saved
        gx = gy = None
        if self.needs_input_grad[0]:
            eps = 1e-12
            gx = g * (x * x - 2.0 * x * y + y) / ((x + eps) ** 2 * (1.0 - x + eps) ** 2)
        if self.needs_input_grad[1]:
            d = (1.0 - x) * x
            gy = -g / (d.clamp(min=BCELossOp.EPSILON) if isinstance(d, Tensor) else
                       np.maximum(d, BCELossOp.EPSILON))
        return gx, gy


class BCETargetGrad(Node):
    """``log(1 - x) - log(x)``, both logs clamped to >= -100: binary_cross_entropy's gradient
    in its target per unit of incoming gradient, as a primitive (used under create_graph)
    with PyTorch's derivative, that of ``-logit(x)``: ``-1 / (x (1 - x))`` (-inf at 0 and 1;
    the composite through the clamps gave NaN there)."""

    def forward(self, x):
        self.save_for_backward(x)
        return _clamped_log(1 - x) - _clamped_log(x)

    def backward(self, g):
        (x,) = self.saved
        with np.errstate(divide="ignore"):
            return (-g / (x * (1.0 - x)),)


class BCELossOp(Node):
    """``-w (y log x + (1 - y) log(1 - x))`` with both logs clamped to >= -100 (PyTorch).
    Backward is PyTorch's: ``g w (x - y) / max((1 - x) x, 1e-12)`` (1e-12 as a float32 value, as PyTorch) for x and
    ``g w (log(1 - x) - log(x))`` (clamped logs) for y.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops import *
        >>> BCELossOp.apply(ag.tensor([0.5]), np.array([1.0], np.float32), None, reduction="mean")
        tensor(0.6931)
    """

    _op_name = "binary_cross_entropy"  # the public op a refusal names (Node.op_name)

    # PyTorch's constant is the float32 value of 1e-12 (9.99999996e-13), also for float64
    EPSILON = float(np.float32(1e-12))

    _grad_fn = "BinaryCrossEntropyBackward0"

    def forward(self, x, y, weight, reduction):
        # PyTorch's checks (a NaN fails them too: a diverged model raises there, where it
        # gave NaN here; a target outside [0, 1] gave a silently wrong loss)
        for name, v in (("input", x), ("target", y)):
            if not np.all((v >= 0) & (v <= 1)):
                raise RuntimeError(f"all elements of {name} should be between 0 and 1")
        self.reduction, self.n, self.weight = reduction, x.size, weight
        self.save_for_backward(x, y)
        loss = -(y * _clamped_log(x) + (1 - y) * _clamped_log(1 - x))
        if weight is not None:
            loss = loss * weight
        return _elementwise_reduce(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        x, y = self.saved
        s = _grad_scale(g, self.reduction, self.n)
        if self.weight is not None:
            s = s * self.weight
        need = self.needs_input_grad
        gx = gy = None
        if need[0]:
            gx = s * BCEInputGrad.apply(x, y)
        if need[1]:
            gy = s * BCETargetGrad.apply(x)
        return gx, gy

    def fused_backward(self, g):
        x, y = self.saved
        need = self.needs_input_grad
        gx = gy = None
        if need[0] and not xp.is_half(x):
            # ATen's kernel, g * (x - y) / max((1 - x) x, eps), then * weight, then / n
            gx = np.subtract(x, y, out=np.empty_like(x))  # (an array also for 0-d x)
            gx = np.multiply(g, gx, out=gx if np.result_type(g, gx) == gx.dtype else None)
            den = np.subtract(1.0, x, out=np.empty_like(x))
            den *= x
            np.maximum(den, self.EPSILON, out=den)
            gx /= den
            gx = _weighted_mean(gx, self.weight, self.reduction, self.n)
        s = _grad_scale(g, self.reduction, self.n)
        if self.weight is not None:
            s = s * self.weight
        if need[0] and gx is None:
            gx = s * (x - y) / np.maximum((1.0 - x) * x, self.EPSILON)
        if need[1]:
            gy = s * (_clamped_log(1 - x) - _clamped_log(x))
        return gx, gy


class BCEWithLogitsOp(Node):
    """Sigmoid + binary cross-entropy, stable for any logit (PyTorch's form)::

        l = (1 - y) x + lw * softplus(-x),   lw = 1 + (pos_weight - 1) y,
        softplus(-x) = max(-x, 0) + log1p(exp(-|x|))

    times ``weight``. ``dl/dx = (1 - y) - lw * sigmoid(-x)`` (``sigmoid(x) - y`` without
    pos_weight); ``dl/dy = -x + (pos_weight - 1) * softplus(-x)``.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops import *
        >>> y = np.array([1.0], np.float32)
        >>> BCEWithLogitsOp.apply(ag.tensor([0.0]), y, None, None, reduction="sum")
        tensor(0.6931)
    """

    _op_name = "binary_cross_entropy_with_logits"  # the public op a refusal names (Node.op_name)

    _grad_fn = "BinaryCrossEntropyWithLogitsBackward0"

    def forward(self, x, y, weight, pos_weight, reduction):
        self.reduction, self.n = reduction, x.size
        self.weight, self.pos_weight = weight, pos_weight
        self.save_for_backward(x, y)
        if pos_weight is None and weight is None and reduction != "none":
            # the whole loss in one loop, summed in float64 (kernels.losses)
            total, n = LK.bce_logits_sum(x, y), x.size
            return np.asarray(total if reduction == "sum" else total / n if n else np.nan,
                              dtype=x.dtype)
        if pos_weight is not None:
            sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
            lw = 1 + (pos_weight - 1) * y
            loss = (1 - y) * x + lw * sp
        else:
            # (1 - y) x + softplus(-x) = max(x, 0) - x y + log1p(exp(-|x|)), fewer passes
            loss = np.abs(x)
            np.negative(loss, out=loss)
            np.exp(loss, out=loss)
            np.log1p(loss, out=loss)
            PW.bce_logits_tail_(loss, x, y)
        if weight is not None:
            loss = loss * weight
        return _elementwise_reduce(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        x, y = self.saved
        s = _grad_scale(g, self.reduction, self.n)
        if self.weight is not None:
            s = s * self.weight
        need = self.needs_input_grad
        pw = self.pos_weight
        gx = gy = None
        sig_neg = (-x).sigmoid()
        if need[0]:
            if pw is None:
                gx = s * (x.sigmoid() - y)
            else:
                gx = s * ((1.0 - y) - (y * (pw - 1) + 1.0) * sig_neg)
        if need[1]:
            sp = (-x).relu() + ((-(x.abs())).exp() + 1.0).log()
            gy = s * (-x) if pw is None else s * (sp * (pw - 1) - x)
        return gx, gy

    def fused_backward(self, g):
        x, y = self.saved
        s = _grad_scale(g, self.reduction, self.n)
        if self.weight is not None:
            s = s * self.weight
        need = self.needs_input_grad
        pw = self.pos_weight
        gx = gy = None
        if need[0] and not xp.is_half(x):
            # FunctionsManual's binary_cross_entropy_with_logits_backward: (sigmoid(x) - y) * g
            # ((t + 1 - y) * sigmoid(x) - t) * g with t = pos_weight * y), * weight, / n
            if pw is None and self.weight is None:  # one pass: / n in the kernel
                g0 = g[()] if type(g) is np.ndarray and g.ndim == 0 else g
                d = x.dtype.type(self.n if self.reduction == "mean" else 1)
                gx = LK.bce_logits_dx(x, y, g0, d)
            else:
                if pw is None:
                    g0 = g[()] if type(g) is np.ndarray and g.ndim == 0 else g
                    gx = LK.bce_logits_dx(x, y, g0)
                else:
                    with np.errstate(over="ignore"):
                        sig = 1.0 / (1.0 + np.exp(-x))
                    t = pw * y
                    gx = (((t + 1) - y) * sig - t) * g
                gx = _weighted_mean(gx, self.weight, self.reduction, self.n)
        elif need[0]:
            if pw is None:
                if type(s) is np.ndarray and s.ndim == 0:  # reduction="sum": g itself
                    s = s[()]
                gx = LK.bce_logits_dx(x, y, s)  # s * (sigmoid(x) - y)
            else:
                with np.errstate(over="ignore"):
                    sig_neg = 1.0 / (1.0 + np.exp(x))
                gx = s * ((1 - y) - (1 + (pw - 1) * y) * sig_neg)
        if need[1]:
            if pw is None:
                gy = -s * x
            else:
                sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
                gy = s * ((pw - 1) * sp - x)
        return gx, gy


class SoftMarginLossOp(Node):
    """``softplus(-y x)`` (``log(1 + exp(-y x))``) reduced, with ATen's
    ``soft_margin_loss_backward``: ``(y z) (-1/n) / (1 + z) * g``, ``z = exp(-y x)``, ``n`` the
    element count under ``'mean'`` (1 otherwise); ``-y / n * g`` where ``z`` overflows (ATen's
    NaN there). The loss is the composite's, bit for bit.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops.loss import SoftMarginLossOp
        >>> SoftMarginLossOp.apply(ag.tensor([0.0, 2.0]), np.array([1.0, -1.0], np.float32),
        ...                        reduction="sum")
        tensor(2.8201)
    """

    _op_name = "soft_margin_loss"
    _grad_fn = "SoftMarginLossBackward0"

    def forward(self, x, y, reduction):
        self.reduction, self.y, self.n = reduction, y, x.size
        self.save_for_backward(x)
        loss = LK.soft_margin(x, y)  # (softplus's kernel of -y * x, in one pass)
        if reduction == "none":
            return loss
        return xp.fsum(loss) if reduction == "sum" else xp.fmean(loss)

    def backward(self, g):
        (x,) = self.saved
        y = self.y
        norm = 1.0 / self.n if self.reduction == "mean" else 1.0
        if isinstance(x, Tensor) or isinstance(g, Tensor):  # create_graph: recorded ops
            z = (x * xp.constant(-y)).exp()
            return (z * xp.constant(y) * -norm / (z + 1.0) * g,)
        return (LK.soft_margin_dx(x, y, g, norm),)


class ClampedInValue(Node):
    """``max(x, min)`` in value, the identity for the gradient: PyTorch's ``var.clamp_(min=eps)``
    under ``no_grad`` in ``gaussian_nll_loss``, whose gradient reaches ``var`` unclamped.

    Example::

        >>> import autograd_core as ag
        >>> from nn.ops.loss import ClampedInValue
        >>> v = ag.tensor([0.0, 2.0], requires_grad=True)
        >>> y = ClampedInValue.apply(v, min=0.5)
        >>> y.sum().backward()
        >>> y.detach(), v.grad
        (tensor([0.5000, 2.0000]), tensor([1., 1.]))
    """

    _grad_fn = "CloneBackward0"

    def forward(self, x, min):  # noqa: A002 - clamp's keyword
        return np.maximum(x, np.asarray(min, dtype=x.dtype))

    def backward(self, g):
        return (g,)


class CTCLossOp(Node):
    """The CTC negative log-likelihood of each sample, ``(N,)``, from ``log_probs`` ``(T, N, C)``
    and padded int64 ``targets`` ``(N, S)`` (the Numba forward-backward kernels of
    ``autograd_core.kernels.ctc``). The gradient with respect to ``log_probs`` is PyTorch's,
    ``exp(log_probs) - occupation / likelihood``: the true one plus a term that vanishes
    through ``log_softmax`` (so it is exact for normalised log-probabilities made by
    ``log_softmax``); it is not differentiable again.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops.loss import CTCLossOp
        >>> lp = ag.full((1, 1, 2), float(np.log(0.5)))  # one frame, two classes
        >>> CTCLossOp.apply(lp, np.array([[1]]), np.array([1]), np.array([1]), blank=0,
        ...                 zero_infinity=False)
        tensor([0.6931])
    """

    _grad_fn = "CtcLossBackward0"

    def forward(self, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        from autograd_core.kernels import ctc

        lp = np.ascontiguousarray(log_probs)
        args = (np.ascontiguousarray(targets, dtype=np.int64),
                np.ascontiguousarray(input_lengths, dtype=np.int64),
                np.ascontiguousarray(target_lengths, dtype=np.int64))
        nll, log_alpha = ctc.ctc_forward(lp, *args, blank)
        self.save_for_backward(log_probs)
        self.ctc = (args, nll, log_alpha, blank, zero_infinity)
        if zero_infinity:
            nll = np.where(nll == np.inf, 0.0, nll)
        return nll.astype(lp.dtype)

    def backward(self, g):
        from autograd_core.kernels import ctc

        (lp,) = self.saved
        lp = np.ascontiguousarray(xp.data(lp))
        args, nll, log_alpha, blank, zero_infinity = self.ctc
        n = lp.shape[1]
        if isinstance(g, np.ndarray):
            return (ctc.ctc_backward(g, lp, *args, nll, log_alpha, blank, zero_infinity),
                    None, None, None)
        # under create_graph: linear in g, constant in log_probs (PyTorch's is not
        # differentiable twice either)
        unit = ctc.ctc_backward(np.ones(n), lp, *args, nll, log_alpha, blank, zero_infinity)
        return g.reshape(1, n, 1) * unit, None, None, None
