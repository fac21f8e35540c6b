"""as_strided, empty_strided, new_empty_strided, frombuffer, share_memory_/is_shared,
pin_memory/is_pinned, apply_/map_, cauchy_/geometric_/log_normal_, get_default_device,
float32 matmul precision."""

import array
import itertools
import warnings

import numpy as np
import pytest

import autograd_core as ag


def test_as_strided_is_a_view_by_hand():
    x = ag.arange(6.0)
    v = ag.as_strided(x, (2, 2), (1, 2), 1)
    assert v.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert v.storage_offset() == 1 and v.stride() == (1, 2)
    x.as_strided((3,), (2,)).mul_(10)  # elements 0, 2, 4 of the same memory
    assert x.tolist() == [0.0, 1.0, 20.0, 3.0, 40.0, 5.0]
    assert x[2:].as_strided((2,), (1,)).tolist() == [20.0, 3.0]  # from x[2:]'s own offset
    with pytest.raises(RuntimeError, match="out of bounds for storage of size 24"):
        ag.as_strided(x, (4,), (2,))
    with pytest.raises(RuntimeError, match="Negative strides"):
        ag.as_strided(x, (2,), (-1,))
    with pytest.raises(RuntimeError):  # overlapping elements: read-only
        x.as_strided((2, 2), (1, 1)).add_(1)
    a = ag.arange(6.0, dtype=ag.float64).requires_grad_()
    y = (a * 1.0).as_strided((2, 2), (1, 2), 1)  # reads elements 1, 3, 2, 4
    (y * ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64)).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 3.0, 2.0, 4.0, 0.0]


def test_empty_strided_frombuffer_and_memory_flags_by_hand():
    x = ag.empty_strided((2, 3), (1, 2), dtype=ag.float64)
    assert x.shape == (2, 3) and x.stride() == (1, 2) and x.dtype == ag.float64
    assert ag.ones(1, dtype=ag.int16).new_empty_strided((3,), (2,)).dtype == ag.int16
    buf = array.array("i", [1, 2, 3])
    t = ag.frombuffer(buf, dtype=ag.int32)
    t[1] = 9
    assert buf[1] == 9  # the same memory
    assert ag.frombuffer(bytearray(b"\x01\x00\x02\x00"), dtype=ag.int16, offset=2).tolist() == [2]
    with pytest.raises(ValueError, match="must be a multiple of element size"):
        ag.frombuffer(bytearray(3), dtype=ag.int16)
    y = ag.zeros(2)
    assert not y.is_shared() and y.share_memory_() is y and y.is_shared()
    assert not y.is_pinned()
    with pytest.raises(RuntimeError, match="Cannot access accelerator"):
        y.pin_memory()
    assert ag.get_default_device() == ag.device("cpu")


def test_apply_map_and_random_fills_by_hand():
    z = ag.tensor([1.0, 2.0])
    assert z.apply_(lambda v: v * 3) is z and z.tolist() == [3.0, 6.0]
    assert z.map_(ag.tensor([10.0]), lambda v, w: v + w).tolist() == [13.0, 16.0]
    assert ag.tensor([1, 2]).apply_(lambda v: v * 2.7).tolist() == [2, 5]  # truncated
    with pytest.raises(RuntimeError, match="Can't call apply_\\(\\) on Variable that requires"):
        ag.ones(2, requires_grad=True).apply_(abs)
    ag.manual_seed(0)
    c = ag.empty(20000, dtype=ag.float64).cauchy_(2.0, 0.5)
    assert abs(c.median().item() - 2.0) < 0.05  # the median of Cauchy(2, 0.5)
    q = ag.empty(20000, dtype=ag.float64).log_normal_(0.5, 0.25)
    assert abs(q.log().mean().item() - 0.5) < 0.01 and abs(q.log().std().item() - 0.25) < 0.01
    g = ag.empty(20000, dtype=ag.int64).geometric_(0.25)
    assert g.min().item() >= 1 and abs(g.double().mean().item() - 4.0) < 0.1  # mean 1/p
    with pytest.raises(RuntimeError, match="sigma > 0.0"):
        ag.empty(2).cauchy_(sigma=0)
    with pytest.raises(RuntimeError, match=r"p to be in \(0, 1\)"):
        ag.empty(2).geometric_(1.0)
    with pytest.raises(NotImplementedError, match="log_normal_cpu"):
        ag.empty(2, dtype=ag.int64).log_normal_()


