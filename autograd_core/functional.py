"""Module-level forms of the tensor methods: ``ag.exp(x)``, ``ag.cat([...])``, ..."""

from __future__ import annotations

import numpy as np

from autograd_core.ops import activation as _act
from autograd_core.ops import binary as _bin
from autograd_core.ops import linalg as _linalg
from autograd_core.ops import shape as _shape
from autograd_core.tensor import Tensor


def _t(x):
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def exp(x): return _t(x).exp()
def log(x): return _t(x).log()
def log1p(x): return _t(x).log1p()
def sqrt(x): return _t(x).sqrt()
def abs(x): return _t(x).abs()  # noqa: A001
def sin(x): return _t(x).sin()
def cos(x): return _t(x).cos()
def tanh(x): return _t(x).tanh()
def sigmoid(x): return _t(x).sigmoid()
def relu(x): return _t(x).relu()
def square(x): return _t(x).square()
def neg(x): return -_t(x)
def sign(x): return _t(x).sign()


def leaky_relu(x, negative_slope=0.01):
    return _act.LeakyRelu.apply(x, negative_slope=float(negative_slope))


def gelu(x, approximate="none"):
    return _act.Gelu.apply(x, approximate=approximate)


def softplus(x, beta=1.0, threshold=20.0):
    return _act.Softplus.apply(x, beta=float(beta), threshold=float(threshold))


def clamp(x, min=None, max=None):  # noqa: A002
    return _t(x).clamp(min, max)


clip = clamp


def pow(x, exponent):  # noqa: A001
    return _t(x) ** exponent


def maximum(a, b): return _bin.Maximum.apply(a, b)
def minimum(a, b): return _bin.Minimum.apply(a, b)
def add(a, b): return _bin.Add.apply(a, b)
def sub(a, b): return _bin.Sub.apply(a, b)
def mul(a, b): return _bin.Mul.apply(a, b)
def div(a, b): return _bin.Div.apply(a, b)


def where(condition, x, y):
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    return _bin.Where.apply(cond, x, y)


def sum(x, dim=None, keepdim=False, **kw): return _t(x).sum(dim, keepdim, **kw)  # noqa: A001
def mean(x, dim=None, keepdim=False, **kw): return _t(x).mean(dim, keepdim, **kw)
def var(x, dim=None, unbiased=None, keepdim=False, **kw): return _t(x).var(dim, unbiased, keepdim, **kw)
def std(x, dim=None, unbiased=None, keepdim=False, **kw): return _t(x).std(dim, unbiased, keepdim, **kw)
def max(x, dim=None, keepdim=False): return _t(x).max(dim, keepdim)  # noqa: A001
def min(x, dim=None, keepdim=False): return _t(x).min(dim, keepdim)  # noqa: A001
def amax(x, dim=None, keepdim=False): return _t(x).amax(dim, keepdim)
def amin(x, dim=None, keepdim=False): return _t(x).amin(dim, keepdim)
def argmax(x, dim=None, keepdim=False): return _t(x).argmax(dim, keepdim)
def argmin(x, dim=None, keepdim=False): return _t(x).argmin(dim, keepdim)
def logsumexp(x, dim, keepdim=False): return _t(x).logsumexp(dim, keepdim)
def softmax(x, dim): return _t(x).softmax(dim)
def log_softmax(x, dim): return _t(x).log_softmax(dim)
def reshape(x, *shape): return _t(x).reshape(*shape)
def flatten(x, start_dim=0, end_dim=-1): return _t(x).flatten(start_dim, end_dim)
def transpose(x, dim0, dim1): return _t(x).transpose(dim0, dim1)
def permute(x, *dims): return _t(x).permute(*dims)
def unsqueeze(x, dim): return _t(x).unsqueeze(dim)
def squeeze(x, dim=None): return _t(x).squeeze(dim)
def matmul(a, b): return _linalg.matmul(a, b)
def cat(tensors, dim=0): return _shape.cat(tensors, dim)
def stack(tensors, dim=0): return _shape.stack(tensors, dim)
def clone(x): return _t(x).clone()
def numel(x): return _t(x).numel()
def is_tensor(x): return isinstance(x, Tensor)


concat = concatenate = cat
