"""PyTorch's window functions (``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window``, ``kaiser_window``), computed as PyTorch computes them: the same steps, each
rounded to the dtype, so results are PyTorch's to the last bit but where its vectorised
cosine (or, for ``kaiser_window``, its exp and a Chebyshev series' rounding) lands on the
neighbouring float (DIFFERENCES.md)."""

from __future__ import annotations

import builtins
import math
from typing import Any, Callable

import numpy as np

from autograd_core.creation import _fma as _fma64, _float_dtype, _make
from autograd_core.device import DeviceLike, check_device
from autograd_core.ops._args import torch_name
from autograd_core.ops.scatter import _TORCH_NAMES  # TensorOptions' dtype names
from autograd_core.tensor import DTypeLike, Tensor

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window",
           "kaiser_window"]


def _length(name: str, window_length: object, dtype: DTypeLike | None, device: object,
            requires_grad: builtins.bool) -> tuple[int, np.dtype]:
    """PyTorch's checks, then the window's dtype."""
    check_device(device, name)  # type: ignore[arg-type]
    if not isinstance(window_length, (int, np.integer)) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dt = _float_dtype(dtype)
    if dt.kind == "c":
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{torch_name(dt)}'")
    if dt.kind != "f":
        grad = "true" if requires_grad else "false (default)"
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype="
                           f"{_TORCH_NAMES.get(dt.name, dt.name)}, device=cpu, layout=Strided (default), requires_grad="
                           f"{grad}, pinned_memory=false, memory_format=(nullopt))")
    return int(window_length), dt


class _Steps:
    """Elementwise steps on a float array of dtype ``dt``, the scalar of each in ``dt`` too,
    each result rounded to ``dt`` (PyTorch's tensor-and-scalar ops; float16 included)."""

    def __init__(self, dt: np.dtype):
        self.dt = dt

    def __call__(self, fn: Callable[..., Any], *arrays: np.ndarray) -> np.ndarray:
        return np.asarray(fn(*arrays)).astype(self.dt)

    def scalar(self, v: float) -> Any:
        return self.dt.type(v)

    def cos(self, w: np.ndarray) -> np.ndarray:
        # correctly rounded (PyTorch's vectorised cosine is within 1 ulp of it)
        return np.cos(w.astype(np.float64)).astype(self.dt)

    def arange(self, n: int) -> np.ndarray:
        return np.arange(n, dtype=np.float64).astype(self.dt)


def _window(name: str, window_length: int, periodic: builtins.bool, dtype: DTypeLike | None,
            device: DeviceLike | None, requires_grad: builtins.bool,
            body: Callable[[int, _Steps], np.ndarray]) -> Tensor:
    n, dt = _length(name, window_length, dtype, device, requires_grad)
    if n <= 1:
        return _make(np.ones(n, dtype=dt), requires_grad)
    size = n + 1 if periodic else n  # a periodic window: the symmetric one a point longer
    w = body(size, _Steps(dt))
    return _make(np.ascontiguousarray(w[:n]), requires_grad)


def hamming_window(window_length: int, periodic: builtins.bool = True,
                   alpha: float = 0.54, beta: float = 0.46, *,
                   dtype: DTypeLike | None = None, device: DeviceLike | None = None,
                   requires_grad: builtins.bool = False) -> Tensor:
    """Return the Hamming window ``alpha - beta * cos(2 pi n / (N - 1))``, ``n = 0 .. N - 1``.

    With ``periodic=True`` (the default, for spectral analysis) ``N`` is ``window_length + 1``
    and the last point is dropped; a window of length 1 is ``[1.]``, of length 0 empty.

    Args:
        window_length (int): the number of points.
        periodic (bool): the periodic window rather than the symmetric one. Default: True.
        alpha (float): the constant term. Default: 0.54.
        beta (float): the cosine's coefficient. Default: 0.46.
        dtype (dtype, optional): a float dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.hamming_window(4)
        tensor([0.0800, 0.5400, 1.0000, 0.5400])
    """
    def body(size, s):
        w = s(lambda v: v * s.scalar(math.pi * 2.0 / (size - 1)), s.arange(size))
        w = s(lambda v: v * s.scalar(-beta), s.cos(w))
        return s(lambda v: v + s.scalar(alpha), w)

    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   body)


