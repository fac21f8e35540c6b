"""Recurrent layers: hand-worked values, float64 gradchecks, PyTorch parity, validation."""

import inspect
import itertools
import math
import typing

import numpy as np
import pytest

import autograd_core as ag
import nn


def _sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def _set(module, **values):
    for name, value in values.items():
        getattr(module, name).data[...] = np.asarray(value, dtype=np.float64)


# ---- hand-worked examples (hidden size 1, known weights) -----------------------------------

def test_rnn_cell_hand_worked_value_and_gradient():
    cell = nn.RNNCell(1, 1, dtype=np.float64)
    _set(cell, weight_ih=[[0.5]], weight_hh=[[-1.0]], bias_ih=[0.25], bias_hh=[0.0])
    h = ag.tensor([[0.5]], dtype=np.float64, requires_grad=True)
    out = cell(ag.tensor([[2.0]], dtype=np.float64), h)
    # pre-activation 0.5*2 + 0.25 - 1*0.5 = 0.75
    assert out.item() == pytest.approx(math.tanh(0.75), rel=1e-15)
    out.backward()
    slope = 1 - math.tanh(0.75) ** 2
    assert cell.weight_hh.grad.item() == pytest.approx(slope * 0.5, rel=1e-14)
    assert cell.weight_ih.grad.item() == pytest.approx(slope * 2.0, rel=1e-14)
    assert cell.bias_hh.grad.item() == pytest.approx(slope, rel=1e-14)
    assert h.grad.item() == pytest.approx(-slope, rel=1e-14)


def test_relu_rnn_two_steps_hand_worked():
    rnn = nn.RNN(1, 1, nonlinearity="relu", bias=False, dtype=np.float64)
    _set(rnn, weight_ih_l0=[[2.0]], weight_hh_l0=[[0.5]])
    x = ag.tensor([[[1.0]], [[-3.0]], [[4.0]]], dtype=np.float64)  # (seq 3, batch 1, 1)
    out, h_n = rnn(x)
    # h1 = relu(2) = 2; h2 = relu(-6 + 1) = 0; h3 = relu(8 + 0) = 8
    np.testing.assert_array_equal(out.detach().numpy().ravel(), [2.0, 0.0, 8.0])
    np.testing.assert_array_equal(h_n.detach().numpy(), [[[8.0]]])


def test_lstm_cell_hand_worked_gate_order():
    cell = nn.LSTMCell(1, 1, bias=False, dtype=np.float64)
    # rows: i, f, g, o
    _set(cell, weight_ih=[[1.0], [0.0], [2.0], [-1.0]], weight_hh=[[0.0]] * 4)
    x = ag.tensor([[1.0]], dtype=np.float64)
    h0 = ag.tensor([[0.3]], dtype=np.float64)
    c0 = ag.tensor([[0.5]], dtype=np.float64)
    h, c = cell(x, (h0, c0))
    c_expected = 0.5 * 0.5 + _sig(1.0) * math.tanh(2.0)
    assert c.item() == pytest.approx(c_expected, rel=1e-15)
    assert h.item() == pytest.approx(_sig(-1.0) * math.tanh(c_expected), rel=1e-15)


def test_gru_cell_hand_worked_reset_gate_multiplies_hidden_bias():
    cell = nn.GRUCell(1, 1, dtype=np.float64)
    # rows: r, z, n; b_hn sits inside r * (W_hn h + b_hn) as in PyTorch
    _set(cell, weight_ih=[[1.0], [-1.0], [2.0]], weight_hh=[[1.0], [1.0], [1.0]],
         bias_ih=[0.0, 0.0, 0.0], bias_hh=[0.0, 0.0, 0.5])
    out = cell(ag.tensor([[1.0]], dtype=np.float64), ag.tensor([[0.5]], dtype=np.float64))
    r = _sig(1.0 + 0.5)
    z = _sig(-1.0 + 0.5)
    n = math.tanh(2.0 + r * (0.5 + 0.5))
    assert out.item() == pytest.approx((1 - z) * n + z * 0.5, rel=1e-15)


