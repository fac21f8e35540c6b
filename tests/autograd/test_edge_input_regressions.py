"""Regressions found by running the op table on the inputs training code meets besides
ordinary floats (integer, bool and float16 tensors; inf, NaN, empty, values near the ends of
float32's range) in tapegrad and PyTorch 2.13 side by side (the sweep is
tests/compat/test_edge_inputs_vs_torch.py). Each was a different number, a different dtype,
or a result where PyTorch refuses; the expected values are worked by hand."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

INF, NAN = math.inf, math.nan


def test_adaptive_avg_pool_keeps_an_inf_or_nan_in_its_own_window():
    # the averaging matrices spread it to every output of its row as inf * 0 = NaN
    x = ag.tensor([[1.0, INF, 2.0, 3.0]], requires_grad=True)
    y = F.adaptive_avg_pool1d(x, 2)
    assert y.tolist() == [[INF, 2.5]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.5, 0.5, 0.5, 0.5]]
    y = F.adaptive_avg_pool1d(ag.tensor([[NAN, 1.0, 2.0, 3.0, 4.0]]), 3)  # windows overlap
    assert math.isnan(y[0, 0].item()) and y[0, 1:].tolist() == [2.0, 3.5]
    img = ag.arange(16.0).reshape(1, 4, 4)
    img[0, 0, 0] = -INF
    out = F.adaptive_avg_pool2d(img, 2)
    assert out.tolist() == [[[-INF, 4.5], [10.5, 12.5]]]
    vol = ag.ones(1, 2, 2, 2)
    vol[0, 1, 1, 1] = NAN
    assert F.adaptive_avg_pool3d(vol, (2, 1, 1)).flatten().tolist()[0] == 1.0


def test_sum_of_small_unsigned_integers_is_int64():
    # numpy sums uint8 into uint64 (a later subtraction wraps around); PyTorch gives int64
    t = ag.tensor([255, 255], dtype=ag.uint8)
    for s in (t.sum(), ag.nansum(t), t.sum(0), ag.trace(t.reshape(1, 2))):
        assert s.dtype == ag.int64
    assert (t.sum() - 511).item() == -1


def test_dot_of_integers_keeps_their_dtype():
    a = ag.tensor([100, 100, 3], dtype=ag.int8)
    d = ag.dot(a, a)  # 20009 wraps to 20009 - 78 * 256 = 41 in int8, as PyTorch's
    assert d.dtype == ag.int8 and d.item() == 41
    assert ag.vdot(a.int(), a.int()).dtype == ag.int32
    with pytest.raises(NotImplementedError, match="\"dot\" not implemented for 'Bool'"):
        ag.dot(a > 0, a > 0)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_softmax_of_integers_is_refused(fn):
    # gave float64 for int64 and a float16 of NaNs for uint8
    for dt, name in ((ag.int64, "Long"), (ag.uint8, "Byte"), (ag.bool, "Bool")):
        with pytest.raises(NotImplementedError, match=f"kernel_impl\" not implemented for '{name}'"):
            fn(ag.ones(2, 3, dtype=dt), 1)
    assert fn(ag.ones(2, 3, dtype=ag.int64), 1, dtype=ag.float32).dtype == ag.float32
