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


# F.unfold / F.fold took float32/float64 only ("im2col: x must be a float32/float64 array");
# PyTorch's take complex, float16 and bool too (integers: its kernel's refusal)
def test_unfold_fold_of_complex_float16_and_bool():
    import nn.functional as F

    z = ag.tensor(np.arange(9.0).reshape(1, 1, 3, 3) * (1 + 2j))
    cols = F.unfold(z, 2)
    assert cols.dtype == ag.complex128
    # the windows of a 3x3 image by hand: (0,1,3,4), (1,2,4,5), (3,4,6,7), (4,5,7,8)
    want = np.array([[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]).T * (1 + 2j)
    np.testing.assert_array_equal(cols.numpy()[0], want)
    back = F.fold(cols, (3, 3), 2)
    counts = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(back.numpy()[0, 0], counts * np.arange(9.0).reshape(3, 3)
                                  * (1 + 2j))
    half = F.fold(F.unfold(ag.ones(1, 1, 3, 3, dtype=ag.float16), 2), (3, 3), 2)
    assert half.dtype == ag.float16 and half[0, 0].tolist() == counts.tolist()
    mask = F.unfold(ag.tensor([[[[True, False], [False, False]]]]), 1)
    assert mask.dtype == ag.bool and mask.tolist() == [[[True, False, False, False]]]
    with pytest.raises(NotImplementedError, match="\"im2col_out_cpu\" not implemented for 'Long'"):
        F.unfold(ag.ones(1, 1, 3, 3, dtype=ag.int64), 2)


def test_unfold_of_complex_gradient_is_fold_of_the_gradient():
    # unfold is linear with real coefficients: d/dx of sum(w * unfold(x)) is fold(w), and the
    # conjugate convention leaves a linear map's gradient as it is
    import nn.functional as F

    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((1, 2, 4, 4)) + 1j, requires_grad=True)
    w = rng.standard_normal((1, 8, 9)) + 1j * rng.standard_normal((1, 8, 9))
    F.unfold(x, 2).backward(ag.tensor(w))
    np.testing.assert_allclose(x.grad.numpy(), F.fold(ag.tensor(w), (4, 4), 2).numpy(),
                               rtol=1e-15)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["complex64", "complex128", "float16", "bool"])
def test_unfold_fold_of_other_dtypes_match_torch(dtype):
    torch = pytest.importorskip("torch")
    import nn.functional as F

    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 5, 6)) + 1j * rng.standard_normal((2, 3, 5, 6))
    x = x.real > 0 if dtype == "bool" else x.astype(dtype) if "c" in dtype else \
        x.real.astype(dtype)
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    ours, theirs = F.unfold(ag.tensor(x), **kw), torch.nn.functional.unfold(torch.tensor(x), **kw)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(F.fold(ours, (5, 6), **kw).numpy(),
                                  torch.nn.functional.fold(theirs, (5, 6), **kw).numpy())