def test_bidirectional_reverse_direction_reads_the_sequence_backwards():
    rnn = nn.RNN(1, 1, nonlinearity="relu", bias=False, bidirectional=True, dtype=np.float64)
    _set(rnn, weight_ih_l0=[[1.0]], weight_hh_l0=[[1.0]],
         weight_ih_l0_reverse=[[1.0]], weight_hh_l0_reverse=[[10.0]])
    out, h_n = rnn(ag.tensor([[1.0], [2.0], [3.0]], dtype=np.float64))  # unbatched (3, 1)
    # forward: cumulative sums 1, 3, 6; reverse: 3, 2 + 30 = 32, 1 + 320 = 321
    np.testing.assert_array_equal(out.detach().numpy(), [[1.0, 321.0], [3.0, 32.0], [6.0, 3.0]])
    np.testing.assert_array_equal(h_n.detach().numpy(), [[6.0], [321.0]])


# ---- structure: names, shapes, init, state_dict -------------------------------------------

def test_parameter_names_and_shapes_are_pytorchs():
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    assert list(shapes) == [
        f"{w}_l{layer}{sfx}" for layer in range(2) for sfx in ("", "_reverse")
        for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
    ]
    assert shapes["weight_ih_l0"] == (20, 3)
    assert shapes["weight_hh_l0"] == (20, 2)
    assert shapes["weight_hr_l0_reverse"] == (2, 5)
    assert shapes["weight_ih_l1"] == (20, 4)  # 2 directions x proj_size
    gru = nn.GRU(3, 4, bias=False)
    assert {k: tuple(v.shape) for k, v in gru.state_dict().items()} == {
        "weight_ih_l0": (12, 3), "weight_hh_l0": (12, 4)}
    cell = nn.LSTMCell(3, 4)
    assert {k: tuple(v.shape) for k, v in cell.state_dict().items()} == {
        "weight_ih": (16, 3), "weight_hh": (16, 4), "bias_ih": (16,), "bias_hh": (16,)}
    assert nn.RNNCell(3, 4, bias=False).bias_ih is None


@pytest.mark.parametrize("make", [lambda: nn.GRU(4, 16, num_layers=2),
                                  lambda: nn.LSTMCell(4, 16), lambda: nn.RNN(4, 16)])
def test_init_is_uniform_within_one_over_sqrt_hidden(make):
    ag.manual_seed(0)
    values = np.concatenate([p.detach().numpy().ravel() for p in make().parameters()])
    bound = 1 / math.sqrt(16)
    assert values.min() >= -bound and values.max() <= bound
    # U(-b, b) has standard deviation b / sqrt(3)
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.1)


def test_dtype_argument_and_default_dtype():
    assert nn.LSTM(2, 3).weight_ih_l0.dtype == np.float32
    assert nn.GRUCell(2, 3, dtype=np.float64).weight_hh.dtype == np.float64


def test_repr_like_pytorch():
    assert repr(nn.RNN(3, 4, 2, "relu", False, True, 0.5, True)) == (
        "RNN(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)")
    assert repr(nn.LSTM(3, 4, proj_size=2)) == "LSTM(3, 4, proj_size=2)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"
    assert repr(nn.GRUCell(3, 4, bias=False)) == "GRUCell(3, 4, bias=False)"


# ---- shapes and semantics ------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_unbatched_equals_batch_of_one_and_batch_first(kind):
    ag.manual_seed(1)
    m = getattr(nn, kind)(3, 4, num_layers=2, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((5, 3))
    out_u, h_u = m(ag.tensor(x))
    out_b, _h_b = m(ag.tensor(x[:, None, :]))
    assert out_u.shape == (5, 4)
    np.testing.assert_allclose(out_u.detach().numpy(), out_b.detach().numpy()[:, 0], rtol=1e-15)
    m.batch_first = True
    out_f, h_f = m(ag.tensor(x[None]))
    np.testing.assert_allclose(out_f.detach().numpy()[0], out_u.detach().numpy(), rtol=1e-15)
    for a, b in zip(*(h if kind == "LSTM" else (h,) for h in (h_u, h_f))):
        assert a.shape == (2, 4)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy()[:, 0], rtol=1e-15)


