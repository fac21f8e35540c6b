"""autograd_core: a Tensor on a dynamic tape, reverse-mode autodiff on numpy + Numba.

The package plays ``torch``'s part: ``import autograd_core as ag`` (or ``as torch``) gives the
Tensor, the creation functions, the functional ops, ``no_grad``, ``grad``, ``gradcheck``,
``Function``, ``save``/``load`` and the rest of the names below.

Example::

    >>> import autograd_core as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])

Import order is the architecture: ``tensor`` (knows no op) <- ``node`` (recording) <- ``ops``
(every op declared once, ``ops.registry``) <- ``methods`` (wires Tensor's methods from the op
table) and ``engine``/``autograd`` (backward). The functional forms exported here
(``autograd_core.exp``, ``.sum``, ``.cat``, ...) come from the same table.

.. include:: DIFFERENCES.md
"""

import builtins as _builtins
from typing import Any as _Any

from autograd_core.grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from autograd_core.tensor import Tensor, set_printoptions
from autograd_core.function import Function, FunctionCtx
from autograd_core.creation import (
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor,
    LongTensor, ShortTensor, arange, as_tensor, asarray, bernoulli, bfloat16, bool, cdouble, cfloat, complex64,
    complex128, double, empty, empty_like, empty_strided, eye, float, float16, float32, float64,
    from_numpy, frombuffer,
    full, full_like, get_default_dtype, half, int, int8, int16, int32, int64, linspace, long,
    logspace, multinomial, normal, ones, ones_like, poisson, rand, rand_like, randint, get_default_device,
    randint_like, randn, randn_like, randperm, set_default_device, set_default_dtype, short,
    set_default_tensor_type,
    tensor, uint8, uint16, uint32, uint64, zeros, zeros_like,
)
from autograd_core.creation import range_deprecated as range  # noqa: A004 (torch.range)
from autograd_core.tensor import DType as dtype, Size  # noqa: F401 (torch.dtype)
from autograd_core.device import (
    channels_last, channels_last_3d, contiguous_format, device, legacy_contiguous_format,
    memory_format, preserve_format,
)
from autograd_core.random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from autograd_core.serialization import load, save
from autograd_core.foreach_ops import FOREACH as _FOREACH

globals().update(_FOREACH)  # torch._foreach_add_, ... (hand-written optimizers call them)
from autograd_core.windows import (
    bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window,
)
from autograd_core import accelerator, backends, cuda
from autograd_core.amp import autocast, is_autocast_enabled
from autograd_core.cuda import OutOfMemoryError
from autograd_core.threads import (
    are_deterministic_algorithms_enabled, get_deterministic_debug_mode,
    get_float32_matmul_precision, get_num_interop_threads, get_num_threads,
    is_deterministic_algorithms_warn_only_enabled, set_deterministic_debug_mode,
    set_float32_matmul_precision, set_num_interop_threads, set_num_threads,
    use_deterministic_algorithms,
)
from autograd_core.autograd import backward, grad
from autograd_core.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd_core.anomaly import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled
from autograd_core import ops as _ops
from autograd_core import methods as _methods  # noqa: F401 - wires Tensor's methods
from autograd_core.ops.registry import functions as _functions, typed as _typed
from autograd_core import testing  # ag.testing.assert_close
from autograd_core.ops.compose import e, inf, nan, newaxis, pi
from autograd_core import linalg  # torch.linalg
from autograd_core.linalg import _lu_legacy as lu, lu_unpack  # torch.lu, torch.lu_unpack
from autograd_core.ops.linalg_solvers import legacy_qr as qr  # torch.qr (deprecated)
from autograd_core import special  # torch.special
from autograd_core import sparse  # torch.sparse; Tensor.to_sparse, .layout
from autograd_core.sparse import layout, sparse_coo, sparse_coo_tensor, spmm, strided
from autograd_core import fft  # torch.fft
from autograd_core.dtype_info import finfo, iinfo
from autograd_core.capture import CompileFallback, compile  # noqa: A004 (torch.compile)
from autograd_core.promotion import can_cast, promote_types, result_type, scalar_tensor
from autograd_core import _quiet
from autograd_core.ops.storage import TypedStorage, UntypedStorage
from autograd_core.dlpack import from_dlpack, to_dlpack
from autograd_core.ops.removed import eig, lstsq, matrix_rank, solve, symeig
from autograd_core.control_flow import cond, get_device, is_signed, typename, while_loop

