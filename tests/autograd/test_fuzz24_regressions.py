"""Differences from PyTorch found by fuzz24, a differential fuzzer of op compositions (views,
in-place writes, `.data` writes, `requires_grad_`/`detach_` mid-graph) against torch 2.13.
Each is checked by hand here, and against a live torch in the ``torch_parity`` tests."""

import re

import numpy as np
import pytest

import autograd_core as ag

VERSION_ERROR = "modified by an inplace operation"


# ---- transpose of a tensor under 2-d is a new view, as PyTorch's -------------------------------

@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("dims", [(0, 0), (0, -1), (-1, -1)])
def test_transpose_under_2d_is_a_view_not_the_input(shape, dims):
    x = ag.ones(shape, requires_grad=True)
    y = x.transpose(*dims)
    assert y is not x and not y.is_leaf and y.grad_fn is not None and y._base is x
    (y * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(shape, 3.0))
    z = ag.ones(shape)
    w = z.swapaxes(*dims)
    w.requires_grad_()  # the view requires grad, its base does not (it was z itself before)
    assert w.requires_grad and not z.requires_grad


def test_transpose_under_2d_view_of_a_leaf_refuses_in_place():
    x = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x.transpose(0, 0).mul_(2)


# ---- clamp, maximum, minimum, fmax, fmin save their inputs, as PyTorch's -----------------------

_SAVING = {  # each as lib (ag or torch) writes it
    "clamp": lambda L, x: x.clamp(-0.5, 0.5),
    "clamp_min": lambda L, x: x.clamp_min(0.1),
    "clamp_max": lambda L, x: x.clamp_max(0.1),
    "clip": lambda L, x: x.clip(max=0.1),
    "maximum": lambda L, x: x.maximum(x.new_tensor([0.2, 0.2, 0.2])),
    "minimum": lambda L, x: x.minimum(x.new_tensor([0.2, 0.2, 0.2])),
    "maximum_self": lambda L, x: L.maximum(x, x),
    "max_binary": lambda L, x: L.max(x, x.new_tensor([0.2, 0.2, 0.2])),
    "fmax": lambda L, x: x.fmax(x.new_tensor([0.2, 0.2, 0.2])),
    "fmin": lambda L, x: x.fmin(x.new_tensor([0.2, 0.2, 0.2])),
    "maximum_promoted": lambda L, x: L.maximum(x, L.tensor([0.2, 0.2, 0.2], dtype=L.float32)),
    "maximum_other": lambda L, x: L.maximum(L.tensor([0.2, 0.2, 0.2], dtype=L.float32), x),
}


@pytest.mark.parametrize("name", sorted(_SAVING))
@pytest.mark.parametrize("write", ["mul_", "add_"])
def test_in_place_change_of_a_saved_input_refuses_backward(name, write):
    a = ag.tensor([0.3, -0.7, 1.2], dtype=ag.float64, requires_grad=True)
    x = a * 1
    y = _SAVING[name](ag, x)
    getattr(x, write)(1.5)
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        y.sum().backward()


def test_in_place_change_of_a_promoted_input_refuses_backward():
    a = ag.tensor([0.3, -0.7, 1.2], dtype=ag.float32, requires_grad=True)
    x = a * 1
    y = ag.maximum(x, ag.tensor([0.2, 0.2, 0.2], dtype=ag.float64))  # x copied into float64
    x.mul_(2)
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        y.sum().backward()


