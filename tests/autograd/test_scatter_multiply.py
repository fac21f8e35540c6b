"""``scatter(..., reduce="multiply")`` (and ``scatter_``), PyTorch's deprecated form of
``scatter_reduce(..., "prod")``: it raised NotImplementedError. Hand-worked products, a number
``value``, the in-place form, PyTorch's error for another reduce, and PyTorch's numbers."""

import numpy as np
import pytest

import autograd_core as ag

X = np.arange(1.0, 7.0).reshape(2, 3)
IDX = np.array([[0, 0, 2], [1, 1, 1]])
SRC = np.array([[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]])


@pytest.mark.filterwarnings("ignore:The reduce argument")
def test_multiply_hand_worked():
    # row 0: x[0,0] *= 2 * 3, x[0,2] *= 4; row 1: x[1,1] *= 5 * 6 * 7
    out = ag.scatter(ag.tensor(X), 1, ag.tensor(IDX), ag.tensor(SRC), reduce="multiply")
    assert out.tolist() == [[6.0, 2.0, 12.0], [4.0, 1050.0, 6.0]]
    val = ag.scatter(ag.tensor(X), 1, ag.tensor(IDX), 1.5, reduce="multiply")
    assert val.tolist() == [[2.25, 2.0, 4.5], [4.0, 5 * 1.5 ** 3, 6.0]]
    x = ag.tensor(X.copy())
    x.scatter_(1, ag.tensor(IDX), 2.0, reduce="multiply")
    assert x.tolist() == [[4.0, 2.0, 6.0], [4.0, 40.0, 6.0]]
    xi = ag.scatter(ag.tensor(X.astype(np.int64)), 1, ag.tensor(IDX), 2, reduce="multiply")
    assert xi.dtype == ag.int64 and xi.tolist() == [[4, 2, 6], [4, 40, 6]]


@pytest.mark.filterwarnings("ignore:The reduce argument")
def test_multiply_gradient_is_prods():
    x = ag.tensor(X, requires_grad=True)
    s = ag.tensor(SRC, requires_grad=True)
    ag.scatter(x, 1, ag.tensor(IDX), s, reduce="multiply").sum().backward()
    # d out[0,0] / d x[0,0] = 2 * 3; d out[1,1] / d s[1,0] = x[1,1] * 6 * 7 = 5 * 42
    assert x.grad.tolist() == [[6.0, 1.0, 4.0], [1.0, 210.0, 1.0]]
    assert s.grad.tolist() == [[3.0, 2.0, 3.0], [210.0, 175.0, 150.0]]


def test_tensor_src_with_reduce_warns_as_pytorch():
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src"):
        ag.scatter(ag.tensor(X), 1, ag.tensor(IDX), ag.tensor(SRC), reduce="add")


def test_other_reduce_refused_as_pytorch():
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply"):
        ag.scatter(ag.tensor(X), 1, ag.tensor(IDX), 1.0, reduce="max")


@pytest.mark.filterwarnings("ignore:The reduce argument")
@pytest.mark.torch_parity
def test_multiply_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, src = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
        idx = rng.integers(0, 4, (3, 2))
        for dim_src in (src, 0.7):
            ours = ag.scatter(ag.tensor(x), 1, ag.tensor(idx), ag.tensor(dim_src)
                              if isinstance(dim_src, np.ndarray) else dim_src,
                              reduce="multiply")
            ref = torch.scatter(torch.tensor(x), 1, torch.tensor(idx), torch.tensor(dim_src)
                                if isinstance(dim_src, np.ndarray) else dim_src,
                                reduce="multiply")
            np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-15)
