"""Folding eval-mode batch norm into the layer before it: a small trained model gives the same
outputs fused and unfused; the weight arithmetic by hand and against PyTorch's
``fuse_conv_bn_weights`` / ``fuse_conv_bn_eval`` for convolution-shaped weights (nn has no
Conv2d yet); the checks PyTorch makes."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optimizers
from autograd_core import Tensor
from nn.utils import fusion


def _train(model, steps=30):
    rng = np.random.default_rng(0)
    x = Tensor._wrap(rng.standard_normal((64, 4)))
    y = Tensor._wrap((rng.standard_normal((64, 4)) @ rng.standard_normal((4, 2))).argmax(1))
    opt = optimizers.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return model


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_trained_model_gives_equal_outputs(affine, bias):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8, bias=bias, dtype=np.float64),
                          nn.BatchNorm1d(8, affine=affine, dtype=np.float64), nn.ReLU(),
                          nn.Linear(8, 2, dtype=np.float64))
    _train(model).eval()
    assert float(model[1].running_var.data.std()) > 0  # statistics were learnt
    fused_linear = fusion.fuse_linear_bn_eval(model[0], model[1])
    fused = nn.Sequential(fused_linear, nn.ReLU(), model[3])
    x = Tensor._wrap(np.random.default_rng(1).standard_normal((16, 4)) * 2)
    np.testing.assert_allclose(fused(x).data, model(x).data, rtol=1e-12, atol=1e-12)
    assert fused_linear is not model[0] and fused_linear.bias is not None
    assert fused_linear.weight.requires_grad and fused_linear.bias.requires_grad == bias


def test_float32_model_and_single_feature_batch_norm():
    ag.manual_seed(1)
    lin, bn = nn.Linear(3, 5), nn.BatchNorm1d(5)
    for _ in range(4):
        bn(lin(ag.randn(16, 3) * 3 + 1))
    lin.eval(), bn.eval()
    x = ag.randn(8, 3)
    np.testing.assert_allclose(fusion.fuse_linear_bn_eval(lin, bn)(x).data, bn(lin(x)).data,
                               rtol=1e-5, atol=1e-5)
    # a batch norm of one feature applied to a (N, 1, L) view: the same scale for every output
    bn1 = nn.BatchNorm1d(1).eval()
    bn1.running_mean.data[...] = 0.5
    bn1.running_var.data[...] = 4.0
    bn1.weight.data[...] = 3.0
    want = bn1(lin(x).unsqueeze(1)).squeeze(1)
    np.testing.assert_allclose(fusion.fuse_linear_bn_eval(lin, bn1)(x).data, want.data,
                               rtol=1e-5, atol=1e-5)


def test_weight_arithmetic_by_hand_for_conv_shapes():
    rng = np.random.default_rng(2)
    w, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    rm, rv = rng.standard_normal(4), rng.random(4) + 0.1
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    fw, fb = fusion.fuse_conv_bn_weights(Tensor._wrap(w), Tensor._wrap(b), Tensor._wrap(rm), Tensor._wrap(rv), 1e-3,
                                         Tensor._wrap(gamma), Tensor._wrap(beta))
    s = gamma / np.sqrt(rv + 1e-3)
    np.testing.assert_allclose(fw.data, w * s[:, None, None, None], rtol=1e-14)
    np.testing.assert_allclose(fb.data, (b - rm) * s + beta, rtol=1e-14)
    assert isinstance(fw, nn.Parameter) and isinstance(fb, nn.Parameter)
    # transposed: output channels on axis 1
    wt = rng.standard_normal((3, 4, 2))
    fw, fb = fusion.fuse_conv_bn_weights(Tensor._wrap(wt), None, Tensor._wrap(rm), Tensor._wrap(rv), 1e-3, None,
                                         None, transpose=True)
    s = 1 / np.sqrt(rv + 1e-3)
    np.testing.assert_allclose(fw.data, wt * s[None, :, None], rtol=1e-14)
    np.testing.assert_allclose(fb.data, -rm * s, rtol=1e-14)


class _ConvLike(nn.Module):
    """A module with a convolution's attributes (weight (out, in, kh, kw), bias)."""

    def __init__(self, w, b):
        super().__init__()
        self.weight = nn.Parameter(w)
        if b is None:
            self.register_parameter("bias", None)
        else:
            self.bias = nn.Parameter(b)


