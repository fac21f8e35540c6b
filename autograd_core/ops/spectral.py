"""The discrete Fourier transform's three nodes (``autograd_core.fft`` builds every function
of ``torch.fft`` from them, with the resizing to ``n``/``s`` done by differentiable ops
before): complex to complex, real to complex (one-sided) and complex to real (Hermitian).

Each computes the *unnormalized* transform of numpy's pocketfft times ``scale`` (1, 1/N or
1/sqrt(N), from ``norm``). Their gradients, PyTorch's (``FunctionsManual.cpp``):

* c2c: ``y = scale * F x`` (``F`` the DFT matrix, or its conjugate for the inverse
  direction) is complex-linear; its adjoint is the other direction with the same scale.
* r2c: ``y = scale * P F x`` keeps the first ``n // 2 + 1`` bins (``P``); the real input's
  gradient is ``Re(scale * F^H P^T g)``: zero-pad ``g``, the inverse direction, the real part
  (the engine keeps the real part of a complex gradient reaching a real input).
* c2r: ``y = scale * Re(sum_k c_k x_k e^(+i...))`` with ``c_k`` 2 except for the DC and
  Nyquist bins; the gradient is ``scale * c_k * rfft(g)_k``.
"""

from __future__ import annotations

import numpy as np

from autograd_core.node import Node
from autograd_core.ops.shape import cat
from autograd_core.tensor import Tensor, note_complex


def _scaled(y, scale):
    return y if scale == 1 else y * np.asarray(scale, dtype=y.real.dtype)


class FftC2C(Node):
    """``scale * F x`` over ``axes`` (``F``: the forward DFT, or its conjugate when not
    ``forward``)."""

    _op_name = "fft_c2c"  # the public op a refusal names (Node.op_name)

    def forward(self, x, axes, forward, scale):
        self.args = axes, forward, scale
        if not axes:
            return x.copy()
        fn = np.fft.fftn if forward else np.fft.ifftn
        return _scaled(fn(x, axes=axes, norm="backward" if forward else "forward"), scale)

    def complex_backward(self, g):
        axes, forward, scale = self.args
        return (FftC2C.apply(g, axes=axes, forward=not forward, scale=scale),)


class FftR2C(Node):
    """``scale * F x`` of a real ``x`` over ``axes``, the last one halved (``n // 2 + 1``
    bins)."""

    _op_name = "fft_r2c"  # the public op a refusal names (Node.op_name)

    def forward(self, x, axes, scale):
        self.args = axes, scale
        self.n = x.shape[axes[-1]]
        note_complex(np.promote_types(x.dtype, np.complex64))
        return _scaled(np.fft.rfftn(x, axes=axes, norm="backward"), scale)

    def complex_backward(self, g):
        axes, scale = self.args
        last = axes[-1]
        missing = self.n - g.shape[last]
        if missing:  # P^T: the bins rfft dropped, as zeros
            shape = list(g.shape)
            shape[last] = missing
            if isinstance(g, Tensor):
                g = cat([g, Tensor._make(np.zeros(shape, g.dtype), None, False)], dim=last)
            else:
                g = np.concatenate([g, np.zeros(shape, g.dtype)], axis=last)
        return (FftC2C.apply(g, axes=axes, forward=False, scale=scale),)


class FftC2R(Node):
    """``scale * irfft`` (unnormalized) of the Hermitian half spectrum ``x`` over ``axes``:
    a real output whose last axis has ``n`` points (``x``'s has ``n // 2 + 1``)."""

    _op_name = "fft_c2r"  # the public op a refusal names (Node.op_name)

    def forward(self, x, axes, n, scale):
        self.args = axes, scale
        sizes = [x.shape[a] for a in axes[:-1]] + [n]
        return _scaled(np.fft.irfftn(x, s=sizes, axes=axes, norm="forward"), scale)

    def complex_backward(self, g):
        axes, scale = self.args
        last = axes[-1]
        gx = FftR2C.apply(g, axes=axes, scale=scale)
        n, m = g.shape[last], gx.shape[last]
        weight = np.ones(m, dtype=g.dtype)
        weight[1:1 + n - m] = 2  # each bin but DC and Nyquist stands for itself and its mirror
        shape = [1] * len(gx.shape)
        shape[last] = m
        weight = weight.reshape(shape)
        return (gx * (Tensor._make(weight, None, False) if isinstance(gx, Tensor) else weight),)
