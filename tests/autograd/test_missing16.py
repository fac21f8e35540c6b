"""PyTorch gaps filled in one round (missing16): the top-level RNN cell functions,
``floor_divide``'s refused derivative, storage read paths and ``resize_``, ``torch.cond``.
Hand-worked values and float64 gradchecks first, then PyTorch parity."""

import math

import numpy as np
import pytest

import autograd_core as ag


@pytest.fixture
def torch_validation_restored():
    """torch.cond / torch.while_loop import torch._dynamo, which switches off
    torch.distributions' default argument validation for the whole process: later parity tests
    comparing distribution errors with torch would see torch accept bad arguments."""
    torch = pytest.importorskip("torch")
    before = torch.distributions.Distribution._validate_args
    yield torch
    torch.distributions.Distribution.set_default_validate_args(before)


def _sig(v):
    return 1.0 / (1.0 + math.exp(-v))


# ---- RNN cells -----------------------------------------------------------------------------

def test_rnn_cells_by_hand():
    x, h = ag.tensor([[1.0, 2.0]]), ag.tensor([[0.5]])
    w_ih, w_hh = ag.tensor([[0.5, -0.25]]), ag.tensor([[2.0]])
    b_ih, b_hh = ag.tensor([0.1]), ag.tensor([-0.3])
    pre = 0.5 - 0.5 + 0.1 + 1.0 - 0.3  # x w_ih^T + b_ih + h w_hh^T + b_hh = 0.8
    assert ag.rnn_tanh_cell(x, h, w_ih, w_hh, b_ih, b_hh).item() == pytest.approx(math.tanh(pre))
    assert ag.rnn_relu_cell(x, h, w_ih, w_hh, b_ih, b_hh).item() == pytest.approx(pre)
    assert ag.rnn_relu_cell(x, h, -w_ih, -w_hh).item() == 0.0


def test_lstm_and_gru_cell_by_hand():
    x, h, c = ag.tensor([[1.0]]), ag.tensor([[2.0]]), ag.tensor([[-1.0]])
    w_ih = ag.tensor([[0.1], [0.2], [0.3], [0.4]])  # rows: i, f, g, o
    w_hh = ag.tensor([[-0.1], [0.5], [0.25], [1.0]])
    gi, gf, gg, go = (0.1 - 0.2, 0.2 + 1.0, 0.3 + 0.5, 0.4 + 2.0)
    c_new = _sig(gf) * -1.0 + _sig(gi) * math.tanh(gg)
    h_new, c_out = ag.lstm_cell(x, (h, c), w_ih, w_hh)
    assert c_out.item() == pytest.approx(c_new)
    assert h_new.item() == pytest.approx(_sig(go) * math.tanh(c_new))
    w_ih3, w_hh3 = w_ih[:3], w_hh[:3]  # rows: r, z, n
    b_hh3 = ag.tensor([0.0, 0.0, 1.0])
    r, z = _sig(0.1 - 0.2), _sig(0.2 + 1.0)
    n = math.tanh(0.3 + r * (0.5 + 1.0))  # r multiplies W_hn h + b_hn
    out = ag.gru_cell(x, h, w_ih3, w_hh3, None, b_hh3)
    assert out.item() == pytest.approx((1 - z) * n + z * 2.0)


def test_rnn_cells_gradcheck():
    rng = np.random.default_rng(0)

    def t(*shape):
        return ag.tensor(rng.standard_normal(shape), requires_grad=True)

    x, h, c = t(3, 4), t(3, 5), t(3, 5)
    for fn, g in ((ag.rnn_tanh_cell, 1), (ag.rnn_relu_cell, 1), (ag.gru_cell, 3)):
        args = (x, h, t(g * 5, 4), t(g * 5, 5), t(g * 5), t(g * 5))
        assert ag.gradcheck(fn, args)
    lstm = (x, h, c, t(20, 4), t(20, 5), t(20), t(20))
    assert ag.gradcheck(lambda x, h, c, *w: ag.lstm_cell(x, (h, c), *w), lstm)
    assert ag.gradgradcheck(lambda x, h, c, *w: ag.lstm_cell(x, (h, c), *w)[1], lstm)


def test_rnn_cell_errors():
    x, h = ag.zeros(3, 4), ag.zeros(3, 5)
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 4 expected 3"):
        ag.rnn_tanh_cell(x, h, ag.zeros(5, 3), ag.zeros(5, 5))
    with pytest.raises(RuntimeError, match="weight_ih first dim must be 4 \\* hidden_size = 20, "
                                           "but got 16"):
        ag.lstm_cell(x, (h, h), ag.zeros(16, 4), ag.zeros(20, 5))
    with pytest.raises(RuntimeError, match="hidden1 has inconsistent hidden_size: got 4, "
                                           "expected 5"):
        ag.lstm_cell(x, (h, ag.zeros(3, 4)), ag.zeros(20, 4), ag.zeros(20, 5))
    with pytest.raises(RuntimeError, match="Input batch size 3 doesn't match hidden0 batch size 2"):
        ag.gru_cell(x, ag.zeros(2, 5), ag.zeros(15, 4), ag.zeros(15, 5))
    with pytest.raises(TypeError, match="must be tuple of Tensors, not Tensor"):
        ag.lstm_cell(x, h, ag.zeros(20, 4), ag.zeros(20, 5))
    with pytest.raises(RuntimeError, match="lstm_cell expects two hidden states"):
        ag.lstm_cell(x, (h,), ag.zeros(20, 4), ag.zeros(20, 5))
    with pytest.raises(TypeError, match="'hx' \\(position 2\\) must be Tensor, not NoneType"):
        ag.rnn_relu_cell(x, None, ag.zeros(5, 4), ag.zeros(5, 5))