def hann_window(window_length: int, periodic: builtins.bool = True, *,
                dtype: DTypeLike | None = None, device: DeviceLike | None = None,
                requires_grad: builtins.bool = False) -> Tensor:
    """Return the Hann window ``0.5 - 0.5 * cos(2 pi n / (N - 1))``, ``n = 0 .. N - 1``.

    With ``periodic=True`` (the default, for spectral analysis) ``N`` is ``window_length + 1``
    and the last point is dropped; a window of length 1 is ``[1.]``, of length 0 empty.

    Args:
        window_length (int): the number of points.
        periodic (bool): the periodic window rather than the symmetric one. Default: True.
        dtype (dtype, optional): a float dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.hann_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    n, _ = _length("hann_window", window_length, dtype, device, requires_grad)
    return hamming_window(n, periodic, 0.5, 0.5, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def blackman_window(window_length: int, periodic: builtins.bool = True, *,
                    dtype: DTypeLike | None = None, device: DeviceLike | None = None,
                    requires_grad: builtins.bool = False) -> Tensor:
    """Return the Blackman window
    ``0.42 - 0.5 * cos(2 pi n / (N - 1)) + 0.08 * cos(4 pi n / (N - 1))``, ``n = 0 .. N - 1``.

    With ``periodic=True`` (the default) ``N`` is ``window_length + 1`` and the last point is
    dropped; a window of length 1 is ``[1.]``, of length 0 empty.

    Args:
        window_length (int): the number of points.
        periodic (bool): the periodic window rather than the symmetric one. Default: True.
        dtype (dtype, optional): a float dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.blackman_window(4, periodic=False)
        tensor([-2.9802e-08,  6.3000e-01,  6.3000e-01, -2.9802e-08])
    """
    def body(size, s):
        w = s(lambda v: v * s.scalar(math.pi / (size - 1)), s.arange(size))
        four = s(lambda v: v * s.scalar(0.08), s.cos(s(lambda v: v * s.scalar(4), w)))
        two = s(lambda v: v * s.scalar(0.5), s.cos(s(lambda v: v * s.scalar(2), w)))
        return s(lambda v: v + s.scalar(0.42), s(lambda a, b: a - b, four, two))

    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   body)


def bartlett_window(window_length: int, periodic: builtins.bool = True, *,
                    dtype: DTypeLike | None = None, device: DeviceLike | None = None,
                    requires_grad: builtins.bool = False) -> Tensor:
    """Return the Bartlett (triangular) window: ``2 n / (N - 1)`` rising to 1, then
    ``2 - 2 n / (N - 1)``, ``n = 0 .. N - 1``.

    With ``periodic=True`` (the default) ``N`` is ``window_length + 1`` and the last point is
    dropped; a window of length 1 is ``[1.]``, of length 0 empty.

    Args:
        window_length (int): the number of points.
        periodic (bool): the periodic window rather than the symmetric one. Default: True.
        dtype (dtype, optional): a float dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.bartlett_window(5, periodic=False)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    def body(size, s):
        w = s(lambda v: v * s.scalar(2.0 / (size - 1)), s.arange(size))
        half = ((size - 1) >> 1) + 1  # the rising half, the middle point included
        w[half:] = s(lambda v: v * s.scalar(-1) + s.scalar(2), w[half:])
        return w

    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   body)


# Cephes' Chebyshev coefficients of exp(-x) I0(x) on [0, 8] and of exp(-x) sqrt(x) I0(x) on
# (8, inf) (Moshier's i0.c, as numpy's and PyTorch's i0 use them)
_I0_A = (
    -4.41534164647933937950e-18, 3.33079451882223809783e-17, -2.43127984654795469359e-16,
    1.71539128555513303061e-15, -1.16853328779934516808e-14, 7.67618549860493561688e-14,
    -4.85644678311192946090e-13, 2.95505266312963983461e-12, -1.72682629144155570723e-11,
    9.67580903537323691224e-11, -5.18979560163526290666e-10, 2.65982372468238665035e-9,
    -1.30002500998624804212e-8, 6.04699502254191894932e-8, -2.67079385394061173391e-7,
    1.11738753912010371815e-6, -4.41673835845875056359e-6, 1.64484480707288970893e-5,
    -5.75419501008210370398e-5, 1.88502885095841655729e-4, -5.76375574538582365885e-4,
    1.63947561694133579842e-3, -4.32430999505057594430e-3, 1.05464603945949983183e-2,
    -2.37374148058994688156e-2, 4.93052842396707084878e-2, -9.49010970480476444210e-2,
    1.71620901522208775349e-1, -3.04682672343198398683e-1, 6.76795274409476084995e-1)
