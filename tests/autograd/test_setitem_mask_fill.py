"""``x[mask] = value`` with a bool mask of x's shape and one value (the fill kernel's path):
values and gradients against PyTorch, and against the general path's rule."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("value", [0.0, -2.5, "tensor", "tensor1"])
def test_setitem_full_mask_values_and_gradients_match_torch(dtype, value):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 30)).astype(dtype)
    m = rng.random((40, 30)) > 0.5
    w = rng.standard_normal((40, 30)).astype(dtype)
    outs = []
    for lib, T in (("tg", ag), ("torch", torch)):
        xt = T.tensor(x, requires_grad=True)
        v = value
        if isinstance(value, str):
            v = T.tensor(1.5 if value == "tensor" else [1.5], dtype=xt.dtype, requires_grad=True)
        y = xt * 1.0
        y[T.tensor(m)] = v
        (y * T.tensor(w)).sum().backward()
        outs.append((y.detach().numpy(), xt.grad.numpy(),
                     None if not isinstance(v, (ag.Tensor, torch.Tensor)) else v.grad.numpy()))
    (y1, g1, v1), (y2, g2, v2) = outs
    assert np.array_equal(y1, y2) and np.array_equal(g1, g2)
    if v1 is not None:
        np.testing.assert_allclose(v1, v2, rtol=1e-6)


def test_setitem_full_mask_on_a_non_contiguous_view_base():
    x = ag.arange(12.0).reshape(3, 4).t()  # (4, 3), Fortran-ordered
    y = x * 1.0
    y[y > 5] = -1.0
    assert np.array_equal(y.numpy(), np.where(x.numpy() > 5, -1.0, x.numpy()))


def test_mask_fill_with_a_one_element_tensor_of_another_dtype_casts_it():
    # PyTorch: x[mask] = value with one element is masked_fill_, which casts (it raised
    # index_put_'s "dtypes match"); the value's gradient is the masked sum, in its own dtype
    leaf = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    v = ag.tensor(2.5, dtype=ag.float64, requires_grad=True)
    x = leaf * 1
    x[x > 2] = v
    assert x.dtype == ag.float32 and x.tolist() == [1.0, 2.0, 2.5, 2.5]
    (x * ag.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert leaf.grad.tolist() == [1.0, 2.0, 0.0, 0.0]
    assert v.grad.dtype == ag.float64 and v.grad.item() == 7.0
    z = ag.zeros(2, 3, dtype=ag.int64)
    z[ag.tensor([True, False])] = ag.tensor([2.7])  # one element, a mask over the first dim
    assert z.tolist() == [[2, 2, 2], [0, 0, 0]]


@pytest.mark.parametrize("index, value", [
    (ag.tensor([0, 2]), ag.tensor(4)),            # an index tensor: index_put_
    (ag.tensor([True, False, True]), ag.tensor([4, 5])),  # two values: index_put_
])
def test_index_put_with_another_dtype_still_refused(index, value):
    x = ag.zeros(3)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination "
                                           "dtypes match"):
        x[index] = value
    assert x.tolist() == [0.0, 0.0, 0.0]
