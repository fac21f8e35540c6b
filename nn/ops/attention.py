"""The two attention nodes that cannot be composed from the op table without reading values
in Python: a boolean mask turned into an additive one, and a softmax whose fully masked rows
give zeros.

Both run on arrays in ``forward``, so a step captured by ``ag.compile`` recomputes them from
the masks it is given at each replay (``masked_fill`` and ``where`` would bake the first
call's mask in, which is why they make a captured step run eagerly).
"""

from __future__ import annotations

import numpy as np

from autograd_core.kernels import softmax as SK
from autograd_core.node import Node


class MaskBiasOp(Node):
    """A boolean attention mask as an additive float mask: ``fill`` (``-inf``) where ``mask``
    equals ``masked`` (PyTorch's ``MultiheadAttention`` masks ``True``;
    ``scaled_dot_product_attention`` masks ``False``), ``0`` elsewhere, in ``fill``'s dtype.
    The mask carries no gradient. ``fill`` is an input, not a constant of the node, so that
    ``ag.detect_anomaly`` sees the infinity come in rather than being made here.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops.attention import MaskBiasOp
        >>> MaskBiasOp.apply(ag.tensor([True, False]), MaskBiasOp.fill(np.float32), masked=True)
        tensor([-inf, 0.])
    """

    @staticmethod
    def fill(dtype) -> np.ndarray:
        """``-inf`` as a 0-d array of ``dtype``."""
        return np.array(-np.inf, dtype=dtype)

    def forward(self, mask, fill, masked):
        keep = mask if not masked else ~mask
        return np.where(keep, np.zeros((), fill.dtype), fill)

    def backward(self, g):  # pragma: no cover - a bool input never requires grad
        return (None, None)


class SafeSoftmaxOp(Node):
    """Softmax over the last dimension, where a row whose every entry is ``-inf`` (a query
    that may attend to nothing) gives zeros instead of NaN: PyTorch's ``_safe_softmax``, which
    its ``scaled_dot_product_attention`` uses. Other rows are the ordinary softmax; the
    gradient is the softmax's, ``y * (g - sum(g * y))``, zero on such rows.

    Example::

        >>> import autograd_core as ag
        >>> from nn.ops.attention import SafeSoftmaxOp
        >>> inf = float("inf")
        >>> SafeSoftmaxOp.apply(ag.tensor([[0.0, 0.0], [-inf, -inf]]))
        tensor([[0.5000, 0.5000],
                [0.0000, 0.0000]])
    """

    _grad_fn = "SoftmaxBackward0"

    def forward(self, x, causal=False, scale=None):
        r = SK.rows(x, -1)
        self.scale = scale
        if (causal or scale is not None) and (r is None or x.size == 0):
            raise ValueError("SafeSoftmaxOp: causal/scale take non-empty float32/float64 "
                             "scores")
        if x.size == 0:
            y = np.empty_like(x)
        elif r is not None:  # float32/float64: the row kernel
            # causal (x at least 2-D): query i sees keys 0..i, as if -inf were added above
            # the diagonal (the kernel skips those columns: the same bits, no mask array);
            # scale: the softmax of x * scale (attention's 1/sqrt(E), rounded as its multiply)
            y = SK.softmax_rows(r, safe=True, causal=x.shape[-2] if causal else 0,
                                scale=scale, shape=x.shape)
        else:
            m = np.max(x, axis=-1, keepdims=True)
            dead = m == -np.inf
            e = np.exp(x - np.where(dead, 0, m).astype(x.dtype, copy=False))
            s = np.sum(e, axis=-1, keepdims=True)
            y = e / np.where(dead, 1, s).astype(x.dtype, copy=False)  # dead rows: e is all 0
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        gy = g * y
        gx = gy - y * gy.sum(axis=-1, keepdims=True)
        return (gx if getattr(self, "scale", None) is None else gx * self.scale,)

    def fused_backward(self, g):
        (y,) = self.saved
        r = SK.rows(y, -1)
        if r is None:
            return self.backward(g)
        g = SK.rows(np.asarray(g, dtype=y.dtype), -1)
        return (SK.softmax_backward_rows(g, r, getattr(self, "scale", None), shape=y.shape),)