_I0_B = (
    -7.23318048787475395456e-18, -4.83050448594418207126e-18, 4.46562142029675999901e-17,
    3.46122286769746109310e-17, -2.82762398051658348494e-16, -3.42548561967721913462e-16,
    1.77256013305652638360e-15, 3.81168066935262242075e-15, -9.55484669882830764870e-15,
    -4.15056934728722208663e-14, 1.54008621752140982691e-14, 3.85277838274214270114e-13,
    7.18012445138366623367e-13, -1.79417853150680611778e-12, -1.32158118404477131188e-11,
    -3.14991652796324136454e-11, 1.18891471078464383424e-11, 4.94060238822496958910e-10,
    3.39623202570838634515e-9, 2.26666899049817806459e-8, 2.04891858946906374183e-7,
    2.89137052083475648297e-6, 6.88975834691682398426e-5, 3.36911647825569408990e-3,
    8.04490411014108831608e-1)


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` rounded once to ``a``'s dtype (float32 or float64): the fused
    multiply-add the compiler makes of PyTorch's kaiser kernel."""
    if a.dtype == np.float64:
        return _fma64(a, b, c)
    return (a.astype(np.float64) * b + c).astype(a.dtype)  # the float32 product is exact


_exp = np.vectorize(math.exp, otypes=[np.float64])  # the C library's, as PyTorch's kernel


def _i0(x: np.ndarray) -> np.ndarray:
    """``I0(x)`` by Cephes' Chebyshev series in ``x``'s dtype (float32 or float64), each step
    rounded as PyTorch's ``calc_i0`` compiles it (``y * b1 - b2`` fused)."""
    dt, t = x.dtype, x.dtype.type
    x = np.abs(x)
    small = x <= 8
    with np.errstate(divide="ignore"):
        y = np.where(small, x / t(2) - t(2), t(32) / x - t(2)).astype(dt)
    parts = []
    for coeffs in (_I0_A, _I0_B):
        b0, b1, b2 = np.full_like(y, coeffs[0]), np.zeros_like(y), np.zeros_like(y)
        for c in coeffs[1:]:
            b2, b1 = b1, b0
            b0 = (_fma(y, b1, -b2) + t(c)).astype(dt)
        parts.append((t(0.5) * (b0 - b2)).astype(dt))
    e = _exp(x).astype(dt)
    with np.errstate(over="ignore", invalid="ignore"):
        big = e * parts[1] / np.sqrt(np.where(small, t(1), x))
        return np.where(small, e * parts[0], big).astype(dt)


def kaiser_window(window_length: int, periodic: builtins.bool = True, beta: float = 12.0, *,
                  dtype: DTypeLike | None = None, device: DeviceLike | None = None,
                  requires_grad: builtins.bool = False) -> Tensor:
    """Return the Kaiser window ``I0(beta * sqrt(1 - ((n - m) / m)**2)) / I0(beta)``,
    ``m = (N - 1) / 2``, ``n = 0 .. N - 1`` (``I0``: the modified Bessel function of order 0).

    With ``periodic=True`` (the default) ``N`` is ``window_length + 1`` and the last point is
    dropped; a window of length 1 is ``[1.]``, of length 0 empty.

    Args:
        window_length (int): the number of points.
        periodic (bool): the periodic window rather than the symmetric one. Default: True.
        beta (float): the shape parameter. Default: 12.0.
        dtype (dtype, optional): a float dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.kaiser_window(5, periodic=False, beta=3.0)
        tensor([0.2049, 0.7269, 1.0000, 0.7269, 0.2049])
    """
    def body(size, s):
        t = np.float32 if s.dt == np.float16 else s.dt.type  # one kernel, in op math
        m, b = t((size - 1) / 2.0), t(beta)
        r = (s.arange(size).astype(t) - m) / m
        arg = b * np.sqrt(np.abs(_fma(-r, r, np.ones_like(r))))  # 1 - r**2, fused
        return (_i0(arg) / _i0(np.asarray([b]))).astype(s.dt)

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   body)