def test_matmul_precision_is_recorded():
    try:
        ag.set_float32_matmul_precision("medium")
        assert ag.get_float32_matmul_precision() == "medium"
        with pytest.warns(UserWarning, match="has no effect"):
            ag.set_float32_matmul_precision("bogus")
        assert ag.get_float32_matmul_precision() == "medium"
    finally:
        ag.set_float32_matmul_precision("highest")


def test_as_strided_outside_the_inputs_own_elements_is_a_view_of_its_base():
    """A view reading elements of the base the input does not hold (``u[2:]`` viewed from
    storage offset 0) shares the base's version counter: an in-place change through it, after
    the base was saved for backward, makes backward raise PyTorch's error. It used to be no
    view at all: backward silently used the changed values (a.grad [0, 4, 4, 6, 8, 10])."""
    a = ag.arange(6.0, dtype=ag.float64).requires_grad_()
    u = a * 1.0
    w = u[2:].as_strided((2,), (1,), 0)  # u's elements 0 and 1
    assert w.tolist() == [0.0, 1.0] and w._base is u
    loss = (u * u).sum()  # saves u
    w.mul_(2)
    assert u.tolist() == [0.0, 2.0, 2.0, 3.0, 4.0, 5.0] and u._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    # the change itself is recorded as a write into u (PyTorch's CopySlices): d/da of
    # sum(u * [1..6]) with u[0:2] doubled
    b = ag.arange(6.0, dtype=ag.float64).requires_grad_()
    v = b * 1.0
    v[3:].as_strided((2,), (1,), 0).mul_(2)
    (v * ag.arange(1.0, 7.0, dtype=ag.float64)).sum().backward()
    assert b.grad.tolist() == [2.0, 4.0, 3.0, 4.0, 5.0, 6.0]


def test_an_in_place_change_through_a_view_reaching_past_its_base_is_refused():
    """A tensor whose array is part of a larger numpy array (as an op's result may be): its
    as_strided views may also read the array's other elements, which the tensor (the base)
    does not hold. Changing such a view while recording cannot be written into the base; it
    is refused instead of landing on other elements of the base."""
    arr = np.arange(12.0)
    for part in (arr[2:], arr[::2][1:]):  # a contiguous and a strided base
        x = ag.Tensor._wrap(part)  # (an op's result; from_numpy's storage is the array's own)
        y = x.as_strided((4,), (1,), 0)  # arr[0:4]: two elements outside x's
        assert y._base is x
        leaf = ag.ones(4, dtype=ag.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="outside the elements of its base"):
            y.mul_(leaf)
        assert arr.tolist() == list(np.arange(12.0))  # nothing written


