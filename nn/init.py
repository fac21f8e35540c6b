"""Parameter initialisation (``nn.init``) with PyTorch's names, formulas and gains.

Every function writes into ``tensor.data`` in place (nothing is recorded) and returns the
tensor. Draws come from the project's generator (``ag.manual_seed`` makes them reproducible)
or from ``generator=``: PyTorch's numbers for a seed (every layer's default initialisation
draws exactly PyTorch's weights; ``autograd_core.random``). A ``numpy.random.Generator``
given as ``generator=`` draws with numpy's algorithms instead.

Fans (``_calculate_fan_in_and_fan_out``), for a weight of shape ``(out, in, *kernel)``::

    fan_in = in * prod(kernel),   fan_out = out * prod(kernel)

Xavier/Glorot (Glorot & Bengio, 2010): ``std = gain * sqrt(2 / (fan_in + fan_out))``.
Kaiming/He (He et al., 2015): ``std = gain / sqrt(fan)``, ``gain = calculate_gain(nonlinearity,
a)``. Uniform variants use the bound ``sqrt(3) * std`` (same variance).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, TypeVar

import numpy as np

from autograd_core import Tensor, no_grad
from autograd_core import random as _random
from autograd_core.ops._args import not_implemented, scalar_for

_T = TypeVar("_T", Tensor, np.ndarray)

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_", "dirac_", "sparse_",
]


def _write(tensor, values):
    arr = tensor._data if isinstance(tensor, Tensor) else tensor
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"init expects a Tensor or numpy array, got {type(tensor).__name__}")
    arr[...] = values
    if isinstance(tensor, Tensor):
        tensor._bump_version()  # a graph that saved the old values refuses to backward
    return tensor


def _shape(tensor):
    return tuple(tensor._data.shape if isinstance(tensor, Tensor) else np.shape(tensor))


def _dtype(tensor):
    return tensor._data.dtype if isinstance(tensor, Tensor) else np.asarray(tensor).dtype


def _no_complex(tensor, error):
    """PyTorch's refusal of a complex tensor (trunc_normal_, orthogonal_)."""
    if _dtype(tensor).kind == "c":
        raise error


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Returns the recommended gain for a nonlinearity (PyTorch's table).

    linear / conv / sigmoid: 1; tanh: 5/3; relu: sqrt(2);
    leaky_relu: sqrt(2 / (1 + negative_slope^2)) (slope ``param``, default 0.01); selu: 3/4.

    Args:
        nonlinearity (str): the function's name (``'relu'``, ``'tanh'``, ``'linear'``, ...).
        param (float, optional): the negative slope for ``'leaky_relu'``.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> init.calculate_gain("tanh")
        1.6666666666666667
        >>> round(init.calculate_gain("leaky_relu", 0.2), 4)
        1.3868
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    shape = _shape(tensor)
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: _T, a: float = 0.0, b: float = 1.0, generator: Any = None) -> _T:
    """Fills ``tensor`` in place with draws from the uniform distribution U(a, b).

    Args:
        tensor (Tensor): the tensor (or numpy array) to fill.
        a (float): lower bound. Default: ``0.0``.
        b (float): upper bound. Default: ``1.0``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> w = init.uniform_(ag.empty(3, 5), -0.1, 0.1)
        >>> bool((w.data >= -0.1).all() and (w.data <= 0.1).all())
        True
    """
    # complex: both parts U(a, b), as PyTorch's; its numbers for a seed (a layer's default
    # initialisation is this draw)
    if isinstance(tensor, Tensor) and not tensor.is_contiguous():  # filled in memory order
        with no_grad():
            return tensor.uniform_(a, b, generator=generator)
    return _write(tensor, _random.uniform(generator, _shape(tensor), _dtype(tensor), a, b))