@pytest.mark.torch_parity
def test_rnn_cells_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    arrays = {k: rng.standard_normal(s).astype(np.float32) for k, s in (
        ("x", (3, 4)), ("h", (3, 5)), ("c", (3, 5)), ("wi", (20, 4)), ("wh", (20, 5)),
        ("bi", (20,)), ("bh", (20,)))}

    def run(lib, name, gates, bias):
        ts = {k: lib.tensor(v, requires_grad=True) for k, v in arrays.items()}
        w = [ts["wi"][:gates * 5], ts["wh"][:gates * 5]]
        w += [ts["bi"][:gates * 5], ts["bh"][:gates * 5]] if bias else []
        hx = (ts["h"], ts["c"]) if name == "lstm_cell" else ts["h"]
        out = getattr(lib, name)(ts["x"], hx, *w)
        outs = out if isinstance(out, tuple) else (out,)
        sum((o * (k + 1.0)).sum() for k, o in enumerate(outs)).backward()
        grads = [ts[k].grad for k in arrays]
        return [o.detach().numpy() for o in outs] + [
            np.zeros(1) if g is None else g.numpy() for g in grads]

    for name, gates in (("rnn_tanh_cell", 1), ("rnn_relu_cell", 1), ("lstm_cell", 4),
                        ("gru_cell", 3)):
        for bias in (True, False):
            for ours, theirs in zip(run(ag, name, gates, bias), run(torch, name, gates, bias)):
                np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


# ---- floor_divide, heaviside: recorded, its derivative refused (PyTorch's behaviour) --------------------

