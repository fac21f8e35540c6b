"""``F.interpolate(mode="nearest")`` doubling a 4-d input's height and/or width is one node
(``nn.ops.upsample.NearestUp2``): strided copies forward, each 2-block summed (H then W)
backward in PyTorch's order (row-major: the gathers' backward summed each column pair first, up
to 1 ulp off). Values and gradients are PyTorch's bit for bit; create_graph gives the same
gradient; the node carries PyTorch's name; dtypes PyTorch refuses still repeat as before."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

_CASES = [((4, 5), {"scale_factor": 2}), ((3, 3), {"size": (6, 3)}), ((3, 4), {"size": (3, 8)}),
          ((2, 3), {"scale_factor": (2, 1)}), ((1, 1), {"size": (2, 2)})]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8"])
@pytest.mark.parametrize("hw,kw", _CASES)
def test_values_and_gradients_are_torchs(hw, kw, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    a = (np.abs(rng.standard_normal((2, 3) + hw)) * 30).astype(dtype)
    grad = dtype != "uint8"
    x = ag.tensor(a, requires_grad=grad)
    y = F.interpolate(x, mode="nearest", **kw)
    t = torch.tensor(a, requires_grad=grad)
    ref = torch.nn.functional.interpolate(t, mode="nearest", **kw)
    np.testing.assert_array_equal(y.detach().numpy(), ref.detach().numpy())
    assert y.dtype == getattr(ag, str(ref.dtype).split(".")[1])
    if grad:
        g = rng.standard_normal(tuple(y.shape)).astype(dtype)
        y.backward(ag.tensor(g))
        ref.backward(torch.tensor(g))
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
        assert y.grad_fn.name() == ref.grad_fn.name()


def test_create_graph_gradient_equals_plain_and_gradgradcheck():
    rng = np.random.default_rng(13)
    x = ag.tensor(rng.standard_normal((2, 2, 3, 4)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((2, 2, 6, 8)))
    up = nn.Upsample(scale_factor=2, mode="nearest")
    plain = ag.grad((up(x) * w).sum(), [x])[0]
    recorded = ag.grad((up(x) * w.requires_grad_()).sum(), [x], create_graph=True)[0]
    assert recorded.requires_grad
    np.testing.assert_array_equal(plain.numpy(), recorded.detach().numpy())
    assert ag.gradcheck(lambda x: up(x), (x,))
    assert ag.gradgradcheck(lambda x: up(x), (x,))


@pytest.mark.parametrize("dtype", ["complex64", "int64", "bool"])
def test_other_dtypes_repeat_rows_and_columns(dtype):
    # (PyTorch's CPU kernel refuses these; tapegrad repeats them as it did before)
    a = (np.arange(12).reshape(1, 2, 2, 3) % 5).astype(dtype)
    y = F.interpolate(ag.tensor(a), scale_factor=2, mode="nearest").numpy()
    np.testing.assert_array_equal(y, a.repeat(2, axis=2).repeat(2, axis=3))
    assert y.dtype == a.dtype


@pytest.mark.parametrize("d", [0, 1, 2])
def test_take_along_is_indexing_with_its_backward(d):
    # interpolate's gathers (nn.ops.upsample.TakeAlong): np.take forward, Index's backward
    from nn.ops.upsample import TakeAlong

    rng = np.random.default_rng(14)
    a = rng.standard_normal((3, 4, 5))
    idx = np.array([0, 0, 2, 1, 2, 2], np.int64)
    index = (slice(None),) * d + (idx,)
    x = ag.tensor(a, requires_grad=True)
    y = TakeAlong.apply(x, index=index, basic=False)
    np.testing.assert_array_equal(y.detach().numpy(), a[index])
    assert y.detach().numpy().flags.c_contiguous and y.grad_fn.name() == "IndexBackward0"
    g = rng.standard_normal(tuple(y.shape))
    y.backward(ag.tensor(g))
    want = np.zeros_like(a)
    np.add.at(want, index, g)
    np.testing.assert_array_equal(x.grad.numpy(), want)
