"""Regressions found running public PyTorch programs on tapegrad (round 13: audio features with
stft/istft, lecture experiments on initialisation / normalisation / optimisers / loss landscapes).

Harness and results: /work/progs_runs/progs13/ (RESULTS13.md).
"""
import numpy as np
import pytest

import autograd_core as ag
import nn


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


@pytest.mark.torch_parity
def test_init_dirac_and_sparse():
    """p03 initialisation study: ``nn.init.dirac_(w)`` (identity-preserving conv init) raised
    AttributeError; ``nn.init.sparse_`` was missing too."""
    torch = pytest.importorskip("torch")
    for shape, groups in [((6, 3, 3, 3), 1), ((4, 4, 3), 2), ((3, 5, 2, 3, 4), 1), ((8, 2, 5, 5), 4)]:
        ref = torch.nn.init.dirac_(torch.empty(shape), groups)
        np.testing.assert_array_equal(nn.init.dirac_(ag.empty(*shape), groups).numpy(), ref.numpy())
    # a dirac conv passes its input through
    x = ag.randn(2, 3, 6, 6)
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    np.testing.assert_allclose(conv(x).detach().numpy(), x.numpy(), atol=1e-6)
    w = nn.init.sparse_(ag.empty(10, 7), sparsity=0.3, std=0.5)
    assert (w == 0).sum(0).tolist() == [3] * 7  # ceil(0.3 * 10) zeros in every column
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        nn.init.dirac_(ag.empty(3, 2, 2), 2)
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.sparse_(ag.empty(3), 0.1)
    # (probed with them) PyTorch's wording for a bad kaiming mode lists the modes as a list
    with pytest.raises(ValueError) as err:
        nn.init.kaiming_normal_(ag.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError) as ref:
        torch.nn.init.kaiming_normal_(torch.empty(3, 3), mode="fan_avg")
    assert str(err.value) == str(ref.value)


@pytest.mark.torch_parity
def test_data_parallel_on_cpu_wraps_the_module():
    """p09 d2l computational-performance (multiple-gpus-concise.md):
    ``net = nn.DataParallel(net, device_ids=devices)`` raised AttributeError. Without an
    accelerator PyTorch's DataParallel runs the wrapped module, ``device_ids == []``, and its
    state_dict keys carry the ``module.`` prefix."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)  # the weights (their values decided by the tests run before, unseeded)
    ref = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)),
                                device_ids=[torch.device("cpu")])
    net = nn.DataParallel(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)),
                          device_ids=[ag.device("cpu")])
    assert list(net.state_dict()) == list(ref.state_dict()) and net.device_ids == ref.device_ids == []
    net.load_state_dict({k: ag.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    out, want = net(ag.tensor(x)), ref(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    w = np.arange(20, dtype=np.float32).reshape(5, 4)  # (BN makes sum(out**2) constant)
    (out * ag.tensor(w)).sum().backward()
    (want * torch.tensor(w)).sum().backward()
    # float32 sums of terms up to ~100 (BN's backward): an ulp of the largest gradient, not of
    # each element (an unseeded draw once gave -0.11346 against -0.11348)
    want_grad = ref.module[0].weight.grad.numpy()
    np.testing.assert_allclose(net.module[0].weight.grad.numpy(), want_grad, rtol=1e-4,
                               atol=1e-5 * np.abs(want_grad).max())
    assert isinstance(net.module, nn.Sequential) and len(list(net.parameters())) == 4


@pytest.mark.torch_parity
def test_global_module_forward_hooks():
    """p16 activation instrumentation: ``nn.modules.module.register_module_forward_hook(...)``
    (one hook for every module, as course notebooks collect activation statistics) raised
    AttributeError. Global hooks run before each module's own, in PyTorch's order."""
    torch = pytest.importorskip("torch")

    def run(lib, mm):
        log = []
        net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Sequential(lib.nn.Tanh()))
        with lib.no_grad():
            for p in net.parameters():
                p.fill_(0.5)
        net[1].register_forward_hook(lambda m, a, o: log.append("own " + type(m).__name__))
        h1 = mm.register_module_forward_pre_hook(lambda m, a: log.append("pre " + type(m).__name__))
        h2 = mm.register_module_forward_hook(
            lambda m, a, o: o * 2 if isinstance(m, lib.nn.Linear) else None)
        h3 = mm.register_module_forward_hook(
            lambda m, a, k, o: log.append(f"post {type(m).__name__} {k}"), with_kwargs=True)
        h4 = mm.register_module_forward_hook(
            lambda m, a, o: log.append(f"always {type(m).__name__} {o}"), always_call=True)
        try:
            out = net(lib.ones(1, 2)).tolist()
            with pytest.raises(RuntimeError):
                lib.nn.Linear(3, 1)(lib.ones(1, 2))
        finally:
            for h in (h1, h2, h3, h4):
                h.remove()
        net(lib.ones(1, 2))  # removed: nothing more logged
        return out, [e for e in log if not e.startswith("always") or e.endswith("None")]

    assert run(ag, nn.modules.module) == run(torch, torch.nn.modules.module)


@pytest.mark.torch_parity
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_jit_entry_points_run_eagerly():
    """p20 d2l hybridize.md: ``net = torch.jit.script(net)`` raised AttributeError (no
    ``autograd_core.jit``), as did timm-style ``torch.jit.is_scripting()`` branches and
    ``@torch.jit.ignore`` / ``@torch.jit.script`` decorators. They now run the code eagerly, with
    PyTorch's numbers."""
    torch = pytest.importorskip("torch")

    def run(lib):
        def swish(x):
            return x * lib.sigmoid(x)

        swish = lib.jit.script(swish)
        net = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh())
        with lib.no_grad():
            net[0].weight.copy_(lib.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
            net[0].bias.fill_(0.05)
        scripted = lib.jit.script(net)
        x = lib.tensor([[1.0, 2.0, -1.0], [0.5, -0.5, 2.0]])

        @lib.jit.ignore
        def helper(v):
            return v + 1

        @lib.jit.ignore(drop=True)
        def dropped(v):
            return v - 1

        branch = lib.jit.is_scripting() or lib.jit.is_tracing()
        kept = lib.jit.annotate(list, [1, 2])
        return (swish(scripted(x)).tolist(), helper(1), dropped(1), lib.jit.unused(helper)(2),
                lib.jit.export(helper)(3), branch, kept)

    with pytest.warns(DeprecationWarning, match="torch.jit.script` is deprecated"):
        ours = run(ag)
    ref = run(torch)
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-6)
    assert ours[1:] == ref[1:]


