"""``autograd_core.fft``, as ``torch.fft``: discrete Fourier transforms and their helpers.

``fft``/``ifft``/``rfft``/``irfft`` (one dimension), ``fft2``/``ifft2``/``rfft2``/``irfft2``
(the last two), ``fftn``/``ifftn``/``rfftn``/``irfftn`` (any), with PyTorch's ``n``/``s``
(each transformed dimension cut or zero-padded to that length first), ``dim`` and ``norm``
(``"backward"``, the default: the inverse transforms scale by 1/N; ``"ortho"``: both by
1/sqrt(N); ``"forward"``: the forward ones by 1/N). Computed by numpy's pocketfft in the
input's precision (float32 and complex64 give complex64); integer inputs are float32 first.
Gradients are PyTorch's (``autograd_core.ops.spectral``), to any order. ``fftfreq``,
``rfftfreq``, ``fftshift`` and ``ifftshift`` are as PyTorch's. No ``out=`` keyword.

Example::

    >>> import autograd_core as ag
    >>> ag.fft.fft(ag.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    >>> ag.fft.irfft(ag.fft.rfft(ag.tensor([1.0, 2.0, 3.0])), n=3)
    tensor([1., 2., 3.])
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Sequence

import numpy as np

from autograd_core import creation
from autograd_core.ops._args import norm_dim
from autograd_core.ops.arrange import roll
from autograd_core.ops.registry import typed
from autograd_core.ops.shape import cat
from autograd_core.ops.spectral import FftC2C, FftC2R, FftR2C
from autograd_core.tensor import DEFAULT_DTYPE, DTypeLike, Tensor

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
           "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_Dims = Sequence[builtins.int]


# ---- arguments ------------------------------------------------------------------------------

def _scale(norm: str | None, n: builtins.int, forward: builtins.bool) -> builtins.float:
    """The factor of the unnormalized transform of ``n`` points for ``norm``."""
    if norm is None or norm == "backward":
        return 1.0 if forward else 1.0 / n
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    if norm == "forward":
        return 1.0 / n if forward else 1.0
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _dims_and_sizes(name: str, x: Tensor, s: Any, dim: Any, default_dim: Any
                    ) -> tuple[tuple, list]:
    """PyTorch's resolution of ``s`` and ``dim``: the dims transformed (wrapped, unique) and
    each one's signal length (-1: the input's)."""
    nd = x.ndim
    if dim is None:
        if s is not None:
            dims = tuple(range(nd - len(s), nd))
        elif default_dim is None:
            dims = tuple(range(nd))
        else:
            dims = tuple(default_dim)
    else:
        dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    if s is not None:
        s = [s] if isinstance(s, builtins.int) else list(s)
        if len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                               f"{nd} dimensions.")
    dims = tuple(_wrap(d, nd) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    sizes = [x.shape[d] if s is None or s[i] == -1 else s[i] for i, d in enumerate(dims)]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _wrap(dim: builtins.int, nd: builtins.int) -> builtins.int:
    try:
        return norm_dim(dim, nd)
    except IndexError:
        n = max(nd, 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})") from None


def _resized(x: Tensor, dims: Sequence[builtins.int], sizes: Sequence[builtins.int]) -> Tensor:
    """``x`` cut or zero-padded at the end of each of ``dims`` to ``sizes`` (differentiable:
    slicing and ``cat``)."""
    for d, n in zip(dims, sizes):
        have = x.shape[d]
        if n < have:
            x = x[(slice(None),) * d + (slice(0, n),)]
        elif n > have:
            shape = list(x.shape)
            shape[d] = n - have
            x = cat([x, creation.zeros(shape, dtype=x.dtype)], dim=d)
    return x


def _floating(x: Tensor, complex_: builtins.bool) -> Tensor:
    """``x`` as floating point (integers: the default dtype), and complex when asked. Half is
    refused, as PyTorch's CPU transforms do (numpy would compute in complex64)."""
    if x._data.dtype == np.float16:
        raise RuntimeError("Unsupported dtype Half")
    if x.dtype.kind in "biu":
        x = x.to(DEFAULT_DTYPE[0])
    if complex_ and x.dtype.kind != "c":
        x = x.to(np.promote_types(x.dtype, np.complex64))
    return x


