"""Regressions found running seeded PyTorch programs of kinds not yet covered on tapegrad with
only their imports rewritten (round 28: a CRNN trained with CTC loss and greedy decoding,
rotary position embeddings in the complex and the rotate_half forms, WaveNet, an LSTM
forecaster over unfold windows, a spatial transformer, neural cellular automata, style
transfer with LBFGS, NeRF volume rendering with hierarchical sampling, k-means, PCA, kernel
ridge regression, Sinkhorn transport, SimCLR, linear attention and Performer features,
quantization-aware training, a spiking network, TransE, a sparse autoencoder,
``autograd.functional`` and a tabular model).

Harness and results: /work/progs_runs/progs28/ (RESULTS28.md).
"""
import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape,q,center", [((30, 5), 3, True), ((5, 30), 2, False)])
def test_pca_lowrank_is_pytorchs_randomized_algorithm(shape, q, center):
    """r03 (PCA of a 30 x 5 data set by ``torch.pca_lowrank(X, q=3, niter=2)``, then random
    weights for the next model): tapegrad computed the exact truncated SVD, so the singular
    values differed from PyTorch's randomized estimate (0.27% in the program) and, as no
    random numbers were drawn, every later ``randn`` differed too. Now PyTorch's range finder:
    the same Gaussian start from the global generator, the same subspace iterations."""
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal(shape)
    out = {}
    for lib in (torch, ag):
        lib.manual_seed(3)
        x = lib.tensor(a, requires_grad=True)
        U, S, V = lib.pca_lowrank(x, q=q, center=center, niter=1)
        g, = lib.autograd.grad(S.sum() + U.abs().sum(), x)
        out[lib] = (S.detach().numpy(), np.abs(V.detach().numpy()), g.numpy(),
                    lib.rand(4).numpy())
    for mine, theirs in zip(out[ag], out[torch]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


def test_polar_float32_takes_the_correctly_rounded_cosine_and_sine():
    """r01 (rotary embeddings: ``freqs_cis = torch.polar(torch.ones_like(freqs), freqs)`` in
    float32, Llama-style): PyTorch's ``polar`` kernel calls the C library's ``cosf``/``sinf``;
    tapegrad took numpy's float32 loops, an ulp off in 26 of the table's 256 entries, so every
    rotated query and key differed in the last bits. Now float64's, rounded once."""
    freqs = np.outer(np.arange(32), 1.0 / 10000 ** (np.arange(0, 8, 2) / 8)).astype(np.float32)
    theta = np.concatenate([freqs.ravel(), np.linspace(-60, 60, 1001, dtype=np.float32)])
    r = np.linspace(0.5, 2.0, theta.size, dtype=np.float32)
    z = ag.view_as_real(ag.polar(ag.tensor(r), ag.tensor(theta))).numpy()
    assert z.dtype == np.float32
    np.testing.assert_array_equal(z[:, 0], r * np.cos(theta.astype(np.float64)).astype(np.float32))
    np.testing.assert_array_equal(z[:, 1], r * np.sin(theta.astype(np.float64)).astype(np.float32))


def test_fake_quantize_per_tensor_affine_by_hand():
    """r04 (quantization-aware training with ``torch.fake_quantize_per_tensor_affine``, as
    ``torch.ao.quantization.FakeQuantize`` calls it): the function was missing. Ties round to
    even (0.25 / 0.1 -> 2); the straight-through gradient is 1 where the rounded value is in
    ``[quant_min, quant_max]`` (after the zero point), 0 where it was clamped."""
    x = ag.tensor([0.25, 0.35, -0.25, 1.0, -1.1, 0.54], requires_grad=True)
    y = ag.fake_quantize_per_tensor_affine(x, 0.1, 2, -8, 7)
    assert y.dtype == ag.float32
    steps = np.float32([2, 4, -2, 5, -10, 5])  # 0.35 / 0.1 is 3.5 in float32: 4 (even)
    np.testing.assert_array_equal(y.detach().numpy(), steps * np.float32(0.1))
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0, 1.0]  # 1.0 and -1.1 were clamped
    assert y.grad_fn.name() == "FakeQuantizePerTensorAffineCachemaskBackward0"
    with pytest.raises(RuntimeError, match="`zero_point` must be between `quant_min` and"):
        ag.fake_quantize_per_tensor_affine(x, 0.1, 9, -8, 7)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fake_quantize_per_tensor_and_per_channel_match_torch(dtype):
    """r04: both functions against PyTorch's kernels, bit for bit (values and gradients), with
    number and tensor qparams; per tensor the result is rounded to float32 even for float64
    input, per channel it is not (ATen's two kernels)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((6, 5, 4)) * 3).astype(dtype)
    sc = (rng.random(5) * 0.3 + 0.01).astype(np.float32)
    zp = rng.integers(-3, 4, 5).astype(np.int32)
    out = {}
    for lib in (torch, ag):
        t = lib.tensor(x, requires_grad=True)
        ys = [lib.fake_quantize_per_tensor_affine(t, 0.37, -5, -128, 127),
              lib.fake_quantize_per_tensor_affine(t, lib.tensor(0.05), lib.tensor(3), -8, 7),
              lib.fake_quantize_per_channel_affine(t, lib.tensor(sc), lib.tensor(zp), 1, -8, 7)]
        grads = [lib.autograd.grad((y * y.detach()).sum(), t)[0] for y in ys]
        out[lib] = [v.detach().numpy() for v in ys + grads]
    for mine, theirs in zip(out[ag], out[torch]):
        assert mine.dtype == theirs.dtype
        np.testing.assert_array_equal(mine, theirs)


def _mistakes(lib):
    from importlib import import_module
    F = import_module("torch.nn.functional" if lib.__name__ == "torch" else "nn.functional")
    fn = import_module(f"{lib.__name__}.autograd.functional")
    lp = lib.zeros(7, 2, 5)
    two = lib.tensor([[1, 2], [3, 4]]), lib.tensor([7, 7]), lib.tensor([2, 2])
    return {
        "ctc_loss of int64 log-probs": lambda: F.ctc_loss(lp.long(), *two),
        "ctc_loss of float16 log-probs": lambda: F.ctc_loss(lp.half(), *two),
        "affine_grid, theta of another batch size": lambda: F.affine_grid(
            lib.zeros(3, 2, 3), (2, 1, 6, 6), align_corners=False),
        "linspace with negative steps": lambda: lib.linspace(0, 1, -1),
        "jacobian strategy": lambda: fn.jacobian(lambda t: t * 2, lib.ones(3), strategy="x"),
        "hessian strategy": lambda: fn.hessian(lambda t: (t * t).sum(), lib.ones(3),
                                               outer_jacobian_strategy="x"),
        "fake_quantize, scale requiring grad": lambda: lib.fake_quantize_per_tensor_affine(
            lib.ones(3), lib.tensor(0.1, requires_grad=True), lib.tensor(0), 0, 255),
    }


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", list(_mistakes(ag)))
def test_mistakes_of_these_programs_raise_pytorchs_error(case):
    """r06 (mistakes probe of this round's kinds): ``ctc_loss`` on integer log-probs said
    RuntimeError "... for 'int64'" (PyTorch: NotImplementedError "... for 'Long'") and computed
    float16 ones (PyTorch refuses Half); ``affine_grid`` with a theta of another batch size
    raised its shape ValueError (PyTorch: the RuntimeError of its batched matrix product);
    ``linspace(0, 1, -1)`` leaked numpy's ValueError about "samples"; the ``jacobian``/
    ``hessian`` strategy check raised ValueError (PyTorch: AssertionError); a fake-quantize
    scale that requires grad was silently not differentiated (PyTorch refuses it)."""
    torch = pytest.importorskip("torch")
    seen = []
    for lib in (torch, ag):
        with pytest.raises(Exception) as info:
            _mistakes(lib)[case]()
        seen.append((type(info.value).__name__, str(info.value)))
    assert seen[1] == seen[0]


def test_view_as_complex_refuses_an_odd_storage_offset():
    """Found by this round's rotary-embedding programs, left by the helper: a view starting at an
    odd element of its storage (``x.view(-1)[1:9].view(4, 2)``) was read as complex pairs that
    straddle PyTorch's; PyTorch refuses it, and an even offset is a view."""
    x = ag.arange(10.0).view(5, 2)
    with pytest.raises(RuntimeError, match="^Tensor must have a storage_offset divisible by 2$"):
        ag.view_as_complex(x.view(-1)[1:9].view(4, 2))
    z = ag.view_as_complex(x.view(-1)[2:10].view(4, 2))
    assert z.tolist() == [2 + 3j, 4 + 5j, 6 + 7j, 8 + 9j]
    z.mul_(2)  # a view: the write reaches x
    assert x[1].tolist() == [4.0, 6.0]