def test_output_shapes_bidirectional_batch_first():
    m = nn.LSTM(3, 4, num_layers=3, batch_first=True, bidirectional=True)
    out, (h, c) = m(ag.randn(2, 7, 3))
    assert out.shape == (2, 7, 8) and h.shape == (6, 2, 4) and c.shape == (6, 2, 4)
    out, h = nn.GRU(3, 4, bidirectional=True)(ag.randn(7, 3))
    assert out.shape == (7, 8) and h.shape == (2, 4)


def test_last_output_step_is_h_n_of_last_layer():
    m = nn.GRU(2, 3, num_layers=2, dtype=np.float64)
    out, h_n = m(ag.tensor(np.random.default_rng(2).standard_normal((4, 2, 2))))
    np.testing.assert_array_equal(out.detach().numpy()[-1], h_n.detach().numpy()[-1])


def test_multi_step_equals_cells_unrolled():
    ag.manual_seed(3)
    lstm = nn.LSTM(2, 3, dtype=np.float64)
    cell = nn.LSTMCell(2, 3, dtype=np.float64)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((4, 2, 2))
    out, (_h_n, c_n) = lstm(ag.tensor(x))
    h = c = ag.zeros((2, 3), dtype=np.float64)
    for t in range(4):
        h, c = cell(ag.tensor(x[t]), (h, c))
        np.testing.assert_allclose(out.detach().numpy()[t], h.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(c_n.detach().numpy()[0], c.detach().numpy(), rtol=1e-14)


def test_dropout_between_layers_only_in_training():
    ag.manual_seed(4)
    m = nn.RNN(2, 3, num_layers=2, dropout=1.0, dtype=np.float64)
    x = ag.tensor(np.random.default_rng(4).standard_normal((5, 2, 2)))
    out_train, _ = m(x)
    # with everything dropped, layer 2 sees zeros: h_t = tanh(b_ih + b_hh + W_hh h_{t-1})
    h = np.zeros((2, 3))
    w_hh = m.weight_hh_l1.detach().numpy()
    b = m.bias_ih_l1.detach().numpy() + m.bias_hh_l1.detach().numpy()
    for t in range(5):
        h = np.tanh(b + h @ w_hh.T)
        np.testing.assert_allclose(out_train.detach().numpy()[t], h, rtol=1e-13)
    m.eval()
    out_eval, _ = m(x)
    assert not np.allclose(out_eval.detach().numpy(), out_train.detach().numpy())


def test_dropout_warning_with_one_layer():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(2, 3, dropout=0.5)


def test_parameters_follow_module_double():
    m = nn.GRU(2, 3).double()
    out, _ = m(ag.randn(4, 2, 2).double())
    assert out.dtype == np.float64


def test_gradient_reaches_every_parameter_and_h0():
    m = nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=1, dtype=np.float64)
    h0 = ag.zeros((4, 5, 1), dtype=np.float64, requires_grad=True)
    c0 = ag.zeros((4, 5, 3), dtype=np.float64, requires_grad=True)
    out, (_h, c) = m(ag.randn(6, 5, 2).double(), (h0, c0))
    (out.sum() + c.sum()).backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and np.abs(p.grad.detach().numpy()).sum() > 0, name
    assert np.abs(h0.grad.detach().numpy()).sum() > 0 and np.abs(c0.grad.detach().numpy()).sum() > 0


# ---- float64 gradchecks --------------------------------------------------------------------

