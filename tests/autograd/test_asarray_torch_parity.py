"""``asarray``: ``copy=None/True/False``, dtype, memory shared with numpy arrays and tensors,
``requires_grad`` (PyTorch's rules: a shared leaf itself, a non-leaf through a detached alias)."""

import numpy as np
import pytest

import autograd_core as ag


def test_numpy_shared_copied_or_refused():
    a = np.array([1.0, 2.0])
    t = ag.asarray(a)
    assert t.dtype == ag.float64 and np.shares_memory(t.numpy(), a)
    assert np.shares_memory(ag.asarray(a, copy=False).numpy(), a)
    assert not np.shares_memory(ag.asarray(a, copy=True).numpy(), a)
    assert np.shares_memory(ag.asarray(a[::2]).numpy(), a)
    c = ag.asarray(a, dtype=ag.float32)  # a cast copies
    assert c.dtype == ag.float32 and not np.shares_memory(c.numpy(), a)
    with pytest.raises(ValueError, match="can't alias tensor with dtype 'Double' into dtype "
                       "'Float'."):
        ag.asarray(a, dtype=ag.float32, copy=False)
    r = ag.asarray(a, requires_grad=True)
    assert r.requires_grad and r.is_leaf and np.shares_memory(r.detach().numpy(), a)


def test_sequences_and_numbers():
    assert ag.asarray([1.0, 2.0]).dtype == ag.float32
    assert ag.asarray([1, 2]).dtype == ag.int64
    assert ag.asarray(3.5).item() == 3.5 and ag.asarray(3.5).ndim == 0
    assert ag.asarray([1, 2], dtype=ag.float64).tolist() == [1.0, 2.0]
    for obj in ([1.0], 3.5):
        with pytest.raises(ValueError, match="can't alias arbitrary sequence into a tensor."):
            ag.asarray(obj, copy=False)
    with pytest.raises(RuntimeError, match="floating point and complex dtype can require "
                       "gradients"):
        ag.asarray([1, 2], requires_grad=True)


def test_tensors():
    t = ag.tensor([1.0, 2.0])
    assert ag.asarray(t) is t and ag.asarray(t, copy=False) is t
    assert ag.asarray(t, dtype=ag.float32, copy=False) is t
    c = ag.asarray(t, copy=True)
    c.add_(1.0)
    assert t.tolist() == [1.0, 2.0] and c.tolist() == [2.0, 3.0]
    assert ag.asarray(t, dtype=ag.float64).dtype == ag.float64
    with pytest.raises(ValueError, match="can't alias tensor with dtype 'Float' into dtype "
                       "'Double'."):
        ag.asarray(t, dtype=ag.float64, copy=False)


def _fresh():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    return x, x * 2


def test_requires_grad_rules():
    x, z = _fresh()
    assert ag.asarray(z) is z and ag.asarray(z, requires_grad=True) is z
    d = ag.asarray(z, requires_grad=False)  # a non-leaf: a detached alias
    assert d is not z and not d.requires_grad and z.requires_grad
    assert np.shares_memory(d.numpy(), z.detach().numpy())
    assert ag.asarray(x, requires_grad=False) is x and not x.requires_grad  # a leaf: itself
    x, z = _fresh()
    c = ag.asarray(z, copy=True)  # recorded, as clone
    c.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    x, _ = _fresh()
    c = ag.asarray(x, dtype=ag.float64)  # recorded, as to
    assert c.requires_grad and not c.is_leaf
    assert not ag.asarray(x, copy=True, requires_grad=False).requires_grad and x.requires_grad
    t = ag.tensor([1.0])
    assert ag.asarray(t, requires_grad=True) is t and t.requires_grad


@pytest.mark.torch_parity
@pytest.mark.filterwarnings("ignore:torch.asarray. unspecified requires_grad")
def test_against_torch():
    torch = pytest.importorskip("torch")

    def describe(lib, case):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = np.array([1.0, 2.0])
        src = {"leaf": x, "nonleaf": x * 2, "numpy": a, "list": [1.0, 2.0]}[case[0]]
        try:
            y = lib.asarray(src, **case[1])
        except ValueError as e:
            return str(e)
        base = src.detach().numpy() if isinstance(src, lib.Tensor) else src
        shared = isinstance(base, np.ndarray) and np.shares_memory(y.detach().numpy(), base)
        return (y is src, y.requires_grad, y.is_leaf, shared, str(y.dtype).split(".")[-1],
                getattr(src, "requires_grad", None))

    for src in ("leaf", "nonleaf", "numpy", "list"):
        for copy in (None, True, False):
            for rg in (None, True, False):
                for dtype in (None, "float32", "float64"):
                    kw = {"copy": copy, "requires_grad": rg}
                    case_ag = (src, {**kw, "dtype": dtype and getattr(ag, dtype)})
                    case_t = (src, {**kw, "dtype": dtype and getattr(torch, dtype)})
                    assert describe(ag, case_ag) == describe(torch, case_t), (src, kw, dtype)
