"""nn.functional.fractional_max_pool2d/3d and nn.FractionalMaxPool2d/3d: PyTorch's outputs,
indices and gradients for the same ``_random_samples`` (float32 and float64, batched and not,
ties, NaN, an empty output), the windows worked out by hand, float64 gradcheck, the samples
drawn from the project's generator, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def _sweep_cases(n):
    rng = np.random.default_rng(0)
    for trial in range(n):
        nd = 2 + trial % 2
        dtype = (np.float64, np.float32)[(trial // 2) % 2]
        batched = trial % 5 != 0
        N, C = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        spatial = tuple(int(v) for v in rng.integers(3, 9, nd))
        kernel = tuple(int(rng.integers(1, min(4, s - 1) + 1)) for s in spatial)
        # PyTorch's bounds: out + k - 1 <= in in 2-d, < in in 3-d
        out = tuple(int(rng.integers(0 if trial % 7 == 0 else 1, s - k + 4 - nd))
                    for s, k in zip(spatial, kernel))
        x = rng.standard_normal(((N,) if batched else ()) + (C,) + spatial).astype(dtype)
        if trial % 3 == 0:
            x = np.round(x)  # ties: the first maximum
        if trial % 11 == 0:
            x.flat[rng.integers(0, x.size, 3)] = np.nan  # the last NaN
        u = rng.random((N if batched else 1, C, nd)).astype(dtype)
        yield nd, x, kernel, out, u, rng.standard_normal


@pytest.mark.torch_parity
def test_outputs_indices_and_gradients_match_torch():
    torch = pytest.importorskip("torch")
    for nd, x, kernel, out, u, normal in _sweep_cases(120):
        ours = F.fractional_max_pool2d if nd == 2 else F.fractional_max_pool3d
        theirs = getattr(torch.nn.functional, f"fractional_max_pool{nd}d")
        xo, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        o, oi = ours(xo, kernel, out, return_indices=True, _random_samples=ag.tensor(u))
        t, ti = theirs(xt, kernel, out, return_indices=True, _random_samples=torch.tensor(u))
        where = f"{nd}d {x.dtype} {x.shape} kernel {kernel} out {out}"
        np.testing.assert_array_equal(o.detach().numpy(), t.detach().numpy(), err_msg=where)
        np.testing.assert_array_equal(oi.numpy(), ti.numpy(), err_msg=where)
        assert o.dtype == getattr(ag, str(t.dtype).split(".")[1]) and oi.dtype == ag.int64
        g = normal(tuple(t.shape)).astype(x.dtype)
        (o * ag.tensor(g)).sum().backward()
        (t * torch.tensor(g)).sum().backward()
        np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy(), err_msg=where)
        if x.ndim == nd + 2:  # (unbatched: our grad_fn is the squeeze of the batched node)
            assert o.grad_fn.name() == type(t.grad_fn).__name__


def test_windows_by_hand():
    # in 5, out 3, pool 2, u = 0.5: a = (5 - 2) / 2 = 1.5; starts trunc((i + u) a) - trunc(u a)
    # = [0, 2] and the last at 5 - 2 = 3: rows and columns {0, 1}, {2, 3}, {3, 4}
    x = ag.arange(25.0).reshape(1, 5, 5)
    out, idx = F.fractional_max_pool2d(x, 2, output_size=3, return_indices=True,
                                       _random_samples=ag.full((1, 1, 2), 0.5))
    expected = [[6, 8, 9], [16, 18, 19], [21, 23, 24]]
    np.testing.assert_array_equal(out.numpy()[0], expected)
    np.testing.assert_array_equal(idx.numpy()[0], expected)  # arange: value = flat index
    # the first sample drives the width, the second the height: u = (0.5, 0) keeps the
    # columns' starts [0, 2, 3] and moves the rows' to [0, 1, 3] (trunc(1 * 1.5) = 1)
    out = F.fractional_max_pool2d(x, 2, output_size=3,
                                  _random_samples=ag.tensor([[[0.5, 0.0]]]))
    np.testing.assert_array_equal(out.numpy()[0], [[6, 8, 9], [11, 13, 14], [21, 23, 24]])


def test_nan_and_minus_inf_windows():
    # a NaN wins, the last one in row-major order; an all -inf window points at its start
    nan, inf = float("nan"), float("inf")
    x = ag.tensor([[[nan, 1.0, nan], [2.0, 3.0, 4.0]]])
    out, idx = F.fractional_max_pool2d(x, (2, 2), (1, 1), return_indices=True,
                                       _random_samples=ag.zeros(1, 1, 2))
    assert np.isnan(out.item()) and idx.item() == 2
    out, idx = F.fractional_max_pool2d(ag.full((1, 3, 3), -inf), 2, 2, return_indices=True,
                                       _random_samples=ag.zeros(1, 1, 2))
    np.testing.assert_array_equal(idx.numpy(), [[[0, 1], [3, 4]]])


def test_gradcheck_float64():
    rng = np.random.default_rng(3)
    x = ag.tensor(rng.permutation(5 * 6 * 2).reshape(1, 2, 5, 6) / 7.0, requires_grad=True)
    u = ag.tensor(rng.random((1, 2, 2)))
    assert ag.autograd.gradcheck(
        lambda v: F.fractional_max_pool2d(v, (2, 3), (3, 2), _random_samples=u), (x,))
    assert ag.autograd.gradgradcheck(
        lambda v: F.fractional_max_pool2d(v, (2, 3), (3, 2), _random_samples=u), (x,))
    y = ag.tensor(rng.permutation(4 * 5 * 4).reshape(1, 4, 5, 4) / 7.0, requires_grad=True)
    w = ag.tensor(rng.random((1, 1, 3)))
    assert ag.autograd.gradcheck(
        lambda v: F.fractional_max_pool3d(v, 2, (2, 3, 2), _random_samples=w), (y,))


def test_samples_come_from_the_projects_generator():
    x = ag.randn(2, 3, 8, 8)
    ag.manual_seed(5)
    drawn = F.fractional_max_pool2d(x, 2, output_ratio=0.5)
    ag.manual_seed(5)
    u = ag.rand(2, 3, 2)
    np.testing.assert_array_equal(drawn.numpy(), F.fractional_max_pool2d(
        x, 2, output_size=(4, 4), _random_samples=u).numpy())
    pool = nn.FractionalMaxPool3d(2, output_ratio=0.5)
    ag.manual_seed(5)
    a = pool(ag.ones(3, 6, 6, 6) * ag.arange(6.0))
    assert tuple(a.shape) == (3, 3, 3, 3) and list(pool.state_dict()) == []


def test_module_keeps_given_samples_as_a_buffer():
    u = ag.rand(1, 2, 2)
    m = nn.FractionalMaxPool2d(3, output_size=(2, 2), return_indices=True, _random_samples=u)
    assert list(m.state_dict()) == ["_random_samples"] and repr(m) == "FractionalMaxPool2d()"
    x = ag.randn(1, 2, 6, 6)
    a, b = m(x), F.fractional_max_pool2d(x, 3, (2, 2), return_indices=True, _random_samples=u)
    np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())


@pytest.mark.parametrize("call,error,message", [
    (lambda: F.fractional_max_pool2d(ag.randn(2, 3, 7, 7), 3, output_size=6), RuntimeError,
     r"fractional_max_pool2d\(\): pool height 3 too large relative to input height 7"),
    (lambda: F.fractional_max_pool3d(ag.randn(1, 1, 6, 6, 4), (1, 1, 3), (1, 1, 2)),
     RuntimeError, r"fractional_max_pool3d_out\(\): pool width 3 too large relative to "
                   r"input width 4"),
    (lambda: F.fractional_max_pool2d(ag.randn(2, 3, 7, 7), 3), ValueError,
     "requires specifying either an output_size or an output_ratio"),
    (lambda: F.fractional_max_pool2d(ag.randn(2, 3, 7, 7), 2, 2,
                                     _random_samples=ag.rand(2, 3, 3)), RuntimeError,
     r"Expect _random_samples.size\(2\) equals to 2; got 3."),
    (lambda: F.fractional_max_pool2d(ag.randn(2, 3, 7, 7), 2, 2,
                                     _random_samples=ag.rand(1, 3, 2)), RuntimeError,
     r"Expect _random_samples.size\(0\) no less then input batch size."),
    (lambda: F.fractional_max_pool2d(ag.randn(2, 3, 7, 7), 2, 2,
                                     _random_samples=ag.rand(2, 2, 2)), RuntimeError,
     r"Expect _random_samples.size\(1\) equals to input channel size."),
    (lambda: F.fractional_max_pool2d(ag.randn(2, 3, 7, 7), 2, 2,
                                     _random_samples=ag.rand(2, 3, 2, dtype=ag.float64)),
     RuntimeError, "Expect _random_samples to have the same dtype as input"),
    (lambda: F.fractional_max_pool2d(ag.randn(2, 0, 7, 7), 2, 2), RuntimeError,
     r"non-zero size for non-batch dimensions, but got\[2, 0, 7, 7\] with dimension 1"),
    (lambda: F.fractional_max_pool2d(ag.randn(7, 7), 2, 2), RuntimeError,
     r"Expected 3D or 4D tensor, but got: \[7, 7\]"),
    (lambda: F.fractional_max_pool3d(ag.randn(2, 7, 7, 7, 7), (2, 2), 2), RuntimeError,
     "kernel_size must either be a single Int or tuple of three Ints"),
    (lambda: F.fractional_max_pool2d(ag.randn(2, 7, 7), 0, 2), RuntimeError,
     "kernel_size must be greater than 0"),
    (lambda: nn.FractionalMaxPool2d(2), ValueError,
     "FractionalMaxPool2d requires specifying either an output size, or a pooling ratio"),
    (lambda: nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5), ValueError,
     "only one of output_size and output_ratio may be specified"),
    (lambda: nn.FractionalMaxPool3d(2, output_ratio=1.5), ValueError,
     r"output_ratio must be between 0 and 1 \(got 1.5\)"),
    (lambda: nn.FractionalMaxPool3d(0, output_size=2), ValueError,
     "kernel_size must be greater than 0, but got 0"),
])
def test_errors_are_torchs(call, error, message):
    with pytest.raises(error, match=message):
        call()
