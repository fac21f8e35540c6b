"""The CPU device API (issue 12 item 1): ag.device, Tensor.device, device= everywhere, .to,
.cpu, Module.to, the cuda/mps/accelerator queries, and PyTorch's errors for CUDA and MPS."""

import numpy as np
import pytest

import autograd_core as ag
import nn

CUDA = "Torch not compiled with CUDA enabled"


def test_device_objects_parse_compare_and_print_as_pytorch():
    cpu = ag.device("cpu")
    assert repr(cpu) == "device(type='cpu')" and str(cpu) == "cpu"
    assert cpu.type == "cpu" and cpu.index is None
    d0 = ag.device("cpu:0")
    assert d0.index == 0 and repr(d0) == "device(type='cpu', index=0)" and str(d0) == "cpu:0"
    assert ag.device("cpu", 0) == d0 and ag.device(d0) == d0
    assert cpu != d0  # PyTorch: type and index both compared
    assert len({ag.device("cpu"), ag.device("cpu")}) == 1
    assert repr(ag.device("cuda")) == "device(type='cuda')"  # naming a device is allowed
    with pytest.raises(RuntimeError, match="Invalid device string: 'cpu:x'"):
        ag.device("cpu:x")
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda.*: gpu"):
        ag.device("gpu")


def test_every_tensor_is_on_the_cpu():
    t = ag.tensor([1.0, 2.0])
    assert t.device == ag.device("cpu") and t.device.type == "cpu"
    assert t.cpu() is t and t.to("cpu") is t and t.to(ag.device("cpu")) is t
    assert t.is_cuda is False and t.get_device() == -1


@pytest.mark.parametrize("make", [
    lambda d: ag.zeros(2, device=d), lambda d: ag.ones(2, 3, device=d),
    lambda d: ag.empty(2, device=d), lambda d: ag.full((2,), 1.5, device=d),
    lambda d: ag.tensor([1.0], device=d), lambda d: ag.as_tensor([1.0], device=d),
    lambda d: ag.arange(3, device=d), lambda d: ag.linspace(0, 1, 3, device=d),
    lambda d: ag.eye(2, device=d), lambda d: ag.randn(2, device=d),
    lambda d: ag.rand(2, device=d), lambda d: ag.randint(0, 3, (2,), device=d),
    lambda d: ag.randperm(3, device=d), lambda d: ag.zeros_like(ag.ones(2), device=d),
    lambda d: ag.ones_like(ag.ones(2), device=d), lambda d: ag.full_like(ag.ones(2), 2, device=d),
    lambda d: ag.empty_like(ag.ones(2), device=d), lambda d: ag.randn_like(ag.ones(2), device=d),
    lambda d: ag.rand_like(ag.ones(2), device=d), lambda d: ag.FloatTensor([1.0], device=d),
    lambda d: ag.ones(2).to(d), lambda d: ag.ones(2).to(device=d),
    lambda d: nn.Linear(2, 3, device=d), lambda d: nn.BatchNorm1d(3, device=d),
    lambda d: nn.LayerNorm(3, device=d), lambda d: nn.GroupNorm(1, 2, device=d),
    lambda d: nn.RNN(2, 3, device=d), lambda d: nn.LSTMCell(2, 3, device=d),
    lambda d: nn.Linear(2, 2).to(d), lambda d: ag.Generator(device=d),
], ids=lambda f: "")
def test_device_keyword_takes_the_cpu_and_refuses_cuda_and_mps(make):
    for d in ("cpu", "cpu:0", ag.device("cpu"), None):
        make(d)
    for d in ("cuda", "cuda:1", ag.device("cuda")):
        with pytest.raises(AssertionError, match=CUDA):
            make(d)
    with pytest.raises(RuntimeError, match="not linked with support for mps devices"):
        make("mps")