def test_floor_divide_and_heaviside_of_a_grad_tensor_require_grad_and_refuse_backward():
    t = ag.tensor([1.0, 3.0, -3.5], requires_grad=True)
    for y in (t // 2, ag.floor_divide(t, 2), 7.0 // t, t.floor_divide(ag.tensor(2.0))):
        assert y.requires_grad and y.grad_fn is not None
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not "
                                               "implemented"):
            y.sum().backward()
    assert (t // 2).tolist() == [0.0, 1.0, -2.0]
    h = ag.heaviside(t, ag.tensor([0.5]))
    assert h.requires_grad and ag.heaviside(ag.tensor([0.0]), t[:1]).requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not implemented"):
        h.sum().backward()
    assert t.grad is None
    with ag.no_grad():
        assert not (t // 2).requires_grad
    assert not (ag.tensor([7, -7]) // 2).requires_grad  # integers: never
    # through a path that does not need it, the other branch's gradient still flows
    u = ag.tensor([2.0], requires_grad=True)
    (u * 3.0 + (u // 1).detach()).sum().backward()
    assert u.grad.tolist() == [3.0]


@pytest.mark.torch_parity
def test_floor_divide_grad_behaviour_matches_torch():
    torch = pytest.importorskip("torch")
    for lib in (torch, ag):
        t = lib.tensor([1.0, 3.0], requires_grad=True)
        for name, y in (("floor_divide", t // 2), ("heaviside", lib.heaviside(t, t))):
            assert y.requires_grad and y.grad_fn.name().endswith("NotImplemented")
            with pytest.raises(RuntimeError, match=f"derivative for aten::{name} is not "
                                                   "implemented"):
                lib.autograd.grad(y.sum(), t)


# ---- storages, resize_, set_ -------------------------------------------------------------------

def test_storage_read_paths_by_hand():
    x = ag.arange(6.0).view(2, 3)  # float32: 24 bytes
    s = x.untyped_storage()
    assert (s.nbytes(), s.size(), len(s), s.element_size()) == (24, 24, 24, 1)
    assert s.data_ptr() == x.data_ptr() != 0
    assert s.tolist()[4:8] == list(np.float32(1.0).tobytes())
    for view in (x[1], x.t(), x[:, 1:], x.detach(), x.data, x.view(-1)):
        assert view.untyped_storage().data_ptr() == s.data_ptr()
        assert view.untyped_storage().nbytes() == 24
    assert x.clone().untyped_storage().data_ptr() != s.data_ptr()
    assert x[1, 1:].storage_offset() == 4
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        typed = x[1].storage()
    assert (typed.size(), typed.nbytes(), typed.dtype, typed.element_size()) == \
        (6, 24, ag.float32, 4)
    assert typed.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0] and typed[-1] == 5.0
    assert typed.untyped().data_ptr() == s.data_ptr()
    assert ag.is_storage(s) and ag.is_storage(typed) and not ag.is_storage(x)
    assert ag.zeros(0).untyped_storage().data_ptr() == 0
    with pytest.raises(NotImplementedError, match="write through the tensor"):
        s[0] = 1
    with pytest.raises(NotImplementedError, match="write through the tensor"):
        typed.fill_(0.0)


def test_resize_by_hand():
    x = ag.arange(6.0)
    v0 = x._version
    y = x.resize_(2, 2)  # shrinks over the same memory, row-major from the first element
    assert y is x and x.tolist() == [[0.0, 1.0], [2.0, 3.0]] and x._version == v0 + 1
    assert x.resize_((3, 2)).tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    x.resize_(8)  # grows: old elements kept
    assert x.shape == (8,) and x[:6].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    t = ag.arange(6.0).view(2, 3).t()
    assert t.resize_(3, 2).stride() == (1, 3)  # the same shape: nothing changes
    assert t.resize_(2, 2).tolist() == [[0.0, 1.0], [2.0, 3.0]]  # memory order
    b = ag.arange(6.0)
    v = b[2:].resize_(2, 2)  # a view shrunk: still b's memory
    v[0, 0] = 10.0
    assert b[2].item() == 10.0
    assert ag.zeros(2).resize_as_(ag.ones(1, 1, 2)).shape == (1, 1, 2)
    w = ag.ones(3, requires_grad=True)
    for call in (lambda: w.resize_(2), lambda: w.resize_(3), lambda: (w * 2).resize_(3),
                 lambda: w.resize_as_(ag.ones(3))):
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            call()
    with ag.no_grad(), pytest.raises(RuntimeError, match="cannot resize variables"):
        w.resize_(2)
    assert w.shape == (3,)
    with pytest.raises(RuntimeError, match="negative dimension"):  # PyTorch: a RuntimeError
        ag.zeros(2).resize_(-1)


def test_resize_of_a_saved_tensor_is_caught():
    x, w = ag.arange(4.0), ag.ones(4, requires_grad=True)
    y = (x * w).sum()
    x.resize_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_set_by_hand():
    x, y = ag.zeros(2), ag.arange(6.0).view(2, 3)
    assert x.set_(y) is x and x.shape == (2, 3) and x.data_ptr() == y.data_ptr()
    x[0, 0] = 7.0
    assert y[0, 0].item() == 7.0
    assert ag.ones(3).set_().shape == (0,)
    assert ag.ones(3).set_(y.t()).stride() == (1, 3)
    with pytest.raises(RuntimeError, match="Could not set tensor of type long int to a tensor "
                                           "of type float"):
        ag.zeros(2).set_(ag.ones(2, dtype=ag.int64))
    w = ag.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.set_(ag.ones(3))
    with ag.no_grad():
        w.set_(ag.ones(3))
    (w * 2.0).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(NotImplementedError, match="storage, offset"):
        ag.zeros(2).set_(y.untyped_storage(), 0, (2,), (1,))


@pytest.mark.torch_parity
def test_storage_and_resize_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (torch, ag):
        base = lib.arange(12.0, dtype=lib.float64).view(3, 4)
        s = base.untyped_storage()
        views = (base[1:, 2:], base.t(), base[2], base.view(-1)[5:])
        assert s.nbytes() == s.size() == 96
        assert all(v.untyped_storage().data_ptr() == s.data_ptr() for v in views)
        assert [v.storage_offset() for v in views] == [6, 0, 8, 5]
    for shape in ((2, 2), (3, 4), (5,), (2, 0)):
        ours, theirs = ag.arange(6.0), torch.arange(6.0)
        ours.resize_(*shape)
        theirs.resize_(*shape)
        n = min(6, int(np.prod(shape)))
        np.testing.assert_array_equal(ours.reshape(-1)[:n].numpy(), theirs.reshape(-1)[:n].numpy())
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert ours.stride() == theirs.stride()


def test_storages_are_not_created_directly():
    for cls in (ag.UntypedStorage, ag.TypedStorage):
        with pytest.raises(NotImplementedError, match="use Tensor.untyped_storage"):
            cls(4)


# ---- cond --------------------------------------------------------------------------------------

def test_cond_runs_the_chosen_branch_and_gradients_flow():
    x = ag.tensor([0.5, -1.0], dtype=ag.float64, requires_grad=True)
    for pred, expected in ((True, np.sin), (ag.tensor(False), np.cos), (ag.tensor([[2.0]]), np.sin),
                           (0, np.cos)):
        y = ag.cond(pred, lambda t: t.sin(), lambda t: t.cos(), (x,))
        np.testing.assert_allclose(y.detach().numpy(), expected(x.detach().numpy()))
    assert ag.gradcheck(lambda t: ag.cond(t.sum() < 0, lambda u: u * u.exp(), lambda u: u.sin(),
                                          [t]), (x,))
    y = ag.cond(x.sum() < 0, lambda a, b: a * b, lambda a, b: a + b, (x, 3 * x))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy())  # d(3 x^2) = 6 x
    assert ag.cond(True, lambda: 1, lambda: 2) == 1


def test_cond_refuses_what_pytorch_refuses():
    x = ag.ones(2)
    with pytest.raises(RuntimeError, match="Expected pred to be bool or single-element tensor"):
        ag.cond(ag.tensor([True, False]), lambda t: t, lambda t: t, (x,))
    with pytest.raises(RuntimeError, match="Expected pred to be bool or tensor, but got a."):
        ag.cond("a", lambda t: t, lambda t: t, (x,))
    with pytest.raises(RuntimeError, match="Expect both branches to be callable."):
        ag.cond(x.sum() > 0, 3, lambda t: t, (x,))
    for operands in (x, (x, 3), {"a": x}):
        with pytest.raises(RuntimeError, match="only consists of tensor leaves"):
            ag.cond(x.sum() > 0, lambda t: t, lambda t: t, operands)


@pytest.mark.torch_parity
def test_cond_matches_torch(torch_validation_restored):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (torch, ag):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = lib.cond(x.sum() > 0, lambda t: t.sin() * t, lambda t: t.cos(), (x,))
        y.sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


# ---- while_loop, typename, is_signed, get_device ----------------------------------------------

def test_while_loop_by_hand_and_gradient():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    i, y = ag.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * y), (0, x))
    assert i == 3 and y.tolist() == [1.0, 256.0]  # x ** 8
    y.sum().backward()
    assert x.grad.tolist() == [8.0, 8.0 * 2.0 ** 7]
    out = ag.while_loop(lambda v: v.sum() < 10, lambda v: v * 2, [ag.ones(2)])
    assert out.tolist() == [8.0, 8.0]  # one carried tensor returned bare, as body_fn gave it
    assert ag.while_loop(lambda v: False, lambda v: v, (x,)) == (x,)
    with pytest.raises(RuntimeError, match="boolean scalar tensor"):
        ag.while_loop(lambda v: v < 10, lambda v: (v * 2,), (ag.ones(2),))
    with pytest.raises(RuntimeError, match="carried_inputs must be a tuple"):
        ag.while_loop(lambda v: False, lambda v: v, ag.ones(2))
    with pytest.raises(RuntimeError, match="returned 1 values for 2 carried inputs"):
        ag.while_loop(lambda a, b: True, lambda a, b: (a,), (x, x))


def test_typename_is_signed_get_device():
    assert ag.typename(ag.ones(1, dtype=ag.float64)) == ag.ones(1, dtype=ag.float64).type()
    assert ag.typename([]) == "list" and ag.typename(ag.Tensor) == "autograd_core.tensor.Tensor"
    assert [ag.is_signed(ag.ones(1, dtype=d)) for d in (ag.int8, ag.uint8, ag.bool, ag.float16)] \
        == [True, False, False, True]
    assert ag.get_device(ag.ones(1)) == -1


@pytest.mark.torch_parity
def test_while_loop_and_utilities_match_torch(torch_validation_restored):
    torch = pytest.importorskip("torch")
    for name in ("int8", "uint8", "bool", "float32", "complex64", "int64"):
        assert ag.is_signed(ag.ones(1, dtype=getattr(ag, name))) == \
            torch.is_signed(torch.ones(1, dtype=getattr(torch, name)))
    assert ag.typename(3) == torch.typename(3)
    assert ag.get_device(ag.ones(1)) == torch.get_device(torch.ones(1))
    results = []
    for lib in (torch, ag):
        r = lib.while_loop(lambda i, v: i.sum() < 4, lambda i, v: (i + 1, v.sin() + i),
                           (lib.zeros(1), lib.tensor([0.3, -2.0])))
        results.append([t.numpy() for t in r])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


# ---- nonzero_static, resize / resize_as, const_data_ptr, is_set_to, interop threads -----------

def test_nonzero_static_by_hand():
    x = ag.tensor([[0, 1], [2, 0]])
    assert ag.nonzero_static(x, size=3).tolist() == [[0, 1], [1, 0], [-1, -1]]
    assert x.nonzero_static(size=1, fill_value=-5).tolist() == [[0, 1]]
    assert ag.nonzero_static(ag.tensor([0.0, 0.5]), size=0).shape == (0, 1)
    assert ag.nonzero_static(x, size=2).dtype == ag.int64
    with pytest.raises(RuntimeError, match="'size' must be an non-negative integer"):
        ag.nonzero_static(x, size=-1)
    with pytest.raises(TypeError, match="argument 'size' must be int, not float"):
        ag.nonzero_static(x, size=2.0)


def test_deprecated_resize_and_the_pointer_questions():
    w = ag.arange(6.0, requires_grad=True)
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        z = w.resize(3, 2)
    assert z.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]] and w.shape == (6,)
    (z * ag.tensor([[1.0, 2.0]])).sum().backward()
    assert w.grad.tolist() == [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
    with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
        assert w.resize_as(ag.zeros(2, 3)).shape == (2, 3)
    with pytest.warns(UserWarning), pytest.raises(
            RuntimeError, match=r"requested resize to 4x2 \(8 elements in total\), but the given "
                                r"tensor has a size of 2x3 \(6 elements\)"):
        ag.zeros(2, 3).resize(4, 2)
    x = ag.zeros(2, 3)
    assert x.const_data_ptr() == x.data_ptr()
    assert x.is_set_to(x) and x.is_set_to(x.view(2, 3)) and x.is_set_to(x.detach())
    assert not x.is_set_to(x.t()) and not x.is_set_to(x.clone()) and not x.is_set_to(x[1:])
    y = ag.ones(4)
    assert ag.zeros(1).set_(y).is_set_to(y)


def test_interop_threads_set_once():
    import autograd_core.threads as threads

    saved = list(threads._interop)
    threads._interop.clear()
    try:
        assert ag.get_num_interop_threads() >= 1
        with pytest.raises(RuntimeError, match="expects a positive integer"):
            ag.set_num_interop_threads(0)
        ag.set_num_interop_threads(3)
        assert ag.get_num_interop_threads() == 3
        with pytest.raises(RuntimeError, match="cannot set number of interop threads"):
            ag.set_num_interop_threads(2)
    finally:
        threads._interop[:] = saved


@pytest.mark.torch_parity
def test_nonzero_static_and_resize_match_torch():
    torch = pytest.importorskip("torch")
    data = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    for size, fill in ((0, -1), (2, -1), (5, 7)):
        ours = ag.nonzero_static(ag.tensor(data), size=size, fill_value=fill)
        theirs = torch.nonzero_static(torch.tensor(data), size=size, fill_value=fill)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for lib in (torch, ag):
        with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
            assert tuple(lib.tensor(data).resize(3, 2).shape) == (3, 2)
        x = lib.tensor(data)
        assert [x.is_set_to(v) for v in (x, x.view(2, 3), x.t(), x.clone())] == \
            [True, True, False, False]


# ---- in-place dropout forms, feature_dropout, rrelu_ ------------------------------------------

def test_in_place_dropout_forms_write_the_out_of_place_result():
    for inplace_fn, fn in ((ag.dropout_, ag.dropout), (ag.alpha_dropout_, ag.alpha_dropout),
                           (ag.feature_alpha_dropout_, ag.feature_alpha_dropout),
                           (ag.feature_dropout_, ag.feature_dropout)):
        ag.manual_seed(3)
        expected = fn(ag.ones(4, 3, 2), 0.5, True)
        ag.manual_seed(3)
        x = ag.ones(4, 3, 2)
        assert inplace_fn(x, 0.5, True) is x
        np.testing.assert_array_equal(x.numpy(), expected.numpy())
        assert inplace_fn(x, 0.5, False) is x  # not training: unchanged
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            inplace_fn(ag.ones(4, 3, 2, requires_grad=True), 0.5, True)
    ag.manual_seed(0)
    y = ag.feature_dropout(ag.ones(50, 4, 3), 0.5, True)  # whole (n, c) rows: 0 or 1/(1-p)
    rows = y.numpy().reshape(200, 3)
    assert set(np.unique(rows)) == {0.0, 2.0} and (rows.min(1) == rows.max(1)).all()
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
        ag.feature_dropout(ag.ones(3), 0.5, True)


def test_rrelu_in_place():
    x = ag.tensor([-1.0, 2.0])
    assert ag.rrelu_(x) is x  # eval: the fixed slope (lower + upper) / 2
    np.testing.assert_allclose(x.numpy(), [-(1 / 8 + 1 / 3) / 2, 2.0], rtol=1e-6)
    with pytest.raises(NotImplementedError, match="generator"):
        ag.rrelu_(ag.tensor([-1.0]), generator=ag.Generator())
    assert ag.celu_ is __import__("nn").functional.celu_


@pytest.mark.torch_parity
def test_feature_dropout_matches_torch_where_deterministic():
    torch = pytest.importorskip("torch")
    data = np.arange(6.0).reshape(2, 3) - 2
    for lib in (torch, ag):
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
            lib.feature_dropout(lib.ones(3), 0.5, True)
        x = lib.tensor(data)
        np.testing.assert_array_equal(lib.feature_dropout(x, 0.5, False).numpy(), data)
        np.testing.assert_array_equal(lib.feature_dropout(x, 1.0, True).numpy(), 0 * data)
        y = lib.tensor(data)
        lib.rrelu_(y)
        np.testing.assert_allclose(y.numpy(), np.where(data < 0, data * (1 / 8 + 1 / 3) / 2, data))


# ---- svd_lowrank, pca_lowrank ----------------------------------------------------------------

def test_pca_and_svd_lowrank_exact_at_full_rank_and_differentiable():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((7, 4))
    U, S, V = ag.svd_lowrank(ag.tensor(a), q=4)
    np.testing.assert_allclose((U * S.unsqueeze(0)).matmul(V.transpose(0, 1)).numpy(), a,
                               atol=1e-12)
    np.testing.assert_allclose(S.numpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-12)
    U2, S2, V2 = ag.svd_lowrank(ag.tensor(a), q=2, M=ag.tensor(a[:1]))
    assert (U2.shape, S2.shape, V2.shape) == ((7, 2), (2,), (4, 2))
    S2 = ag.svd_lowrank(ag.tensor(a), q=4, M=ag.tensor(a[:1]))[1]  # q covers the rank: exact
    np.testing.assert_allclose(S2.numpy(), np.linalg.svd(a - a[:1], compute_uv=False))
    assert ag.svd_lowrank(ag.tensor(a))[1].shape == (4,)  # q=6 is cut to min(m, n)
    centered = a - a.mean(0)
    U, S, V = ag.pca_lowrank(ag.tensor(a))
    np.testing.assert_allclose(S.numpy(), np.linalg.svd(centered, compute_uv=False), rtol=1e-12)
    np.testing.assert_allclose(np.abs(V.numpy()), np.abs(np.linalg.svd(centered)[2].T),
                               atol=1e-10)
    assert ag.pca_lowrank(ag.tensor(rng.standard_normal((3, 5, 4))), q=3)[2].shape == (3, 4, 3)
    for q in (-1, 5):
        with pytest.raises(ValueError, match=f"q\\(={q}\\) must be non-negative integer and not "
                                             "greater than min\\(m, n\\)=4"):
            ag.pca_lowrank(ag.tensor(a), q=q)
    x = ag.tensor(a, requires_grad=True)
    # q = the rank: exact whatever the random start (distinct singular values)
    assert ag.gradcheck(lambda t: ag.pca_lowrank(t, q=4)[1], (x,))


@pytest.mark.torch_parity
def test_pca_lowrank_matches_torch_at_full_rank():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(6).standard_normal((6, 3))
    ours = ag.pca_lowrank(ag.tensor(a))
    theirs = torch.pca_lowrank(torch.tensor(a))
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape)
    np.testing.assert_allclose(ours[1].numpy(), theirs[1].numpy(), rtol=1e-10)
    # singular vectors up to sign
    np.testing.assert_allclose(np.abs(ours[2].numpy().T @ theirs[2].numpy()), np.eye(3),
                               atol=1e-8)


# ---- histogramdd -----------------------------------------------------------------------------

def test_histogramdd_by_hand():
    x = ag.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0]])
    hist, edges = ag.histogramdd(x, bins=[2, 2])  # edges 0, 1, 2 both ways; 2 in the last bin
    assert hist.tolist() == [[0.0, 1.0], [2.0, 1.0]]  # (0, 1); (1, 0), (2, 0); (2, 2)
    assert [e.tolist() for e in edges] == [[0.0, 1.0, 2.0]] * 2
    weighted = ag.histogramdd(x, bins=[ag.tensor([0.0, 1.5, 2.0]), ag.tensor([0.0, 2.0])],
                              weight=ag.tensor([1.0, 2.0, 4.0, 8.0])).hist
    assert weighted.tolist() == [[3.0], [12.0]]
    dens = ag.histogramdd(x, bins=2, range=[0.0, 1.0, 0.0, 1.0], density=True).hist
    # points (0, 1) and (1, 0) fall in (first, last) and (last, first); bins of area 1/4
    assert dens.tolist() == [[0.0, 2.0], [2.0, 0.0]]
    assert ag.histogramdd(ag.zeros(2, 5, 3), bins=2).hist.shape == (2, 2, 2)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        ag.histogramdd(ag.ones(3), bins=2)
    with pytest.raises(RuntimeError, match="size of bins must be equal to the innermost"):
        ag.histogramdd(x, bins=[2])
    with pytest.raises(RuntimeError, match="range should have 4 elements, but got 2"):
        ag.histogramdd(x, bins=2, range=[0.0, 1.0])
    with pytest.raises(RuntimeError, match="excluding its innermost dimension"):
        ag.histogramdd(x, bins=2, weight=ag.ones(4, 2))
    with pytest.raises(NotImplementedError, match="\"histogramdd\" not implemented for 'Long'"):
        ag.histogramdd(ag.ones(3, 2, dtype=ag.int64), bins=2)


