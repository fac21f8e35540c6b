"""``Tensor.view`` as PyTorch's: a shape the strides cannot give without copying is refused
(it copied silently, so a write through the "view" never reached the tensor), and
``view(dtype)`` reinterprets the memory (it raised TypeError)."""

import numpy as np
import pytest

import autograd_core as ag

NOT_A_VIEW = "view size is not compatible with input tensor's size and stride"


@pytest.mark.parametrize("make, shape", [
    (lambda: ag.arange(6.0).reshape(2, 3).t(), (-1,)),
    (lambda: ag.arange(24.0).reshape(2, 3, 4).permute(0, 2, 1), (2, 12)),
    (lambda: ag.arange(24.0).reshape(2, 3, 4)[:, :2], (4, 4)),
])
def test_view_that_needs_a_copy_is_refused(make, shape):
    x = make()
    with pytest.raises(RuntimeError, match=NOT_A_VIEW):
        x.view(*shape)
    with pytest.raises(RuntimeError, match=NOT_A_VIEW):
        x.view_as(ag.zeros(*[s if s != -1 else x.numel() for s in shape]))
    assert x.reshape(*shape).shape == x.contiguous().view(*shape).shape  # the way out


@pytest.mark.parametrize("make, shape, expect", [
    (lambda: ag.arange(12.0).reshape(3, 4)[:, :2], (3, 1, 2), None),  # strided, still a view
    (lambda: ag.zeros(4, 3)[:, :1], (4,), None),
    (lambda: ag.arange(6.0).reshape(2, 3).t(), (3, 2), None),
    (lambda: ag.zeros(0, 3).t(), (-1,), (0,)),
    (lambda: ag.arange(12.0).reshape(3, 4)[:, ::2], (6,), None),  # one stride: a view
    (lambda: ag.arange(12.0).reshape(3, 4)[:, 1:], (9,), "refused"),
])
def test_views_the_strides_allow_write_through(make, shape, expect):
    x = make()
    if expect == "refused":
        with pytest.raises(RuntimeError, match=NOT_A_VIEW):
            x.view(*shape)
        return
    v = x.view(*shape)
    if expect is not None:
        assert tuple(v.shape) == expect
        return
    v[(0,) * v.ndim].fill_(42.0)
    assert x[(0,) * x.ndim].item() == 42.0


def test_view_keeps_the_gradient():
    x = ag.randn(2, 6, requires_grad=True)
    (x.view(3, 4) * ag.arange(12.0).view(3, 4)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(12.0).reshape(2, 6))


def test_view_dtype_reinterprets_bits():
    x = ag.tensor([1.0, 2.0, -0.0])
    y = x.view(ag.int32)
    np.testing.assert_array_equal(y.numpy(), [0x3F800000, 0x40000000, -0x80000000])
    assert y.dtype == ag.int32 and not y.requires_grad
    y[0] = 1  # the same memory: the smallest subnormal
    assert x[0].item() == np.float32(1.401298464324817e-45)
    assert ag.zeros(2, 4).view(ag.float64).shape == (2, 2)
    assert ag.zeros(2, 4).view(dtype=ag.int16).shape == (2, 8)
    assert ag.zeros(2, 3).view(ag.uint8).shape == (2, 12)
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    assert not (w * 2.0).view(ag.float32).requires_grad


@pytest.mark.parametrize("make, dtype, message", [
    (lambda: ag.zeros(2, 3), ag.float64,
     "self.size(-1) must be divisible by 2 to view Float as Double (different element sizes), "
     "but got 3"),
    (lambda: ag.zeros(4, 2).t(), ag.int16,
     "self.stride(-1) must be 1 to view Float as Short (different element sizes), but got 2"),
    (lambda: ag.tensor(1.0), ag.int16,
     "self.dim() cannot be 0 to view Float as Short (different element sizes)"),
])
def test_view_dtype_refusals_in_pytorchs_words(make, dtype, message):
    with pytest.raises(RuntimeError) as info:
        make().view(dtype)
    assert str(info.value) == message


@pytest.mark.torch_parity
def test_view_dtype_bits_as_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    for ours, theirs in [(ag.int32, torch.int32), (ag.int16, torch.int16),
                         (ag.float64, torch.float64), (ag.uint8, torch.uint8),
                         (ag.complex64, torch.complex64)]:
        a = ag.tensor(data).view(ours)
        b = torch.tensor(data).view(theirs)
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def _shapes_of(n):
    """Some shapes with ``n`` elements: (n,), pairs of divisors, a triple, with -1."""
    out = [(n,), (-1,), (1, n)]
    for d in range(2, n + 1):
        if n % d == 0:
            out.append((d, n // d))
            out.append((d, -1))
            for e in range(2, n // d + 1):
                if (n // d) % e == 0:
                    out.append((d, e, n // d // e))
    return out


@pytest.mark.torch_parity
def test_view_refused_exactly_where_torch_refuses():
    torch = pytest.importorskip("torch")
    cases = 0
    for lib_make in [
        lambda L: L.arange(24.0).reshape(2, 3, 4),
        lambda L: L.arange(24.0).reshape(2, 3, 4).permute(0, 2, 1),
        lambda L: L.arange(24.0).reshape(2, 3, 4).transpose(0, 2),
        lambda L: L.arange(48.0).reshape(4, 3, 4)[::2],
        lambda L: L.arange(48.0).reshape(2, 6, 4)[:, ::2],
        lambda L: L.arange(48.0).reshape(2, 3, 8)[..., ::2],
        lambda L: L.arange(60.0).reshape(3, 4, 5)[:2, 1:, :3],
        lambda L: L.arange(24.0).reshape(2, 1, 3, 4)[:, :, :, :2],
        lambda L: L.arange(24.0).reshape(4, 6).t()[1:3],
        lambda L: L.arange(6.0).reshape(6, 1).expand(6, 4),
    ]:
        ours, theirs = lib_make(ag), lib_make(torch)
        for shape in _shapes_of(ours.numel()):
            try:
                expect = tuple(theirs.view(*shape).shape)
            except RuntimeError:
                expect = None
            if expect is None:
                with pytest.raises(RuntimeError, match=NOT_A_VIEW):
                    ours.view(*shape)
            else:
                got = ours.view(*shape)
                assert tuple(got.shape) == expect
                np.testing.assert_array_equal(got.numpy(), theirs.view(*shape).numpy())
            cases += 1
    assert cases > 100


def test_flattening_a_convolution_output_works_whatever_its_memory_layout():
    # the conv2d loop may store its (N, C, H, W) result channels-last (DIFFERENCES.md); the
    # everyday ``x.view(x.size(0), -1)`` before a Linear must work, as it does in PyTorch
    import nn.functional as F
    x = ag.randn(2, 3, 6, 6, requires_grad=True)
    w = ag.randn(16, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w)
    flat = y.view(y.size(0), -1)
    np.testing.assert_array_equal(flat.detach().numpy(), y.detach().numpy().reshape(2, -1))
    flat.sum().backward()
    assert x.grad.shape == x.shape