def test_cuda_methods_and_wrong_devices_fail_clearly():
    with pytest.raises(AssertionError, match=CUDA):
        ag.ones(2).cuda()
    with pytest.raises(AssertionError, match=CUDA):
        nn.Linear(2, 2).cuda()
    with pytest.raises(RuntimeError, match="accelerator"):
        ag.zeros(2, device=0)  # PyTorch reads an int as an accelerator index
    with pytest.raises(RuntimeError, match="CPU device index must be 0"):
        ag.zeros(2, device="cpu:1")
    with pytest.raises(TypeError, match="zeros\\(\\): device must be"):
        ag.zeros(2, device=1.5)


def test_backend_queries_report_a_cpu_only_build():
    assert ag.cuda.is_available() is False and ag.cuda.device_count() == 0
    assert ag.backends.mps.is_available() is False and ag.backends.mps.is_built() is False
    assert ag.accelerator.is_available() is False
    assert ag.accelerator.current_accelerator() is None and ag.accelerator.device_count() == 0
    ag.cuda.manual_seed_all(0)  # accepted and ignored, as on a CPU-only PyTorch
    # the line that opens a quarter of PyTorch programs
    device = "cuda" if ag.cuda.is_available() else "cpu"
    model = nn.Linear(3, 1).to(device)
    assert model(ag.ones(2, 3, device=device)).device.type == "cpu"


def test_tensor_to_dtype_device_other_and_copy():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert x.to(ag.float32) is x and x.to("cpu", ag.float32) is x
    y = x.to(ag.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None
    assert x.to(ag.zeros(1, dtype=ag.float64)).dtype == np.float64  # other's dtype
    assert x.to(device="cpu", dtype=ag.float64).dtype == np.float64
    assert x.to("cpu", ag.float64, True).dtype == np.float64  # non_blocking positionally
    c = x.to(ag.float32, copy=True)
    assert c is not x and not np.shares_memory(c.data, x.data)
    (c * 3).sum().backward()  # the copy is differentiable
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    assert x.to(ag.int64).requires_grad is False  # an integer result is not differentiable
    with pytest.raises(TypeError, match="multiple values for argument 'dtype'"):
        x.to(ag.float64, dtype=ag.float32)
    # the spellings wired to to() keep taking dtype names; other strings are devices
    assert x.type("torch.LongTensor").dtype == np.int64 and x.astype("float16").dtype == np.float16
    with pytest.raises(RuntimeError, match="device string: gpu"):
        x.to("gpu")


def test_module_to_cpu_and_float_casts():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    w = m[0].weight
    assert m.to("cpu") is m and m.cpu() is m
    m.to(ag.float64)
    assert m[0].weight is w and w.dtype == np.float64  # same Parameter, cast in place
    assert m[1].running_mean.dtype == np.float64
    assert m[1].num_batches_tracked.dtype == np.int64  # integer buffers keep their dtype
    m.to(device="cpu", dtype=ag.float32)
    assert w.dtype == np.float32
    m.half()
    assert w.dtype == np.float16
    m.double()
    assert w.dtype == np.float64
    m.float()
    assert w.dtype == np.float32
    m.to(ag.zeros(1, dtype=ag.float64))  # another tensor's dtype
    assert w.dtype == np.float64
    with pytest.raises(TypeError, match="floating point"):
        m.to(ag.int64)


@pytest.mark.torch_parity
def test_device_behaviour_matches_pytorch():
    torch = pytest.importorskip("torch")
    for spec in ("cpu", "cpu:0", "cuda", "cuda:1", "mps"):
        assert repr(ag.device(spec)) == repr(torch.device(spec))
        assert str(ag.device(spec)) == str(torch.device(spec))
    assert (ag.device("cpu") == ag.device("cpu:0")) == \
        (torch.device("cpu") == torch.device("cpu:0"))
    assert ag.cuda.is_available() == torch.cuda.is_available()
    for fn in (lambda m: m.zeros(2, device="cuda"), lambda m: m.ones(2).to("cuda")):
        with pytest.raises(AssertionError) as theirs:
            fn(torch)
        with pytest.raises(AssertionError) as ours:
            fn(ag)
        assert str(ours.value).startswith(str(theirs.value))