@pytest.mark.torch_parity
def test_histogramdd_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    pts = rng.standard_normal((2, 40, 3))
    w = rng.random((2, 40))
    for dtype in ("float32", "float64"):
        for kw in ({"bins": [4, 3, 2]}, {"bins": 3, "density": True},
                   {"bins": [2, 2, 5], "range": [-1.0, 1.0, -2.0, 0.5, 0.0, 3.0], "weight": w}):
            ours = ag.histogramdd(ag.tensor(pts.astype(dtype)), **{
                k: ag.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v
                for k, v in kw.items()})
            theirs = torch.histogramdd(torch.tensor(pts.astype(dtype)), **{
                k: torch.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v
                for k, v in kw.items()})
            np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-5)
            for a, b in zip(ours.bin_edges, theirs.bin_edges):
                np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


# ---- *_copy ops --------------------------------------------------------------------------------

COPY_CASES = {  # name -> (input maker, arguments)
    "alias_copy": (lambda L: L.arange(6.0).view(2, 3), ()),
    "as_strided_copy": (lambda L: L.arange(6.0).view(2, 3), ((2, 2), (1, 2))),
    "detach_copy": (lambda L: L.arange(6.0).view(2, 3), ()),
    "diagonal_copy": (lambda L: L.arange(12.0).view(3, 4), (1,)),
    "expand_copy": (lambda L: L.arange(3.0).view(1, 3), ((2, 3),)),
    "narrow_copy": (lambda L: L.arange(6.0).view(2, 3), (1, 1, 2)),
    "permute_copy": (lambda L: L.arange(24.0).view(2, 3, 4), ((2, 0, 1),)),
    "select_copy": (lambda L: L.arange(6.0).view(2, 3), (1, -1)),
    "slice_copy": (lambda L: L.arange(12.0).view(3, 4), (1, 1, 4, 2)),
    "split_copy": (lambda L: L.arange(10.0).view(5, 2), (2,)),
    "split_with_sizes_copy": (lambda L: L.arange(6.0).view(2, 3), ([1, 2], 1)),
    "squeeze_copy": (lambda L: L.arange(6.0).view(1, 2, 1, 3), ()),
    "t_copy": (lambda L: L.arange(6.0).view(2, 3), ()),
    "transpose_copy": (lambda L: L.arange(24.0).view(2, 3, 4), (0, 2)),
    "unbind_copy": (lambda L: L.arange(6.0).view(2, 3), (1,)),
    "unfold_copy": (lambda L: L.arange(6.0).view(2, 3), (1, 2, 1)),
    "unsqueeze_copy": (lambda L: L.arange(6.0).view(2, 3), (-1,)),
    "view_copy": (lambda L: L.arange(6.0).view(2, 3), ((3, 2),)),
    "view_as_real_copy": (lambda L: L.tensor([1 + 2j, 3 - 1j]), ()),
    "view_as_complex_copy": (lambda L: L.tensor([[1.0, 2.0], [0.5, -1.0]]), ()),
}