def _c2c(name: str, input: Tensor, s: Any, dim: Any, norm: str | None, forward: builtins.bool,
         default_dim: Any) -> Tensor:
    dims, sizes = _dims_and_sizes(name, input, s, dim, default_dim)
    scale = _scale(norm, math.prod(sizes), forward)
    x = _resized(_floating(input, True), dims, sizes)
    return FftC2C.apply(x, axes=dims, forward=forward, scale=scale)


def _r2c(name: str, input: Tensor, s: Any, dim: Any, norm: str | None,
         default_dim: Any) -> Tensor:
    if input.dtype.kind == "c":
        raise RuntimeError(f"{name} expects a real input tensor, but got "
                           f"{_torch_name(input.dtype)}")
    dims, sizes = _dims_and_sizes(name, input, s, dim, default_dim)
    _one_axis_at_least(name, dims)
    scale = _scale(norm, math.prod(sizes), True)
    x = _resized(_floating(input, False), dims, sizes)
    return FftR2C.apply(x, axes=dims, scale=scale)


def _one_axis_at_least(name: str, dims: Any) -> None:
    """PyTorch refuses a real-to-complex / complex-to-real transform over no dimension (it
    has no half-spectrum axis), naming the n-dimensional function."""
    if not dims:
        raise RuntimeError(f"{name[:-1] + 'n' if name.endswith('2') else name} must transform "
                           f"at least one axis")