def _f64(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_gradcheck_rnn_cell(nonlinearity):
    cell = nn.RNNCell(3, 2, nonlinearity=nonlinearity, dtype=np.float64)
    params = list(cell.parameters())
    assert ag.gradcheck(lambda x, h, *ps: cell(x, h), (_f64(4, 3), _f64(4, 2, seed=1), *params))


def test_gradcheck_lstm_cell():
    cell = nn.LSTMCell(3, 2, dtype=np.float64)
    params = list(cell.parameters())
    assert ag.gradcheck(lambda x, h, c, *ps: cell(x, (h, c)),
                        (_f64(4, 3), _f64(4, 2, seed=1), _f64(4, 2, seed=2), *params))


def test_gradcheck_gru_cell_unbatched():
    cell = nn.GRUCell(3, 2, dtype=np.float64)
    params = list(cell.parameters())
    assert ag.gradcheck(lambda x, h, *ps: cell(x, h), (_f64(3), _f64(2, seed=1), *params))


def test_gradgradcheck_gru_cell():
    cell = nn.GRUCell(2, 2, bias=False, dtype=np.float64)
    assert ag.gradgradcheck(lambda x, h: cell(x, h), (_f64(2, 2), _f64(2, 2, seed=1)))


@pytest.mark.parametrize("make", [lambda: nn.LSTMCell(3, 4, dtype=np.float64),
                                  lambda: nn.GRUCell(3, 4, dtype=np.float64)])
def test_fused_gate_gradients_agree_with_their_create_graph_form(make):
    # the fused nodes compute plain gradients in numpy and create_graph ones with tensor ops
    cell = make()
    x, h, c = _f64(5, 3), _f64(5, 4, seed=1), _f64(5, 4, seed=2)
    inputs = [x, h, *cell.parameters()] + ([c] if isinstance(cell, nn.LSTMCell) else [])

    def loss():
        out = cell(x, (h, c)) if isinstance(cell, nn.LSTMCell) else (cell(x, h),)
        return sum(((k + 1.0) * o.sin()).sum() for k, o in enumerate(out))

    plain = ag.grad(loss(), inputs)
    recorded = ag.grad(loss(), inputs, create_graph=True)
    assert all(g.requires_grad for g in recorded)
    for a, b in zip(plain, recorded):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-13,
                                   atol=1e-15)


def test_gradgradcheck_lstm_sequence():
    # second derivatives through the time-step split (unbind) and the gate split
    m = nn.LSTM(2, 2, bias=False, dtype=np.float64)
    assert ag.gradgradcheck(lambda x: m(x)[0], (_f64(3, 1, 2),))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_gradcheck_two_layer_bidirectional(kind):
    m = getattr(nn, kind)(2, 2, num_layers=2, bidirectional=True, batch_first=True,
                          dtype=np.float64)
    params = list(m.parameters())

    def f(x, *ps):
        out, hidden = m(x)
        return (out, *hidden) if kind == "LSTM" else (out, hidden)

    assert ag.gradcheck(f, (_f64(2, 3, 2), *params))


# ---- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("make, exc, match", [
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "Unknown nonlinearity 'sigmoid'"),
    (lambda: nn.RNNCell(3, 4, nonlinearity="gelu"), ValueError, "Unknown nonlinearity 'gelu'"),
    (lambda: nn.RNN(3.0, 4), TypeError, "input_size should be of type int, got: float"),
    (lambda: nn.LSTM(3, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda: nn.GRU(3, 4, num_layers=0), ValueError, "num_layers must be greater than zero"),
    (lambda: nn.GRU(3, 4, dropout=1.5), ValueError, r"dropout should be a number in range"),
    (lambda: nn.LSTM(3, 4, bias=1), TypeError, "bias should be of type bool"),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller"),
    (lambda: nn.RNNCell(3, -1), RuntimeError, "negative dimension -1"),
])
def test_constructor_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def _raises(exc, match, fn, *args):
    with pytest.raises(exc, match=match):
        fn(*args)