def test_copy_ops_do_not_share_memory_and_are_differentiable():
    for name, (make, args) in COPY_CASES.items():
        x = make(ag)
        out = getattr(ag, name)(x, *args)
        for o in out if isinstance(out, tuple) else (out,):
            assert o.is_contiguous(), name
            if o.numel() and x.numel():
                assert not np.shares_memory(o.numpy(), x.numpy()), name
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert ag.gradcheck(lambda t: ag.permute_copy(t, (1, 0)) * ag.arange(6.0).view(3, 2), (x,))
    assert ag.gradcheck(lambda t: ag.split_copy(t * t, 1, 1)[2], (x,))
    assert ag.gradcheck(lambda t: ag.slice_copy(t, 1, 0, 3, 2), (x,))
    assert not ag.detach_copy(x).requires_grad
    y = ag.view_copy(x, (3, 2))
    y.sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2
    assert x.narrow_copy(0, 1, 1).tolist() == [[3.0, 4.0, 5.0]]


@pytest.mark.torch_parity
def test_copy_ops_match_torch():
    torch = pytest.importorskip("torch")
    for name, (make, args) in COPY_CASES.items():
        ours = getattr(ag, name)(make(ag), *args)
        theirs = getattr(torch, name)(make(torch), *args)
        if not isinstance(theirs, (tuple, list)):
            ours, theirs = (ours,), (theirs,)
        assert len(ours) == len(theirs), name
        for o, t in zip(ours, theirs):
            assert tuple(o.shape) == tuple(t.shape) and str(o.dtype)[14:] == str(t.dtype)[6:], name
            np.testing.assert_array_equal(o.numpy(), t.numpy(), err_msg=name)


