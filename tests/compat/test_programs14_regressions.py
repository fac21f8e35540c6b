"""Regressions found running public PyTorch programs on tapegrad (round 14: PyTorch tutorials'
small parts and research-style programs as written in 2024-2026: LLaMA/Mamba/KAN/ViT-Muon
toys, LoRA + DPO, flows and score matching, the SDPA tutorial).

Harness and results: /work/progs_runs/progs14/ (RESULTS14.md).
"""
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


@pytest.mark.torch_parity
def test_sdpa_kernel_backend_selection():
    """p10 pytorch/tutorials scaled_dot_product_attention_tutorial.py:
    ``from torch.nn.attention import SDPBackend, sdpa_kernel`` raised ModuleNotFoundError.
    On the CPU PyTorch runs the math or the flash kernel; switching both off is an error, and
    flash alone refuses dropout and inputs that are not 4-D."""
    torch = pytest.importorskip("torch")
    from nn.attention import SDPBackend, sdpa_kernel
    import torch.nn.attention as tna
    q = np.random.RandomState(0).randn(2, 3, 4, 8).astype(np.float32)
    ref = torch.nn.functional.scaled_dot_product_attention(*[torch.tensor(q)] * 3).numpy()
    assert [(b.name, int(b)) for b in SDPBackend] == [(b.name, int(b)) for b in tna.SDPBackend.__members__.values()]
    assert repr(SDPBackend.MATH) == repr(tna.SDPBackend.MATH)
    x = ag.tensor(q)
    for chosen in (SDPBackend.MATH, SDPBackend.FLASH_ATTENTION,
                   [SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]):
        with sdpa_kernel(chosen):
            np.testing.assert_allclose(F.scaled_dot_product_attention(x, x, x).numpy(), ref,
                                       rtol=1e-5, atol=1e-6)
    cases = [(SDPBackend.EFFICIENT_ATTENTION, (x, x, x), {}),
             (SDPBackend.CUDNN_ATTENTION, (x, x, x), {}),
             (SDPBackend.FLASH_ATTENTION, (x, x, x), {"dropout_p": 0.5}),
             (SDPBackend.FLASH_ATTENTION, (x[0], x[0], x[0]), {})]
    for backend, args, kw in cases:
        tb = getattr(tna.SDPBackend, backend.name)
        targs = [torch.tensor(a.numpy()) for a in args]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError) as want, tna.sdpa_kernel(tb):
                torch.nn.functional.scaled_dot_product_attention(*targs, **kw)
            with pytest.raises(RuntimeError) as got, sdpa_kernel(backend):
                F.scaled_dot_product_attention(*args, **kw)
        assert str(got.value) == str(want.value)
    # the flags are restored after the block, also after an error
    assert ag.backends.cuda.math_sdp_enabled() and ag.backends.cuda.flash_sdp_enabled()
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with sdpa_kernel("math"):
            pass
    # the deprecated backends.cuda.sdp_kernel and the enable_* switches
    with pytest.warns(FutureWarning, match="sdp_kernel"):
        with ag.backends.cuda.sdp_kernel(enable_flash=False, enable_math=True):
            assert not ag.backends.cuda.flash_sdp_enabled()
    ag.backends.cuda.enable_math_sdp(False)
    ag.backends.cuda.enable_flash_sdp(False)
    try:
        with pytest.raises(RuntimeError, match="No viable backend"):
            F.scaled_dot_product_attention(x, x, x)
    finally:
        ag.backends.cuda.enable_math_sdp(True)
        ag.backends.cuda.enable_flash_sdp(True)
    assert ag.nn.attention is nn.attention


@pytest.mark.torch_parity
def test_module_compile_runs_the_module_eagerly():
    """2024-era training scripts call ``model.compile()`` (PyTorch >= 2.2, in place, keeps the
    state_dict keys): it raised AttributeError. It now accepts ``torch.compile``'s arguments
    and the module computes as before."""
    torch = pytest.importorskip("torch")
    w = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)
    x = np.array([[1.0, 2.0]], np.float32)
    tm = torch.nn.Linear(2, 2)
    m = nn.Linear(2, 2)
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(w))
        tm.bias.zero_()
    m.load_state_dict({"weight": ag.tensor(w), "bias": ag.zeros(2)})
    assert m.compile(mode="reduce-overhead", fullgraph=True) is None
    assert list(m.state_dict()) == ["weight", "bias"]
    np.testing.assert_allclose(m(ag.tensor(x)).detach().numpy(),
                               tm(torch.tensor(x)).detach().numpy())


