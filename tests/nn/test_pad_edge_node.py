"""``F.pad``'s reflect/replicate modes as one node (``nn.ops.pad``): values and gradients are
PyTorch's bit for bit (its backward adds each gradient element at its source in row-major
order; the slices-and-cat composite summed overlapping borders in another order, 1-4 ulp off),
the backward kernel's loops equal their numpy twin, and the node's derivatives of every order
hold (gradcheck, gradgradcheck, create_graph equal to plain backward)."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from autograd_core.kernels import _conv_numba as NB
from autograd_core.kernels import conv as K

_CASES = [((2, 3, 5), (1, 2)), ((2, 3, 5, 6), (1, 1, 2, 0)), ((2, 3, 4, 5, 6), (1, 2, 0, 3, 2, 1)),
          ((3, 5, 6), (4, 3, 0, 0)), ((2, 2, 7, 7), (0, 6, 6, 0)), ((1, 1, 3, 3), (2, 2, 2, 2)),
          ((2, 5), (1, 1)), ((2, 3, 3, 4), (3, 3, 2, 2)), ((1, 2, 1, 4), (0, 0, 3, 2))]


def _fits(mode, shape, pad):
    sizes = shape[::-1][:len(pad) // 2]
    return mode == "replicate" or all(max(pad[2 * k], pad[2 * k + 1]) < n
                                       for k, n in enumerate(sizes))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,pad,mode", [(s, p, m) for m in ("reflect", "replicate")
                                            for s, p in _CASES if _fits(m, s, p)])
def test_values_and_gradients_are_torchs_bit_for_bit(shape, pad, mode, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(sum(shape) + sum(pad))
    a = rng.standard_normal(shape).astype(dtype)
    x = ag.tensor(a, requires_grad=True)
    y = F.pad(x, pad, mode=mode)
    g = rng.standard_normal(tuple(y.shape)).astype(dtype)
    y.backward(ag.tensor(g))
    t = torch.tensor(a, requires_grad=True)
    ref = torch.nn.functional.pad(t, pad, mode=mode)
    ref.backward(torch.tensor(g))
    np.testing.assert_array_equal(y.detach().numpy(), ref.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_loops_equal_their_twin(dtype):
    rng = np.random.default_rng(7)
    g = rng.standard_normal((3, 2, 6, 5)).astype(dtype)
    maps = (np.array([0, 1], np.int64), np.array([1, 0, 1, 2, 3, 2], np.int64),
            np.array([0, 0, 0, 1, 2], np.int64))
    twin = K.pad_backward_numpy(g, (3, 2, 4, 3), maps)
    for build in (NB.pad_backward_serial, NB.pad_backward_parallel):
        out = np.empty((3, 2, 4, 3), dtype)
        build(g, *maps, out)
        np.testing.assert_array_equal(out, twin)
    # by hand: row 1 of H gets output rows 0 and 2, column 0 gets output columns 0, 1, 2
    want = g[0, 0, 0, 0] + g[0, 0, 0, 1] + g[0, 0, 0, 2] + g[0, 0, 2, 0] + g[0, 0, 2, 1]
    assert np.isclose(twin[0, 0, 1, 0], want + g[0, 0, 2, 2])


def test_pad_backward_refuses_bad_maps():
    g = np.zeros((1, 1, 2, 2))
    good = (np.zeros(1, np.int64), np.zeros(2, np.int64), np.zeros(2, np.int64))
    with pytest.raises(ValueError, match="pad_backward: maps must be"):
        K.pad_backward(g, (1, 1, 1, 1), good[:2] + (np.array([0, 1], np.int64),))
    with pytest.raises(ValueError, match="pad_backward: maps must be"):
        K.pad_backward(g, (1, 1, 1, 1), good[:2] + (np.zeros(2, np.int32),))
    with pytest.raises(ValueError, match="pad_backward: g must be"):
        K.pad_backward(g.astype(np.int64), (1, 1, 1, 1), good)


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("shape,pad", [((2, 4), (2, 1)), ((1, 2, 3, 4), (1, 2, 2, 0)),
                                       ((1, 1, 3, 3, 3), (1, 0, 2, 1, 0, 2))])
def test_gradcheck_gradgradcheck_and_create_graph(shape, pad, mode):
    rng = np.random.default_rng(8)
    x = ag.tensor(rng.standard_normal(shape), requires_grad=True)
    assert ag.gradcheck(lambda x: F.pad(x, pad, mode=mode), (x,))
    assert ag.gradgradcheck(lambda x: F.pad(x, pad, mode=mode), (x,))
    w = ag.tensor(rng.standard_normal(tuple(F.pad(x, pad, mode=mode).shape)))
    plain = ag.grad((F.pad(x, pad, mode=mode) * w).sum(), [x])[0]
    recorded = ag.grad((F.pad(x, pad, mode=mode) * w).sum(), [x], create_graph=True)[0]
    assert recorded.requires_grad
    np.testing.assert_array_equal(plain.numpy(), recorded.detach().numpy())


def test_integer_and_half_inputs_pad_as_before():
    a = np.arange(12).reshape(1, 3, 4)
    y = F.pad(ag.tensor(a), (2, 1), mode="reflect")
    np.testing.assert_array_equal(y.numpy(), np.pad(a, ((0, 0), (0, 0), (2, 1)), mode="reflect"))
    h = ag.tensor(a.astype(np.float16), requires_grad=True)
    F.pad(h, (1, 2), mode="replicate").sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), np.tile([2.0, 1, 1, 3], (1, 3, 1)))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "complex64"])
def test_constant_pad_sets_borders_and_copies_the_middle_as_torch(dtype):
    # (constant_pad_nd now fills the borders itself instead of calling np.pad)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    for shape, pad in [((3, 4), (1, 1)), ((2, 3, 4), (2, 0, 1, 1)), ((5,), (-1, 2)),
                       ((2, 3, 4), (1, -1, 0, 3)), ((0, 3), (1, 2)), ((2, 1, 3), (0, 0, 3, 0))]:
        a = (rng.standard_normal(shape) * 3).astype(dtype)
        value = True if dtype == "bool" else -2
        ours = ag.constant_pad_nd(ag.tensor(a), pad, value).numpy()
        ref = torch.constant_pad_nd(torch.tensor(a), pad, value).numpy()
        assert ours.dtype == ref.dtype
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.torch_parity
@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_complex_inputs_pad_and_differentiate_as_torch(mode):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    a = (rng.standard_normal((2, 3, 4, 5)) + 1j * rng.standard_normal((2, 3, 4, 5))).astype(
        np.complex64)
    x = ag.tensor(a, requires_grad=True)
    y = F.pad(x, (1, 2, 2, 1), mode=mode)
    g = (rng.standard_normal(tuple(y.shape)) + 1j * rng.standard_normal(tuple(y.shape))).astype(
        np.complex64)
    y.backward(ag.tensor(g))
    t = torch.tensor(a, requires_grad=True)
    ref = torch.nn.functional.pad(t, (1, 2, 2, 1), mode=mode)
    ref.backward(torch.tensor(g))
    np.testing.assert_array_equal(y.detach().numpy(), ref.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape, pads, dtype", [
    ((2, 3, 4), (1, 2, -1, 3), "float32"),       # the second dim fails: Argument #6
    ((1, 1, 2, 3, 4), (1, 1, 1, 1, 3, 3), "float32"),
    ((5, 2, 1), (2, 3), "bool"),                 # the size is checked before the dtype
    ((4, 1, 3, 1), (3, 3, 2, 2), "bool"),
])
def test_reflect_pad_too_large_refused_as_torch(shape, pads, dtype):
    # the message named the shape padded so far (input [2, 3, 7]) and always Argument #4;
    # bool inputs got the dtype error where PyTorch names the size
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.functional.pad(torch.zeros(shape, dtype=getattr(torch, dtype)), pads,
                                mode="reflect")
    with pytest.raises(RuntimeError) as ours:
        F.pad(ag.zeros(shape, dtype=getattr(ag, dtype)), pads, mode="reflect")
    assert str(ours.value) == str(theirs.value)