# ---- deterministic debug mode, DLPack ------------------------------------------------------------

def test_deterministic_debug_mode_follows_use_deterministic_algorithms():
    try:
        for mode, expected in (("warn", (1, True, True)), (2, (2, True, False)),
                               ("default", (0, False, False)), ("error", (2, True, False))):
            ag.set_deterministic_debug_mode(mode)
            assert (ag.get_deterministic_debug_mode(), ag.are_deterministic_algorithms_enabled(),
                    ag.is_deterministic_algorithms_warn_only_enabled()) == expected
        ag.use_deterministic_algorithms(True, warn_only=True)
        assert ag.get_deterministic_debug_mode() == 1
        with pytest.raises(RuntimeError, match="expected one of `default`, `warn`, `error`"):
            ag.set_deterministic_debug_mode("x")
        with pytest.raises(RuntimeError, match="expected 0, 1, or 2, but got 3"):
            ag.set_deterministic_debug_mode(3)
    finally:
        ag.use_deterministic_algorithms(False)


def test_dlpack_shares_memory_with_numpy():
    a = np.arange(4.0)
    t = ag.from_dlpack(a)
    a[1] = 10.0
    assert t.tolist() == [0.0, 10.0, 2.0, 3.0] and t.dtype == ag.float64
    x = ag.tensor([1.0, 2.0, 3.0])
    back = np.from_dlpack(x)
    back[0] = -1.0
    assert x[0].item() == -1.0
    assert ag.from_dlpack(ag.to_dlpack(x)).data_ptr() == x.data_ptr()
    assert ag.from_dlpack(a, copy=True).data_ptr() != t.data_ptr()
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient"):
        np.from_dlpack(ag.ones(2, requires_grad=True))


