"""``Tensor.swapaxes_``/``swapdims_`` (in-place transposes, a view staying a view),
``float_power_`` (a float64 tensor only) and ``polygamma_(n)``: values worked by hand,
PyTorch's errors, gradients through them, then the same against torch 2.13."""

import math
import re

import numpy as np
import pytest

import autograd_core as ag

ZETA3 = 1.2020569031595942  # Apery's constant, zeta(3)


def test_swaps_change_the_tensor_itself():
    x = ag.tensor([[1, 2, 3], [4, 5, 6]])
    assert x.swapaxes_(0, 1) is x
    assert x.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert x.swapdims_(-1, -2) is x and x.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert ag.zeros(2, 3, 4).swapaxes_(axis0=0, axis1=2).shape == (4, 3, 2)
    assert ag.zeros(2, 3, 4).swapdims_(dim0=1, dim1=2).shape == (2, 4, 3)
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got 2"):
        ag.zeros(2, 3).swapaxes_(0, 2)
    with pytest.raises(TypeError):
        ag.zeros(2, 3).swapaxes_(dim0=0, dim1=1)  # numpy's names for swapaxes_, as torch


def test_swapped_view_still_writes_through_to_its_base():
    base = ag.arange(6.0).view(2, 3)
    v = base[:, :2]
    v.swapdims_(0, 1)
    assert v.tolist() == [[0.0, 3.0], [1.0, 4.0]]
    v[0, 1] = 100.0  # element (1, 0) of base
    assert base.tolist() == [[0.0, 1.0, 2.0], [100.0, 4.0, 5.0]]


def test_swaps_keep_autograd_rules():
    a = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        a.swapaxes_(0, 1)
    b = a * ag.tensor([1.0, 2.0, 3.0])
    b.swapaxes_(0, 1)
    assert b.shape == (3, 2)
    (b * ag.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])).sum().backward()
    assert a.grad.tolist() == [[1.0, 0.0, 3.0], [0.0, 2.0, 3.0]]


def test_float_power_in_place_needs_the_result_dtype():
    x = ag.tensor([2.0, 3.0], dtype=ag.float64)
    assert x.float_power_(2) is x and x.tolist() == [4.0, 9.0]
    assert x.float_power_(ag.tensor([0.5, -1.0])).tolist() == [2.0, 1 / 9]
    for t, have, want in ((ag.tensor([1.0]), "Float", "Double"),
                          (ag.tensor([1]), "Long", "Double"),
                          (ag.tensor([1.0], dtype=ag.float64), "Double", "ComplexDouble")):
        with pytest.raises(RuntimeError) as e:
            t.float_power_(2j if have == "Double" else 2)
        assert str(e.value) == (f"the base given to float_power_ has dtype {have} but the "
                                f"operation's result requires dtype {want}")
    z = ag.tensor([1j, 2.0], dtype=ag.complex128)
    assert z.float_power_(2).tolist() == [-1 + 0j, 4 + 0j]
    assert ag.float_power(ag.tensor([1 + 1j], dtype=ag.complex64), 2).tolist() == [2j]


def test_float_power_in_place_gradient():
    a = ag.tensor([1.5, -2.0], dtype=ag.float64, requires_grad=True)
    b = a * 1
    b.float_power_(3)
    b.sum().backward()
    assert a.grad.tolist() == [3 * 1.5 ** 2, 3 * 4.0]


def test_polygamma_in_place_values_errors_and_gradient():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64)
    assert x.polygamma_(1) is x
    np.testing.assert_allclose(x.numpy(), [math.pi ** 2 / 6, math.pi ** 2 / 6 - 1], rtol=1e-12)
    g = ag.tensor([1.0], dtype=ag.float64).polygamma_(0)  # digamma(1) = -Euler's gamma
    np.testing.assert_allclose(g.numpy(), [-0.5772156649015329], rtol=1e-12)
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired "
                                           "output type Long$"):
        ag.tensor([1, 2]).polygamma_(1)
    with pytest.raises(RuntimeError, match="^polygamma\\(n, x\\) does not support negative n"):
        ag.tensor([1.0]).polygamma_(-1)
    with pytest.raises(TypeError, match="^polygamma_\\(\\): argument 'n' \\(position 1\\) must "
                                        "be int, not float$"):
        ag.tensor([1.0]).polygamma_(1.5)
    a = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    b = a * 1
    b.polygamma_(1)
    b.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [-2 * ZETA3], rtol=1e-10)  # polygamma(2, 1)


@pytest.mark.torch_parity
def test_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 3.0, (2, 3))
    cases = [
        (lambda t: t.swapaxes_(0, 1), x),
        (lambda t: t.swapdims_(-1, 0), x),
        (lambda t: t.float_power_(2.5), x),
        (lambda t: t.polygamma_(2), x),
        (lambda t: t.polygamma_(0), x.astype(np.float32)),
        (lambda t: t.float_power_(2), x.astype(np.float32)),
        (lambda t: t.polygamma_(1), np.array([1, 2])),
        (lambda t: t.polygamma_(-1), x),
        (lambda t: t.swapaxes_(0, 2), x),
    ]
    for fn, arr in cases:
        results = []
        for lib in (ag, torch):
            t = lib.tensor(arr.copy())
            try:
                r = fn(t)
                results.append((r is t, str(r.dtype).split(".")[-1], r.numpy()))
            except (RuntimeError, IndexError, TypeError) as e:
                # the op's name leads our messages ("transpose: dimension out of range ...")
                results.append((type(e).__name__, re.sub(r"^\w+: ", "", str(e)).lower()))
        assert results[0][:2] == results[1][:2]
        if len(results[0]) == 3:  # float32 digamma: ours rounds float64's, to 1 ulp
            np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-6)
    base_o, base_t = ag.arange(6.0).view(2, 3), torch.arange(6.0).view(2, 3)
    for base in (base_o, base_t):
        v = base[:, :2]
        v.swapaxes_(0, 1)
        v[0, 1] = 100.0
    assert base_o.tolist() == base_t.tolist()
