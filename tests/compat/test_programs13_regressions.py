"""Regressions found running public PyTorch programs on tapegrad (round 13: audio features with
stft/istft, lecture experiments on initialisation / normalisation / optimisers / loss landscapes).

Harness and results: /work/progs_runs/progs13/ (RESULTS13.md).
"""
import numpy as np

import autograd_core as ag


def test_view_as_real_of_a_strided_complex_tensor():
    """p02 Griffin-Lim: ``torch.view_as_real(torch.stft(x, ...))`` raised numpy's "the last axis
    must be contiguous" (stft's result is a transposed view); PyTorch views any strided complex
    tensor, the new last dimension stepping from real to imaginary part."""
    z = np.arange(12).reshape(3, 4) * (1 + 2j)
    zt = ag.tensor(z, dtype=ag.complex64).t()
    r = ag.view_as_real(zt)
    assert r.shape == (4, 3, 2) and r.stride() == (2, 8, 1)
    np.testing.assert_array_equal(r.numpy(), np.stack([z.T.real, z.T.imag], -1))
    r[1, 2, 0] = 100.0  # a view: the write reaches the complex tensor
    assert zt[1, 2].item() == 100 + 18j
    sl = ag.view_as_real(ag.tensor(z)[:, ::2])
    np.testing.assert_array_equal(sl.numpy(), np.stack([z[:, ::2].real, z[:, ::2].imag], -1))
    a = ag.tensor([[1 + 2j, 3 - 1j]], requires_grad=True)
    (ag.view_as_real(a.t()) * ag.tensor([[[1.0, 2.0]], [[3.0, 4.0]]])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [[1 + 2j, 3 + 4j]])