@pytest.mark.torch_parity
def test_dlpack_exchange_with_torch():
    torch = pytest.importorskip("torch")
    t = torch.arange(6.0).view(2, 3)
    ours = ag.from_dlpack(t)
    t[0, 0] = 5.0
    assert ours.tolist() == t.tolist() and tuple(ours.shape) == (2, 3)
    x = ag.tensor([1.0, 2.0])
    theirs = torch.from_dlpack(x)
    theirs.mul_(3)
    assert x.tolist() == [3.0, 6.0]
    assert ag.from_dlpack(torch.to_dlpack(torch.ones(2, dtype=torch.int32))).dtype == ag.int32
    for mode in ("warn", "error", "default"):
        torch.set_deterministic_debug_mode(mode)
        ag.set_deterministic_debug_mode(mode)
        assert ag.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()


def test_convert_conv_weight_memory_format_keeps_values():
    import nn

    ag.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.Sequential(nn.ConvTranspose2d(3, 2, 2)))
    x = ag.randn(1, 2, 5, 5)
    before = model(x).detach().numpy()
    weights = [p.detach().numpy().copy() for p in model.parameters()]
    assert nn.utils.convert_conv2d_weight_memory_format(model, ag.channels_last) is model
    for p, w in zip(model.parameters(), weights):
        np.testing.assert_array_equal(p.detach().numpy(), w)
    np.testing.assert_array_equal(model(x).detach().numpy(), before)
    m3 = nn.Conv3d(1, 1, 1)
    assert nn.utils.convert_conv3d_weight_memory_format(m3, ag.channels_last_3d) is m3


# ---- binomial --------------------------------------------------------------------------------------

def test_binomial_draws_and_refuses_a_derivative():
    assert ag.binomial(ag.tensor([10.0, 3.0, -2.0]), ag.tensor([0.0, 1.0, 0.5])).tolist() == \
        [0.0, 3.0, 0.0]
    ag.manual_seed(0)
    draws = ag.binomial(ag.full((20000,), 10.0), ag.tensor(0.3))  # broadcast prob
    mean, var = draws.mean().item(), draws.var().item()
    assert abs(mean - 3.0) < 0.05 and abs(var - 2.1) < 0.1  # n p, n p (1 - p)
    assert set(np.unique(draws.numpy())) <= set(range(11))
    g1, g2 = ag.Generator().manual_seed(5), ag.Generator().manual_seed(5)
    c, p = ag.full((50,), 7.0), ag.full((50,), 0.4)
    assert ag.equal(ag.binomial(c, p, generator=g1), ag.binomial(c, p, generator=g2))
    prob = ag.tensor([0.5, 0.2], requires_grad=True)
    y = ag.binomial(ag.tensor([10.0, 5.0]), prob)
    assert y.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::binomial is not implemented"):
        y.sum().backward()
    with pytest.raises(ValueError, match="floating-point dtypes for count, got: Long"):
        ag.binomial(ag.tensor([10]), ag.tensor([0.5]))
    with pytest.raises(RuntimeError, match="Found dtype Float but expected Double"):
        ag.binomial(ag.tensor([4.0], dtype=ag.float64), ag.tensor([0.5]))
    with pytest.raises(ValueError, match="prob must be in"):
        ag.binomial(ag.tensor([4.0]), ag.tensor([1.5]))


@pytest.mark.torch_parity
def test_binomial_edges_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (torch, ag):
        y = lib.binomial(lib.tensor([10.0, 3.0, -1.0]), lib.tensor([0.0, 1.0, 0.5]))
        assert y.tolist() == [0.0, 3.0, 0.0]
        assert tuple(lib.binomial(lib.ones(2, 3), lib.tensor([0.5, 0.5, 0.5])).shape) == (2, 3)
        p = lib.tensor([0.5], requires_grad=True)
        with pytest.raises(RuntimeError, match="derivative for aten::binomial"):
            lib.binomial(lib.tensor([4.0]), p).sum().backward()


@pytest.mark.torch_parity
def test_top_level_pooling_with_indices_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(8).standard_normal((2, 3, 9)).astype(np.float32)
    calls = (("adaptive_max_pool1d", (4,)), ("max_pool1d_with_indices", (3,)),
             ("max_pool1d_with_indices", (3, 2, 1, 1, True)),
             ("max_pool1d_with_indices", (2, [], 0, 2)))
    for name, args in calls:
        ours = getattr(ag, name)(ag.tensor(data), *args)
        theirs = getattr(torch, name)(torch.tensor(data), *args)
        for o, t in zip(ours, theirs):
            np.testing.assert_array_equal(o.numpy(), t.numpy(), err_msg=f"{name}{args}")