@pytest.mark.torch_parity
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_fusion_matches_torch(transpose, with_bias, affine, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    out_ch = 5
    w = rng.standard_normal((2, out_ch, 3, 3) if transpose else (out_ch, 2, 3, 3)).astype(dtype)
    b = rng.standard_normal(out_ch).astype(dtype) if with_bias else None
    bn = nn.BatchNorm2d(out_ch, affine=affine, dtype=dtype)
    bn.running_mean.data[...] = rng.standard_normal(out_ch)
    bn.running_var.data[...] = rng.random(out_ch) + 0.1
    if affine:
        bn.weight.data[...] = rng.standard_normal(out_ch)
        bn.bias.data[...] = rng.standard_normal(out_ch)
    T = lambda a: None if a is None else torch.from_numpy(np.array(a))  # noqa: E731
    args = (bn.running_mean.numpy(), bn.running_var.numpy(), bn.eps,
            None if bn.weight is None else bn.weight.detach().numpy(),
            None if bn.bias is None else bn.bias.detach().numpy())
    fw, fb = fusion.fuse_conv_bn_weights(Tensor._wrap(w), None if b is None else Tensor._wrap(b),
                                         *[Tensor._wrap(a) if isinstance(a, np.ndarray) else a
                                           for a in args], transpose=transpose)
    tw, tb = torch.nn.utils.fusion.fuse_conv_bn_weights(
        T(w), T(b), *[T(a) if isinstance(a, np.ndarray) else a for a in args],
        transpose=transpose)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(fw.data, tw.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(fb.data, tb.detach().numpy(), rtol=tol, atol=tol)
    assert fw.dtype == tw.detach().numpy().dtype and fb.dtype == tb.detach().numpy().dtype
    assert (fw.requires_grad, fb.requires_grad) == (tw.requires_grad, tb.requires_grad)

    # the module form on a torch Conv2d / ConvTranspose2d with the same weights
    conv = _ConvLike(w, b).eval()
    tconv_cls = torch.nn.ConvTranspose2d if transpose else torch.nn.Conv2d
    tconv = tconv_cls(2, out_ch, 3, bias=with_bias, dtype=getattr(torch, np.dtype(dtype).name))
    tconv.weight.data = T(w)
    if with_bias:
        tconv.bias.data = T(b)
    tbn = torch.nn.BatchNorm2d(out_ch, affine=affine, dtype=getattr(torch, np.dtype(dtype).name))
    tbn.load_state_dict({k: T(v.data) for k, v in bn.state_dict().items()})
    tconv.eval(), tbn.eval(), bn.eval()
    fused = fusion.fuse_conv_bn_eval(conv, bn, transpose=transpose)
    tfused = torch.nn.utils.fusion.fuse_conv_bn_eval(tconv, tbn, transpose=transpose)
    np.testing.assert_allclose(fused.weight.data, tfused.weight.detach().numpy(), rtol=tol,
                               atol=tol)
    np.testing.assert_allclose(fused.bias.data, tfused.bias.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_array_equal(conv.weight.data, w)  # the original is untouched


def test_errors_like_pytorch():
    lin, bn = nn.Linear(3, 4), nn.BatchNorm1d(4)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        fusion.fuse_linear_bn_eval(lin, bn)
    lin.eval(), bn.eval()
    with pytest.raises(AssertionError, match="linear.out_features=3 and bn.num_features=4"):
        fusion.fuse_linear_bn_eval(nn.Linear(2, 3).eval(), bn)
    no_stats = nn.BatchNorm2d(4, track_running_stats=False).eval()
    with pytest.raises(AssertionError, match="running_mean and bn.running_var must not be None"):
        fusion.fuse_conv_bn_eval(_ConvLike(np.ones((4, 1, 1, 1)), None).eval(), no_stats)