def normal_(tensor: _T, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> _T:
    """Fills ``tensor`` in place with draws from the normal distribution N(mean, std^2).

    Args:
        tensor (Tensor): the tensor (or numpy array) to fill.
        mean (float): the mean. Default: ``0.0``.
        std (float): the standard deviation. Default: ``1.0``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> import numpy as np
        >>> w = init.normal_(ag.empty(3, 5), generator=np.random.default_rng(0))
        >>> w.shape
        autograd_core.Size([3, 5])
    """
    # complex: both parts N(mean, std**2 / 2), as PyTorch's
    if isinstance(tensor, Tensor) and not tensor.is_contiguous():  # PyTorch's serial kernel
        with no_grad():
            return tensor.normal_(mean, std, generator=generator)
    return _write(tensor, _random.normal(generator, _shape(tensor), _dtype(tensor), mean, std))


def trunc_normal_(tensor: _T, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Any = None) -> _T:
    """Fills ``tensor`` in place with N(mean, std^2) draws conditioned on ``[a, b]``.

    Drawn by rejection, as PyTorch (its numbers for a seed): from the normal when ``[a, b]``
    holds more than 30% of its mass, else from uniform proposals on ``[a, b]``.

    Args:
        tensor (Tensor): the tensor (or numpy array) to fill.
        mean (float): the mean of the untruncated normal. Default: ``0.0``.
        std (float): its standard deviation. Default: ``1.0``.
        a (float): lower cut-off. Default: ``-2.0``.
        b (float): upper cut-off. Default: ``2.0``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> _ = ag.manual_seed(0)
        >>> w = init.trunc_normal_(ag.empty(100), std=1.0, a=-0.5, b=0.5)
        >>> bool((abs(w.data) <= 0.5).all())
        True
    """
    _no_complex(tensor, not_implemented("lt_cpu", _dtype(tensor)))
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    if a > b:  # (rejection would never end)
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a:g} > to={b:g}")
    shape, dt = _shape(tensor), _dtype(tensor)
    lo, hi = (0.5 * math.erfc(-(c - mean) / (std * math.sqrt(2.0))) for c in (a, b))
    if hi - lo > 0.3:  # PyTorch's: normal draws, out-of-range ones replaced by fresh draws
        low, high = dt.type(a), dt.type(b)  # the bounds as the dtype holds them
        out = _random.normal(generator, shape, dt, mean, std)
        bad = (out < low) | (out > high)
        while bad.any():
            out = np.where(bad, _random.normal(generator, shape, dt, mean, std), out)
            bad = (out < low) | (out > high)
        return _write(tensor, out)
    # [a, b] narrow or in a tail: PyTorch's uniform proposals on [a, b], accepted with
    # probability pdf(x) / pdf(mode), its arithmetic in the tensor's dtype
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def log_ratio(x):
        return ((x - dt.type(mean)) / dt.type(std)) ** 2 * dt.type(-0.5) - dt.type(log_peak)

    out = _random.uniform(generator, shape, dt, a, b)
    pending = np.log(_random.uniform(generator, shape, dt)) > log_ratio(out)
    while pending.any():  # each pending value takes the new proposal, kept if accepted
        cand = _random.uniform(generator, shape, dt, a, b)
        out = np.where(pending, cand, out)
        pending &= np.log(_random.uniform(generator, shape, dt)) > log_ratio(cand)
    return _write(tensor, out)


def constant_(tensor: _T, val: float) -> _T:
    """Fills ``tensor`` in place with the value ``val``.

    Args:
        tensor (Tensor): the tensor (or numpy array) to fill.
        val (float): the value.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> init.constant_(ag.empty(2, 2), 0.3)
        tensor([[0.3000, 0.3000],
                [0.3000, 0.3000]])
    """
    return _write(tensor, scalar_for(val, _dtype(tensor)))  # checked, as PyTorch's fill_


