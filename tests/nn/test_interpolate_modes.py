"""``F.interpolate``'s modes beyond nearest/linear/bilinear: ``bicubic`` (Keys' kernel,
``A = -0.75``), ``trilinear``, ``area`` (adaptive average pooling) and ``nearest-exact``."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

A = -0.75


def _keys(x):
    """Keys' cubic convolution kernel, written from its definition."""
    x = abs(x)
    if x <= 1:
        return (A + 2) * x ** 3 - (A + 3) * x ** 2 + 1
    if x < 2:
        return A * x ** 3 - 5 * A * x ** 2 + 8 * A * x - 4 * A
    return 0.0


def test_bicubic_by_hand():
    row = np.array([0.0, 1.0, 4.0, 9.0])
    x = ag.tensor(row.reshape(1, 1, 1, 4), dtype=ag.float64)
    out = F.interpolate(x, size=(1, 7), mode="bicubic").numpy().reshape(-1)
    want = []
    for j in range(7):  # pixel centres aligned; neighbours clamped to the edges
        src = (j + 0.5) * 4 / 7 - 0.5
        base = int(np.floor(src))
        want.append(sum(row[min(max(base + k, 0), 3)] * _keys(src - (base + k))
                        for k in (-1, 0, 1, 2)))
    np.testing.assert_allclose(out, want, rtol=1e-12)


def test_bicubic_keeps_constants_and_gradchecks():
    x = ag.full((1, 2, 3, 4), 2.5, dtype=ag.float64)
    np.testing.assert_allclose(F.interpolate(x, scale_factor=2, mode="bicubic").numpy(), 2.5)
    x = ag.tensor(np.random.default_rng(0).standard_normal((1, 1, 3, 4)), requires_grad=True)
    for corners in (False, True):
        assert ag.gradcheck(lambda t: F.interpolate(t, size=(5, 3), mode="bicubic",
                                                    align_corners=corners), (x,))


def test_area_is_adaptive_average_pooling_and_nearest_exact_by_hand():
    x = ag.tensor(np.arange(12.0).reshape(1, 1, 3, 4))
    np.testing.assert_array_equal(F.interpolate(x, size=(1, 2), mode="area").numpy(),
                                  [[[[(0 + 1 + 4 + 5 + 8 + 9) / 6, (2 + 3 + 6 + 7 + 10 + 11) / 6]]]])
    # 4 -> 3: centres at 2/3, 2, 10/3 of the source: pixels 0, 2, 3 (nearest takes 0, 1, 2)
    assert F.interpolate(x, size=(3, 3), mode="nearest-exact").numpy()[0, 0, 0].tolist() == \
        [0.0, 2.0, 3.0]
    assert F.interpolate(x, size=(3, 3), mode="nearest").numpy()[0, 0, 0].tolist() == \
        [0.0, 1.0, 2.0]
    up = nn.Upsample(scale_factor=2, mode="trilinear", align_corners=True)
    assert up(ag.ones(1, 1, 2, 2, 2)).shape == (1, 1, 4, 4, 4)


def test_wrong_rank_and_align_corners_refused():
    with pytest.raises(NotImplementedError, match="bicubic mode needs 4D input"):
        F.interpolate(ag.ones(1, 1, 4), size=5, mode="bicubic")
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(ag.ones(1, 1, 4), size=5, mode="area", align_corners=True)


CASES = [((1, 2, 4, 5), dict(size=(7, 9), mode="bicubic", align_corners=False)),
         ((1, 2, 4, 5), dict(size=(7, 9), mode="bicubic", align_corners=True)),
         ((2, 1, 5, 6), dict(scale_factor=2, mode="bicubic")),
         ((2, 1, 6, 5), dict(scale_factor=0.6, mode="bicubic")),
         ((1, 2, 3, 4, 5), dict(size=(5, 3, 7), mode="trilinear", align_corners=False)),
         ((1, 2, 3, 4, 5), dict(scale_factor=2, mode="trilinear", align_corners=True)),
         ((1, 2, 5, 7), dict(size=(2, 3), mode="area")),
         ((1, 2, 9), dict(size=4, mode="area")),
         ((1, 2, 3, 5, 4), dict(size=(2, 2, 3), mode="area")),
         ((1, 2, 5, 7), dict(size=(8, 3), mode="nearest-exact")),
         ((1, 2, 7), dict(scale_factor=1.7, mode="nearest-exact"))]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]['mode']}{len(c[0])}d")
def test_equals_torch(case, dtype):
    torch = pytest.importorskip("torch")
    shape, kwargs = case
    xv = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    got = []
    for lib, fn in ((ag, F.interpolate), (torch, torch.nn.functional.interpolate)):
        x = lib.tensor(xv, requires_grad=True)
        y = fn(x, **kwargs)
        y.backward(lib.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape))
                              .astype(dtype)))
        got.append((y.detach().numpy(), x.grad.numpy()))
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-13)
    for a, b in zip(*got):
        np.testing.assert_allclose(a, b, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_linear_along_node_equals_the_gathers_products_and_sum(d, dtype):
    # interpolate's linear pass along one dim is one node (a loop, no temporaries): its output
    # and gradients (plain and create_graph) are those of the five nodes it replaced
    from nn.functional import _along_dim
    from nn.ops.upsample import LinearAlong

    rng = np.random.default_rng(d)
    a = rng.standard_normal((2, 3, 5, 4)).astype(dtype)
    a[0, 0, 0, 0] = -0.0
    n, k = a.shape[d], 7
    i0 = rng.integers(0, n, k)
    i1 = np.minimum(i0 + 1, n - 1)
    view = (k,) + (1,) * (3 - d)
    w1 = rng.uniform(0, 1, k).astype(dtype).reshape(view)
    w0 = (1 - w1).astype(dtype)
    results = []
    for fused in (True, False):
        x = ag.tensor(a, requires_grad=True)
        y = (LinearAlong.apply(x, d=d, i0=i0, i1=i1, w0=w0, w1=w1) if fused else
             _along_dim(x, d, i0) * ag.tensor(w0) + _along_dim(x, d, i1) * ag.tensor(w1))
        g = ag.tensor(np.random.default_rng(9).standard_normal(tuple(y.shape)).astype(dtype))
        (plain,) = ag.grad((y * g).sum(), [x], retain_graph=True)
        (rec,) = ag.grad((y * g).sum(), [x], create_graph=True)
        results.append([y.detach().numpy(), plain.numpy(), rec.detach().numpy()])
    for a_, b_ in zip(*results):
        np.testing.assert_array_equal(a_, b_)
        np.testing.assert_array_equal(np.signbit(a_), np.signbit(b_))


def test_bilinear_gradgradchecks():
    x = ag.tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 4)), requires_grad=True)
    fn = lambda v: F.interpolate(v, scale_factor=2, mode="bilinear")  # noqa: E731
    assert ag.gradcheck(fn, (x,)) and ag.gradgradcheck(fn, (x,))
