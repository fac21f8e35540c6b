"""nn.Unfold, nn.Fold and nn.Softmax2d: the modules over F.unfold / F.fold / softmax."""
import numpy as np
import pytest

import autograd_core as ag
import nn


def test_fold_of_unfold_counts_each_pixel_once_per_block_covering_it():
    # all-ones image, 2x2 blocks at stride 1 on 3x3: the centre is in 4 blocks, edges 2,
    # corners 1 (worked by hand)
    cols = nn.Unfold(kernel_size=2)(ag.ones(1, 1, 3, 3))
    assert cols.shape == (1, 4, 4)
    back = nn.Fold(output_size=(3, 3), kernel_size=2)(cols)
    assert back[0, 0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


def test_softmax2d_normalises_over_channels_and_refuses_2d():
    x = ag.tensor(np.arange(24.0).reshape(2, 3, 2, 2))
    y = nn.Softmax2d()(x).numpy()
    np.testing.assert_allclose(y.sum(axis=1), np.ones((2, 2, 2)), rtol=1e-12)
    e = np.exp(np.arange(24.0).reshape(2, 3, 2, 2))
    np.testing.assert_allclose(y, e / e.sum(axis=1, keepdims=True), rtol=1e-12)
    with pytest.raises(ValueError, match="expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(ag.zeros(2, 2))


@pytest.mark.torch_parity
def test_modules_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 4))
    cases = [(nn.Unfold((2, 3), dilation=1, padding=1, stride=(2, 1)),
              torch.nn.Unfold((2, 3), dilation=1, padding=1, stride=(2, 1)), x),
             (nn.Softmax2d(), torch.nn.Softmax2d(), x)]
    cols = rng.standard_normal((2, 3 * 4, 9))
    cases.append((nn.Fold((4, 4), 2, padding=0, stride=1),
                  torch.nn.Fold((4, 4), 2, padding=0, stride=1), cols[:, :, :9]))
    for ours, theirs, a in cases:
        assert repr(ours) == repr(theirs)
        xa, xt = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        ya, yt = ours(xa), theirs(xt)
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
        w = rng.standard_normal(tuple(yt.shape))
        (ya * ag.tensor(w)).sum().backward()
        (yt * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-14)