@pytest.mark.parametrize("name, expected", [
    # after x.data = 3 x (0.3, -0.6, 1.35) the masks are the new values' (PyTorch's rule reads
    # the saved input; the old values 0.1, -0.2, 0.45 would give other ones)
    ("clamp", [1.0, 0.0, 0.0]),
    ("clamp_max", [0.0, 1.0, 0.0]),
    ("maximum", [1.0, 0.0, 1.0]),
    ("minimum", [0.0, 1.0, 0.0]),
    ("fmax", [1.0, 0.0, 1.0]),
    ("fmin", [0.0, 1.0, 0.0]),
])
def test_data_assignment_after_the_forward_is_read_by_the_backward(name, expected):
    x = ag.tensor([0.1, -0.2, 0.45], dtype=ag.float64, requires_grad=True)
    y = _SAVING[name](ag, x)
    x.data = x.data * 3
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@pytest.mark.parametrize("name", ["clamp", "maximum", "fmin"])
def test_masks_unchanged_without_writes_and_under_create_graph(name):
    x = ag.tensor([0.3, -0.7, 0.2, 0.5], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad(_SAVING[name](ag, x[:3] * 1).sum(), x, create_graph=True)
    expected = {"clamp": [1.0, 0.0, 1.0, 0.0], "maximum": [1.0, 0.0, 0.5, 0.0],
                "fmin": [0.0, 1.0, 1.0, 0.0]}[name]
    np.testing.assert_array_equal(g.detach().numpy(), expected)


# ---- gather and advanced indexing keep their index, freed after a backward, as PyTorch's ----------

SECOND_TIME = "backward through the graph a second time"
_M = [[0.3, -0.7, 1.2], [0.5, 0.1, -0.4], [2.0, -1.5, 0.8]]

_KEEPS_INDEX = {  # PyTorch's rules save an index: a second backward refuses
    "gather": lambda L, x: x.gather(1, L.tensor([[0], [1], [2]])),
    "index_select": lambda L, x: x.index_select(1, L.tensor([0, 2])),
    "getitem_list": lambda L, x: x[:, [0, 2]],
    "getitem_pairs": lambda L, x: x[[0, 1], [1, 2]],
    "getitem_mask": lambda L, x: x[x > 0],
    "masked_select": lambda L, x: x.masked_select(x > 0),
    "take": lambda L, x: x.take(L.tensor([0, 4])),
    "take_along_dim": lambda L, x: x.take_along_dim(L.tensor([[0], [1], [2]]), 1),
    "sort": lambda L, x: x.sort(1)[0],
    "msort": lambda L, x: x.msort(),
    "topk": lambda L, x: x.topk(2, 1)[0],
    "kthvalue": lambda L, x: x.kthvalue(2, 1)[0],
    "median_dim": lambda L, x: x.median(1)[0],
    "mode": lambda L, x: x.mode(1)[0],
    "cummax": lambda L, x: x.cummax(1)[0],
    "cummin": lambda L, x: x.cummin(1)[0],
}
_KEEPS_NONE = {  # indexed internally, but PyTorch's rules need no index: a second one adds
    "roll": lambda L, x: x.roll(1, 0),
    "roll_2d": lambda L, x: x.roll((1, 1), (0, 1)),
    "repeat_interleave": lambda L, x: x.repeat_interleave(2, 0),
    "trace": lambda L, x: x.trace(),
    "diag_of_matrix": lambda L, x: x.diag(),
    "slice": lambda L, x: x[1:, ::2],
}


@pytest.mark.parametrize("name", sorted(_KEEPS_INDEX))
def test_second_backward_through_a_saved_index_refuses(name):
    x = ag.tensor(_M, dtype=ag.float64, requires_grad=True)
    y = _KEEPS_INDEX[name](ag, x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        y.backward()
    x.grad = None
    y = _KEEPS_INDEX[name](ag, x).sum()
    y.backward(retain_graph=True)
    once = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * once)


@pytest.mark.parametrize("name", sorted(_KEEPS_NONE))
def test_second_backward_without_a_saved_index_adds(name):
    x = ag.tensor(_M, dtype=ag.float64, requires_grad=True)
    y = _KEEPS_NONE[name](ag, x).sum()
    y.backward()
    once = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * once)


# ---- x[mask] = v on a 0-d tensor while recording ---------------------------------------------

@pytest.mark.parametrize("value, expected, grad", [(0.5, 1.5, 3.0), (-0.5, -1.0, 2.0)])
def test_masked_write_into_a_0d_tensor_keeps_its_shape(value, expected, grad):
    a = ag.tensor(value, dtype=ag.float64, requires_grad=True)
    y = a * 2
    y[y > 0] = a * 3  # written where 2a > 0: y = 3a, else y stays 2a
    assert y.shape == ()
    y.backward()
    assert y.item() == expected and a.grad.item() == grad


def test_fill_where_of_a_0d_array_is_0d():
    from autograd_core.kernels import pointwise
    for x in (np.array(0.5), np.array(0.5, dtype=np.float32)):
        out = pointwise.fill_where(x, np.array(True), 1.5)
        assert out.shape == () and out.dtype == x.dtype and out == 1.5


# ---- elementwise results keep a transposed input's memory order, as PyTorch's ------------------

_KEEPS_ORDER = {
    "lerp_number": lambda L, x: L.lerp(x, x * 2, 0.7),
    "lerp_small_number": lambda L, x: L.lerp(x, x * 2, 0.2),
    "elu": lambda L, x: L.nn.functional.elu(x),
    "selu": lambda L, x: L.nn.functional.selu(x),
    "celu": lambda L, x: L.nn.functional.celu(x),
    "erfinv": lambda L, x: L.erfinv(x),
    "i1": lambda L, x: L.special.i1(x),
    "i0e": lambda L, x: L.special.i0e(x),
    "ndtri": lambda L, x: L.special.ndtri(x),
    "log_ndtr": lambda L, x: L.special.log_ndtr(x),
    "bessel_j0": lambda L, x: L.special.bessel_j0(x),
}


