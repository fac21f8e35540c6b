"""torch.fft's Hermitian transforms (hfft, ihfft, hfft2, ihfft2, hfftn, ihfftn): values and
gradients against PyTorch 2.13 for every norm, with and without output sizes, float32 and
float64; PyTorch's errors."""

import numpy as np
import pytest

import autograd_core as ag

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")

RNG = np.random.default_rng(5)
NAMES = ["hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
@pytest.mark.parametrize("sized", [False, True])
@pytest.mark.parametrize("double", [True, False])
def test_values_and_gradients(name, norm, sized, double):
    inverse = name.startswith("i")
    a = RNG.standard_normal((2, 3, 4))
    if not inverse:
        a = a + 1j * RNG.standard_normal((2, 3, 4))
    a = a.astype(("float64" if inverse else "complex128") if double else
                 ("float32" if inverse else "complex64"))
    kw = {} if not sized else {"n": 7} if name in ("hfft", "ihfft") else {"s": (3, 5)}
    x = ag.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    y = getattr(ag.fft, name)(x, norm=norm, **kw)
    z = getattr(torch.fft, name)(t, norm=norm, **kw)
    assert str(y.dtype).split(".")[-1] == str(z.dtype).split(".")[-1]
    tol = 1e-10 if double else 1e-4
    np.testing.assert_allclose(y.detach().numpy(), z.detach().resolve_conj().numpy(),
                               rtol=tol, atol=tol)
    g = RNG.standard_normal(tuple(z.shape))
    if z.is_complex():
        g = g + 1j * RNG.standard_normal(tuple(z.shape))
    g = g.astype(str(z.dtype).split(".")[-1])
    y.backward(ag.tensor(g))
    z.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.resolve_conj().numpy(), rtol=tol,
                               atol=tol)


def test_hfft_is_the_transform_of_the_hermitian_signal():
    """Closed form: hfft of the half signal equals the (real) DFT of the whole one."""
    half = RNG.standard_normal(4) + 1j * RNG.standard_normal(4)
    half[0], half[-1] = half[0].real, half[-1].real  # DC and Nyquist bins are real
    whole = np.concatenate([half, np.conj(half[-2:0:-1])])
    np.testing.assert_allclose(ag.fft.hfft(ag.tensor(half)).numpy(), np.fft.fft(whole).real,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ag.fft.ihfft(ag.fft.hfft(ag.tensor(half))).numpy(), half,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda m: m.fft.ihfft(m.ones(3, dtype=m.complex64)),
    lambda m: m.fft.ihfft2(m.ones(2, 3, dtype=m.complex64)),
    lambda m: m.fft.ihfftn(m.ones(2, 3, dtype=m.complex128)),
    lambda m: m.fft.hfft(m.ones(3), norm="x"),
    lambda m: m.fft.hfft(m.ones(1)),
])
def test_errors_in_pytorchs_words(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(ag)
    assert str(ours.value) == str(theirs.value)