globals().update(_functions())  # ag.exp, ag.sum, ag.cat, ...: the op table's functional forms
# PyTorch's top-level in-place forms (``torch.sin_(b)`` in the introyt Tensors tutorial): the
# Tensor's in-place methods under their names (a number or a list given: PyTorch's TypeError)
globals().update({_n: _typed(getattr(Tensor, _n), _n) for _n in (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ "
    "as_strided_ atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ "
    "clip_ conj_physical_ cos_ cosh_ deg2rad_ detach_ erf_ erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ "
    "gcd_ i0_ index_put_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ "
    "rad2deg_ reciprocal_ relu_ resize_as_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ "
    "tanh_ trunc_ xlogy_ zero_").split()})
detach = _typed(Tensor.detach, "detach")  # torch.detach(t): the method under its name
_quiet.install()  # no numpy floating-point warning from an op's numbers, as PyTorch (_quiet.py)


def is_tensor(obj: object) -> _builtins.bool:
    """Return True if ``obj`` is a tapegrad Tensor.

    Args:
        obj (object): the object to test.

    Example::

        >>> import autograd_core as ag
        >>> ag.is_tensor(ag.tensor([1.0])), ag.is_tensor([1.0])
        (True, False)
    """
    return isinstance(obj, Tensor)


def is_storage(obj: object) -> _builtins.bool:
    """Return True if ``obj`` is a storage (``Tensor.untyped_storage()``, ``.storage()``).

    Example::

        >>> import autograd_core as ag
        >>> ag.is_storage(ag.zeros(2).untyped_storage()), ag.is_storage(ag.zeros(2))
        (True, False)
    """
    return isinstance(obj, UntypedStorage)


def numel(input: Tensor) -> _builtins.int:
    """Return the number of elements of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.numel(ag.zeros(2, 3))
        6
    """
    return input.numel()


# (a number or a list given: PyTorch's TypeError, not an AttributeError from inside)
numel, get_device, is_signed, lu_unpack = (
    _typed(_f, _f.__name__) for _f in (numel, get_device, is_signed, lu_unpack))
spmm = _typed(spmm, "mm")  # (PyTorch's spmm is its mm)
__version__ = "0.1.0"

#: the public names (``from autograd_core import *``, the API reference): every public name
#: above that is not a module, and the public modules (as ``torch.autograd``, ...); the
#: others are the implementation; nn/optim/utils load lazily, and viz when imported
__all__ = sorted(
    name for name, value in globals().items()
    if not name.startswith("_") and not isinstance(value, type(_builtins))
) + ["accelerator", "autograd", "backends", "cuda", "fft", "linalg", "sparse", "special",
   "testing", "viz"]


# ---- the one-line swap: ``import autograd_core as torch`` --------------------------------------
# torch.nn, torch.optim and torch.utils resolve on first attribute access, so ``import
# autograd_core`` loads nothing above the core. The modules are found by name with importlib
# rather than with import statements: the core must not depend on nn/optimizers (which import
# it), and the import-graph test counts every import statement, lazy ones too.
import importlib as _importlib
import importlib.abc  # noqa: F401  (the finder's base classes)
import importlib.util  # noqa: F401  (importlib.util.spec_from_loader)
import sys as _sys

