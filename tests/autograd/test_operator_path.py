"""The operators' one-frame path (``node.operator``: ``x + y``, ``x - y``, ``x * y``, ``x / y``)
records what ``cls.apply`` records: the same result array bit for bit, the same node with the
same edges, saved values, saved Tensors and version snapshots, for every kind of operand it
takes itself (Tensors of one floating dtype, Python numbers) and those it hands to ``apply``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.node import operator
from autograd_core.ops.binary import Add, Div, Mul, RsubScalar, Sub
from autograd_core.tensor import Tensor

OPS = [Add, Sub, Mul, Div, RsubScalar]
SHAPES = [(), (1,), (3,), (2, 3), (2, 1), (0,), (0, 3)]


def _operand(kind, shape, dtype, rng):
    """A fresh operand: ``leaf``/``const`` Tensors, ``inner`` (a non-leaf), ``view`` (a
    non-leaf with an output index of its own), or a Python ``float``/``int``/numpy array."""
    arr = (rng.standard_normal(shape) + 2.0).astype(dtype)
    if kind == "leaf":
        return Tensor._wrap(arr, requires_grad=True)
    if kind == "const":
        return Tensor._wrap(arr)
    if kind == "inner":
        return Tensor._wrap(arr, requires_grad=True) * 1.5
    if kind == "multi":  # output 1 of a two-output op
        base = Tensor._wrap(np.concatenate([arr.reshape(-1), arr.reshape(-1)]),
                            requires_grad=True)
        return base.chunk(2)[1].reshape(shape)
    if kind == "float":
        return 0.75
    if kind == "int":
        return 3
    return arr  # an ndarray operand: apply's path


def assert_same_record(fast, slow):
    """``fast`` and ``slow`` (results of the two paths) are the same record."""
    assert type(fast) is type(slow)
    assert fast._data.dtype == slow._data.dtype and fast._data.shape == slow._data.shape
    np.testing.assert_array_equal(fast._data, slow._data)
    assert fast._requires_grad == slow._requires_grad
    assert fast._out_idx == slow._out_idx == 0
    assert fast._version == slow._version
    nf, ns = fast.grad_fn, slow.grad_fn
    if ns is None:
        assert nf is None
        return
    assert type(nf) is type(ns)
    df = {k: v for k, v in vars(nf).items() if k != "_seq"}
    ds = {k: v for k, v in vars(ns).items() if k != "_seq"}
    assert df.keys() == ds.keys()
    for k in ds:
        a, b = df[k], ds[k]
        if k in ("next", "_saved_refs"):
            assert len(a) == len(b) and all(p is q for p, q in zip(a, b)), k
        elif k == "_saved":
            for p, q in zip(a, b, strict=True):
                assert p is q or (isinstance(q, (int, float)) and p == q), k
        elif k == "_saved_versions":
            assert len(a) == len(b), k
            for j in range(0, len(b), 2):
                assert a[j] is b[j] and a[j + 1] == b[j + 1], k
        else:
            assert a == b, k


KINDS = ["leaf", "const", "inner", "multi", "float", "int", "array"]


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from(OPS), kx=st.sampled_from(["leaf", "const", "inner", "multi"]),
       ky=st.sampled_from(KINDS), sx=st.sampled_from(SHAPES), sy=st.sampled_from(SHAPES),
       dx=st.sampled_from([np.float32, np.float64, np.float16, np.int64]),
       dy=st.sampled_from([np.float32, np.float64, np.int32]),
       grad_mode=st.booleans(), reflected=st.booleans(), seed=st.integers(0, 2**16))
def test_operator_records_what_apply_records(op, kx, ky, sx, sy, dx, dy, grad_mode, reflected,
                                             seed):
    """``x (op) y`` and, reflected (``__rmul__``: ``y * x`` with a Tensor ``x``), the
    operator against ``apply`` in the op's argument order."""
    rng = np.random.default_rng(seed)
    if kx != "const" and dx == np.int64:
        dx = np.float32  # integer tensors cannot require grad
    if ky in ("leaf", "inner", "multi") and dy == np.int32:
        dy = np.float64
    x = _operand(kx, sx, dx, rng)
    y = _operand(ky, sy, dy, rng)
    fast_fn = operator(op, reflected=reflected)
    with ag.set_grad_enabled(grad_mode), np.errstate(all="ignore"):
        try:
            slow = op.apply(y, x) if reflected else op.apply(x, y)
        except Exception as e:  # the fast path must raise the same error
            with pytest.raises(type(e)) as info:
                fast_fn(x, y)
            assert str(info.value) == str(e)
            return
        fast = fast_fn(x, y)
    assert_same_record(fast, slow)