def test_forward_errors_are_pytorchs():
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = ag.randn(5, 2, 3)
    _raises(RuntimeError, r"Expected hidden\[1\] size \(2, 2, 4\), got \[2, 2, 5\]", lstm, x,
            (ag.zeros((2, 2, 4)), ag.zeros((2, 2, 5))))
    _raises(RuntimeError, r"hx and cx should also be 3-D but got \(2-D, 2-D\)", lstm, x,
            (ag.zeros((2, 4)), ag.zeros((2, 4))))
    _raises(RuntimeError, "hx must be a tuple", lstm, x, ag.zeros((2, 2, 4)))
    _raises(ValueError, r"LSTM input dtype \(float64\) does not match weight dtype \(float32\)",
            lstm, x.double())
    _raises(RuntimeError, "input.size\\(-1\\) must be equal to input_size. Expected 3, got 4",
            lstm, ag.randn(5, 2, 4))
    _raises(ValueError, "LSTM: Expected input to be 2D or 3D, got 4D instead", lstm,
            ag.randn(5, 2, 3, 1))
    gru = nn.GRU(3, 4)
    _raises(RuntimeError, r"Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]", gru, x,
            ag.zeros((1, 3, 4)))
    _raises(RuntimeError, "For unbatched 2-D input, hx should also be 2-D but got 3-D", gru,
            ag.randn(5, 3), ag.zeros((1, 1, 4)))
    _raises(RuntimeError, "sequence length to be larger than 0", gru, ag.randn(0, 2, 3))
    _raises(ValueError, "RNN: Expected input to be 2D or 3D, got 1D tensor instead",
            nn.RNN(3, 4), ag.randn(3))
    _raises(TypeError, "input must be a Tensor", gru, np.zeros((5, 2, 3), np.float32))


def test_cell_forward_errors_are_pytorchs():
    cell = nn.RNNCell(3, 4)
    _raises(RuntimeError, "input has inconsistent input_size: got 5 expected 3", cell,
            ag.randn(2, 5))
    _raises(RuntimeError, "Input batch size 2 doesn't match hidden0 batch size 3", cell,
            ag.randn(2, 3), ag.randn(3, 4))
    _raises(RuntimeError, "hidden0 has inconsistent hidden_size: got 5, expected 4", cell,
            ag.randn(2, 3), ag.randn(2, 5))
    _raises(ValueError, "RNNCell: Expected input to be 1D or 2D, got 3D instead", cell,
            ag.randn(1, 2, 3))
    lstm = nn.LSTMCell(3, 4)
    _raises(RuntimeError, "hidden1 has inconsistent hidden_size: got 5, expected 4", lstm,
            ag.randn(2, 3), (ag.randn(2, 4), ag.randn(2, 5)))
    _raises(RuntimeError, "lstm_cell expects two hidden states", lstm, ag.randn(2, 3),
            (ag.randn(2, 4),))
    _raises(RuntimeError, "input dtype", lstm, ag.randn(2, 3).double())


# ---- PyTorch parity ------------------------------------------------------------------------

def _torch_copy(torch, module, tmodule, dtype):
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    tmodule.to(tdtype)
    state = {k: torch.from_numpy(np.array(v.detach().numpy())) for k, v in
             module.state_dict().items()}
    assert list(state) == list(tmodule.state_dict())
    tmodule.load_state_dict(state)
    return tmodule


def _tol(dtype):
    return {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}


def _pair(torch, array, requires_grad=True):
    return (ag.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _check_close(ours, theirs, tol, what):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), err_msg=what,
                               **tol)


