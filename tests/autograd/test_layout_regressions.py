"""Regressions found by the layout sweep (tests/compat/test_layouts_vs_torch.py), each checked
by hand: writes whose input shares memory with the tensor written."""

import numpy as np
import pytest

import autograd_core as ag

OVERLAP = "some elements of the input tensor and the written-to tensor refer to a single memory"


def _x():
    return ag.tensor(np.arange(9.0).reshape(3, 3))


@pytest.mark.parametrize("write", [
    lambda x: x.add_(x.t()),                  # the same memory, another layout
    lambda x: x.sub_(x[0]),                   # a row broadcast over the rows it is part of
    lambda x: x[1:].copy_(x[:-1]),            # shifted by a row
    lambda x: x.mul_(x[:1]),
    lambda x: x.clamp_(x[:1], None),
    lambda x: x.lerp_(ag.ones(3, 3), x.t()),  # the weight
    lambda x: x.addcmul_(ag.ones(3, 3), x[2]),
    lambda x: x.float_power_(x.t()),
    lambda x: x.__setitem__(slice(None), x.t()),
    lambda x: x.index_add_(0, ag.tensor([2, 1, 0]), x),   # any overlap, the same tensor too
    lambda x: x.index_copy_(0, ag.tensor([2, 1, 0]), x),
    lambda x: x.scatter_add_(0, ag.zeros(3, 3, dtype=ag.int64), x),
    lambda x: x.index_put_((ag.tensor([0, 2]),), x[:2]),
    lambda x: x.__setitem__(ag.tensor([0, 2]), x[1:]),
])
def test_write_from_overlapping_memory_is_refused_before_writing(write):
    # PyTorch refuses these (computed element by element, the write would read elements it
    # had already written); tapegrad computed them as if from a copy
    x = _x()
    with pytest.raises(RuntimeError, match=OVERLAP):
        write(x)
    np.testing.assert_array_equal(x.numpy(), np.arange(9.0).reshape(3, 3))  # nothing written
    assert x._version == 0


def test_writes_from_the_same_or_disjoint_memory_compute():
    x = _x()
    x.mul_(x)  # the same elements in the same layout: allowed, as PyTorch's
    np.testing.assert_array_equal(x.numpy(), np.arange(9.0).reshape(3, 3) ** 2)
    x = _x()
    x.add_(x.view(3, 3))
    np.testing.assert_array_equal(x.numpy(), 2 * np.arange(9.0).reshape(3, 3))
    x = ag.tensor(np.arange(8.0).reshape(2, 4))
    x[:, ::2].add_(x[:, 1::2])  # interleaved, no element shared
    np.testing.assert_array_equal(x.numpy(), [[1, 1, 5, 3], [9, 5, 13, 7]])
    x = _x()
    x[:] = x[0]  # a broadcast value is not checked (PyTorch expands it first): rows = row 0
    np.testing.assert_array_equal(x.numpy(), [[0, 1, 2]] * 3)
    x = _x()
    x[2] = x[0]  # disjoint rows
    np.testing.assert_array_equal(x.numpy(), [[0, 1, 2], [3, 4, 5], [0, 1, 2]])


def test_write_from_non_dense_overlapping_view_computes_as_from_a_copy():
    # x[:, :1] is not dense: PyTorch does not check it and writes element by element (its
    # numbers depend on its loop order; DIFFERENCES.md); tapegrad computes from the old values
    x = _x()
    x -= x[:, :1]
    np.testing.assert_array_equal(x.numpy(), [[0, 1, 2], [0, 1, 2], [0, 1, 2]])


@pytest.mark.parametrize("call", [
    lambda: ag.addmm(ag.ones(4, 4), ag.ones(1, 4), ag.ones(4, 4)),
    lambda: ag.ones(4, 4).addmm_(ag.ones(1, 4), ag.ones(4, 4)),
    lambda: ag.addmv(ag.ones(4), ag.ones(1, 4), ag.ones(4)),
    lambda: ag.ones(4).addmv_(ag.ones(1, 4), ag.ones(4)),
    lambda: ag.baddbmm(ag.ones(2, 4, 4), ag.ones(2, 1, 4), ag.ones(2, 4, 4)),
])
def test_added_input_must_broadcast_to_the_products_shape(call):
    # a (1, 4) product with a (4, 4) input: PyTorch refuses (the input broadcasts to the
    # product's shape, not the reverse); tapegrad gave a (4, 4) result
    with pytest.raises(RuntimeError, match="cannot be broadcast to the product's shape"):
        call()


def test_added_input_still_broadcasts_up():
    out = ag.addmm(ag.tensor([1.0, 2.0]), ag.ones(3, 2), ag.ones(2, 2), beta=2)
    np.testing.assert_array_equal(out.numpy(), [[4, 6]] * 3)
    np.testing.assert_array_equal(ag.addmv(ag.tensor(1.0), ag.ones(2, 3), ag.ones(3)).numpy(),
                                  [4, 4])


