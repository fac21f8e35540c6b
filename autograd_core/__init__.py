"""autograd_core: a Tensor on a dynamic tape, reverse-mode autodiff on numpy + Numba."""

from autograd_core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd_core.tensor import Tensor
from autograd_core.function import Function, FunctionCtx
from autograd_core.creation import (
    arange, as_tensor, bool, double, empty, empty_like, eye, float, float16, float32, float64,
    from_numpy, full, full_like, get_default_dtype, half, int8, int16, int32, int64, linspace,
    long, ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm,
    set_default_dtype, tensor, uint8, zeros, zeros_like,
)
from autograd_core.random import manual_seed
from autograd_core.threads import get_num_threads, set_num_threads
from autograd_core.autograd import backward, grad
from autograd_core.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd_core.anomaly import detect_anomaly, is_anomaly_enabled
from autograd_core.functional import (
    abs, add, amax, amin, argmax, argmin, cat, clamp, clip, clone, concat, concatenate, cos,
    div, exp, flatten, gelu, is_tensor, leaky_relu, log, log1p, log_softmax, logsumexp, matmul,
    max, maximum, mean, min, minimum, mul, neg, numel, permute, pow, relu, reshape, sigmoid,
    sign, sin, softmax, softplus, sqrt, square, squeeze, stack, std, sub, sum, tanh, transpose,
    unsqueeze, var, where,
)

__version__ = "0.1.0"