@pytest.mark.torch_parity
def test_func_linearize():
    """p22 loss landscape with torch.func: ``from torch.func import linearize`` failed
    (ImportError). ``linearize(f, *primals)`` gives ``f(*primals)`` and the JVP function at
    ``primals``; checked against PyTorch and against the closed form of a quadratic."""
    torch = pytest.importorskip("torch")
    from autograd_core.func import linearize
    w = np.array([[0.3, -1.2, 0.7], [2.0, 0.1, -0.4]])
    x0, t = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.5, -0.25])

    def f(lib):
        W = lib.tensor(w)
        return lambda x, s: (lib.tanh(W @ x) * s, (x ** 2).sum())

    out, jvp_fn = linearize(f(ag), ag.tensor(x0), ag.tensor(1.5))
    ref_out, ref_fn = torch.func.linearize(f(torch), torch.tensor(x0), torch.tensor(1.5))
    got, want = jvp_fn(ag.tensor(t), ag.tensor(0.5)), ref_fn(torch.tensor(t), torch.tensor(0.5))
    for a, b in zip(out + got, ref_out + want):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(got[1].item(), 2 * x0 @ t)  # d/dx sum(x^2) . t
    with pytest.raises(RuntimeError, match="doesn't match the shape"):
        jvp_fn(ag.ones(2), ag.tensor(0.0))


@pytest.mark.torch_parity
def test_norm_nuclear():
    """p25 ParallelWaveGAN-style spectral losses: ``torch.norm(x, p="nuc", dim=(1, 2))`` raised
    ValueError ("could not convert string to float: 'nuc'"). It is the sum of singular values
    of the matrices over ``dim`` (all dimensions when None), as PyTorch's, with its errors."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    for kw in [dict(dim=(1, 2)), dict(dim=(0, 2), keepdim=True), dict(dim=[-1, 0])]:
        np.testing.assert_allclose(ag.norm(ag.tensor(x), p="nuc", **kw).numpy(),
                                   torch.norm(torch.tensor(x), p="nuc", **kw).numpy(), rtol=1e-12)
    assert ag.norm(ag.tensor(x[0]), p="nuc").item() == pytest.approx(
        np.linalg.svd(x[0], compute_uv=False).sum(), rel=1e-12)
    t = ag.tensor(x[0], requires_grad=True)
    ag.norm(t, p="nuc").backward()
    u, _, vt = np.linalg.svd(x[0], full_matrices=False)
    np.testing.assert_allclose(t.grad.numpy(), u @ vt, atol=1e-12)  # d||X||_* = U V^T
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple. Got 0 1 2"):
        ag.norm(ag.tensor(x), p="nuc")
    with pytest.raises(RuntimeError, match="Order abc not supported"):
        ag.norm(ag.tensor(x), p="abc")


def test_trunc_normal_narrow_or_tail_interval():
    """Probing init after p03: ``nn.init.trunc_normal_(w, a=2, b=1)`` never returned (rejection
    from N(mean, std) with an empty interval), nor did an interval far in a tail (a=10, b=11).
    PyTorch refuses a > b and, when [a, b] holds at most 30% of the mass, draws uniform
    proposals on [a, b]; the distribution is checked against the truncated normal's mean."""
    import math
    with pytest.raises(RuntimeError, match=r"found from=2 > to=1"):
        nn.init.trunc_normal_(ag.empty(3), a=2.0, b=1.0)
    with pytest.warns(UserWarning, match="more than 2 std"):
        w = nn.init.trunc_normal_(ag.empty(5), a=10.0, b=11.0)
    assert ((w >= 10) & (w <= 11)).all()
    assert nn.init.trunc_normal_(ag.empty(3), a=1.0, b=1.0).tolist() == [1.0] * 3
    pdf = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))  # noqa: E731
    for a, b in [(3.0, 4.0), (-0.1, 0.2)]:
        w = nn.init.trunc_normal_(ag.empty(200_000, dtype=ag.float64), a=a, b=b,
                                  generator=np.random.default_rng(0))
        want = (pdf(a) - pdf(b)) / (cdf(b) - cdf(a))
        assert w.min().item() >= a and w.max().item() <= b
        assert abs(w.mean().item() - want) < 5 * w.std().item() / math.sqrt(200_000)
