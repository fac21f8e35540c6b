"""Which float16 code path PyTorch's CPU kernels take here, where it changes their numbers.

The float16 parity tests (``tests/compat/test_float16_vs_torch.py``) were written on an Intel
Xeon with AVX-512 whose oneDNN runs float16. On an AVX2-only CPU (an AMD EPYC) two of ATen's
float16 paths differ: convolutions run its native im2col/col2im code, which adds in float16
(:func:`onednn_float16`), and the softmax over a non-last dim takes its vectorised path where the
Intel one took its scalar tail (:func:`softmax_half_rounds_exp`). A test keeps its exact
assertion where the Intel path is taken and elsewhere asserts what holds, e.g.
:func:`assert_within_float16_sums`.
"""

import numpy as np


def onednn_float16() -> bool:
    """True where PyTorch runs float16 convolutions through oneDNN (CPUs with AVX512-FP16,
    AMX-FP16 or AVX2-VNNI-2: ATen's ``mkldnn_fp16_device_check``), which sums in float32 and
    rounds once, as tapegrad. Elsewhere ATen's native convolution backward (and transposed
    forward) adds the col2im patches in float16, rounding at every step."""
    import torch
    return bool(torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled
                and torch.ops.mkldnn._is_mkldnn_fp16_supported())


def softmax_half_rounds_exp(outer: int, inner: int) -> bool:
    """True when ATen's float16 softmax over a non-last dim (``outer`` x dim x ``inner``) takes
    its scalar tail path, which rounds each exp to float16, for some element.

    Its kernel (``_vec_softmax``) walks ``outer * inner`` positions split evenly over the
    threads and computes ``lanes`` (a float16 vector: 32 with AVX-512, 16 with AVX2) of them at
    once in float32 when they lie in one row and in the thread's chunk, else one in float16.
    On the Intel machine (AVX-512, several threads) a 16 x 32 tensor's dim 0 took the scalar
    path everywhere; with AVX2 and 1 or 2 threads it takes the vector one (3 threads: scalar)."""
    import torch
    lanes = 32 if torch.backends.cpu.get_cpu_capability().startswith("AVX512") else 16
    total = outer * inner
    threads = torch.get_num_threads()
    chunk = total if threads == 1 else -(-total // threads)
    for begin in range(0, total, chunk):
        end, idx = min(begin + chunk, total), begin
        while idx < end:
            if idx % inner + lanes > inner or idx + lanes > end:
                return True
            idx += lanes
    return False


def assert_within_float16_sums(got, want, scale, k: float = 2.0, msg: str = "") -> None:
    """``got`` and ``want`` are one float16 sum of products rounded in two ways: the same
    shape and dtype, and ``|got - want| <= k * eps * scale`` elementwise, ``scale`` being the
    sum of the terms' absolute values (in float64).

    Adding n terms in float16 moves the sum by at most ``n * eps / 2 * scale`` (eps = 2**-10)
    and tapegrad's one rounding by ``eps / 2 * scale``; random roundings grow far slower than
    that. ``k = 2``: the largest difference measured between tapegrad's float16 convolutions
    (float32, rounded once) and PyTorch's native ones (AVX2 EPYC) was 1.31 eps * scale."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=msg)
    bound = k * np.finfo(got.dtype).eps * np.asarray(scale, dtype=np.float64)
    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    assert not (err > bound).any(), f"{msg}: {np.count_nonzero(err > bound)} elements apart"