@pytest.mark.torch_parity
def test_amp_custom_fwd_bwd_and_cuda_amp_autocast():
    """Research code with custom autograd Functions decorates forward/backward with
    ``torch.amp.custom_fwd(device_type=...)`` / ``custom_bwd`` (or the deprecated
    ``torch.cuda.amp`` forms) and wraps steps in ``torch.cuda.amp.autocast(enabled=use_amp)``:
    all raised AttributeError. Without an enabled autocast (never, here) they pass through."""
    torch = pytest.importorskip("torch")

    def make(lib, fwd_dec, bwd_dec):
        class Cube(lib.autograd.Function):
            @staticmethod
            @fwd_dec
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            @bwd_dec
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 3 * x ** 2 * g
        return Cube

    x0 = np.array([0.5, -2.0, 3.0], np.float32)
    tc = make(torch, torch.amp.custom_fwd(device_type="cpu", cast_inputs=torch.float32),
              torch.amp.custom_bwd(device_type="cpu"))
    tx = torch.tensor(x0, requires_grad=True)
    tc.apply(tx).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        decs = [(ag.amp.custom_fwd(device_type="cpu", cast_inputs=ag.float32),
                 ag.amp.custom_bwd(device_type="cpu")),
                (ag.cuda.amp.custom_fwd, ag.cuda.amp.custom_bwd)]
        for fwd_dec, bwd_dec in decs:
            x = ag.tensor(x0, requires_grad=True)
            make(ag, fwd_dec, bwd_dec).apply(x).sum().backward()
            np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'device_type'"):
        ag.amp.custom_fwd(lambda ctx, x: x)
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        ag.amp.custom_bwd(device_type=None)
    with pytest.warns(FutureWarning, match=r"torch.cuda.amp.autocast\(args...\)` is deprecated"):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            with ag.cuda.amp.autocast():
                y = ag.ones(2) * 3
    assert y.dtype == ag.float32


@pytest.mark.torch_parity
def test_stack_dataset_and_skip_init():
    """p17 (recipes skip_param_init + a 2024 multimodal data script): ``nn.utils.skip_init`` and
    ``torch.utils.data.StackDataset`` raised AttributeError."""
    torch = pytest.importorskip("torch")
    from autograd_core.utils.data import DataLoader, StackDataset
    from torch.utils.data import StackDataset as TStack
    xs = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    ours = StackDataset(image=ag.tensor(xs), label=[0, 1, 1])
    ref = TStack(image=torch.tensor(xs), label=[0, 1, 1])
    assert len(ours) == len(ref) == 3
    assert ours[1]["label"] == ref[1]["label"] and ours[1]["image"].tolist() == ref[1]["image"].tolist()
    assert StackDataset([1, 2], "ab")[0] == TStack([1, 2], "ab")[0] == (1, "a")
    batch = next(iter(DataLoader(ours, batch_size=2)))
    assert batch["image"].tolist() == xs[:2] and batch["label"].tolist() == [0, 1]
    for args, kw in [(([1, 2], [3]), {}), (([1],), {"b": [2]}), ((), {})]:
        with pytest.raises(ValueError) as want:
            TStack(*args, **kw)
        with pytest.raises(ValueError) as got:
            StackDataset(*args, **kw)
        assert str(got.value) == str(want.value)
    # skip_init: the module, no random numbers drawn, PyTorch's errors
    ag.manual_seed(3)
    first = ag.rand(2).tolist()
    ag.manual_seed(3)
    m = nn.utils.skip_init(nn.Linear, in_features=6, out_features=1)
    assert m.weight.shape == (1, 6) and ag.rand(2).tolist() == first
    for cls in (int, nn.ReLU):
        with pytest.raises(RuntimeError) as want:
            torch.nn.utils.skip_init(getattr(torch.nn, cls.__name__, cls))
        with pytest.raises(RuntimeError) as got:
            nn.utils.skip_init(cls)
        assert str(got.value).split(";")[0] == str(want.value).split(";")[0]


