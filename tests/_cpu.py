"""Which kind of x86 CPU the torch-parity tests run on, and what they compare on each kind.

The bit equalities with PyTorch were written on an AVX-512 Intel Xeon. On an AVX2-only AMD EPYC
some last bits differ, for one of two reasons:

* PyTorch's own numbers depend on the CPU: its BLAS (MKL) sums and rounds in another order
  (:func:`is_intel_avx512`), its float16 convolutions run oneDNN only where the CPU has float16
  support (:func:`onednn_float16`), its float16 softmax over a non-last dim splits its work by
  vector width and threads (:func:`softmax_half_rounds_exp`), and its vectorised ``sqrt`` is an
  ulp off far more often (:func:`torch_sqrt_for_parity`);
* numpy's do: on AVX-512 CPUs it runs float64 exp/log on its own AVX512F loops and log1p,
  arccos, ... on Intel's SVML, elsewhere libm (:func:`avx512`).

Where the test's CPU kind is the one it was written on, it makes its original assertion,
exactly; elsewhere it asserts what holds there, measured (see each caller):
:func:`assert_bits_equal_on_avx512`, :func:`assert_within_rounding_of_sum`.
(Most of ATen's own kernels are AVX2 ones on both kinds: ``REGISTER_DISPATCH`` leaves the
AVX-512 slot empty, so PyTorch falls back to AVX2.)
"""

import contextlib
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


def is_intel_avx512() -> bool:
    """True on the kind of CPU the tests were written on: torch dispatches to its AVX-512
    kernels, and the CPU is an Intel one where /proc/cpuinfo tells (MKL picks its code paths
    by vendor as well as by instruction set, so an AVX-512 AMD CPU may round otherwise)."""
    if not torch_avx512():
        return False
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
    except OSError:
        return True
    return "vendor_id" not in info or "GenuineIntel" in info


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
    """How many float64/float32/float16 steps apart ``a`` and ``b`` are, elementwise (NaNs:
    0)."""
    a, b = np.asarray(a), np.asarray(b)
    ints = {8: np.int64, 4: np.int32, 2: np.int16}[a.dtype.itemsize]
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


def _correctly_rounded(torch, original):
    """``original`` (a sqrt) computed by numpy for dense float32/float64 CPU tensors: IEEE 754
    requires ``sqrt`` correctly rounded, and numpy's is (the ``sqrtps``/``sqrtpd`` instructions
    or libm's ``sqrt``) on every CPU. What PyTorch's own gives is checked on the way: at most
    an ulp from it (measured here on 10^6 float32 and float64 values: never 2 ulps)."""
    def sqrt(t, *args, **kwargs):
        if args or kwargs or not isinstance(t, torch.Tensor) or t.is_sparse \
                or t.dtype not in (torch.float32, torch.float64) or t.device.type != "cpu":
            return original(t, *args, **kwargs)
        want = np.array(np.sqrt(t.detach().numpy()))
        np.testing.assert_array_max_ulp(original(t).detach().numpy(), want, maxulp=1)
        return torch.from_numpy(want)
    return sqrt


@contextlib.contextmanager
def torch_sqrt_for_parity(torch):
    """PyTorch as is on an AVX-512 CPU; elsewhere with ``torch.sqrt``, ``Tensor.sqrt`` and
    ``Tensor.sqrt_`` correctly rounded (restored on exit)."""
    if torch_avx512():
        yield
        return
    saved = torch.sqrt, torch.Tensor.sqrt, torch.Tensor.sqrt_
    fn = _correctly_rounded(torch, saved[1])

    def sqrt_(self):
        if self.is_sparse or self.dtype not in (torch.float32, torch.float64):
            return saved[2](self)
        return self.copy_(fn(self))
    torch.sqrt = _correctly_rounded(torch, saved[0])
    torch.Tensor.sqrt, torch.Tensor.sqrt_ = fn, sqrt_
    try:
        yield
    finally:
        torch.sqrt, torch.Tensor.sqrt, torch.Tensor.sqrt_ = saved
