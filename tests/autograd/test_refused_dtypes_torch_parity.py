"""Inputs PyTorch refuses and tapegrad used to compute: an index_put (``x[[0, 1]] = t``) with
a source of another dtype, ``fmod``/``remainder`` of bool tensors, ``where(..., out=)`` with a
number or an ``out`` of another dtype, ``signbit``/``isneginf``/``isposinf`` into a non-bool
``out``. Each refusal comes before anything is written."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.parametrize("index", [[0, 1], "tensor", "mask", (Ellipsis, [0, 1])])
def test_index_put_refuses_another_dtype(index):
    x = ag.zeros(3)
    if index == "tensor":
        index = ag.tensor([0, 1])
    elif index == "mask":
        index = ag.tensor([True, True, False])
    with pytest.raises(RuntimeError, match="Index put requires the source and destination "
                       "dtypes match, got Float for the destination and Double for the source"):
        x[index] = ag.ones(2, dtype=ag.float64)
    assert x.tolist() == [0.0, 0.0, 0.0]  # nothing written
    with pytest.raises(RuntimeError, match="got Float for the destination and Long"):
        x[index] = ag.tensor([1, 2])


def test_index_put_refuses_another_dtype_with_grad():
    x = ag.zeros(3, requires_grad=True).clone()
    with pytest.raises(RuntimeError, match="Index put requires"):
        x[[0, 1]] = ag.ones(2, dtype=ag.float64, requires_grad=True)
    assert x.grad_fn.name() == "CloneBackward0"


def test_copy_forms_still_cast():
    # a slice, an int or a 0-d int index tensor copy into a view (cast); a number is cast
    x = ag.zeros(4)
    x[0:2] = ag.tensor([1.5, 2.5], dtype=ag.float64)
    x[2] = ag.tensor(3.5, dtype=ag.float64)
    x[ag.tensor(3)] = ag.tensor(4, dtype=ag.int64)
    assert x.tolist() == [1.5, 2.5, 3.5, 4.0]
    n = ag.zeros(3, dtype=ag.int64)
    n[[0, 1]] = 2.5
    assert n.tolist() == [2, 2, 0]
    x = ag.zeros(2)
    x[[0, 1]] = ag.tensor([1.0, 2.0])  # same dtype: written
    assert x.tolist() == [1.0, 2.0]


def test_index_put_method_names_dtypes_as_pytorch():
    with pytest.raises(RuntimeError, match="got Float for the destination and Double"):
        ag.zeros(3).index_put_((ag.tensor([0]),), ag.ones(1, dtype=ag.float64))


@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_mod_of_bools_refused(name):
    b = ag.tensor([True, True])
    msg = f'"{name}_cpu" not implemented for \'Bool\''
    for args in ((b, b), (b, True), (True, b)):
        with pytest.raises(NotImplementedError, match=msg):
            getattr(ag, name)(*args)
    with pytest.raises(NotImplementedError, match=msg):
        getattr(b.clone(), name + "_")(b)
    # a bool with an integer or a float promotes and is computed: 1 % 2 = 1, 0 % 2 = 0
    assert getattr(ag, name)(ag.tensor([True, False]), 2).tolist() == [1, 0]
    assert getattr(ag, name)(ag.tensor([True, False]), 2.0).tolist() == [1.0, 0.0]


def test_bool_percent_refused():
    b = ag.tensor([True])
    with pytest.raises(NotImplementedError, match="remainder_cpu"):
        b % b


def test_where_out_needs_tensors_and_the_result_dtype():
    c, x = ag.tensor([True, False]), ag.tensor([1.0, 2.0])
    o = ag.full((2,), 7.0)
    with pytest.raises(TypeError, match=r"argument 'other' \(position 3\) must be Tensor, not float"):
        ag.where(c, x, 0.5, out=o)
    with pytest.raises(TypeError, match=r"argument 'input' \(position 2\) must be Tensor"):
        ag.where(c, 0.5, x, out=o)
    for dt, name in ((ag.float64, "Double"), (ag.float16, "Half"), (ag.int64, "Long")):
        o = ag.full((2,), 7, dtype=dt)
        with pytest.raises(RuntimeError, match=f"Expected out type to be Float but got {name}"):
            ag.where(c, x, ag.tensor(0.5), out=o)
        assert o.tolist() == [7, 7]
    o = ag.empty(2)
    assert ag.where(c, x, ag.tensor(0.5), out=o) is o and o.tolist() == [1.0, 0.5]
    assert ag.where(c, x, 0.5).tolist() == [1.0, 0.5]  # a number without out=: taken


@pytest.mark.parametrize("name", ["signbit", "isneginf", "isposinf"])
def test_predicates_need_a_bool_out(name):
    x = ag.tensor([-float("inf"), -0.0, 1.0, float("inf")])
    for dt in (ag.float32, ag.float64, ag.int64, ag.uint8):
        o = ag.full((4,), 7, dtype=dt)
        with pytest.raises(RuntimeError, match=f"{name} does not support non-boolean outputs"):
            getattr(ag, name)(x, out=o)
        assert o.tolist() == [7] * 4
    o = ag.empty(4, dtype=ag.bool)
    getattr(ag, name)(x, out=o)
    expect = {"signbit": np.signbit, "isneginf": np.isneginf, "isposinf": np.isposinf}[name]
    assert o.tolist() == expect(np.array([-np.inf, -0.0, 1.0, np.inf])).tolist()


@pytest.mark.torch_parity
def test_same_refusals_as_torch():
    torch = pytest.importorskip("torch")

    def outcome(lib, case):
        try:
            r = case(lib)
        except (RuntimeError, TypeError, NotImplementedError) as e:
            return type(e).__name__, str(e).splitlines()[0]
        return "ok", r.tolist()

    def put(lib, index, value, dtype="float32"):
        x = lib.zeros(3, dtype=getattr(lib, dtype))
        x[index] = value(lib)
        return x

    cases = [
        lambda L: put(L, [0, 1], lambda L: L.ones(2, dtype=L.float64)),
        lambda L: put(L, [0, 1], lambda L: L.tensor(2.0, dtype=L.float64)),
        lambda L: put(L, L.tensor([True, False, True]), lambda L: L.ones(2, dtype=L.float64)),
        lambda L: put(L, slice(0, 2), lambda L: L.ones(2, dtype=L.float64)),
        lambda L: put(L, 0, lambda L: L.tensor(3.0, dtype=L.float64)),
        lambda L: put(L, [0, 1], lambda L: 2.5, "int64"),
        lambda L: put(L, [0, 1], lambda L: L.ones(2), "float16"),
        lambda L: L.fmod(L.tensor([True]), L.tensor([True])),
        lambda L: L.remainder(L.tensor([True]), True),
        lambda L: L.remainder(2, L.tensor([True])),
        lambda L: L.where(L.tensor([True, False]), L.ones(2), 0.5, out=L.empty(2)),
        lambda L: L.where(L.tensor([True, False]), L.ones(2), L.zeros(2, dtype=L.float64),
                          out=L.empty(2)),
        lambda L: L.where(L.tensor([True, False]), L.ones(2), L.zeros(2, dtype=L.float64),
                          out=L.empty(2, dtype=L.float64)),
        lambda L: L.signbit(L.tensor([-1.0, 1.0]), out=L.empty(2)),
        lambda L: L.signbit(L.tensor([-1.0, 1.0]), out=L.empty(2, dtype=L.bool)),
    ]
    for case in cases:
        assert outcome(ag, case) == outcome(torch, case)