def test_safetensors_keeps_0d_and_strided_tensors(tmp_path):
    # a 0-d tensor (BatchNorm's num_batches_tracked) was saved as shape (1,): np.ascontiguousarray
    # makes 0-d arrays 1-d; PyTorch's load_state_dict then refused the size mismatch
    pytest.importorskip("safetensors.numpy")
    import nn

    base = ag.tensor(np.arange(12.0).reshape(3, 4))
    state = {"n": ag.tensor(7), "t": base.t(), "step": base[:, ::2], "e": base[:1].expand(2, 4),
             "f": ag.from_numpy(np.asfortranarray(np.arange(6.0).reshape(2, 3)))}
    nn.save(state, tmp_path / "s.safetensors", format="safetensors")
    back = nn.load(tmp_path / "s.safetensors")
    for k, v in state.items():
        assert tuple(back[k].shape) == tuple(v.shape), k
        np.testing.assert_array_equal(back[k].numpy(), v.numpy())
    assert back["n"].shape == () and back["n"].item() == 7


@pytest.mark.torch_parity
def test_0d_tensor_through_safetensors_is_0d_in_torch(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file

    import nn

    nn.save({"step": ag.tensor(3.5)}, tmp_path / "s.safetensors", format="safetensors")
    assert load_file(str(tmp_path / "s.safetensors"))["step"].shape == torch.Size([])


@pytest.mark.parametrize("call", [
    lambda x: ag.exp(x.t(), out=x),
    lambda x: ag.add(x, x[0], out=x),
    lambda x: ag.mul(x.t(), 2.0, out=x),
    lambda x: ag.clamp(x.t(), 1.0, 5.0, out=x),
    lambda x: ag.cumsum(x.t(), 0, out=x),
    lambda x: ag.where(x > 4, x.t(), x, out=x),
    lambda x: ag.cat([x[2:], x[:1]], out=x),   # any overlap refused
    lambda x: ag.index_select(x, 0, ag.tensor([2, 1, 0]), out=x),
])
def test_out_overlapping_an_input_is_refused_before_writing(call):
    # PyTorch refuses these; tapegrad computed them as from a copy
    x = _x()
    with pytest.raises(RuntimeError, match=OVERLAP):
        call(x)
    np.testing.assert_array_equal(x.numpy(), np.arange(9.0).reshape(3, 3))


def test_out_that_is_an_input_or_disjoint_computes():
    x = _x()
    assert ag.exp(x, out=x) is x  # the same elements in the same layout
    np.testing.assert_allclose(x.numpy(), np.exp(np.arange(9.0).reshape(3, 3)))
    x = ag.tensor(np.arange(8.0).reshape(2, 4))
    ag.add(x[:, ::2], x[:, 1::2], out=x[:, ::2])  # interleaved, nothing shared with out
    np.testing.assert_array_equal(x.numpy(), [[1, 1, 5, 3], [9, 5, 13, 7]])


def _hvp_of_base(f, base, view, v):
    """``d/d base <d f(view(base)) / d base, v>`` (create_graph)."""
    b = ag.tensor(base, requires_grad=True)
    g, = ag.autograd.grad(f(view(b)), b, create_graph=True)
    return ag.autograd.grad((g * ag.tensor(v)).sum(), b)[0].numpy()


def test_second_derivative_through_a_strided_conv_weight():
    # conv2d saved a contiguous copy of a strided weight: under create_graph the copy was a
    # constant, so the input gradient's dependence on the weight was lost (d/dw <dL/dx, v>
    # came out about half of PyTorch's)
    import nn.functional as F

    rng = np.random.default_rng(0)
    X, WB, V = (rng.standard_normal(s) for s in ((1, 2, 5, 5), (3, 2, 3, 6), (1, 2, 5, 5)))

    def mixed(view):
        x, wb = ag.tensor(X, requires_grad=True), ag.tensor(WB, requires_grad=True)
        gx, = ag.autograd.grad((F.conv2d(x, view(wb)) ** 2).sum(), x, create_graph=True)
        return ag.autograd.grad((gx * ag.tensor(V)).sum(), wb)[0].numpy()

    strided, copied = mixed(lambda b: b[..., ::2]), mixed(lambda b: b[..., ::2] * 1.0)
    np.testing.assert_allclose(strided, copied, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("norm", ["batch_norm", "instance_norm"])
def test_second_derivative_through_a_strided_normalisation_input(norm):
    # the per-channel norm kernels saved a contiguous copy of a strided input: the same loss
    import nn.functional as F

    rng = np.random.default_rng(1)
    xb, v = rng.standard_normal((2, 3, 10)), rng.standard_normal((2, 3, 10))

    def loss(x):
        y = (F.batch_norm(x, None, None, training=True) if norm == "batch_norm"
             else F.instance_norm(x))
        return (y ** 3).sum()

    strided = _hvp_of_base(loss, xb, lambda b: b[..., ::2], v)
    copied = _hvp_of_base(loss, xb, lambda b: b[..., ::2] * 1.0, v)
    np.testing.assert_allclose(strided, copied, rtol=1e-10, atol=1e-12)


def test_second_derivative_of_a_real_tensor_to_a_complex_power():
    # pow saved the complex copy of a real input (x ** 1j), a constant under create_graph: the
    # first derivative did not require grad. d/dx Re(x^(i)) = -sin(log x) / x, and
    # d2/dx2 = (sin(log x) - cos(log x)) / x^2
    x = ag.tensor([0.5, 1.5, 2.0], dtype=ag.float64, requires_grad=True)
    g, = ag.autograd.grad((x ** 1j).real.sum(), x, create_graph=True)
    xs = np.array([0.5, 1.5, 2.0])
    np.testing.assert_allclose(g.detach().numpy(), -np.sin(np.log(xs)) / xs, rtol=1e-12)
    h, = ag.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), (np.sin(np.log(xs)) - np.cos(np.log(xs))) / xs ** 2,
                               rtol=1e-12)
