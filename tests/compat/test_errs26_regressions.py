"""PyTorch's errors where tapegrad raised numpy's, or answered where PyTorch refuses (errs26,
from a differential fuzzer's list, each checked against torch 2.13): shapes that do not
broadcast in every elementwise op (and its ``out=`` and in-place forms), ``roll`` of a 0-d
tensor along a dim, integer tensors given a gradient by ``copy_``, ``einsum`` of mixed dtypes,
empty integer ``softmax``, and the ops whose PyTorch node saves its input (an in-place change
of it refuses backward). Torch-free tests hold the type and wording; the ``torch_parity`` ones
run the same calls in both libraries."""

import re
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.registry import DECLS

VERSION_ERROR = "modified by an inplace operation"
MISMATCH = "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}"


def _ones(lib, shape, dtype="float64"):
    return lib.ones(shape, dtype=getattr(lib, dtype))


# ---- shapes that do not broadcast: PyTorch's RuntimeError, in every elementwise op -------------

def _working_call(fn):
    """``(n, dtype)`` for which ``fn`` takes ``n`` tensors of one shape: the arity and dtype at
    which the op is swept (an integer op refuses floats, a comparison takes them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for dtype in ("float64", "int64", "bool"):
            for n in (2, 3):
                try:
                    fn(*[_ones(ag, (2, 3), dtype) for _ in range(n)])
                except Exception:  # noqa: BLE001 - trying arities and dtypes
                    continue
                return n, dtype
    raise AssertionError(f"{fn.__name__}: no arity/dtype found to sweep it at")


ELEMENTWISE = sorted(d.name for d in DECLS.values() if d.elementwise)


def test_the_table_marks_the_elementwise_ops_the_fuzzer_named():
    assert {"atan2", "hypot", "addcmul", "addcdiv", "where", "sub", "clamp", "xlogy",
            "copysign", "fmod", "remainder", "logaddexp", "logaddexp2", "igamma", "complex",
            "polar", "eq", "bitwise_and", "special_xlog1py"} <= set(ELEMENTWISE)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_elementwise_op_refuses_shapes_that_do_not_broadcast(name):
    fn = DECLS[name].fn
    n, dtype = _working_call(fn)
    args = [_ones(ag, s, dtype) for s in [(2, 3), (2, 4), (2, 3)][:n]]
    with pytest.raises(RuntimeError, match=re.escape(MISMATCH.format(3, 4, 1))) as info:
        fn(*args)
    assert f"{name}: shapes (2, 3) and (2, 4)" in str(info.value)  # the op and both shapes


@pytest.mark.parametrize("call, sizes", [
    (lambda: ag.atan2(ag.ones(2, 3), ag.ones(2, 4)), (3, 4, 1)),
    (lambda: ag.hypot(ag.ones(4, 1, 3), ag.ones(2, 5)), (3, 5, 2)),
    (lambda: ag.addcmul(ag.ones(2, 3), ag.ones(2, 4), ag.ones(2, 3)), (3, 4, 1)),
    (lambda: ag.addcdiv(ag.ones(3), ag.ones(3), ag.ones(2, 4)), (3, 4, 1)),
    (lambda: ag.ones(2, 3).clamp(min=ag.ones(2, 4)), (3, 4, 1)),
    (lambda: ag.ones(5).fmod(ag.ones(4)), (5, 4, 0)),
    # where: the condition first, as ATen's TensorIterator folds its operands
    (lambda: ag.where(ag.ones(2, 3, dtype=ag.bool), ag.ones(2, 4), ag.ones(2, 3)), (3, 4, 1)),
    # masked_select: the mask first; take_along_dim: the shapes with a 1 at dim
    (lambda: ag.masked_select(ag.ones(2, 3), ag.ones(2, 4, dtype=ag.bool)), (4, 3, 1)),
    (lambda: ag.take_along_dim(ag.ones(2, 3), ag.zeros(3, 3, dtype=ag.int64), 1), (2, 3, 0)),
    (lambda: ag.broadcast_tensors(ag.ones(2, 3), ag.ones(2, 4)), (3, 4, 1)),
    (lambda: ag.isclose(ag.ones(2, 3), ag.ones(2, 4)), (3, 4, 1)),
])
def test_named_ops_give_pytorchs_message(call, sizes):
    with pytest.raises(RuntimeError, match=re.escape(MISMATCH.format(*sizes))):
        call()


def test_out_form_refuses_before_writing():
    out = ag.full((2, 3), 7.0)
    with pytest.raises(RuntimeError, match=re.escape(MISMATCH.format(3, 4, 1))):
        ag.atan2(ag.ones(2, 3), ag.ones(2, 4), out=out)
    assert (out.numpy() == 7.0).all()


@pytest.mark.parametrize("method, other", [("atan2_", (2, 3)), ("hypot_", (2, 3)),
                                            ("add_", (2, 3)), ("xlogy_", (2, 1))])
def test_in_place_form_into_a_smaller_tensor_gives_pytorchs_message(method, other):
    x = ag.full((3,), 0.5)
    version = x._version
    want = f"output with shape [3] doesn't match the broadcast shape [{other[0]}, 3]"
    with pytest.raises(RuntimeError, match=re.escape(want)):
        getattr(x, method)(ag.ones(other))
    assert x._version == version and (x.numpy() == 0.5).all()  # nothing written


def test_in_place_form_of_shapes_that_do_not_broadcast():
    x = ag.ones(3)
    with pytest.raises(RuntimeError, match=re.escape(MISMATCH.format(3, 4, 0))):
        x.atan2_(ag.ones(4))
    with pytest.raises(RuntimeError, match=re.escape(MISMATCH.format(3, 4, 0))):
        x.addcmul_(ag.ones(3), ag.ones(4))


def _torch_fn(torch, name):
    for mod, key in ((torch, name), (torch.special, name.removeprefix("special_"))):
        if getattr(mod, key, None) is not None:
            return getattr(mod, key)
    return None


@pytest.mark.torch_parity
def test_elementwise_ops_refuse_as_pytorch_does():
    torch = pytest.importorskip("torch")
    compared, wrong = 0, []
    for name in ELEMENTWISE:
        tfn = _torch_fn(torch, name)
        if tfn is None:
            continue
        n, dtype = _working_call(DECLS[name].fn)
        shapes = [(2, 3), (2, 4), (2, 3)][:n]
        with pytest.raises(RuntimeError) as theirs:
            tfn(*[_ones(torch, s, dtype) for s in shapes])
        with pytest.raises(RuntimeError) as ours:
            DECLS[name].fn(*[_ones(ag, s, dtype) for s in shapes])
        compared += 1
        if not str(ours.value).startswith(str(theirs.value)):
            wrong.append((name, str(theirs.value), str(ours.value)))
    assert compared >= 40 and not wrong, wrong


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", ["where", "masked_select", "take_along_dim",
                                  "atan2_", "add_", "atan2_bad", "addcdiv"])
def test_argument_order_and_in_place_messages_match_pytorch(case):
    torch = pytest.importorskip("torch")
    calls = {
        "where": lambda L: L.where(_ones(L, (2, 3), "bool"), _ones(L, (2, 4)), _ones(L, (2, 3))),
        "masked_select": lambda L: L.masked_select(_ones(L, (2, 3)), _ones(L, (2, 4), "bool")),
        "take_along_dim": lambda L: L.take_along_dim(_ones(L, (2, 3)),
                                                     _ones(L, (2, 4), "int64"), 0),
        "atan2_": lambda L: _ones(L, (3,)).atan2_(_ones(L, (2, 3))),
        "add_": lambda L: _ones(L, (3,)).add_(_ones(L, (2, 3))),
        "atan2_bad": lambda L: _ones(L, (3,)).atan2_(_ones(L, (4,))),
        "addcdiv": lambda L: L.addcdiv(_ones(L, (2, 1)), _ones(L, (3,)), _ones(L, (4,))),
    }
    with pytest.raises(RuntimeError) as theirs:
        calls[case](torch)
    with pytest.raises(RuntimeError) as ours:
        calls[case](ag)
    assert str(ours.value).startswith(str(theirs.value))


# ---- roll of a 0-d tensor along a dim ----------------------------------------------------------

@pytest.mark.parametrize("shifts, dims", [(1, 0), (1, -1), (2, 1), ((1,), (0,)), ((1, 1), (0, 0))])
def test_roll_of_a_0d_tensor_along_a_dim_is_refused(shifts, dims):
    first = dims if isinstance(dims, int) else dims[0]
    want = f"Dimension specified as {first} but tensor has no dimensions"
    with pytest.raises(IndexError, match=re.escape(want)):
        ag.roll(ag.tensor(3.0), shifts, dims)


def test_roll_without_shifts_and_0d_roll_without_dims():
    with pytest.raises(RuntimeError, match="`shifts` required"):
        ag.roll(ag.ones(3), (), ())
    assert ag.roll(ag.tensor(3.0), 1).item() == 3.0  # flattened: allowed, as PyTorch's


@pytest.mark.torch_parity
@pytest.mark.parametrize("shifts, dims", [(1, 0), (1, -1), (2, 1), ((1,), (0,)), ((), ())])
def test_roll_of_a_0d_tensor_matches_pytorch(shifts, dims):
    torch = pytest.importorskip("torch")
    with pytest.raises((IndexError, RuntimeError)) as theirs:
        torch.roll(torch.tensor(3.0), shifts, dims)
    with pytest.raises((IndexError, RuntimeError)) as ours:
        ag.roll(ag.tensor(3.0), shifts, dims)
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


# ---- integer tensors never take a gradient from a write ----------------------------------------

def _writes(lib):
    def copy(x, f):
        x.copy_(f)

    def setitem(x, f):
        x[0] = f[1]

    def view_copy(x, f):
        x[:, 0].copy_(f[:, 1] * 2)

    def fill(x, f):
        x.fill_(f[0, 0])

    return {"copy_": copy, "setitem": setitem, "view_copy": view_copy, "fill_": fill}


@pytest.mark.parametrize("write", ["copy_", "setitem", "view_copy", "fill_"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_writing_a_grad_requiring_value_into_an_integer_tensor_records_nothing(write, dtype):
    f = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = ag.zeros((2, 2), dtype=getattr(ag, dtype))
    _writes(ag)[write](x, f)
    assert not x.requires_grad and x.grad_fn is None
    y = ag.mm(x.long(), ag.ones((2, 2), dtype=ag.int64))  # fuzz24's int64 matmul
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.float().sum().backward()


@pytest.mark.torch_parity
@pytest.mark.parametrize("write", ["copy_", "setitem", "view_copy"])
def test_integer_tensor_written_from_a_grad_requiring_value_matches_pytorch(write):
    torch = pytest.importorskip("torch")
    got = []
    for lib in (torch, ag):
        f = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        x = lib.zeros((2, 2), dtype=lib.int64)
        _writes(lib)[write](x, f)
        got.append((x.requires_grad, x.tolist(), lib.mm(x, x).requires_grad))
    assert got[0] == got[1]


@pytest.mark.parametrize("op", ["select_scatter", "slice_scatter", "diagonal_scatter"])
def test_an_op_recording_an_integer_result_is_refused(op):
    x = ag.tensor([[1, 2], [3, 4]])
    f = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    call = {"select_scatter": lambda: ag.select_scatter(x, f[0], 0, 0),
            "slice_scatter": lambda: ag.slice_scatter(x, f[:1], 0, 0, 1),
            "diagonal_scatter": lambda: ag.diagonal_scatter(x, f[0])}[op]
    with pytest.raises(RuntimeError, match="Autograd not support dtype: Long"):
        call()


# ---- einsum of operands of several dtypes ------------------------------------------------------

@pytest.mark.parametrize("eq, shapes, dtypes, words", [
    ("i,i->", [(3,), (3,)], ("float32", "float64"), "expected scalar type Float but found Double"),
    ("ij,jk->ik", [(2, 3), (3, 2)], ("int64", "float32"), "expected scalar type Long but found Float"),
    ("i,i,i->", [(3,), (3,), (3,)], ("float32", "float32", "float64"),
     "expected scalar type Float but found Double"),
    # one dtype too: j is summed out of the second operand first, into int64
    ("i,j,i->", [(3,), (2,), (3,)], ("int32", "int32", "int32"),
     "expected scalar type Long but found Int"),
])
def test_einsum_contraction_of_two_dtypes_is_refused_as_pytorchs_bmm(eq, shapes, dtypes, words):
    ops = [ag.ones(s, dtype=getattr(ag, d)) for s, d in zip(shapes, dtypes)]
    with pytest.raises(RuntimeError, match=re.escape(words)):
        ag.einsum(eq, *ops)


def test_einsum_without_a_shared_summed_letter_promotes():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)  # float32
    b = ag.tensor([0.1, 0.2], dtype=ag.float64, requires_grad=True)
    y = ag.einsum("i,j->ij", a, b)
    assert y.dtype == ag.float64
    np.testing.assert_array_equal(y.detach().numpy(), np.outer([1.0, 2.0, 3.0], [0.1, 0.2]))
    y.sum().backward()
    assert a.grad.dtype == ag.float32 and b.grad.dtype == ag.float64
    np.testing.assert_allclose(a.grad.numpy(), [0.3] * 3, rtol=1e-6)
    np.testing.assert_array_equal(b.grad.numpy(), [6.0, 6.0])
    # a letter one operand holds alone is summed out of it first: int32 into int64
    z = ag.einsum("i,j->i", ag.ones(3, dtype=ag.int32), ag.ones(2, dtype=ag.bool))
    assert z.dtype == ag.int64 and z.tolist() == [2, 2, 2]
    w = ag.einsum("i,i,i->", *[ag.ones(3, dtype=ag.int32)] * 3)  # no letter summed alone
    assert w.dtype == ag.int32 and w.item() == 3


@pytest.mark.torch_parity
def test_einsum_of_mixed_dtypes_matches_pytorch():
    torch = pytest.importorskip("torch")
    cases = [("i,j->ij", [(3,), (2,)]), ("i,i->i", [(3,), (3,)]), ("i,i->", [(3,), (3,)]),
             ("ij,j->i", [(2, 3), (3,)]), ("i,j->", [(3,), (2,)]), ("ij,jk->ik", [(2, 1), (1, 2)]),
             ("ij,jk->ik", [(2, 3), (3, 2)]), ("...,...->...", [(2, 3), (3,)]),
             ("i,j,i->", [(3,), (2,), (3,)]), ("i,ij,j->", [(2,), (2, 3), (3,)])]
    dtypes = ["float32", "float64", "int64", "int32", "bool", "complex64", "float16"]
    rng = np.random.default_rng(0)
    wrong = []
    for eq, shapes in cases:
        for _ in range(12):
            combo = [dtypes[k] for k in rng.integers(0, len(dtypes), len(shapes))]
            vals = [rng.integers(0, 3, s) for s in shapes]
            res = []
            for lib in (torch, ag):
                try:
                    r = lib.einsum(eq, *[lib.tensor(v).to(getattr(lib, d))
                                         for v, d in zip(vals, combo)])
                    res.append((str(r.dtype).split(".")[-1], np.asarray(r.tolist()).tolist()))
                except (RuntimeError, NotImplementedError) as e:
                    res.append((type(e).__name__, str(e)))
            if res[0] != res[1]:
                wrong.append((eq, combo, res))
    assert not wrong, wrong[:5]


# ---- softmax of an empty integer tensor: returned, as PyTorch's (no kernel runs) --------------

@pytest.mark.parametrize("fn", [ag.softmax, ag.log_softmax])
@pytest.mark.parametrize("dtype", ["int64", "bool", "complex64"])
@pytest.mark.parametrize("shape, dim", [((0,), 0), ((2, 0), 0), ((0, 3), 1)])
def test_softmax_of_an_empty_non_float_tensor_is_returned(fn, dtype, shape, dim):
    y = fn(ag.ones(shape, dtype=getattr(ag, dtype)), dim)
    assert y.dtype == getattr(ag, dtype) and tuple(y.shape) == shape


# ---- ops whose PyTorch node saves the input: an in-place change of it refuses backward ---------

_SAVING = {  # each as lib (ag or torch) writes it, and the gradient of its sum at X
    "nansum": (lambda L, x: x.nansum(), [1.0, 1.0, 1.0, 1.0]),
    "nansum_dim": (lambda L, x: x.nansum(0), [1.0, 1.0, 1.0, 1.0]),
    "nanmean": (lambda L, x: x.nanmean(), [0.25, 0.25, 0.25, 0.25]),
    "median": (lambda L, x: x.median(), [1.0, 0.0, 0.0, 0.0]),
    "nanmedian": (lambda L, x: x.nanmedian(), [1.0, 0.0, 0.0, 0.0]),
    "cummax": (lambda L, x: x.cummax(0).values, [2.0, 0.0, 2.0, 0.0]),
    "cummin": (lambda L, x: x.cummin(0).values, [1.0, 3.0, 0.0, 0.0]),
    "dist": (lambda L, x: L.dist(x, L.zeros(4, dtype=L.float64), 1), [1.0, -1.0, 1.0, 1.0]),
    "dist_other": (lambda L, x: L.dist(L.zeros(4, dtype=L.float64), x, 1),
                   [1.0, -1.0, 1.0, 1.0]),
    "sgn": (lambda L, x: x.sgn(), [0.0, 0.0, 0.0, 0.0]),
}
X = [0.3, -0.7, 1.2, 0.5]
#: ops that keep only indices answer after the change, in PyTorch as here
_ANSWERING = {
    "median_dim": lambda L, x: x.median(0).values,
    "max_dim": lambda L, x: x.max(0).values,
    "kthvalue": lambda L, x: x.kthvalue(2).values,
    "sort": lambda L, x: x.sort().values,
}


def _run(lib, fn, change):
    a = lib.tensor(X, dtype=lib.float64, requires_grad=True)
    x = a * 1
    y = fn(lib, x)
    if change:
        x.mul_(2)
    y.sum().backward()
    return a.grad.tolist()


@pytest.mark.parametrize("name", sorted(_SAVING))
def test_in_place_change_of_a_saved_input_refuses_backward(name):
    fn, grad = _SAVING[name]
    assert _run(ag, fn, change=False) == grad  # the gradient itself is unchanged
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        _run(ag, fn, change=True)


@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_second_backward_through_a_full_median_refuses(name):
    x = ag.tensor(X, requires_grad=True)
    y = getattr(x, name)()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


@pytest.mark.torch_parity
def test_in_place_change_of_the_input_matches_pytorch():
    """Refused where PyTorch refuses, answered (the same gradient) where it answers."""
    torch = pytest.importorskip("torch")
    fns = {**{k: v[0] for k, v in _SAVING.items()}, **_ANSWERING}
    wrong = []
    for name, fn in sorted(fns.items()):
        got = []
        for lib in (torch, ag):
            try:
                got.append(_run(lib, fn, change=True))
            except RuntimeError as e:
                got.append(VERSION_ERROR in str(e))
        if got[0] != got[1]:
            wrong.append((name, got))
    assert not wrong, wrong


# ---- where's condition: a bool tensor (uint8 warned, as PyTorch's), else refused ---------------

@pytest.mark.parametrize("dtype, name", [("float32", "Float"), ("int64", "Long"),
                                         ("float64", "Double")])
def test_where_refuses_a_condition_that_is_not_bool(dtype, name):
    want = f"where expected condition to be a boolean tensor, but got a tensor with dtype {name}"
    with pytest.raises(RuntimeError, match=re.escape(want)):
        ag.where(ag.ones(2, dtype=getattr(ag, dtype)), ag.ones(2), ag.zeros(2))
    with pytest.raises(RuntimeError, match=re.escape(want)):  # before the shapes are looked at
        ag.where(ag.ones(2, 3, dtype=getattr(ag, dtype)), ag.ones(2, 4), ag.zeros(2, 3))


def test_where_warns_for_a_uint8_condition():
    with pytest.warns(UserWarning, match="where received a uint8 condition tensor"):
        y = ag.where(ag.tensor([1, 0], dtype=ag.uint8), ag.ones(2), ag.zeros(2))
    assert y.tolist() == [1.0, 0.0]