@pytest.mark.parametrize("make", [ag.from_numpy, ag.as_tensor])
def test_from_numpy_of_part_of_an_array_has_that_part_as_its_storage(make):
    """PyTorch's from_numpy (and as_tensor) of ``arr[2:]`` sees only that part's memory:
    storage offset 0, a storage from its first element to its last, as_strided from there.
    The storage was the whole array: offset 2, and as_strided read ``arr[0]``."""
    arr = np.arange(12.0)
    cases = [(arr[2:], (1,), 80), (arr[::2][1:], (2,), 72), (arr.reshape(3, 4)[:, 1:3], (4, 1), 80),
             (arr[5:6], (1,), 8), (arr, (1,), 96)]
    for part, stride, nbytes in cases:
        x = make(part)
        assert x.storage_offset() == 0 and x.stride() == stride
        assert x.untyped_storage().nbytes() == nbytes
        assert x.as_strided((1,), (1,), 0).item() == part.flat[0]
        with pytest.raises(RuntimeError, match="out of bounds for storage"):
            x.as_strided((1,), (1,), nbytes // 8)
        x.view(-1)[0] = -1.0 if x.is_contiguous() else x.flatten()[0].item()  # still shared
    assert arr[2] == -1.0 and arr[5] == -1.0
    ro = np.arange(4.0)
    ro.flags.writeable = False
    assert not make(ro[1:]).numpy().flags.writeable


@pytest.mark.torch_parity
def test_storage_of_numpy_parts_matches_torch():
    torch = pytest.importorskip("torch")
    arr = np.arange(24.0)
    for part in (arr[3:], arr[1:20:3], arr.reshape(4, 6)[1:, 2:5], arr.reshape(4, 6).T[1:],
                 arr[7:9]):
        for make, theirs in ((ag.from_numpy, torch.from_numpy), (ag.as_tensor, torch.as_tensor)):
            x, t = make(part), theirs(part)
            assert (x.storage_offset(), x.stride()) == (t.storage_offset(), t.stride())
            assert x.untyped_storage().nbytes() == t.untyped_storage().nbytes()
            assert x.as_strided((2,), (1,), 0).tolist() == t.as_strided((2,), (1,), 0).tolist()


@pytest.mark.torch_parity
@pytest.mark.parametrize("how", ["mul_", "add_", "copy_"])
def test_in_place_changes_through_as_strided_views_match_torch(how):
    """Views of a non-leaf (slices, rows, columns of it), viewed again by as_strided (inside
    and outside their own elements), and that view or a slice of it changed in place by a
    value that requires grad: the base's values and every gradient as PyTorch's."""
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(0).standard_normal(12)
    views = [lambda x: x, lambda x: x[3:], lambda x: x[1:7], lambda x: x.view(3, 4)[1],
             lambda x: x.view(3, 4)[:, 1]]
    geometries = [((2,), (1,), 0), ((2, 2), (1, 3), 1), ((3,), (2,), 5), ((2,), (1,), None)]
    for k, view in enumerate(views):
        for (size, stride, offset), after in itertools.product(geometries, (False, True)):
            got = []
            for lib in (ag, torch):
                b = lib.tensor(values, dtype=lib.float64, requires_grad=True)
                v = b * 1.0
                w = view(v).as_strided(size, stride, offset)
                w = w[1:] if after else w
                o = lib.tensor(np.linspace(0.5, 2.0, w.numel()).reshape(tuple(w.shape)),
                               dtype=lib.float64, requires_grad=True)
                getattr(w, how)(o * 3.0)
                (v * lib.arange(1.0, 13.0, dtype=lib.float64)).sum().backward()
                got.append([t.detach().numpy().copy() for t in (v, b.grad, o.grad)])
            for mine, theirs in zip(*got):
                np.testing.assert_allclose(mine, theirs, rtol=1e-14, atol=0,
                                           err_msg=f"view {k}, {size}, {stride}, {offset}, {after}")


def test_fill_and_zero_write_an_expanded_tensors_memory():
    """PyTorch's fill_ and zero_ take an expanded tensor (several elements, one memory
    location: each gets the one value); they raised the overlap error here. Ops that compute
    from the old values still raise it, and so does a fill that autograd would record."""
    x = ag.zeros(2, 1)
    before = x._version
    assert x.expand(2, 3).fill_(2.0).tolist() == [[2.0] * 3] * 2
    assert x.tolist() == [[2.0], [2.0]] and x._version == before + 1
    y = ag.arange(6.0).reshape(2, 3).T  # memory in another order than its elements
    y[:, :1].expand(3, 4).zero_()
    assert y.tolist() == [[0.0, 3.0], [0.0, 4.0], [0.0, 5.0]]
    assert ag.zeros(1, dtype=ag.int32).expand(4).fill_(3.7).tolist() == [3] * 4
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        ag.zeros(1).expand(3).add_(1.0)
    u = ag.arange(3.0).requires_grad_() * 1.0
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        u[:1].expand(3).fill_(5.0)  # (PyTorch's backward raises it later)
    with ag.no_grad():
        u[:1].expand(3).fill_(5.0)
    assert u.tolist() == [5.0, 1.0, 2.0]


@pytest.mark.torch_parity
def test_as_strided_in_place_matches_torch():
    """``Tensor.as_strided_`` (it raised AttributeError): the tensor itself takes the view's
    geometry; its values, strides, offset, node name and gradient are PyTorch's."""
    torch = pytest.importorskip("torch")
    got = []
    for lib in (ag, torch):
        b = lib.arange(6.0, dtype=lib.float64, requires_grad=True)
        y = b * 1.0
        assert y.as_strided_((2, 2), (1, 2), 1) is y
        (y * lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64)).sum().backward()
        got.append((y.tolist(), y.stride(), y.storage_offset(), y.grad_fn.name(),
                    b.grad.tolist()))
    assert got[0] == got[1]


