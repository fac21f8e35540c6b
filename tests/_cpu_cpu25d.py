"""PyTorch's ``sqrt`` on the CPU kind the optimizer parity tests were written on, and elsewhere.

The optimizer tests comparing state bit for bit with ``torch.optim`` were written on an
AVX-512 Intel Xeon, where PyTorch's vectorised float32/float64 ``sqrt`` is an ulp from the
correctly rounded value in about 0.6% of elements; tapegrad's (numpy's) ``sqrt`` is correctly
rounded. On an AVX2 CPU (an AMD EPYC, torch 2.13.0) PyTorch's is an ulp off far more often
(float32: ~18% of elements, 0-d tensors included; float64: ~1.3%), and through the parameters
(weight decay, the line search's cubic step) these ulps reach the state the tests compare.

So a test runs PyTorch inside :func:`torch_sqrt_for_parity`: on AVX-512 that is PyTorch
unchanged (the assertion made where the test was written, exactly); elsewhere PyTorch's
``sqrt`` is replaced by a correctly rounded one for the run, and the test's bit-for-bit
assertion then checks every other rounding of the step (the only difference left there is
PyTorch's ``sqrt``, documented in autograd_core/DIFFERENCES.md).
"""

import contextlib

import numpy as np


def has_avx512() -> bool:
    """True where torch dispatches to its AVX-512 kernels (the CPU the tests were written on)."""
    import torch
    return torch.backends.cpu.get_cpu_capability().startswith("AVX512")


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
    if has_avx512():
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
