"""``stft`` and ``istft``, PyTorch's short-time Fourier transform and its inverse, composed
of differentiable ops (framing with ``unfold``, the window product, ``autograd_core.fft``'s
transforms, overlap-add with ``constant_pad_nd``), so their gradients come from those ops'
rules, to any order.

PyTorch's steps, kept here: ``center`` pads ``n_fft // 2`` on both sides with ``pad_mode``
(``F.pad``'s modes); a window shorter than ``n_fft`` sits in the middle of the frame
(``(n_fft - win_length) // 2`` zeros before it); ``normalized`` scales by ``n_fft ** -0.5``;
``istft`` overlap-adds the windowed inverse transforms and divides by the overlap-added
squared window (refusing where that envelope is below 1e-11, PyTorch's NOLA check).
"""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

import numpy as np

from autograd_core import fft as _fft
from autograd_core.creation import ones
from autograd_core.ops._args import torch_name
from autograd_core.ops.arrange import edge_pad
from autograd_core.ops.pieces import constant_pad_nd
from autograd_core.ops.registry import op, refuse_capture
from autograd_core.ops.shape import stack
from autograd_core.tensor import Tensor

_WINDOW_WARNING = {
    "stft": ("A window was not provided. A rectangular window will be applied,which is known "
             "to cause spectral leakage. Other windows such as torch.hann_window or "
             "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
             "warning and use a rectangular window, explicitly set "
             "`window=torch.ones(n_fft, device=<device>)`."),
    "istft": ("A window was not provided. A rectangular window will be applied.Please provide "
              "the same window used by stft to make the inversion lossless.To suppress this "
              "warning and use a rectangular window, explicitly set "
              "`window=torch.ones(n_fft, device=<device>)`."),
}


def _flag(v: Any) -> str:
    return "None" if v is None else str(int(v))


def _legacy(x: Tensor) -> str:
    """``torch.DoubleTensor[2, 28]`` / ``torch.DoubleTensor{[8]}``'s type part."""
    return f"torch.{torch_name(x._data.dtype)}Tensor"


def _window_repr(window: Tensor | None) -> str:
    return "None" if window is None else f"{_legacy(window)}{{{list(window.shape)}}}"


def _pad(x: Tensor, p: builtins.int, mode: str) -> Tensor:
    """``F.pad(x.view(1, 1 or B, L), [p, p], mode)`` of the last dim, with its errors."""
    if mode == "constant":
        return constant_pad_nd(x, (p, p), 0)
    n = x.shape[-1]
    shape3 = [1] * (3 - x.ndim) + list(x.shape)
    if mode == "reflect" and p >= n:
        raise RuntimeError(
            f"Argument #4: Padding size should be less than the corresponding input "
            f"dimension, but got: padding ({p}, {p}) at dimension 2 of input {shape3}")
    if mode == "circular" and p > n:
        raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    return edge_pad(x, x.ndim - 1, p, p, mode)


def _padded_window(window: Tensor | None, win_length: builtins.int, n_fft: builtins.int,
                   dtype: Any) -> Tensor:
    """The window (ones when ``None``) of ``win_length`` centred in ``n_fft`` zeros."""
    w = ones(win_length, dtype=dtype) if window is None else window
    left = (n_fft - win_length) // 2
    return constant_pad_nd(w, (left, n_fft - win_length - left), 0) if win_length < n_fft else w


def _result_dtype(x: Tensor, window: Tensor | None) -> Any:
    return x.dtype if window is None else np.promote_types(x.dtype, window.dtype)