_LAZY_MODULES = {"nn": "nn", "optim": "optimizers", "utils": "autograd_core.utils",
                 "distributed": "autograd_core.distributed", "amp": "autograd_core.amp",
                 "distributions": "autograd_core.distributions", "func": "autograd_core.func",
                 "functional": "autograd_core.functional", "jit": "autograd_core.jit",
                 "compiler": "autograd_core.compiler", "cpu": "autograd_core.cpu",
                 "profiler": "autograd_core.profiler",
                 "multiprocessing": "autograd_core.multiprocessing"}
#: names PyTorch re-exports at the top level from a lazy module: ``torch.vmap`` is torch.func's;
#: ``torch.dropout``, ``torch.cosine_similarity``, ...: nn.functional's (``nn/_toplevel.py``
#: holds those whose top-level signature differs from F's), found by name on first access so
#: that the core does not import nn, which imports the core
_LAZY_NAMES = {
    "vmap": "autograd_core.func",
    "pca_lowrank": "autograd_core.functional", "svd_lowrank": "autograd_core.functional",
    **dict.fromkeys((
        "cosine_similarity pairwise_distance pdist threshold threshold_ rms_norm "
        "channel_shuffle selu celu selu_ celu_").split(), "nn.functional"),
    **dict.fromkeys((
        "dropout alpha_dropout feature_alpha_dropout rrelu layer_norm group_norm batch_norm "
        "instance_norm embedding kl_div margin_ranking_loss hinge_embedding_loss "
        "triplet_margin_loss cosine_embedding_loss poisson_nll_loss "
        "binary_cross_entropy_with_logits ctc_loss rnn_tanh_cell rnn_relu_cell lstm_cell "
        "gru_cell rrelu_ dropout_ alpha_dropout_ feature_alpha_dropout_ feature_dropout "
        "feature_dropout_ adaptive_max_pool1d max_pool1d_with_indices").split(), "nn._toplevel"),
}


# Type checkers do not see the op table's functional forms (``globals().update`` above), so they
# resolve ``ag.exp``, ``ag.where``, ... through this function: it returns Any for them, as
# Tensor's TYPE_CHECKING ``__getattr__`` does for the methods wired from the same table.
class _TorchPaths(_importlib.abc.MetaPathFinder, _importlib.abc.Loader):
    """Import finder for PyTorch's module paths under this package: ``import
    autograd_core.nn.functional as F`` (a program's ``import torch.nn.functional as F``, its
    ``torch`` renamed) gives the ``nn.functional`` module itself, likewise ``autograd_core.nn``,
    ``autograd_core.optim`` and their submodules; one module object per name, never a copy."""

    PREFIXES = {"autograd_core.nn": "nn", "autograd_core.optim": "optimizers"}

    def find_spec(self, fullname: str, path: _Any, target: _Any = None) -> _Any:
        for prefix, real in self.PREFIXES.items():
            if fullname == prefix or fullname.startswith(prefix + "."):
                return _importlib.util.spec_from_loader(
                    fullname, self, origin=real + fullname[len(prefix):])
        return None

    def create_module(self, spec: _Any) -> _Any:
        try:
            return _importlib.import_module(spec.origin)
        except ModuleNotFoundError as exc:
            if exc.name != spec.origin:
                raise
            raise ModuleNotFoundError(f"No module named '{spec.name}'", name=spec.name) from None

    def exec_module(self, module: _Any) -> None:
        pass  # the real module is already executed


# (``any`` here is the op; the finder is installed once even if this module is reloaded)
if not _builtins.any(type(f).__name__ == "_TorchPaths" for f in _sys.meta_path):
    _sys.meta_path.insert(0, _TorchPaths())


def __getattr__(name: str) -> _Any:
    if name in _LAZY_NAMES:
        value = getattr(_importlib.import_module(_LAZY_NAMES[name]), name)
    elif name in _LAZY_MODULES:
        value = _importlib.import_module(_LAZY_MODULES[name])
    else:
        raise AttributeError(f"module 'autograd_core' has no attribute '{name}'")
    globals()[name] = value  # later accesses are plain attribute lookups
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NAMES))
