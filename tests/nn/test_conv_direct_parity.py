"""conv2d's direct path (groups == 1, channel counts that fill 64-byte vectors) against
PyTorch at the sizes that take it: values and input / weight / bias gradients over strides,
paddings and dilations, and a residual block with batch norm whose channels-last outputs flow
through ReLU, the skip addition, BatchNorm2d, pooling and flatten (float32 and float64)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.kernels import conv as K


def _t(a, grad=False):
    return ag.tensor(np.asarray(a), requires_grad=grad)


def _tol(dtype):
    return dict(rtol=1e-10, atol=1e-10) if dtype == "float64" else dict(rtol=2e-4, atol=2e-4)


@pytest.mark.torch_parity
@settings(max_examples=15, deadline=None)
@given(dtype=st.sampled_from(["float32", "float64"]), cin=st.sampled_from([3, 8, 16, 32]),
       cout=st.sampled_from([16, 32, 48, 64]), k=st.integers(1, 3), stride=st.integers(1, 2),
       padding=st.integers(0, 2), dilation=st.integers(1, 2), size=st.integers(5, 9),
       seed=st.integers(0, 2**16))
def test_direct_conv_matches_torch(dtype, cin, cout, k, stride, padding, dilation, size, seed):
    torch = pytest.importorskip("torch")
    assert K.direct_supported(np.dtype(dtype), cout)  # the sizes here take the direct path
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, cin, size, size + 1)).astype(dtype)
    w = rng.standard_normal((cout, cin, k, k)).astype(dtype) / k
    b = rng.standard_normal(cout).astype(dtype)
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    ours = [_t(a, True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.conv2d(*ours, **kw)
    ty = torch.nn.functional.conv2d(*theirs, **kw)
    np.testing.assert_allclose(y._data, ty.detach().numpy(), **_tol(dtype))
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(_t(g))
    ty.backward(torch.tensor(g))
    for a, ta in zip(ours, theirs):
        np.testing.assert_allclose(a.grad._data, ta.grad.numpy(), **_tol(dtype))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_residual_block_with_batch_norm_matches_torch(dtype):
    torch = pytest.importorskip("torch")

    def net(m, F_):
        class Block(m.Module):
            def __init__(self):
                super().__init__()
                self.stem = m.Conv2d(3, 16, 3, padding=1)
                self.conv1 = m.Conv2d(16, 16, 3, padding=1, bias=False)
                self.bn1 = m.BatchNorm2d(16)
                self.conv2 = m.Conv2d(16, 32, 3, stride=2, padding=1)
                self.short = m.Conv2d(16, 32, 1, stride=2)
                self.head = m.Linear(32 * 4, 10)

            def forward(self, x):
                x = F_.relu(self.stem(x))
                y = F_.relu(self.bn1(self.conv1(x)) + x)
                y = F_.relu(self.conv2(y) + self.short(y))
                return self.head(F_.max_pool2d(y, 2).flatten(1))

        return Block()

    torch.manual_seed(0)
    theirs = net(torch.nn, torch.nn.functional).to(getattr(torch, dtype))
    ours = net(nn, F).double() if dtype == "float64" else net(nn, F)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((4, 3, 8, 8)).astype(dtype), rng.integers(0, 10, 4)
    loss = F.cross_entropy(ours(_t(x)), _t(y))
    tloss = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
    loss.backward()
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-5 if dtype == "float32" else 1e-12)
    tgrads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad._data, tgrads[name].grad.numpy(), **_tol(dtype),
                                   err_msg=name)
    np.testing.assert_allclose(ours.bn1.running_mean._data, theirs.bn1.running_mean.numpy(),
                               **_tol(dtype))


def test_outputs_are_ordinary_tensors_whatever_their_memory():
    """The direct path's output lives channels-last; views, flatten, indexing and in-place
    arithmetic see the NCHW tensor PyTorch would give (the sum over taps written out)."""
    ag.manual_seed(0)
    conv = nn.Conv2d(16, 16, 3, padding=1, dtype=np.float64)
    x = ag.randn(2, 16, 4, 5, dtype=ag.float64)
    y = conv(x)
    assert not y._data.flags.c_contiguous  # the direct path ran
    xp = np.pad(x._data, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ref = sum(np.einsum("nchw,oc->nohw", xp[:, :, i:i + 4, j:j + 5], conv.weight._data[:, :, i, j])
              for i in range(3) for j in range(3)) + conv.bias._data.reshape(1, -1, 1, 1)
    tol = dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y._data, ref, **tol)
    np.testing.assert_allclose(y.view(2, -1)._data, ref.reshape(2, -1), **tol)
    np.testing.assert_allclose(y.flatten(1)._data, ref.reshape(2, -1), **tol)
    assert y[1, 3, 2, 4].item() == pytest.approx(ref[1, 3, 2, 4], rel=1e-12)
    y.add_(1.0)
    np.testing.assert_allclose(y._data, ref + 1.0, **tol)


def test_compiled_step_on_the_direct_path_equals_eager():
    """ag.compile captures a CNN step whose convolutions take the direct path (pooled padded
    copies, channels-last outputs) and replays it bit for bit like the eager step."""
    import optimizers

    def run(use_compile):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
                              nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                              nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 4))
        opt = optimizers.Adam(model.parameters(), lr=1e-2)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        fn = ag.compile(step) if use_compile else step
        rng = np.random.default_rng(2)
        losses = [fn(_t(rng.standard_normal((4, 3, 8, 8)).astype(np.float32)),
                     _t(rng.integers(0, 4, 4))).item() for _ in range(4)]
        return losses, [p._data.copy() for p in model.parameters()], getattr(fn, "traces", 0)

    (eager, eager_params, _), (comp, comp_params, traces) = run(False), run(True)
    assert traces == 1 and comp == eager
    for a, b in zip(comp_params, eager_params):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_of_channels_last_input_keeps_its_layout(dtype):
    """BatchNorm2d on a channels-last input (what the direct convolutions return) gives the
    numbers of the same input in (N, C, H, W) memory, in training and eval mode, with its
    output and input gradient channels-last."""
    rng = np.random.default_rng(3)
    a = (rng.standard_normal((3, 5, 4, 6)) * 2 + 1).astype(dtype)
    g = rng.standard_normal(a.shape).astype(dtype)
    last = np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    results = []
    for arr in (a, last):
        bn = nn.BatchNorm2d(5, dtype=dtype)
        bn.weight._data[:] = np.arange(1, 6)
        bn.bias._data[:] = -np.arange(5)
        x = _t(arr, True)
        y = bn(x)
        y.backward(_t(g))
        bn.eval()
        z = bn(_t(arr))
        results.append((y._data, x.grad._data, bn.weight.grad._data, bn.bias.grad._data,
                        bn.running_mean._data, bn.running_var._data, z._data))
        if arr is last:
            assert y._data.transpose(0, 2, 3, 1).flags.c_contiguous
            assert x.grad._data.transpose(0, 2, 3, 1).flags.c_contiguous
    for ours, ref in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, ref, **tol)
