"""Regressions found reviewing the tenth session's changes (scatter_reduce, module hooks)."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core._sums import fmean, fsum


def test_scatter_reduce_amax_amin_without_self_start_from_the_dtype_extremes():
    # an entry that takes no part starts at the reduction's identity: bool amax started at
    # True (-1 cast to bool), so False values gave True; uint8 raised OverflowError (-255)
    b = ag.tensor([True, False])
    got = b.scatter_reduce(0, ag.tensor([0, 1]), ag.tensor([False, False]), "amax",
                           include_self=False)
    assert got.tolist() == [False, False]
    got = b.scatter_reduce(0, ag.tensor([1]), ag.tensor([True]), "amin", include_self=False)
    assert got.tolist() == [True, True]
    u = ag.tensor([200, 3], dtype=ag.uint8)
    got = u.scatter_reduce(0, ag.tensor([0, 1]), ag.tensor([5, 7], dtype=ag.uint8), "amax",
                           include_self=False)
    assert got.tolist() == [5, 7] and got.dtype == ag.uint8
    i = ag.tensor([-2 ** 63, 3])  # int64's lowest is -2**63, not -(2**63 - 1)
    got = i.scatter_reduce(0, ag.tensor([0]), ag.tensor([-2 ** 63]), "amax", include_self=False)
    assert got.tolist() == [-2 ** 63, 3]


def test_scatter_reduce_0d_input_index_and_src_count_as_one_element():
    # PyTorch takes a 0-d input, index and src as one element each (2 * 3 = 6, d/dx = 3)
    x = ag.tensor(2.0, requires_grad=True)
    s = ag.tensor(3.0, requires_grad=True)
    y = x.scatter_reduce(0, ag.tensor(0), s, "prod")
    assert y.shape == () and y.item() == 6.0
    y.backward()
    assert x.grad.item() == 3.0 and s.grad.item() == 2.0
    assert ag.tensor(2.0).scatter_reduce(0, ag.tensor([0, 0]), ag.tensor([3.0, 1.0]),
                                         "sum").item() == 6.0
    got = ag.tensor([1.0, 2.0]).scatter_reduce(0, ag.tensor(1), ag.tensor(3.0), "amax",
                                               include_self=False)
    assert got.tolist() == [1.0, 3.0]


def test_scatter_reduce_inplace_refuses_a_src_sharing_its_memory():
    # PyTorch's scatter_reduce_ refuses any overlap of src with self (as scatter_); computed
    # as from a copy it gave [[4, 6, 2], [3, 4, 5]] silently
    x = ag.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match="refer to a single memory location"):
        x.scatter_reduce_(1, ag.tensor([[0, 1]]), x[1:, 1:], "sum")
    np.testing.assert_array_equal(x.numpy(), np.arange(6.0).reshape(2, 3))  # nothing written
    x.scatter_reduce_(1, ag.tensor([[0, 1]]), x[1:, 1:].clone(), "sum")
    np.testing.assert_array_equal(x.numpy(), [[4.0, 6.0, 2.0], [3.0, 4.0, 5.0]])


def test_scatter_reduce_dtype_mismatch_in_pytorchs_words():
    with pytest.raises(RuntimeError, match=r"^scatter\(\): Expected self.dtype to be equal to "
                                           "src.dtype"):
        ag.tensor([1.0, 2.0]).scatter_reduce(0, ag.tensor([0, 1]), ag.tensor([1, 2]), "sum")


class _Scale(nn.Module):
    """``a * w * b``, or ``[a * w, a]`` (a list: not top-level outputs) when ``as_list``."""

    def __init__(self, as_list=False):
        super().__init__()
        self.w = nn.Parameter(ag.tensor([2.0, 3.0]))
        self.as_list = as_list

    def forward(self, a, b=None):
        if self.as_list:
            return [a * self.w, a]
        return a * self.w * b


def _hooked(module):
    calls = []
    module.register_full_backward_hook(lambda m, gi, go: calls.append((gi, go)))
    return calls


def test_full_backward_hook_skipped_when_the_gradient_bypasses_the_outputs():
    # PyTorch runs the full hooks only for a gradient that came through the module's
    # top-level output tensors: not for a list output, not again in a double backward
    m = _Scale(as_list=True)
    calls = _hooked(m)
    a = ag.tensor([1.0, -1.0], requires_grad=True)
    y = m(a)
    (y[0].sum() + y[1].sum()).backward()
    assert calls == []  # (it ran with grad_output=())
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])
    m = _Scale()
    calls = _hooked(m)
    b = ag.tensor([0.5, 4.0], requires_grad=True)
    a = ag.tensor([1.0, -1.0], requires_grad=True)
    (g,) = ag.autograd.grad(m(a, b).sum(), a, create_graph=True)
    assert len(calls) == 1
    g.sum().backward()  # d(w * b)/db = w, d/dw = b; a is reached with zeros, as in PyTorch
    assert len(calls) == 1  # (it ran again with grad_input (None, w))
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(m.w.grad.numpy(), [0.5, 4.0])
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])


def test_full_backward_hook_input_without_gradient_gets_zeros():
    # an input that requires grad but that the output does not depend on: PyTorch's identity
    # node materializes zeros, so the hook sees zeros and the input's .grad is zeros (not None)
    class Second(nn.Module):
        def forward(self, a, b):
            return b * 2

    m = Second()
    calls = _hooked(m)
    a = ag.tensor([1.0, -1.0], requires_grad=True)
    b = ag.tensor([0.5, 4.0], requires_grad=True)
    m(a, b).sum().backward()
    (gi, go), = calls
    np.testing.assert_array_equal(gi[0].numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(gi[1].numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])


def test_long_softmax_and_fsum_take_a_numpy_integer_or_a_list_as_axis():
    # softmax over more than 1,024 rows with dim a numpy integer raised TypeError ("not
    # iterable") once its sum became fsum's; PyTorch takes any integer (closed form: 1/2000)
    x = ag.ones(2000, 3)
    np.testing.assert_allclose(x.softmax(np.int64(0)).numpy(), np.full((2000, 3), 1 / 2000),
                               rtol=1e-6)
    np.testing.assert_allclose(x.log_softmax(np.int64(0)).numpy(),
                               np.full((2000, 3), -np.log(2000)), rtol=1e-6)
    a = np.arange(6000, dtype=np.float32).reshape(2000, 3) % 7
    want = a.astype(np.float64).sum()
    assert fsum(a, [-2, -1]).item() == want  # (numpy's sum refuses a list)
    assert fsum(a, [np.int64(0), 1], True).shape == (1, 1)
    np.testing.assert_array_equal(fsum(a, np.int64(-2)), a.astype(np.float64).sum(0))
    np.testing.assert_allclose(fmean(a, [0]), a.astype(np.float64).mean(0), rtol=1e-6)


def test_full_backward_hook_without_input_grad_warns_as_pytorch():
    m = nn.Linear(2, 2)
    calls = _hooked(m)
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are "
                                         "computed with respect to module outputs since no "
                                         "inputs require gradients"):
        m(ag.ones(1, 2)).sum().backward()
    assert calls[0][0] == (None,)
