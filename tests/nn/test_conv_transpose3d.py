"""ConvTranspose3d / conv_transpose3d: the adjoint of conv3d (<conv3d(x, w), y> = <x,
conv_transpose3d(y, w)> for the same arguments), gradcheck, output_size, errors, and
PyTorch's values and gradients over strides, padding, output_padding, dilation and groups."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

CASES = [dict(), dict(stride=2), dict(stride=(2, 1, 3), padding=(1, 0, 1), output_padding=(1, 0, 2)),
         dict(dilation=(2, 1, 1), padding=1), dict(groups=2, stride=2, padding=2),
         dict(stride=3, padding=(2, 1, 0), output_padding=1, dilation=2)]


@pytest.mark.parametrize("kw", CASES)
def test_it_is_conv3ds_adjoint(kw):
    rng = np.random.default_rng(0)
    groups = kw.get("groups", 1)
    w = rng.standard_normal((4, 6 // groups, 2, 3, 2))
    y = rng.standard_normal((2, 4, 3, 2, 3))
    out = F.conv_transpose3d(ag.tensor(y), ag.tensor(w), **kw).numpy()
    x = rng.standard_normal(out.shape)
    conv_kw = {k: v for k, v in kw.items() if k != "output_padding"}
    cx = F.conv3d(ag.tensor(x), ag.tensor(w), **conv_kw).numpy()
    assert cx.shape == y.shape
    assert np.sum(cx * y) == pytest.approx(np.sum(x * out), rel=1e-10)


def test_gradcheck_and_module():
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((1, 2, 2, 2, 3)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((2, 1, 2, 1, 2)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(2), requires_grad=True)
    assert ag.gradcheck(lambda a, c, d: F.conv_transpose3d(a, c, d, stride=2, groups=2),
                        (x, w, b))
    m = nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1)
    assert m(ag.randn(1, 2, 3, 3, 3), output_size=(6, 6, 5)).shape == (1, 3, 6, 6, 5)
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride"):
        F.conv_transpose3d(ag.randn(1, 2, 2, 2, 2), ag.randn(2, 1, 2, 2, 2), output_padding=1)
    with pytest.raises(RuntimeError, match="Expected 4D \\(unbatched\\) or 5D \\(batched\\)"):
        F.conv_transpose3d(ag.randn(2, 2), ag.randn(2, 1, 2, 2, 2))


@pytest.mark.torch_parity
@pytest.mark.parametrize("kw", CASES)
def test_matches_torch(kw):
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(2)
    groups = kw.get("groups", 1)
    x0 = rng.standard_normal((2, 4, 3, 2, 3))
    w0 = rng.standard_normal((4, 6 // groups, 2, 3, 2))
    b0 = rng.standard_normal(6)
    runs = []
    for lib, fn in ((torch, torch.nn.functional), (ag, F)):
        x, w, b = (lib.tensor(v, requires_grad=True) for v in (x0, w0, b0))
        out = fn.conv_transpose3d(x, w, b, **kw)
        (out ** 2).sum().backward()
        runs.append([out.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()])
    for theirs, ours in zip(*runs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