def _c2r(name: str, input: Tensor, s: Any, dim: Any, norm: str | None,
         default_dim: Any) -> Tensor:
    dims, sizes = _dims_and_sizes(name, input, s, dim, default_dim)
    _one_axis_at_least(name, dims)
    if s is None or s[-1] == -1:  # the last dim's output length: 2 * (bins - 1)
        sizes[-1] = 2 * (input.shape[dims[-1]] - 1)
        if sizes[-1] < 1:
            raise RuntimeError(f"Invalid number of data points ({sizes[-1]}) specified")
    scale = _scale(norm, math.prod(sizes), False)
    x = _resized(_floating(input, True), dims, sizes[:-1] + [sizes[-1] // 2 + 1])
    return FftC2R.apply(x, axes=dims, n=sizes[-1], scale=scale)


def _torch_name(dtype: Any) -> str:
    from autograd_core.ops._args import torch_name

    return torch_name(np.dtype(dtype))


# ---- one dimension --------------------------------------------------------------------------

def fft(input: Tensor, n: builtins.int | None = None, dim: builtins.int = -1,
        norm: str | None = None) -> Tensor:
    """Compute the one-dimensional discrete Fourier transform of ``input`` along ``dim``.

    ``X[k] = sum_t x[t] exp(-2 pi i k t / n)``, scaled as ``norm`` says (module docstring).
    A real input gives its full (two-sided) spectrum.

    Args:
        input (Tensor): the input.
        n (int, optional): the signal length: ``input`` is cut or zero-padded to it.
        dim (int): the dimension transformed. Default: -1.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.fft(ag.tensor([0.0, 1.0, 0.0, 0.0]))
        tensor([ 1.+0.j,  0.-1.j, -1.+0.j,  0.+1.j])
    """
    return _c2c("fft", input, _one(n), dim, norm, True, None)


def ifft(input: Tensor, n: builtins.int | None = None, dim: builtins.int = -1,
         norm: str | None = None) -> Tensor:
    """Compute the one-dimensional inverse discrete Fourier transform of ``input``.

    ``x[t] = (1/n) sum_k X[k] exp(2 pi i k t / n)`` with the default ``norm``.

    Args:
        input (Tensor): the input.
        n (int, optional): the signal length: ``input`` is cut or zero-padded to it.
        dim (int): the dimension transformed. Default: -1.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.ifft(ag.tensor([4.0, 0.0, 0.0, 0.0]))
        tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    return _c2c("ifft", input, _one(n), dim, norm, False, None)


def rfft(input: Tensor, n: builtins.int | None = None, dim: builtins.int = -1,
         norm: str | None = None) -> Tensor:
    """Compute the one-dimensional Fourier transform of a real ``input``: the ``n // 2 + 1``
    non-negative frequencies (the others are their conjugates).

    Args:
        input (Tensor): a real input.
        n (int, optional): the signal length: ``input`` is cut or zero-padded to it.
        dim (int): the dimension transformed. Default: -1.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.rfft(ag.tensor([0.0, 1.0, 0.0, 0.0]))
        tensor([ 1.+0.j,  0.-1.j, -1.+0.j])
    """
    return _r2c("rfft", input, _one(n), dim, norm, None)


def irfft(input: Tensor, n: builtins.int | None = None, dim: builtins.int = -1,
          norm: str | None = None) -> Tensor:
    """Compute the inverse of ``rfft``: a real signal of ``n`` points (default
    ``2 * (input.size(dim) - 1)``) from its one-sided spectrum.

    The imaginary parts of the zero (and, for even ``n``, the Nyquist) frequency are ignored.

    Args:
        input (Tensor): the one-sided spectrum.
        n (int, optional): the output length.
        dim (int): the dimension transformed. Default: -1.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.irfft(ag.tensor([1 + 0j, -1j, -1 + 0j]))
        tensor([0., 1., 0., 0.])
    """
    return _c2r("irfft", input, _one(n), dim, norm, None)


def _one(n: Any) -> Any:
    return None if n is None else [n]


# ---- two dimensions ---------------------------------------------------------------------------

def fft2(input: Tensor, s: _Dims | None = None, dim: _Dims = (-2, -1),
         norm: str | None = None) -> Tensor:
    """Compute the two-dimensional discrete Fourier transform (``fftn`` over ``dim``).

    Args:
        input (Tensor): the input.
        s (sequence of int, optional): the signal sizes (-1: the input's).
        dim (sequence of int): the dimensions transformed. Default: ``(-2, -1)``.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.fft2(ag.ones(2, 2))
        tensor([[4.+0.j, 0.+0.j],
                [0.+0.j, 0.+0.j]])
    """
    return _c2c("fft2", input, s, dim, norm, True, None)


def ifft2(input: Tensor, s: _Dims | None = None, dim: _Dims = (-2, -1),
          norm: str | None = None) -> Tensor:
    """Compute the two-dimensional inverse discrete Fourier transform.

    Args:
        input (Tensor): the input.
        s (sequence of int, optional): the signal sizes (-1: the input's).
        dim (sequence of int): the dimensions transformed. Default: ``(-2, -1)``.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.ifft2(ag.tensor([[4.0, 0.0], [0.0, 0.0]]))
        tensor([[1.+0.j, 1.+0.j],
                [1.+0.j, 1.+0.j]])
    """
    return _c2c("ifft2", input, s, dim, norm, False, None)


def rfft2(input: Tensor, s: _Dims | None = None, dim: _Dims = (-2, -1),
          norm: str | None = None) -> Tensor:
    """Compute the two-dimensional Fourier transform of a real input, the last dimension
    one-sided.

    Args:
        input (Tensor): a real input.
        s (sequence of int, optional): the signal sizes (-1: the input's).
        dim (sequence of int): the dimensions transformed. Default: ``(-2, -1)``.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.rfft2(ag.ones(2, 4)).shape
        autograd_core.Size([2, 3])
    """
    return _r2c("rfft2", input, s, dim, norm, None)


def irfft2(input: Tensor, s: _Dims | None = None, dim: _Dims = (-2, -1),
           norm: str | None = None) -> Tensor:
    """Compute the inverse of ``rfft2``: a real output.

    Args:
        input (Tensor): the spectrum, one-sided in the last dimension.
        s (sequence of int, optional): the output sizes (-1: the input's; the last one's
            default is ``2 * (input.size(dim[-1]) - 1)``).
        dim (sequence of int): the dimensions transformed. Default: ``(-2, -1)``.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        >>> ag.fft.irfft2(ag.fft.rfft2(x), s=(2, 3))
        tensor([[1., 2., 3.],
                [4., 5., 6.]])
    """
    return _c2r("irfft2", input, s, dim, norm, None)


# ---- n dimensions ---------------------------------------------------------------------------

def fftn(input: Tensor, s: _Dims | None = None, dim: _Dims | None = None,
         norm: str | None = None) -> Tensor:
    """Compute the N-dimensional discrete Fourier transform over ``dim`` (all dimensions if
    None, or the last ``len(s)``).

    Args:
        input (Tensor): the input.
        s (sequence of int, optional): the signal sizes (-1: the input's).
        dim (sequence of int, optional): the dimensions transformed.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.fftn(ag.ones(2, 2, 2))[0, 0, 0]
        tensor(8.+0.j)
    """
    return _c2c("fftn", input, s, dim, norm, True, None)


def ifftn(input: Tensor, s: _Dims | None = None, dim: _Dims | None = None,
          norm: str | None = None) -> Tensor:
    """Compute the N-dimensional inverse discrete Fourier transform.

    Args:
        input (Tensor): the input.
        s (sequence of int, optional): the signal sizes (-1: the input's).
        dim (sequence of int, optional): the dimensions transformed (all if None).
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.ifftn(ag.fft.fftn(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))).real
        tensor([[1., 2.],
                [3., 4.]])
    """
    return _c2c("ifftn", input, s, dim, norm, False, None)


def rfftn(input: Tensor, s: _Dims | None = None, dim: _Dims | None = None,
          norm: str | None = None) -> Tensor:
    """Compute the N-dimensional Fourier transform of a real input, the last transformed
    dimension one-sided.

    Args:
        input (Tensor): a real input.
        s (sequence of int, optional): the signal sizes (-1: the input's).
        dim (sequence of int, optional): the dimensions transformed (all if None).
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.rfftn(ag.ones(2, 3, 4)).shape
        autograd_core.Size([2, 3, 3])
    """
    return _r2c("rfftn", input, s, dim, norm, None)


def irfftn(input: Tensor, s: _Dims | None = None, dim: _Dims | None = None,
           norm: str | None = None) -> Tensor:
    """Compute the inverse of ``rfftn``: a real output.

    Args:
        input (Tensor): the spectrum, one-sided in the last transformed dimension.
        s (sequence of int, optional): the output sizes (-1: the input's; the last one's
            default is ``2 * (input.size(dim[-1]) - 1)``).
        dim (sequence of int, optional): the dimensions transformed (all if None).
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.irfftn(ag.fft.rfftn(ag.ones(2, 4))).shape
        autograd_core.Size([2, 4])
    """
    return _c2r("irfftn", input, s, dim, norm, None)


# ---- Hermitian-symmetric signals --------------------------------------------------------------
_SWAPPED = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


def _swapped(norm: str | None) -> str:
    """The ``norm`` of the real transform a Hermitian one is built on: ``hfft`` is the
    unnormalized forward transform of a Hermitian signal, ``irfft`` of its conjugate with the
    scaling moved to the other direction (and ``ihfft`` the conjugate of ``rfft``)."""
    if norm not in _SWAPPED:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return _SWAPPED[norm]


def _conj(x: Tensor) -> Tensor:
    return x.conj() if isinstance(x, Tensor) and x.dtype.kind == "c" else x


def _real_only(x: Tensor) -> Tensor:
    """PyTorch's refusal of a complex input to ``ihfft2``/``ihfftn``."""
    if x.dtype.kind == "c":
        raise RuntimeError(f"Only supports floating-point dtypes, but found: "
                           f"{_torch_name(x.dtype)}")
    return x


def hfft(input: Tensor, n: builtins.int | None = None, dim: builtins.int = -1,
         norm: str | None = None) -> Tensor:
    """Compute the one-dimensional Fourier transform of a Hermitian-symmetric signal given by
    its first half (``input``): a real spectrum of ``n`` points (default
    ``2 * (input.size(dim) - 1)``), as ``torch.fft.hfft``.

    Args:
        input (Tensor): the half signal.
        n (int, optional): the output length.
        dim (int): the dimension transformed. Default: -1.
        norm (str, optional): ``"backward"`` (None: no scaling), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.hfft(ag.tensor([1 + 0j, 1j, 0j]))
        tensor([ 1.,  3.,  1., -1.])
    """
    return _c2r("hfft", _conj(input), _one(n), dim, _swapped(norm), None)


def ihfft(input: Tensor, n: builtins.int | None = None, dim: builtins.int = -1,
          norm: str | None = None) -> Tensor:
    """Compute the inverse of ``hfft``: the first ``n // 2 + 1`` points of the Hermitian
    signal whose transform is the real ``input``, as ``torch.fft.ihfft``.

    Args:
        input (Tensor): a real spectrum.
        n (int, optional): the signal length: ``input`` is cut or zero-padded to it.
        dim (int): the dimension transformed. Default: -1.
        norm (str, optional): ``"backward"`` (None: scaled by ``1/n``), ``"ortho"`` or
            ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.ihfft(ag.tensor([1.0, 3.0, 1.0, -1.0]))
        tensor([1.-0.j, 0.+1.j, 0.-0.j])
    """
    return _conj(_r2c("ihfft", input, _one(n), dim, _swapped(norm), None))


def hfft2(input: Tensor, s: _Dims | None = None, dim: _Dims = (-2, -1),
          norm: str | None = None) -> Tensor:
    """Compute the two-dimensional ``hfftn`` (over ``dim``, default the last two), as
    ``torch.fft.hfft2``.

    Args:
        input (Tensor): the half signal (halved in the last of ``dim``).
        s (sequence of int, optional): the output sizes.
        dim (sequence of int): the dimensions transformed. Default: ``(-2, -1)``.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.hfft2(ag.ones(2, 3, dtype=ag.complex64)).shape
        autograd_core.Size([2, 4])
    """
    return _c2r("hfft2", _conj(input), s, dim, _swapped(norm), None)


def ihfft2(input: Tensor, s: _Dims | None = None, dim: _Dims = (-2, -1),
           norm: str | None = None) -> Tensor:
    """Compute the inverse of ``hfft2`` of a real ``input``, as ``torch.fft.ihfft2``.

    Args:
        input (Tensor): a real spectrum.
        s (sequence of int, optional): the signal sizes.
        dim (sequence of int): the dimensions transformed. Default: ``(-2, -1)``.
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.ihfft2(ag.ones(2, 4)).shape
        autograd_core.Size([2, 3])
    """
    return _conj(_r2c("ihfft2", _real_only(input), s, dim, _swapped(norm), None))


def hfftn(input: Tensor, s: _Dims | None = None, dim: _Dims | None = None,
          norm: str | None = None) -> Tensor:
    """Compute the n-dimensional Fourier transform of a Hermitian-symmetric signal given by its
    half in the last of ``dim`` (all dimensions if None): a real output, as
    ``torch.fft.hfftn``.

    Args:
        input (Tensor): the half signal.
        s (sequence of int, optional): the output sizes (the last one's default is
            ``2 * (input.size(dim[-1]) - 1)``).
        dim (sequence of int, optional): the dimensions transformed (all if None).
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.hfftn(ag.ones(2, 3, dtype=ag.complex64)).shape
        autograd_core.Size([2, 4])
    """
    return _c2r("hfftn", _conj(input), s, dim, _swapped(norm), None)


def ihfftn(input: Tensor, s: _Dims | None = None, dim: _Dims | None = None,
           norm: str | None = None) -> Tensor:
    """Compute the inverse of ``hfftn`` of a real ``input``, as ``torch.fft.ihfftn``.

    Args:
        input (Tensor): a real spectrum.
        s (sequence of int, optional): the signal sizes.
        dim (sequence of int, optional): the dimensions transformed (all if None).
        norm (str, optional): ``"backward"`` (None), ``"ortho"`` or ``"forward"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.ihfftn(ag.ones(2, 4)).shape
        autograd_core.Size([2, 3])
    """
    return _conj(_r2c("ihfftn", _real_only(input), s, dim, _swapped(norm), None))


# ---- helpers --------------------------------------------------------------------------------

def fftfreq(n: builtins.int, d: builtins.float = 1.0, *, dtype: DTypeLike | None = None,
            layout: Any = None, device: Any = None,
            requires_grad: builtins.bool = False) -> Tensor:
    """Return the sample frequencies of a signal of ``n`` points spaced ``d`` apart:
    ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d * n)``.

    Args:
        n (int): the signal length.
        d (float): the sample spacing. Default: 1.0.
        dtype (dtype, optional): the result's dtype (default: the default float dtype).
        layout, device: accepted for PyTorch's signature (strided, CPU).
        requires_grad (bool): Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.fftfreq(5)
        tensor([ 0.0000,  0.2000,  0.4000, -0.4000, -0.2000])
    """
    dt = np.dtype(dtype) if dtype is not None else DEFAULT_DTYPE[0]
    return creation.tensor(np.fft.fftfreq(n, d).astype(dt), requires_grad=requires_grad)


def rfftfreq(n: builtins.int, d: builtins.float = 1.0, *, dtype: DTypeLike | None = None,
             layout: Any = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:
    """Return the non-negative sample frequencies of ``rfft`` for ``n`` points spaced ``d``
    apart: ``[0, 1, ..., n // 2] / (d * n)``.

    Args:
        n (int): the signal length.
        d (float): the sample spacing. Default: 1.0.
        dtype (dtype, optional): the result's dtype (default: the default float dtype).
        layout, device: accepted for PyTorch's signature (strided, CPU).
        requires_grad (bool): Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.rfftfreq(5, d=0.5)
        tensor([0.0000, 0.4000, 0.8000])
    """
    dt = np.dtype(dtype) if dtype is not None else DEFAULT_DTYPE[0]
    return creation.tensor(np.fft.rfftfreq(n, d).astype(dt), requires_grad=requires_grad)


def _shift(input: Tensor, dim: Any, sign: builtins.int) -> Tensor:
    dims = tuple(range(input.ndim)) if dim is None else (
        (dim,) if isinstance(dim, builtins.int) else tuple(dim))
    if not dims:
        return input
    dims = tuple(_wrap(d, input.ndim) for d in dims)
    shifts = tuple((input.shape[d] // 2) if sign > 0 else -(input.shape[d] // 2) for d in dims)
    return roll(input, shifts, dims)


def fftshift(input: Tensor, dim: builtins.int | _Dims | None = None) -> Tensor:
    """Move the zero frequency to the centre of each of ``dim`` (all if None): a roll by
    ``size // 2``.

    Args:
        input (Tensor): a spectrum in ``fft`` order.
        dim (int or sequence of int, optional): the dimensions rolled.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.fftshift(ag.fft.fftfreq(5))
        tensor([-0.4000, -0.2000,  0.0000,  0.2000,  0.4000])
    """
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim: builtins.int | _Dims | None = None) -> Tensor:
    """Undo ``fftshift``: a roll by ``-(size // 2)``.

    Args:
        input (Tensor): a centred spectrum.
        dim (int or sequence of int, optional): the dimensions rolled.

    Example::

        >>> import autograd_core as ag
        >>> ag.fft.ifftshift(ag.fft.fftshift(ag.arange(5)))
        tensor([0, 1, 2, 3, 4])
    """
    return _shift(input, dim, -1)


# a number or a list given for ``input``: PyTorch's TypeError (under its ATen name, fft_fft),
# not an AttributeError from inside the transform
globals().update({_name: typed(globals()[_name], f"fft_{_name}") for _name in __all__
                  if _name not in ("fftfreq", "rfftfreq")})
