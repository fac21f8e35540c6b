"""Which kind of CPU the parity tests run on, and what to compare on the other kind.

Bit-equality tests against torch were written on an AVX-512 Intel Xeon. On an AVX2-only AMD
EPYC, PyTorch's BLAS (MKL) sums and rounds in another order, so such a test keeps its exact
assertion where :func:`is_intel_avx512` and elsewhere asserts
:func:`assert_within_rounding_of_sum`. (Most of ATen's own kernels are AVX2 ones on both
kinds: ``REGISTER_DISPATCH`` leaves the AVX-512 slot empty, so torch falls back to AVX2.)
"""

import numpy as np


def is_intel_avx512() -> bool:
    """True on the kind of CPU the tests were written on: torch dispatches to its AVX-512
    kernels, and the CPU is an Intel one where /proc/cpuinfo tells (MKL picks its code paths
    by vendor as well as by instruction set, so an AVX-512 AMD CPU may round otherwise)."""
    import torch
    if not torch.backends.cpu.get_cpu_capability().startswith("AVX512"):
        return False
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
    except OSError:
        return True
    return "vendor_id" not in info or "GenuineIntel" in info


def assert_within_rounding_of_sum(got, want, scale, k: float = 4.0, msg: str = "") -> None:
    """``got`` and ``want`` are one sum of products rounded in two orders: the same dtype and
    NaNs, and ``|got - want| <= k * eps * scale`` elementwise, ``scale`` being the same sum of
    the terms' absolute values (``|beta * c| + |alpha| * |A| @ |B|`` for addmm).

    Each rounding of a partial sum moves it by at most ``eps / 2 * scale``; two orders of n terms
    may differ by up to about ``n * eps * scale`` in the worst case, and random errors by far
    less. ``k = 4`` is the default: the largest difference measured between tapegrad and torch
    on an AVX2 CPU in the tests using it was 1.84 (einsum, float32, 50 terms)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=msg)
    bound = k * np.finfo(got.dtype).eps * np.asarray(scale, dtype=np.float64)
    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    bad = ~np.isnan(got) & (err > bound)
    assert not bad.any(), f"{msg}: {np.count_nonzero(bad)} elements farther apart than {k} eps"