def _transposed(lib):
    return lib.from_numpy(np.arange(1.0, 13.0).reshape(3, 4).T / 13)  # strides (1, 4)


@pytest.mark.parametrize("name", sorted(_KEEPS_ORDER))
def test_elementwise_result_keeps_a_transposed_inputs_order(name):
    x = _transposed(ag)
    y = _KEEPS_ORDER[name](ag, x)
    assert y.stride() == x.stride() == (1, 4)
    # as_strided reads memory: in x's order, its first column
    np.testing.assert_array_equal(y.as_strided((4,), (1,)).numpy(), y[:, 0].numpy())


# ---- lerp of shapes that do not broadcast: PyTorch's RuntimeError ------------------------------

@pytest.mark.parametrize("shapes, words", [
    (((5,), (4,), None), "tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0"),
    (((3,), (3,), (2,)), "tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    (((2, 1), (3,), (4,)), "tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
])
def test_lerp_shapes_that_do_not_broadcast_raise_runtime_error(shapes, words):
    a, b, w = shapes
    weight = 0.3 if w is None else ag.ones(w)
    with pytest.raises(RuntimeError, match=re.escape(words)):
        ag.lerp(ag.ones(a, requires_grad=True), ag.ones(b), weight)


# ---- the same programs against a live torch ----------------------------------------------------

def _run(lib, program):
    """``program(lib)``'s results as numpy arrays or an error's (type, gist)."""
    try:
        out = program(lib)
    except RuntimeError as exc:
        return ("RuntimeError", VERSION_ERROR in str(exc))
    return [None if t is None else np.asarray(t.detach().numpy()) for t in out]


def _prog_transpose(lib):
    x = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
    y = x.transpose(0, 0)
    (y * 3).backward()
    z = lib.ones(3, dtype=lib.float64)
    w = z.t()
    w.requires_grad_()
    return [x.grad, lib.tensor([y.is_leaf, z.requires_grad, w.requires_grad])]


def _prog_version(name):
    def program(lib):
        a = lib.tensor([0.3, -0.7, 1.2], dtype=lib.float64, requires_grad=True)
        x = a * 1
        y = _SAVING[name](lib, x)
        x.add_(1.5)
        y.sum().backward()
        return [a.grad]
    return program


def _prog_second(table, name):
    def program(lib):
        x = lib.tensor(_M, dtype=lib.float64, requires_grad=True)
        y = table[name](lib, x).sum()
        y.backward()
        try:
            y.backward()
        except RuntimeError as exc:
            return [lib.tensor(SECOND_TIME in str(exc))]
        return [x.grad]
    return program


def _prog_masked_0d(lib):
    a = lib.tensor(0.5, dtype=lib.float64, requires_grad=True)
    y = a * 2
    y[y > 0] = a * 3
    y.backward()
    return [y, a.grad]


def _prog_order(name):
    def program(lib):
        y = _KEEPS_ORDER[name](lib, _transposed(lib))
        return [lib.tensor(y.stride()), lib.tensor(y.is_contiguous())]  # (values: ulps apart)
    return program


def _prog_data(name):
    def program(lib):
        x = lib.tensor([0.1, -0.2, 0.45], dtype=lib.float64, requires_grad=True)
        y = _SAVING[name](lib, x)
        x.data = x.data * 3
        y.sum().backward()
        return [x.grad]
    return program


@pytest.mark.torch_parity
@pytest.mark.parametrize("program", [_prog_transpose, _prog_masked_0d]
                         + [_prog_version(n) for n in sorted(_SAVING)]
                         + [_prog_data(n) for n in ("clamp", "clamp_max", "maximum", "fmin")]
                         + [_prog_second(_KEEPS_INDEX, n) for n in sorted(_KEEPS_INDEX)]
                         + [_prog_second(_KEEPS_NONE, n) for n in sorted(_KEEPS_NONE)]
                         + [_prog_order(n) for n in sorted(_KEEPS_ORDER)])
def test_against_torch(program):
    torch = pytest.importorskip("torch")
    ours, theirs = _run(ag, program), _run(torch, program)
    assert type(ours) is type(theirs)
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        for o, t in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(o, t)


@pytest.mark.torch_parity
def test_mT_of_0d_and_1d_as_torch():  # noqa: N802 - PyTorch's name
    """fuzz24: ``x.mT`` of a 0-d tensor is the tensor itself with PyTorch's deprecation
    warning (it raised IndexError); of a 1-d tensor PyTorch's RuntimeError (was IndexError)."""
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    for lib in (ag, torch):
        x = lib.tensor(2.0, requires_grad=True)
        with pytest.warns(UserWarning, match="Tensor.mT is deprecated on 0-D tensors"):
            assert x.mT is x
        with pytest.raises(RuntimeError, match=re.escape(
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D")):
            lib.tensor([1.0, 2.0]).mT
