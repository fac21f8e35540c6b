"""Names PyTorch programs use that were missing: hstack/vstack, dot/outer, Tensor.new_*,
inference_mode, finfo/iinfo and the constants; hand-worked values, and PyTorch's where it is
installed."""

import math

import numpy as np
import pytest

import autograd_core as ag


def test_stacking_and_products_by_hand():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor([4.0, 5.0, 6.0], requires_grad=True)
    assert ag.hstack([a, b]).tolist() == [1, 2, 3, 4, 5, 6]
    assert ag.vstack([a, b]).tolist() == [[1, 2, 3], [4, 5, 6]]
    assert ag.hstack([a.reshape(3, 1), b.reshape(3, 1)]).shape == (3, 2)
    d = ag.dot(a, b)
    assert d.item() == 32.0
    d.backward()
    assert a.grad.tolist() == [4, 5, 6] and b.grad.tolist() == [1, 2, 3]
    assert a.outer(b).tolist()[2] == [12, 15, 18]
    with pytest.raises(RuntimeError, match="1D tensors expected"):
        ag.dot(a.reshape(3, 1), b)
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        ag.dot(a, ag.ones(2))


def test_new_factories_take_this_tensors_dtype():
    x = ag.ones(2, dtype=ag.float64)
    assert x.new_zeros(3).dtype == np.float64 and x.new_zeros(3).tolist() == [0, 0, 0]
    assert x.new_ones(2, 2).shape == (2, 2)
    assert x.new_full((2,), 7.0).tolist() == [7.0, 7.0]
    assert x.new_tensor([1, 2]).dtype == np.float64
    assert x.new_zeros(2, dtype=ag.int64).dtype == np.int64
    assert x.new_ones(2, requires_grad=True).requires_grad


def test_inference_mode_records_nothing_and_false_leaves_grad_mode():
    w = ag.ones(2, requires_grad=True)
    with ag.inference_mode():
        assert not (w * 2).requires_grad and ag.is_inference_mode_enabled()
    assert (w * 2).requires_grad

    @ag.inference_mode
    def bare(t):
        return t * 2

    @ag.inference_mode()
    def called(t):
        return t * 2

    assert not bare(w).requires_grad and not called(w).requires_grad
    with ag.inference_mode(False):
        assert (w * 2).requires_grad


def test_finfo_iinfo_and_constants():
    f = ag.finfo(ag.float32)
    assert f.eps == 2.0 ** -23 and f.bits == 32 and f.max == float(np.finfo(np.float32).max)
    assert ag.finfo(ag.float64).tiny == 2.0 ** -1022
    assert ag.iinfo(ag.int64).max == 2**63 - 1 and ag.iinfo(ag.uint8).min == 0
    with pytest.raises(TypeError, match="floating point"):
        ag.finfo(ag.int64)
    assert ag.pi == math.pi and ag.e == math.e and ag.inf == math.inf and math.isnan(ag.nan)
    assert ag.newaxis is None and ag.ones(3)[:, ag.newaxis].shape == (3, 1)  # torch.newaxis


@pytest.mark.torch_parity
def test_the_new_names_agree_with_torch():
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal(4), rng.standard_normal(4)
    ours = [ag.tensor(u, requires_grad=True), ag.tensor(v, requires_grad=True)]
    theirs = [torch.tensor(u, requires_grad=True), torch.tensor(v, requires_grad=True)]
    for fn in (lambda lib, a, b: lib.dot(a, b), lambda lib, a, b: lib.outer(a, b).sum() * 3,
               lambda lib, a, b: (lib.hstack([a, b]) ** 2).sum(),
               lambda lib, a, b: (lib.vstack([a, b]) * lib.vstack([b, a])).sum()):
        for t in ours + theirs:
            t.grad = None
        fn(ag, *ours).backward()
        fn(torch, *theirs).backward()
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    for dt in ("float16", "float32", "float64"):
        tf, of = torch.finfo(getattr(torch, dt)), ag.finfo(getattr(ag, dt))
        assert (of.eps, of.max, of.min, of.tiny, of.bits) == (tf.eps, tf.max, tf.min, tf.tiny,
                                                               tf.bits)
    for dt in ("uint8", "int8", "int32", "int64"):
        ti, oi = torch.iinfo(getattr(torch, dt)), ag.iinfo(getattr(ag, dt))
        assert (oi.max, oi.min, oi.bits) == (ti.max, ti.min, ti.bits)


def test_var_mean_std_mean_and_diag_by_hand():
    x = ag.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    v, m = ag.var_mean(x, dim=1)
    assert v.tolist() == [1.0, 4.0] and m.tolist() == [2.0, 4.0]
    s, m2 = ag.std_mean(x, dim=1, correction=0)
    np.testing.assert_allclose(s.numpy(), [np.sqrt(2 / 3), np.sqrt(8 / 3)], rtol=1e-6)
    assert m2.tolist() == [2.0, 4.0]
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    d = ag.diag(a, 1)
    assert d.tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    (d * ag.tensor([[0.0, 5.0, 0.0], [0.0, 0.0, 7.0], [0.0, 0.0, 0.0]])).sum().backward()
    assert a.grad.tolist() == [5.0, 7.0]
    m3 = ag.tensor(np.arange(12.0).reshape(3, 4))
    assert ag.diag(m3).tolist() == [0, 5, 10] and m3.diag(-1).tolist() == [4, 9]
    with pytest.raises(RuntimeError, match="Supports 1D or 2D"):
        ag.diag(ag.zeros(2, 2, 2))


def test_normal_set_default_device_and_parameter_list():
    import nn

    g = ag.Generator().manual_seed(3)
    s = ag.normal(1.0, 0.0, (4,), generator=g)
    assert s.shape == (4,) and s.tolist() == [1.0] * 4  # std 0: exactly the mean
    m = ag.zeros(3, requires_grad=True)
    ag.normal(m, 2.0).sum().backward()  # d/dmean (mean + std * noise) = 1
    assert m.grad.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError, match="give size"):
        ag.normal(0.0, 1.0)
    ag.set_default_device("cpu")
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        ag.set_default_device("cuda")
    pl = nn.ParameterList([ag.ones(2), ag.zeros(3)])
    pl.append(np.ones(1, np.float32))
    assert len(pl) == 3 and all(isinstance(p, nn.Parameter) for p in pl)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = pl

    assert [k for k, _ in Net().named_parameters()] == ["ps.0", "ps.1", "ps.2"]
    assert list(Net().state_dict()) == ["ps.0", "ps.1", "ps.2"]


@pytest.mark.torch_parity
def test_var_mean_diag_normal_names_match_torch():
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    x = np.random.default_rng(1).standard_normal((3, 4))
    for fn in ("var_mean", "std_mean"):
        ours = getattr(ag, fn)(ag.tensor(x), dim=0, correction=1, keepdim=True)
        theirs = getattr(torch, fn)(torch.tensor(x), dim=0, correction=1, keepdim=True)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
    for k in (-2, -1, 0, 1, 3):
        np.testing.assert_array_equal(ag.diag(ag.tensor(x), k).numpy(),
                                      torch.diag(torch.tensor(x), k).numpy())
        np.testing.assert_array_equal(ag.diag(ag.tensor(x[0]), k).numpy(),
                                      torch.diag(torch.tensor(x[0]), k).numpy())
    import nn

    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(1)), torch.ones(2)])
    ours = nn.ParameterList([nn.Parameter(ag.ones(1)), ag.ones(2)])
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