@pytest.mark.torch_parity
def test_compiler_cpu_default_tensor_type_and_nn_utils_aliases():
    """Names 2024-era library/model code and older scripts reach for, which raised
    AttributeError (found comparing the namespaces after p16): ``torch.compiler.is_compiling()``
    and ``@torch.compiler.disable`` (timm, HF), ``torch.cpu`` (device-generic
    ``getattr(torch, device_type)``; deprecated ``torch.cpu.amp.autocast``),
    ``torch.set_default_tensor_type`` (pre-2.1 scripts), ``nn.utils.fuse_conv_bn_eval`` & co. at
    ``nn.utils`` level and the deprecated ``nn.utils.clip_grad_norm``."""
    torch = pytest.importorskip("torch")
    assert ag.compiler.is_compiling() is torch.compiler.is_compiling() is False
    assert ag.compiler.disable(len)([1, 2]) == 2
    assert ag.compiler.disable(recursive=False)(len)([1]) == 1
    assert (ag.cpu.is_available(), ag.cpu.device_count(), ag.cpu.current_device()) == (
        torch.cpu.is_available(), torch.cpu.device_count(), torch.cpu.current_device())
    with pytest.warns(FutureWarning, match="torch.cpu.amp.autocast"):
        with ag.cpu.amp.autocast(enabled=False):
            assert ag.ones(1).dtype == ag.float32
    try:
        with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
            ag.set_default_tensor_type(ag.DoubleTensor)
        assert ag.tensor([0.5]).dtype == ag.float64
        with pytest.warns(UserWarning):
            ag.set_default_tensor_type("torch.FloatTensor")
        assert ag.tensor([0.5]).dtype == ag.float32
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for bad in (ag.LongTensor, "torch.LongTensor", "torch.cuda.FloatTensor", 3):
                tbad = getattr(torch, bad.__name__) if isinstance(bad, type) else bad
                with pytest.raises(TypeError) as want:
                    torch.set_default_tensor_type(tbad)
                with pytest.raises(TypeError) as got:
                    ag.set_default_tensor_type(bad)
                assert str(got.value) == str(want.value)
    finally:
        ag.set_default_dtype(ag.float32)
        torch.set_default_dtype(torch.float32)
    assert nn.utils.fuse_conv_bn_eval is nn.utils.fusion.fuse_conv_bn_eval
    w = ag.tensor([1.0, 1.0], requires_grad=True)
    (w * ag.tensor([3.0, 4.0])).sum().backward()
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        total = nn.utils.clip_grad_norm([w], 1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(w.grad.numpy(), [0.6, 0.8], rtol=1e-5)


@pytest.mark.torch_parity
def test_profiler_schedule_ranges_and_table():
    """p20 pytorch/tutorials profiler_recipe.py: ``from torch.profiler import profile,
    ProfilerActivity, record_function`` raised ModuleNotFoundError (and research code sprinkles
    ``record_function`` ranges). Only those ranges are timed here; the schedule, the
    on_trace_ready calls, counts, ProfilerStep* grouping and the table's columns are PyTorch's."""
    torch = pytest.importorskip("torch")
    import autograd_core.profiler as agp
    import torch.profiler as tp
    for kw in [dict(wait=1, warmup=1, active=2, repeat=2), dict(wait=0, warmup=2, active=1),
               dict(wait=2, warmup=0, active=3, repeat=1, skip_first=3),
               dict(wait=2, warmup=1, active=1, repeat=2, skip_first_wait=1)]:
        with warnings.catch_warnings(record=True) as w_want:
            warnings.simplefilter("always")
            want = [tp.schedule(**kw)(i).name for i in range(20)]
        with warnings.catch_warnings(record=True) as w_got:
            warnings.simplefilter("always")
            assert [agp.schedule(**kw)(i).name for i in range(20)] == want
        assert [str(w.message) for w in w_got] == [str(w.message) for w in w_want]

    def run(lib, prof_mod):
        seen = []

        def handler(p):
            keys = {e.key for e in p.key_averages()}
            seen.append((p.step_num, sorted(keys & {"ProfilerStep*", "fwd", "inner"})))
        sched = prof_mod.schedule(wait=1, warmup=1, active=2, repeat=2)
        with prof_mod.profile(schedule=sched, on_trace_ready=handler) as p:
            for _ in range(10):
                with prof_mod.record_function("fwd"):
                    with prof_mod.record_function("inner"):
                        lib.ones(3).sum()
                p.step()
        counts = {e.key: e.count for e in p.key_averages() if e.key in ("fwd", "inner")}
        return seen, p.step_num, counts, p.key_averages().table(row_limit=3).splitlines()[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = run(torch, tp)
    got = run(ag, agp)
    assert got[:3] == ref[:3]
    assert got[3].split() == ref[3].split()
    with agp.profile() as prof:
        with agp.record_function("outer"):
            with agp.record_function("inner"):
                pass
    outer, inner = prof.key_averages()
    assert outer.cpu_time_total >= inner.cpu_time_total
    assert outer.self_cpu_time_total == pytest.approx(outer.cpu_time_total - inner.cpu_time_total)
    with pytest.raises(AssertionError, match="Invalid profiler schedule arguments"):
        agp.schedule(wait=1, warmup=1, active=0)


@pytest.mark.torch_parity
def test_sdpa_causal_bias_lower_right():
    """p22 the SDPA tutorial's "attn_bias subclasses" part: ``from torch.nn.attention.bias
    import causal_lower_right`` raised ModuleNotFoundError. Lower-right alignment (the last
    query sees every key) is what a decoding step over a KV cache needs."""
    torch = pytest.importorskip("torch")
    from nn.attention.bias import causal_lower_right, causal_upper_left
    import torch.nn.attention.bias as tb
    rs = np.random.RandomState(1)
    q, k, v = (rs.rand(2, 3, L, 4).astype(np.float32) for L in (2, 5, 5))
    for ours, ref in ((causal_upper_left, tb.causal_upper_left),
                      (causal_lower_right, tb.causal_lower_right)):
        for L, S in ((2, 5), (3, 3)):
            assert ours(L, S)._materialize().tolist() == ref(L, S)._materialize().tolist()
        got = F.scaled_dot_product_attention(*(ag.tensor(a) for a in (q, k, v)), ours(2, 5))
        want = torch.nn.functional.scaled_dot_product_attention(
            *(torch.tensor(a) for a in (q, k, v)), ref(2, 5))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    assert isinstance(causal_upper_left(2, 3), ag.Tensor)
    with pytest.warns(UserWarning, match="Lower right causal bias will produce NaNs"):
        causal_lower_right(3, 2)
    with pytest.raises(AssertionError, match="causal_upper_left only supports 2D tensors"):
        causal_upper_left(3)


@pytest.mark.torch_parity
def test_default_convert_and_functionalize():
    """Namespace comparison with torch 2.13 (after p24): ``torch.utils.data.default_convert``
    (the collate of ``batch_size=None`` loaders, called by hand in data code) and
    ``torch.func.functionalize`` raised AttributeError / ImportError."""
    torch = pytest.importorskip("torch")
    import collections
    from autograd_core.func import functionalize
    from autograd_core.utils.data import default_convert
    from torch.utils.data import default_convert as tconv
    P = collections.namedtuple("P", "a b")
    sample = {"a": np.arange(3), "b": [np.float32(1.5), "s", 2], "c": P(np.ones(2), 3),
              "d": (np.int64(4), np.array(["x"]))}
    got, want = default_convert(sample), tconv(sample)
    assert got["a"].tolist() == want["a"].tolist() and got["a"].dtype == ag.int64
    assert isinstance(got["b"][0], ag.Tensor) and got["b"][1:] == want["b"][1:]
    assert type(got["c"]) is P and got["c"].a.dtype == ag.float64 and got["c"].b == 3
    assert type(got["d"]) is type(want["d"]) is list and got["d"][0].item() == 4
    assert got["d"][1] is sample["d"][1]
    od = default_convert(collections.OrderedDict(x=np.ones(1)))
    assert type(od) is collections.OrderedDict

    def f(a):
        b = a.clone()
        b.add_(1)
        a.mul_(2)
        return b
    x, tx = ag.ones(2), torch.ones(2)
    y, ty = functionalize(f)(x), torch.func.functionalize(f)(tx)
    assert y.tolist() == ty.tolist() and x.tolist() == tx.tolist()
    with pytest.raises(RuntimeError) as want_err:
        torch.func.functionalize(f, remove="x")
    with pytest.raises(RuntimeError) as got_err:
        functionalize(f, remove="x")
    assert str(got_err.value) == str(want_err.value)