@op("stft", method=True, samples=())  # complex results: its own tests check its gradients
def stft(input: Tensor, n_fft: builtins.int, hop_length: builtins.int | None = None,
         win_length: builtins.int | None = None, window: Tensor | None = None,
         center: builtins.bool = True, pad_mode: str = "reflect",
         normalized: builtins.bool = False, onesided: builtins.bool | None = None,
         return_complex: builtins.bool | None = None,
         align_to_window: builtins.bool | None = None) -> Tensor:
    r"""Return the short-time Fourier transform of ``input``, ``(B?, L)``: a complex
    ``(B?, N, T)`` tensor, ``N`` frequencies (``n_fft // 2 + 1`` when ``onesided``, else
    ``n_fft``) by ``T`` frames, frame ``t`` the DFT of ``window * input[t*hop_length:][:n_fft]``
    (after ``center``'s padding).

    As PyTorch's: ``return_complex`` must be given for a real input and window (``False``,
    deprecated and warned of, returns ``view_as_real`` of the result); no ``window`` warns
    and uses ones. Differentiable to any order (it is made of ``unfold``, products and
    ``fft.rfft``/``fft.fft``).

    Args:
        input (Tensor): a 1-D or 2-D (batched) float or complex signal.
        n_fft (int): the size of each frame's transform.
        hop_length (int, optional): the step between frames. Default: ``n_fft // 4``.
        win_length (int, optional): the window's length, ``<= n_fft``; a shorter window is
            centred in zeros. Default: ``n_fft``.
        window (Tensor, optional): a 1-D window of ``win_length``. Default: ones.
        center (bool): pad ``n_fft // 2`` on both sides so frame ``t`` is centred at
            ``t * hop_length``. Default: ``True``.
        pad_mode (str): ``center``'s padding, as ``nn.functional.pad``'s ``mode``:
            ``"reflect"`` (default), ``"constant"``, ``"replicate"``, ``"circular"``.
        normalized (bool): multiply by ``n_fft ** -0.5``. Default: ``False``.
        onesided (bool, optional): keep the ``n_fft // 2 + 1`` non-redundant frequencies.
            Default: ``True`` for a real input and window.
        return_complex (bool, optional): a complex result (``True``) or its real view.
        align_to_window (bool, optional): with ``center=False``, frames start where a
            shorter window starts rather than where its ``n_fft`` frame does.

    Example::

        >>> import autograd_core as ag
        >>> ag.stft(ag.tensor([1.0, 2.0, 3.0, 4.0]), 2, hop_length=2, center=False,
        ...         window=ag.ones(2), return_complex=True)
        tensor([[ 3.+0.j,  7.+0.j],
                [-1.+0.j, -1.+0.j]])
    """
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center:  # PyTorch pads a view of at least 3 dims (a 0-d input as (1, 1, 1))
        input = _pad(input.reshape(1, 1, 1) if input.ndim == 0 else input, n_fft // 2,
                     pad_mode)
    if window is None:
        warnings.warn(_WINDOW_WARNING["stft"], UserWarning, stacklevel=2)
    is_complex = input.dtype.kind == "c" or (window is not None and window.dtype.kind == "c")
    if return_complex is None:
        if not is_complex:
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True in "
                               "a future PyTorch release.")
        return_complex = True
    if not return_complex:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch "
                      "release, stft will return complex tensors for all inputs, and "
                      "return_complex=False will raise an error.\nNote: you can still call "
                      "torch.view_as_real on the complex output to recover the old return "
                      "format.", UserWarning, stacklevel=2)
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    where = (f"stft({_legacy(input)}{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
             f"win_length={win}, window={_window_repr(window)}, normalized={_flag(normalized)},"
             f" onesided={_flag(onesided)}, return_complex={_flag(return_complex)}, "
             f"align_to_window={_flag(align_to_window)}) : ")
    if input.ndim not in (1, 2):
        raise RuntimeError(where + "expected a 1D or 2D tensor")
    if input._data.dtype == np.float16 or (window is not None
                                           and window._data.dtype == np.float16):
        raise RuntimeError("MKL FFT doesn't support tensors of type: Half")
    if input.dtype.kind not in "fc":
        raise RuntimeError(where + "expected a tensor of floating point or complex values")
    length = input.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(where + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(where + f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(where + f"expected 0 < win_length <= n_fft, but got "
                           f"win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(where + f"expected a 1D window tensor of size equal to "
                           f"win_length={win}, but got window with size {list(window.shape)}")
    if onesided is None:
        onesided = not is_complex
    elif onesided and is_complex:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    dtype = _result_dtype(input, window)
    x = input if input.dtype == dtype else input.to(dtype)
    w = ones(win, dtype=x.real.dtype) if window is None else window
    left = (n_fft - win) // 2
    if align_to_window:  # frames start at the window's start
        start, frames = 0, 1 + (length - win) // hop
    else:
        start, frames = left, 1 + (length - n_fft) // hop
    # each frame's windowed part (the rest of its n_fft points are the window's zeros)
    seg = x[..., start:start + win + hop * (frames - 1)].unfold(-1, win, hop) * w
    if win < n_fft:
        seg = constant_pad_nd(seg, (left, n_fft - win - left), 0)
    norm = "ortho" if normalized else "backward"
    spec = (_fft.rfft if onesided else _fft.fft)(seg, dim=-1, norm=norm)
    spec = spec.transpose(-1, -2)
    return spec if return_complex else stack([spec.real, spec.imag], dim=-1)


@op("istft", method=True, samples=())  # its own tests: a spectrogram input, not a draw
def istft(input: Tensor, n_fft: builtins.int, hop_length: builtins.int | None = None,
          win_length: builtins.int | None = None, window: Tensor | None = None,
          center: builtins.bool = True, normalized: builtins.bool = False,
          onesided: builtins.bool | None = None, length: builtins.int | None = None,
          return_complex: builtins.bool = False) -> Tensor:
    r"""Return the inverse of :func:`stft`: the signal whose ``stft`` (with the same
    arguments) is ``input``, a complex ``(B?, N, T)`` tensor, by least squares: the windowed
    inverse transforms of the frames overlap-added and divided by the overlap-added squared
    window (which must be nonzero everywhere kept: PyTorch's NOLA check).

    ``length`` cuts the result to that length, or pads it with zeros (with PyTorch's
    warning). Differentiable to any order.

    Args:
        input (Tensor): a complex ``(B?, N, T)`` tensor, as :func:`stft` returns.
        n_fft (int): the size of each frame's transform.
        hop_length (int, optional): the step between frames, ``<= win_length``.
            Default: ``n_fft // 4``.
        win_length (int, optional): the window's length. Default: ``n_fft``.
        window (Tensor, optional): the window ``stft`` used. Default: ones (with a warning).
        center (bool): ``stft`` padded the signal. Default: ``True``.
        normalized (bool): ``stft`` was normalized. Default: ``False``.
        onesided (bool, optional): ``input`` has ``n_fft // 2 + 1`` frequencies.
            Default: ``True`` unless it has ``n_fft``.
        length (int, optional): the output's length. Default: all the frames give.
        return_complex (bool): a complex result (needs ``onesided=False``). Default:
            ``False``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        >>> w = ag.hann_window(4)
        >>> ag.istft(ag.stft(x, 4, window=w, return_complex=True), 4, window=w, length=6)
        tensor([1., 2., 3., 4., 5., 6.])
    """
    if window is None:
        warnings.warn(_WINDOW_WARNING["istft"], UserWarning, stacklevel=2)
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if input.dtype.kind != "c":
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    where = (f"istft(CPU{torch_name(input._data.dtype)}Type{list(input.shape)}, "
             f"n_fft={n_fft}, hop_length={hop}, win_length={win}, "
             f"window={_window_repr(window)}, center={_flag(center)}, "
             f"normalized={_flag(normalized)}, onesided={_flag(onesided)}, "
             f"length={length}, return_complex={_flag(return_complex)}) : ")
    if input.ndim not in (2, 3):
        raise RuntimeError(where + f"expected a tensor with 3 or 4 dimensions, but got "
                           f"{input.ndim + 1}")
    if input.numel() == 0:
        raise RuntimeError(where + "input tensor cannot be empty.")
    x = input if input.ndim == 3 else input.unsqueeze(0)
    n_bins, frames = x.shape[1], x.shape[2]
    if onesided is None:
        onesided = n_bins != n_fft
    if onesided:
        if n_fft // 2 + 1 != n_bins:
            raise RuntimeError(where + "expected the frequency dimension (3rd to the last) of "
                               "the input tensor to match n_fft / 2 + 1 when onesided=True, "
                               f"but got {n_bins}")
    elif n_fft != n_bins:
        raise RuntimeError(where + "expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft when onesided=False, but got "
                           f"{n_bins}")
    if not 0 < hop <= win:
        raise RuntimeError(where + "expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise RuntimeError(where + "expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(where + "Invalid window shape. window has to be 1D and length of "
                           "`win_length`")
    if return_complex and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if not return_complex and window is not None and window.dtype.kind == "c":
        raise RuntimeError("Complex windows are incompatible with return_complex=False")
    real = x.real.dtype
    dtype = real if window is None else np.promote_types(real, window.dtype)
    w = _padded_window(window, win, n_fft, dtype)
    spec = x.transpose(1, 2)  # (B, T, N)
    if normalized:
        spec = spec * math.sqrt(n_fft)
    if return_complex:
        frames_t = _fft.ifft(spec, dim=-1)
    else:
        if not onesided:
            spec = spec[..., :n_fft // 2 + 1]
        frames_t = _fft.irfft(spec, n=n_fft, dim=-1)
    y = _overlap_add(frames_t * w, hop)
    envelope = _overlap_add((w * w).expand(1, frames, n_fft), hop)
    full = n_fft + hop * (frames - 1)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else -(n_fft // 2) if center else full
    y, envelope = y[..., start:end], envelope[..., start:end]
    if window is not None:  # the check reads the window's values: a replay would not redo it
        refuse_capture("istft() with a window")
    if envelope.numel() and float(np.abs(envelope._data).min()) < 1e-11:
        raise RuntimeError(where[:-3] + " window overlap add min: 1\n[ CPUBoolType{} ]")
    y = y / envelope
    if input.ndim == 2:
        y = y.squeeze(0)
    if end > full:
        warnings.warn("The length of signal is shorter than the length parameter. Result is "
                      "being padded with zeros in the tail. Please check your center and "
                      "hop_length settings.", UserWarning, stacklevel=2)
        y = constant_pad_nd(y, (0, end - full), 0)
    return y


def _overlap_add(frames: Tensor, hop: builtins.int) -> Tensor:
    """``(B, T, n)`` frames summed at offsets ``0, hop, 2 hop, ...`` into ``(B, n + hop (T -
    1))``: each frame cut into ``hop``-long chunks; chunk ``k`` of frame ``t`` lands in block
    ``t + k``, so chunk ``k`` of every frame, shifted ``k`` blocks, is one padded tensor."""
    b, t, n = frames.shape
    m = -(-n // hop)  # chunks per frame
    chunks = constant_pad_nd(frames, (0, m * hop - n), 0).reshape(b, t, m, hop)
    total = None
    for k in range(m):
        part = constant_pad_nd(chunks[:, :, k, :], (0, 0, k, m - 1 - k), 0)
        total = part if total is None else total + part
    assert total is not None
    return total.reshape(b, (t + m - 1) * hop)[:, :n + hop * (t - 1)]
