"""With ``saved_tensors_hooks`` the node keeps only what ``pack_hook`` returned: a saved
intermediate's array is freed once the user drops the tensor, while the graph lives (what
``save_on_cpu``-style offloading relies on), and backward, create_graph and the in-place
checks work from the unpacked values."""

import gc
import weakref

import numpy as np

import autograd_core as ag
from autograd_core.autograd.graph import saved_tensors_hooks


class Offload:
    """Pack: copy the values out (a stand-in for another device or a file); unpack: back."""

    def __init__(self):
        self.store = {}

    def pack(self, t):
        self.store[len(self.store)] = t.detach().numpy().copy()
        return len(self.store) - 1

    def unpack(self, key):
        return ag.tensor(self.store[key])


def test_saved_intermediate_array_is_freed_after_pack():
    x = ag.tensor(np.linspace(-1.0, 1.0, 1000), requires_grad=True)
    off = Offload()
    with saved_tensors_hooks(off.pack, off.unpack):
        h = x.exp()  # saves its output (h), sin saves its input (h again)
        y = (h.sin() * h).sum()
    arr = weakref.ref(h._data)
    del h
    gc.collect()
    assert arr() is None  # only the packed copies hold the values now
    y.backward()
    xv = np.linspace(-1.0, 1.0, 1000)
    e = np.exp(xv)  # d/dx [sin(e^x) e^x] = cos(e^x) e^2x + sin(e^x) e^x
    np.testing.assert_allclose(x.grad.numpy(), np.cos(e) * e * e + np.sin(e) * e, rtol=1e-12)


def test_create_graph_through_packed_intermediates():
    x = ag.tensor([0.3, -0.7], dtype=ag.float64, requires_grad=True)
    off = Offload()
    with saved_tensors_hooks(off.pack, off.unpack):
        h = x * x
        y = (h * h).sum()  # x^4
    del h
    (g,) = ag.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 4 * np.array([0.3, -0.7]) ** 3)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 12 * np.array([0.3, -0.7]) ** 2)


def test_inplace_change_of_a_packed_input_is_what_unpack_gives():
    # PyTorch does not version-check what saved-tensor hooks packed (this test used to expect
    # the error; torch 2.13 computes): the identity hooks hand backward the changed h = 2x + 1
    x = ag.tensor([0.5, 1.0], dtype=ag.float64, requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        h = x * 2.0
        y = h.sin()
    h.add_(1.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos([2.0, 3.0]), rtol=1e-15)


def test_inplace_result_over_its_own_saved_input_with_identity_hooks():
    x = ag.tensor([0.5, 1.0], dtype=ag.float64, requires_grad=True)
    w = ag.tensor([3.0, 4.0], dtype=ag.float64, requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        h = x * 1.0
        h.mul_(w)  # saves h and w, then overwrites h: the old values must be kept
    h.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0] and w.grad.tolist() == [0.5, 1.0]
