"""Which kind of x86 CPU the torch-parity tests run on, and the one check they share.

Some last bits depend on the CPU: on AVX-512 CPUs numpy runs float64 exp/log on its own
AVX512F loops and log1p, arccos, ... on Intel's SVML (AVX512_SKX), and PyTorch runs its 16-lane
kernels; elsewhere (an AVX2 AMD EPYC) numpy calls libm and PyTorch its AVX2 kernels. The bit
equalities these tests assert were written on an AVX-512 Intel Xeon; there they are still
asserted exactly. On other CPUs a test asserts what holds there, measured (see each caller).
"""

import functools

import numpy as np


@functools.lru_cache(maxsize=None)
def torch_avx512() -> bool:
    """True where PyTorch is installed and runs its AVX-512 kernels."""
    try:
        import torch
    except ImportError:
        return False
    return torch.backends.cpu.get_cpu_capability().startswith("AVX512")


def avx512() -> bool:
    """True where numpy's AVX-512 (AVX512F and SVML's AVX512_SKX) loops run, and PyTorch's
    AVX-512 kernels if PyTorch is installed (as on the machine the tests were written on)."""
    from numpy._core._multiarray_umath import __cpu_features__

    numpy_avx512 = bool(__cpu_features__.get("AVX512F") and __cpu_features__.get("AVX512_SKX"))
    try:
        import torch  # noqa: F401
    except ImportError:
        return numpy_avx512
    return numpy_avx512 and torch_avx512()


def ulps(a, b):
    """How many float64/float32 steps apart ``a`` and ``b`` are, elementwise (NaNs: 0)."""
    a, b = np.asarray(a), np.asarray(b)
    ints = np.int64 if a.dtype == np.float64 else np.int32
    ia, ib = a.view(ints).astype(np.int64), b.view(ints).astype(np.int64)
    low = np.int64(np.iinfo(ints).min)
    ia, ib = np.where(ia < 0, low - ia, ia), np.where(ib < 0, low - ib, ib)  # monotone order
    return np.where(np.isnan(a) & np.isnan(b), 0, np.abs(ia - ib))


def assert_bits_equal_on_avx512(got, want, *, elsewhere_at_most, max_ulp=0, atol=None,
                                err_msg=""):
    """``got`` equals ``want`` bit for bit on AVX-512 CPUs; elsewhere in all but at most
    ``elsewhere_at_most`` elements, and those within ``max_ulp`` steps (or, given ``atol``,
    that far apart)."""
    if avx512():
        np.testing.assert_array_equal(got, want, err_msg=err_msg)
        return
    steps = ulps(got, want)
    assert np.count_nonzero(steps) <= elsewhere_at_most, (err_msg, np.count_nonzero(steps))
    if atol is None:
        assert steps.max(initial=0) <= max_ulp, (err_msg, steps.max())
    else:
        np.testing.assert_allclose(got, want, rtol=0, atol=atol, err_msg=err_msg)