@pytest.mark.torch_parity
@pytest.mark.parametrize("kind", ["RNN_tanh", "RNN_relu", "LSTM", "GRU"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_multilayer_matches_torch(kind, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    name, _, act = kind.partition("_")
    for batch_first, layers, bias, unbatched, given in itertools.product(
            (False, True), (1, 2), (True, False), (False, True), (False, True)):
        kw = {"num_layers": layers, "bias": bias, "batch_first": batch_first}
        if act:
            kw["nonlinearity"] = act
        m = getattr(nn, name)(3, 4, **kw, dtype=dtype)
        tm = _torch_copy(torch, m, getattr(torch.nn, name)(3, 4, **kw), dtype)
        seq, batch = 5, 2
        shape = (seq, 3) if unbatched else ((batch, seq, 3) if batch_first else (seq, batch, 3))
        x, tx = _pair(torch, rng.standard_normal(shape).astype(dtype))
        state_shape = (layers, 4) if unbatched else (layers, batch, 4)
        states = [_pair(torch, rng.standard_normal(state_shape).astype(dtype))
                  for _ in range(2 if name == "LSTM" else 1)] if given else []
        if not given:
            hx = thx = None
        elif name == "LSTM":
            hx, thx = (states[0][0], states[1][0]), (states[0][1], states[1][1])
        else:
            hx, thx = states[0]
        out, hidden = m(x, hx)
        tout, thidden = tm(tx, thx)
        hidden = hidden if name == "LSTM" else (hidden,)
        thidden = thidden if name == "LSTM" else (thidden,)
        case = f"{kind} {dtype.__name__} {kw} unbatched={unbatched} h0={given}"
        tol = _tol(dtype)
        _check_close(out, tout, tol, case)
        for a, b in zip(hidden, thidden):
            _check_close(a, b, tol, case)
        weights = [1.0 + k for k in range(len(hidden))]
        loss = (out * out).sum() + sum(w * (h ** 3).sum() for w, h in zip(weights, hidden))
        tloss = (tout * tout).sum() + sum(w * (h ** 3).sum() for w, h in zip(weights, thidden))
        loss.backward()
        tloss.backward()
        _check_close(x.grad, tx.grad, tol, case + " input grad")
        for s, ts in states:
            _check_close(s.grad, ts.grad, tol, case + " h0 grad")
        for (n, p), (tn, tp) in zip(m.named_parameters(), tm.named_parameters()):
            assert n == tn
            _check_close(p.grad, tp.grad, tol, f"{case} {n}.grad")


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, kw", [
    ("RNN", {"bidirectional": True, "num_layers": 2, "batch_first": True}),
    ("GRU", {"bidirectional": True, "num_layers": 2}),
    ("LSTM", {"bidirectional": True, "num_layers": 2, "proj_size": 2}),
    ("LSTM", {"num_layers": 2, "proj_size": 3, "batch_first": True}),
])
def test_bidirectional_and_projection_match_torch(name, kw):
    torch = pytest.importorskip("torch")
    m = getattr(nn, name)(3, 4, **kw, dtype=np.float64)
    tm = _torch_copy(torch, m, getattr(torch.nn, name)(3, 4, **kw), np.float64)
    x, tx = _pair(torch, np.random.default_rng(1).standard_normal((2, 5, 3)))
    out, hidden = m(x)
    tout, thidden = tm(tx)
    hidden = hidden if name == "LSTM" else (hidden,)
    thidden = thidden if name == "LSTM" else (thidden,)
    tol = _tol(np.float64)
    _check_close(out, tout, tol, "output")
    for a, b in zip(hidden, thidden):
        _check_close(a, b, tol, "hidden")
    ((out ** 2).sum() + sum((h ** 3).sum() for h in hidden)).backward()
    ((tout ** 2).sum() + sum((h ** 3).sum() for h in thidden)).backward()
    _check_close(x.grad, tx.grad, tol, "input grad")
    for (n, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
        _check_close(p.grad, tp.grad, tol, n)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["RNNCell_tanh", "RNNCell_relu", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cells_match_torch(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    name, _, act = name.partition("_")
    for bias, unbatched, given in itertools.product((True, False), repeat=3):
        kw = dict(bias=bias, **({"nonlinearity": act} if act else {}))
        m = getattr(nn, name)(3, 4, **kw, dtype=dtype)
        tm = _torch_copy(torch, m, getattr(torch.nn, name)(3, 4, **kw), dtype)
        x, tx = _pair(torch, rng.standard_normal((3,) if unbatched else (2, 3)).astype(dtype))
        sshape = (4,) if unbatched else (2, 4)
        states = [_pair(torch, rng.standard_normal(sshape).astype(dtype))
                  for _ in range(2 if name == "LSTMCell" else 1)] if given else []
        if not given:
            hx = thx = None
        elif name == "LSTMCell":
            hx, thx = (states[0][0], states[1][0]), (states[0][1], states[1][1])
        else:
            hx, thx = states[0]
        out = m(x, hx)
        tout = tm(tx, thx)
        out = out if name == "LSTMCell" else (out,)
        tout = tout if name == "LSTMCell" else (tout,)
        case = f"{name} {act} {dtype.__name__} {kw} unbatched={unbatched} hx={given}"
        tol = _tol(dtype)
        for a, b in zip(out, tout):
            _check_close(a, b, tol, case)
        sum(((1.0 + k) * o ** 3).sum() for k, o in enumerate(out)).backward()
        sum(((1.0 + k) * o ** 3).sum() for k, o in enumerate(tout)).backward()
        _check_close(x.grad, tx.grad, tol, case + " input grad")
        for s, ts in states:
            _check_close(s.grad, ts.grad, tol, case + " hx grad")
        for (n, p), (tn, tp) in zip(m.named_parameters(), tm.named_parameters()):
            assert n == tn
            _check_close(p.grad, tp.grad, tol, f"{case} {n}.grad")


def _params(fn):
    return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()
            if p.name != "self"]


@pytest.mark.torch_parity
def test_constructor_signatures_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("RNNCell", "LSTMCell", "GRUCell"):
        assert _params(getattr(nn, name).__init__) == _params(getattr(torch.nn, name).__init__)
    for name in ("RNN", "LSTM", "GRU"):
        # torch's __init__ is (*args, **kwargs); its documented signature is the first overload
        documented = typing.get_overloads(getattr(torch.nn, name).__init__)[0]
        assert _params(getattr(nn, name).__init__) == _params(documented), name


@pytest.mark.torch_parity
def test_training_an_lstm_classifier_matches_torch():
    # a whole program: LSTM -> last step -> Linear -> cross-entropy, SGD with momentum
    torch = pytest.importorskip("torch")
    import optimizers

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(3, 5, num_layers=2, batch_first=True, dtype=np.float64)
            self.head = nn.Linear(5, 2, dtype=np.float64)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1])

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.LSTM(3, 5, num_layers=2, batch_first=True)
            self.head = torch.nn.Linear(5, 2)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1])

    net = Net()
    tnet = TorchNet().double()
    tnet.load_state_dict({k: torch.from_numpy(np.array(v.detach().numpy()))
                          for k, v in net.state_dict().items()})
    rng = np.random.default_rng(7)
    x = rng.standard_normal((8, 6, 3))
    y = (x.sum(axis=(1, 2)) > 0).astype(np.int64)
    opt = optimizers.SGD(net.parameters(), lr=0.5, momentum=0.9)
    topt = torch.optim.SGD(tnet.parameters(), lr=0.5, momentum=0.9)
    losses, tlosses = [], []
    for _ in range(8):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(ag.tensor(x)), ag.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
        topt.zero_grad()
        tloss = torch.nn.functional.cross_entropy(tnet(torch.tensor(x)), torch.tensor(y))
        tloss.backward()
        topt.step()
        tlosses.append(tloss.item())
    np.testing.assert_allclose(losses, tlosses, rtol=1e-9)
    assert losses[-1] < losses[0]
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.detach().numpy(), tnet.get_parameter(name).detach().numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)