@pytest.mark.torch_parity
def test_as_strided_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    v = rng.standard_normal(24)
    cases = [((2, 3), (3, 1), 0), ((3, 2), (1, 3), 2), ((4,), (5,), 3), ((2, 2, 2), (6, 2, 1), 1),
             ((0, 3), (3, 1), 0), ((5,), (1,), None)]
    for size, stride, off in cases:
        for view in (lambda x: x, lambda x: x[4:], lambda x: x.view(4, 6)[1:]):
            a = ag.tensor(v, requires_grad=True)
            t = torch.tensor(v, requires_grad=True)
            ya = (a * 1.0)
            yt = (t * 1.0)
            ya, yt = view(ya).as_strided(size, stride, off), view(yt).as_strided(size, stride, off)
            np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy())
            assert ya.storage_offset() == yt.storage_offset() and ya.stride() == yt.stride()
            g = rng.standard_normal(size)
            ya.backward(ag.tensor(g))
            yt.backward(torch.tensor(g))
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-15)
    for size, stride in (((2, 3), (1, 2)), ((3,), (4,)), ((2, 0), (1, 1))):
        assert ag.empty_strided(size, stride).stride() == torch.empty_strided(size, stride).stride()
    raw = bytearray(np.arange(10, dtype=np.int16).tobytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kw in (dict(), dict(offset=4), dict(count=3, offset=2)):
            assert ag.frombuffer(raw, dtype=ag.int16, **kw).tolist() == \
                torch.frombuffer(raw, dtype=torch.int16, **kw).tolist()


@pytest.mark.parametrize("name", ["apply_", "map_"])
def test_compiled_apply_and_map_run_the_python_function_on_every_call(name):
    # the Python function reads the values: a captured step replayed the first call's result
    def step(x):
        y = x.clone()
        if name == "apply_":
            y.apply_(lambda v: v * 2 if v > 0 else 0.0)
        else:
            y.map_(ag.zeros(2), lambda v, w: v * 2 if v > w else w)
        return y

    compiled = ag.compile(step)
    with pytest.warns(RuntimeWarning, match=f"{name}\\(\\) reads its inputs' values"):
        compiled(ag.tensor([1.0, -1.0]))
    for _ in range(2):
        compiled(ag.tensor([1.0, -1.0]))
    assert compiled(ag.tensor([-1.0, 3.0])).tolist() == [0.0, 6.0]


@pytest.mark.parametrize("dtype, bounds, words", [
    ("int8", (0, 200), "to - 1 is out of bounds for signed char"),
    ("int8", (-200, 0), "from is out of bounds for signed char"),
    ("uint8", (-1, 5), "from is out of bounds for unsigned char"),
    ("int16", (0, 40000), "to - 1 is out of bounds for short int"),
    ("bool", (0, 3), "to - 1 is out of bounds for bool"),
    ("float16", (0, 70000), "to - 1 is out of bounds for c10::Half"),
])
def test_random_refuses_bounds_the_dtype_cannot_hold(dtype, bounds, words):
    # int8's random_(0, 200) wrapped draws above 127 to negative values; PyTorch refuses
    x = ag.zeros(4, dtype=getattr(ag, dtype))
    with pytest.raises(RuntimeError, match=f"^{words}$"):
        x.random_(*bounds)
    assert x.tolist() == [0] * 4


def test_random_at_the_edges_of_the_dtype():
    ag.manual_seed(3)
    x = ag.zeros(4000, dtype=ag.int8).random_(-128, 128).numpy()
    assert x.min() == -128 and x.max() == 127  # 4000 draws of 256 values: every one ~ surely
    assert ag.zeros(3, dtype=ag.uint8).random_(255, 256).tolist() == [255] * 3
    with pytest.raises(RuntimeError, match="long int$"):
        ag.zeros(2, dtype=ag.int64).cauchy_()