@pytest.mark.parametrize("op", OPS)
def test_same_tensor_twice_and_shared_arrays(op):
    """``x * x``, and two Tensors over one array: the saved Tensor is the one ``apply``
    finds (the first argument holding the array), its version counter shared."""
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert_same_record(operator(op)(x, x), op.apply(x, x))
    d = x.detach()
    assert d._data is x._data
    assert_same_record(operator(op)(x, d), op.apply(x, d))
    assert_same_record(operator(op)(d, x), op.apply(d, x))


def test_operators_are_the_one_frame_path():
    """Tensor's ``+ - * /`` and their reflected forms are ``node.operator``'s functions (so
    the test above covers them)."""
    for name, cls in [("add", Add), ("sub", Sub), ("mul", Mul), ("truediv", Div)]:
        assert getattr(Tensor, f"__{name}__").__name__ == f"{cls.__name__.lower()}_operator"
        # 2 + x and 2 * x record x first (PyTorch's order): the unreflected functions;
        # `2 / x` is PyTorch's reciprocal(x) * 2 (its values and saves); `2 - x` is Sub's
        # reflected form under PyTorch's name (RsubScalar, a Sub)
        if name != "truediv":
            assert getattr(Tensor, f"__r{name}__").__name__ == (
                f"{cls.__name__.lower()}_operator" if name in ("add", "mul") else
                "rsubscalar_reflected_operator")


def test_watchers_take_apply():
    """Anomaly mode checks the forward (NaN from 0/0) and saved-tensor hooks see what is
    saved: both through apply, as before."""
    x = ag.tensor([0.0], requires_grad=True)
    with ag.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="nan|NaN"):
            with np.errstate(invalid="ignore"):
                (x / x).sum().backward()
    packed = []

    def pack(t):
        packed.append(t)
        return t

    y = ag.tensor([2.0], requires_grad=True)
    with ag.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        z = x * y
    assert [p is q for p, q in zip(packed, [y, x])] == [True, True]
    z.backward()
    assert y.grad.tolist() == [0.0] and x.grad.tolist() == [2.0]


def test_broadcast_error_is_pytorchs():
    a = ag.ones(2, 3, requires_grad=True)
    b = ag.ones(4)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "
                                           r"tensor b \(4\) at non-singleton dimension 1"):
        a * b


def test_gradients_through_a_chain_equal_apply():
    """A chain built with the operators and the same chain built with apply: the same
    gradients bit for bit (float32, broadcasting, numbers)."""
    grads = []
    for via_apply in (False, True):
        rng = np.random.default_rng(0)
        x = ag.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
        c = ag.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
        if via_apply:
            add, sub, mul, div = Add.apply, Sub.apply, Mul.apply, Div.apply
        else:
            add, sub, mul, div = (operator(k) for k in (Add, Sub, Mul, Div))
        z = x
        for _ in range(5):
            z = div(sub(add(mul(z, c), 0.5), c), add(mul(c, c), 2))
        z.sum().backward()
        grads.append((x.grad._data.copy(), c.grad._data.copy()))
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", ["one", "two-first", "two-second", "three-first",
                                  "three-second", "three-output"])
def test_a_saved_tensor_changed_in_place_is_refused(case):
    """The version check reads one, two or three saved tensors (``a ** b`` saves a, b and its
    output): a change to any one of them refuses backward with PyTorch's error."""
    a, b = (ag.tensor([1.0, 2.0], requires_grad=True) * 1.0 for _ in range(2))
    y = {"one": lambda: a.sin(), "two": lambda: a * b, "three": lambda: a ** b}[
        case.split("-")[0]]()
    assert len(y.grad_fn._saved_versions) == 2 * {"one": 1, "two": 2, "three": 3}[
        case.split("-")[0]]
    changed = {"one": a, "first": a, "second": b, "output": y}[case.split("-")[-1]]
    with ag.no_grad():
        changed.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.torch_parity
def test_version_is_pytorchs_number():
    """``x._version`` is the count of in-place changes, shared with views, as PyTorch's (it
    was the internal counter cell: None, or a one-element list)."""
    torch = pytest.importorskip("torch")
    seen = []
    for lib in (ag, torch):
        x = lib.zeros(3, requires_grad=False)
        counts = [x._version]
        v = x[1:]
        v.add_(1)
        counts += [x._version, v._version]
        x.mul_(2)
        y = x.view(3)
        x[0] = 5.0
        counts += [x._version, v._version, y._version]
        w = lib.ones(2, requires_grad=True)
        counts.append((w * 2)._version)
        seen.append(counts)
    assert seen[0] == seen[1]
    assert all(type(c) is int for c in seen[0])