# ---- one node per layer direction (_Sequence) ----------------------------------------------

_SEQ_MODES = [("LSTM", {}), ("GRU", {}), ("RNN", {}), ("RNN", {"nonlinearity": "relu"}),
              ("GRU", {"bias": False})]


def _seq_inputs(mode, dtype, seed=0):
    rng = np.random.default_rng(seed)
    T, B, G, H = 5, 3, 4 * 4 if mode == "LSTM" else 3 * 4 if mode == "GRU" else 4, 4

    def t(*shape):
        return ag.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)

    return t(T, B, G), t(B, H), t(B, H) if mode == "LSTM" else None, t(G, H), t(G)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
def test_sequence_node_equals_the_per_step_nodes_bit_for_bit(mode, reverse, dtype):
    # the fused node runs the per-step nodes' numpy expressions, and sums each gradient in
    # the order their backward did: outputs and gradients are the same numbers
    from nn.layers.rnn import _Sequence, _sequence_composite

    inputs = _seq_inputs(mode, dtype)
    used = [v for v in inputs if v is not None]
    rng = np.random.default_rng(1)
    results = []
    for run in (_Sequence.apply, _sequence_composite):
        outs = run(*inputs, mode, reverse)
        weights = [ag.tensor(rng.standard_normal(tuple(o.shape)).astype(dtype)) for o in outs]
        rng = np.random.default_rng(1)
        loss = sum((o * w).sum() for o, w in zip(outs, weights))
        results.append([o.detach().numpy() for o in outs]
                       + [g.numpy() for g in ag.grad(loss, used)])
    for fused, steps in zip(*results):
        np.testing.assert_array_equal(fused, steps)


