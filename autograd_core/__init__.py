"""autograd_core: a Tensor on a dynamic tape, reverse-mode autodiff on numpy + Numba.

Import order is the architecture: ``tensor`` (knows no op) <- ``node`` (recording) <- ``ops``
(every op declared once, ``ops.registry``) <- ``methods`` (wires Tensor's methods from the op
table) and ``engine``/``autograd`` (backward). The functional forms exported here
(``autograd_core.exp``, ``.sum``, ``.cat``, ...) come from the same table.
"""

from autograd_core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd_core.tensor import Tensor
from autograd_core.function import Function, FunctionCtx
from autograd_core.creation import (
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor,
    LongTensor, ShortTensor, arange, as_tensor, bernoulli, bool, cdouble, cfloat, complex64,
    complex128, double, empty, empty_like, eye, float, float16, float32, float64, from_numpy,
    full, full_like, get_default_dtype, half, int, int8, int16, int32, int64, linspace, long,
    multinomial, ones, ones_like, rand, rand_like, randint, randint_like, randn, randn_like,
    randperm, set_default_dtype, short, tensor, uint8, zeros, zeros_like,
)
from autograd_core.tensor import DType as dtype, Size  # noqa: F401 (torch.dtype)
from autograd_core.device import device
from autograd_core.random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from autograd_core.serialization import load, save
from autograd_core import accelerator, backends, cuda
from autograd_core.threads import get_num_threads, set_num_threads
from autograd_core.autograd import backward, grad
from autograd_core.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd_core.anomaly import detect_anomaly, is_anomaly_enabled
from autograd_core import ops as _ops
from autograd_core import methods as _methods  # noqa: F401 - wires Tensor's methods
from autograd_core.ops.registry import functions as _functions

globals().update(_functions())  # ag.exp, ag.sum, ag.cat, ...: the op table's functional forms


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input) -> int:
    return input.numel()


__version__ = "0.1.0"