def test_top_level_pooling_with_indices_by_hand():
    x = ag.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]], requires_grad=True)
    out, idx = ag.max_pool1d_with_indices(x, 2)
    assert out.tolist() == [[[3.0, 5.0]]] and idx.tolist() == [[[1, 3]]]
    out.sum().backward()
    assert x.grad.tolist() == [[[0.0, 1.0, 0.0, 1.0, 0.0]]]
    out, idx = ag.adaptive_max_pool1d(x.detach(), 1)
    assert out.tolist() == [[[5.0]]] and idx.tolist() == [[[3]]]


# ---- functions PyTorch removed in 1.9 -----------------------------------------------------------

def test_removed_functions_raise_with_the_linalg_replacement():
    a = ag.eye(2)
    for call, advice in ((lambda: ag.solve(a, a), "X = torch.linalg.solve(A, B)"),
                         (lambda: a.symeig(eigenvectors=True), "torch.linalg.eigh"),
                         (lambda: ag.eig(a), "torch.linalg.eigvals"),
                         (lambda: a.lstsq(a), "torch.linalg.lstsq"),
                         (lambda: ag.matrix_rank(a), "torch.linalg.matrix_rank")):
        with pytest.raises(RuntimeError, match="deprecated since version 1.9 and is now removed"
                           ) as err:
            call()
        assert advice in str(err.value)
    assert ag.linalg.solve(a, ag.ones(2)).tolist() == [1.0, 1.0]  # linalg's are untouched


@pytest.mark.torch_parity
def test_removed_functions_raise_torchs_words():
    torch = pytest.importorskip("torch")
    for name, args in (("solve", 2), ("eig", 1), ("symeig", 1), ("lstsq", 2), ("matrix_rank", 1)):
        messages = []
        for lib in (torch, ag):
            with pytest.raises(RuntimeError) as err:
                getattr(lib, name)(*[lib.eye(2)] * args)
            messages.append(str(err.value))
        assert messages[0] == messages[1], name


# ---- F.linear_cross_entropy --------------------------------------------------------------------

def test_linear_cross_entropy_is_the_composition():
    import nn.functional as F

    rng = np.random.default_rng(9)
    x = ag.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(3))
    t = ag.tensor([0, 2, 1, -100, 2])
    got = F.linear_cross_entropy(x, w, t, linear_bias=b, label_smoothing=0.1)
    want = F.cross_entropy(x.matmul(w.T) + b, t, label_smoothing=0.1)
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    logits = x.detach().numpy() @ w.detach().numpy().T + b.numpy()  # by hand, no smoothing
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    keep = [0, 1, 2, 4]
    by_hand = -logp[keep, t.numpy()[keep]].mean()
    np.testing.assert_allclose(F.linear_cross_entropy(x, w, t, linear_bias=b).item(), by_hand,
                               rtol=1e-12)
    assert ag.gradcheck(lambda x, w: F.linear_cross_entropy(x, w, t, reduction="sum"), (x, w))
    with pytest.raises(NotImplementedError, match="2-D linear_weight"):
        F.linear_cross_entropy(x, ag.ones(3, 2, 4), t)


@pytest.mark.torch_parity
def test_linear_cross_entropy_matches_torch():
    torch = pytest.importorskip("torch")
    import nn.functional as F

    rng = np.random.default_rng(10)
    x, w = rng.standard_normal((6, 4)).astype(np.float32), rng.standard_normal((3, 4))
    t, cw = np.array([0, 2, 1, 1, 0, 2]), rng.random(3).astype(np.float32)
    for kw in ({}, {"reduction": "none"}, {"ignore_index": 1, "reduction": "sum"},
               {"weight": cw, "label_smoothing": 0.2}):
        results = []
        for lib, fn in ((torch, torch.nn.functional.linear_cross_entropy),
                        (ag, F.linear_cross_entropy)):
            xt = lib.tensor(x, requires_grad=True)
            extra = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
            loss = fn(xt, lib.tensor(w.astype(np.float32)), lib.tensor(t), **extra)
            loss.sum().backward()
            results.append((loss.detach().numpy(), xt.grad.numpy()))
        for ours, theirs in zip(results[1], results[0]):
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_multithreading_switch_is_recorded_per_thread():
    import threading

    assert ag.autograd.is_multithreading_enabled() and not ag.autograd.is_view_replay_enabled()
    ag.autograd.set_multithreading_enabled(False)  # as a function: from now on
    try:
        assert not ag.autograd.is_multithreading_enabled()
        seen = []
        worker = threading.Thread(target=lambda: seen.append(
            ag.autograd.is_multithreading_enabled()))
        worker.start()
        worker.join()
        assert seen == [True]  # another thread keeps its own
        with ag.autograd.set_multithreading_enabled(True):
            assert ag.autograd.is_multithreading_enabled()
        assert not ag.autograd.is_multithreading_enabled()
    finally:
        ag.autograd.set_multithreading_enabled(True)
    x = ag.tensor([2.0], requires_grad=True)
    with ag.autograd.set_multithreading_enabled(False):
        (x * x).sum().backward()
    assert x.grad.tolist() == [4.0]


@pytest.mark.torch_parity
def test_multithreading_switch_matches_torch():
    torch = pytest.importorskip("torch")
    for lib in (torch, ag):
        with lib.autograd.set_multithreading_enabled(False):
            assert not lib.autograd.is_multithreading_enabled()
        assert lib.autograd.is_multithreading_enabled()
        assert lib.autograd.is_view_replay_enabled() is False