@pytest.mark.parametrize("mode,kw", _SEQ_MODES)
def test_sequence_plain_and_create_graph_gradients_agree(mode, kw):
    # plain backward: the fused numpy loop; create_graph: the per-step nodes, recorded
    m = getattr(nn, mode)(3, 4, num_layers=2, bidirectional=True, dtype=np.float64, **kw)
    x, h0, c0 = _f64(5, 2, 3), _f64(4, 2, 4, seed=1), _f64(4, 2, 4, seed=2)
    inputs = [x, h0, *m.parameters()] + ([c0] if mode == "LSTM" else [])

    def loss():
        out, hn = m(x, (h0, c0) if mode == "LSTM" else h0)
        hs = hn if isinstance(hn, tuple) else (hn,)
        return (out.sin()).sum() + sum((k + 2.0) * (h * h).sum() for k, h in enumerate(hs))

    plain = ag.grad(loss(), inputs)
    recorded = ag.grad(loss(), inputs, create_graph=True)
    assert all(g.requires_grad for g in recorded)
    for a, b in zip(plain, recorded):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-13,
                                   atol=1e-14)


@pytest.mark.parametrize("mode,kw", _SEQ_MODES)
def test_gradgradcheck_sequences_with_states(mode, kw):
    m = getattr(nn, mode)(2, 2, dtype=np.float64, **kw)
    h0, c0 = _f64(1, 2, 2, seed=1), _f64(1, 2, 2, seed=2)

    def fn(x, h0, c0):
        out, hn = m(x, (h0, c0) if mode == "LSTM" else h0)
        return out, hn[0] if isinstance(hn, tuple) else hn

    assert ag.gradcheck(fn, (_f64(3, 2, 2), h0, c0))
    assert ag.gradgradcheck(fn, (_f64(3, 2, 2), h0, c0))


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
def test_in_place_change_of_the_output_leaves_the_gradients_alone(mode):
    # backward reads each step's state from the node's own array: an in-place change of the
    # returned output (out.mul_(2)) reached it, and weight_hh's gradient (GRU: the input's too)
    # came out silently wrong. The gradients must be those of the out-of-place 2 * out.
    kw = {"nonlinearity": "tanh"} if mode == "RNN_TANH" else {}
    m = getattr(nn, mode.split("_")[0])(3, 4, dtype=np.float64, **kw)
    x = _f64(5, 2, 3)

    def grads(in_place):
        out = m(x)[0]
        out = out.mul_(2.0) if in_place else 2.0 * out
        return ag.grad(out.sum(), [x, *m.parameters()])

    for a, b in zip(grads(True), grads(False)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_a_hidden_state_of_another_dtype_is_refused(kind):
    # PyTorch refuses h0/c0 whose dtype differs from the input's; it ran here, in float64,
    # and returned float64 outputs from a float32 layer.
    layer = getattr(nn, kind)(3, 4)
    x = ag.zeros(5, 2, 3)
    h = ag.zeros(1, 2, 4, dtype=ag.float64)
    hx = (h, ag.zeros(1, 2, 4)) if kind == "LSTM" else h
    with pytest.raises(RuntimeError, match=r"hidden(\[0\])? dtype \(float64\) does not match "
                                           r"input dtype \(float32\)"):
        layer(x, hx)
    if kind == "LSTM":
        with pytest.raises(RuntimeError, match=r"hidden\[1\] dtype \(float64\)"):
            layer(x, (ag.zeros(1, 2, 4), ag.zeros(1, 2, 4, dtype=ag.float64)))