def ones_(tensor: _T) -> _T:
    """Fills ``tensor`` in place with ones.

    Args:
        tensor (Tensor): the tensor (or numpy array) to fill.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> init.ones_(ag.empty(3))
        tensor([1., 1., 1.])
    """
    return _write(tensor, 1)


def zeros_(tensor: _T) -> _T:
    """Fills ``tensor`` in place with zeros.

    Args:
        tensor (Tensor): the tensor (or numpy array) to fill.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> init.zeros_(ag.empty(3))
        tensor([0., 0., 0.])
    """
    return _write(tensor, 0)


def eye_(tensor: _T) -> _T:
    """Fills a 2-D ``tensor`` in place with the identity matrix (ones on the diagonal).

    Args:
        tensor (Tensor): a 2-D tensor (or numpy array).

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> init.eye_(ag.empty(2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    shape = _shape(tensor)
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*shape))


def xavier_uniform_(tensor: _T, gain: float = 1.0, generator: Any = None) -> _T:
    """Fills ``tensor`` in place from U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``
    (Glorot & Bengio, 2010).

    Args:
        tensor (Tensor): at least 2-D (``(out, in, *kernel)``).
        gain (float): scaling factor. Default: ``1.0``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> w = init.xavier_uniform_(ag.empty(3, 5), gain=init.calculate_gain("relu"))
        >>> bool((abs(w.data) <= 2 ** 0.5 * (6 / 8) ** 0.5).all())
        True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: _T, gain: float = 1.0, generator: Any = None) -> _T:
    """Fills ``tensor`` in place from N(0, std^2), ``std = gain * sqrt(2 / (fan_in +
    fan_out))`` (Glorot & Bengio, 2010).

    Args:
        tensor (Tensor): at least 2-D (``(out, in, *kernel)``).
        gain (float): scaling factor. Default: ``1.0``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> _ = ag.manual_seed(0)
        >>> w = init.xavier_normal_(ag.empty(300, 500))
        >>> round(float(w.data.std()), 2)  # sqrt(2 / 800) = 0.05
        0.05
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    """He's ``std = gain / sqrt(fan)`` for ``tensor``; None, with PyTorch's warning to the
    caller of the initializer, for a tensor of no elements (left as it is)."""
    if 0 in _shape(tensor):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: _T, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Any = None) -> _T:
    """Fills ``tensor`` in place from U(-bound, bound), ``bound = sqrt(3) * gain / sqrt(fan)``
    (He et al., 2015), ``gain = calculate_gain(nonlinearity, a)``.

    ``Linear``'s default is ``a=sqrt(5)``, which gives ``bound = 1 / sqrt(fan_in)``.

    Args:
        tensor (Tensor): at least 2-D (``(out, in, *kernel)``).
        a (float): negative slope of the leaky_relu that follows. Default: ``0``.
        mode (str): ``'fan_in'`` (keeps the forward variance) or ``'fan_out'`` (the
            backward one). Default: ``'fan_in'``.
        nonlinearity (str): ``'relu'`` or ``'leaky_relu'`` (recommended). Default:
            ``'leaky_relu'``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> w = init.kaiming_uniform_(ag.empty(3, 4), mode="fan_in", nonlinearity="relu")
        >>> bool((abs(w.data) <= (6 / 4) ** 0.5).all())
        True
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: _T, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Any = None) -> _T:
    """Fills ``tensor`` in place from N(0, std^2), ``std = gain / sqrt(fan)`` (He et al.,
    2015), ``gain = calculate_gain(nonlinearity, a)``.

    Args:
        tensor (Tensor): at least 2-D (``(out, in, *kernel)``).
        a (float): negative slope of the leaky_relu that follows. Default: ``0``.
        mode (str): ``'fan_in'`` or ``'fan_out'``. Default: ``'fan_in'``.
        nonlinearity (str): ``'relu'`` or ``'leaky_relu'``. Default: ``'leaky_relu'``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> _ = ag.manual_seed(0)
        >>> w = init.kaiming_normal_(ag.empty(500, 200), mode="fan_out", nonlinearity="relu")
        >>> round(float(w.data.std()), 3)  # sqrt(2 / 500) = 0.063
        0.063
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: _T, gain: float = 1, generator: Any = None) -> _T:
    """Fills ``tensor`` in place with a (semi-)orthogonal matrix times ``gain``.

    From the QR decomposition of a Gaussian matrix (Saxe et al., 2013), signs fixed so the
    distribution is uniform; dims after the first are flattened.

    Args:
        tensor (Tensor): at least 2-D.
        gain (float): scaling factor. Default: ``1``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> import numpy as np
        >>> _ = ag.manual_seed(0)
        >>> w = init.orthogonal_(ag.empty(3, 5))
        >>> bool(np.allclose(w.data @ w.data.T, np.eye(3), atol=1e-6))
        True
    """
    _no_complex(tensor, NotImplementedError(
        "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
        "torch.sgn instead."))
    shape = _shape(tensor)
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if math.prod(shape) == 0:
        return tensor
    rows = shape[0]
    cols = math.prod(shape) // rows
    # PyTorch's: N(0, 1) draws in the tensor's dtype, Q of their QR, column signs of diag(R)
    flat = _random.normal(generator, (rows, cols), _dtype(tensor))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, (gain * q).reshape(shape))


def dirac_(tensor: _T, groups: int = 1) -> _T:
    """Fills a 3-, 4- or 5-D convolution weight ``(out, in, *kernel)`` in place with the Dirac
    delta: each of the first ``min(out // groups, in)`` output channels of every group passes its
    input channel through at the kernel's centre, everything else is 0.

    Args:
        tensor (Tensor): a 3-, 4- or 5-D tensor (or numpy array).
        groups (int): number of groups of output channels. Default: ``1``.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> init.dirac_(ag.empty(2, 2, 3))
        tensor([[[0., 1., 0.],
                 [0., 0., 0.]],
        <BLANKLINE>
                [[0., 0., 0.],
                 [0., 1., 0.]]])
    """
    shape = _shape(tensor)
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = shape[0] // groups
    values = np.zeros(shape)
    centre = tuple(k // 2 for k in shape[2:])
    for g in range(groups):
        for d in range(min(per_group, shape[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _write(tensor, values)


def sparse_(tensor: _T, sparsity: float, std: float = 0.01, generator: Any = None) -> _T:
    """Fills a 2-D ``tensor`` in place from N(0, std^2), then zeroes ``ceil(sparsity * rows)``
    randomly chosen entries of every column (Martens, 2010).

    Args:
        tensor (Tensor): a 2-D tensor (or numpy array).
        sparsity (float): the fraction of each column set to zero.
        std (float): the standard deviation of the non-zero values. Default: ``0.01``.
        generator (numpy.random.Generator, optional): draw from this instead of the
            project's generator.

    Example::

        >>> import autograd_core as ag
        >>> from nn import init
        >>> w = init.sparse_(ag.empty(4, 3), sparsity=0.5)
        >>> (w == 0).sum(0)
        tensor([2, 2, 2])
    """
    shape = _shape(tensor)
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = shape
    values = _random.normal(generator, shape, _dtype(tensor), 0.0, std)
    zeros = int(math.ceil(sparsity * rows))
    for col in range(cols):  # PyTorch's: each column's rows from the default generator
        values[_random.permutation(None, rows)[:zeros], col] = 0
    return _write(tensor, values)


# PyTorch's deprecated names without the trailing underscore
def _deprecated(fn):
    def wrapper(*args, **kwargs):
        warnings.warn(f"nn.init.{fn.__name__[:-1]} is now deprecated in favor of "
                      f"nn.init.{fn.__name__}.", FutureWarning, stacklevel=2)
        return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__[:-1]
    return wrapper


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
sparse = _deprecated(sparse_)
