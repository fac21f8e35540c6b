"""``nn.utils.rnn`` and packed inputs of RNN / LSTM / GRU: a packed batch gives each sequence
what the layer gives it alone (its own length, its last state at its own last step), and the
numbers, gradients and errors of PyTorch."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.utils import rnn as R

LENGTHS = [3, 5, 1, 4]  # not sorted


def _layer(kind, seed=0, **kw):
    ag.manual_seed(seed)
    cls = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[kind]
    return cls(3, 4, dtype=ag.float64, **kw)


def _seqs(seed=1):
    rng = np.random.default_rng(seed)
    return [ag.tensor(rng.standard_normal((n, 3)), requires_grad=True) for n in LENGTHS]


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_packed_batch_runs_each_sequence_as_alone(kind, bidirectional):
    layer = _layer(kind, num_layers=2, bidirectional=bidirectional)
    seqs = _seqs()
    out, hidden = layer(R.pack_sequence(seqs, enforce_sorted=False))
    h_n = hidden[0] if kind == "LSTM" else hidden
    padded, lengths = R.pad_packed_sequence(out, batch_first=True)
    assert lengths.tolist() == LENGTHS
    for b, s in enumerate(seqs):
        alone, alone_hidden = layer(s.unsqueeze(1))
        alone_h = alone_hidden[0] if kind == "LSTM" else alone_hidden
        np.testing.assert_allclose(padded[b, :LENGTHS[b]].detach().numpy(),
                                   alone[:, 0].detach().numpy(), rtol=1e-12, atol=1e-14)
        assert float(padded[b, LENGTHS[b]:].abs().sum()) == 0.0
        np.testing.assert_allclose(h_n[:, b].detach().numpy(), alone_h[:, 0].detach().numpy(),
                                   rtol=1e-12, atol=1e-14)


def test_gradients_reach_each_sequence_as_alone():
    layer = _layer("GRU")
    seqs = _seqs()
    out, h_n = layer(R.pack_sequence(seqs, enforce_sorted=False))
    (out.data.sum() + h_n.sum()).backward()
    got = [s.grad.numpy().copy() for s in seqs]
    for s, g in zip(seqs, got):
        s.grad = None
        o, h = layer(s.unsqueeze(1))
        (o.sum() + h.sum()).backward()
        np.testing.assert_allclose(g, s.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_pack_and_pad_round_trip_hand_worked():
    x = ag.arange(12.0).reshape(4, 3)  # 4 steps, 3 sequences of lengths 2, 4, 1
    p = R.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
    assert p.sorted_indices.tolist() == [1, 0, 2] and p.unsorted_indices.tolist() == [1, 0, 2]
    assert p.batch_sizes.tolist() == [3, 2, 1, 1] and p.batch_sizes.dtype == ag.int64
    assert p.data.tolist() == [1.0, 0.0, 2.0, 4.0, 3.0, 7.0, 10.0]
    padded, lengths = R.pad_packed_sequence(p, padding_value=-1.0, total_length=5)
    assert lengths.tolist() == [2, 4, 1]
    assert padded.tolist() == [[0, 1, 2], [3, 4, -1], [-1, 7, -1], [-1, 10, -1],
                               [-1, -1, -1]]
    assert [t.tolist() for t in R.unpack_sequence(p)] == [[0.0, 3.0], [1.0, 4.0, 7.0, 10.0],
                                                          [2.0]]
    left = R.pad_sequence([ag.ones(1), ag.ones(3)], batch_first=True, padding_side="left")
    assert left.tolist() == [[0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]


def test_errors_in_the_users_terms():
    x = ag.zeros(4, 3, 2)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        R.pack_padded_sequence(x, [2, 4, 3])
    with pytest.raises(RuntimeError, match="has to be greater than 0"):
        R.pack_padded_sequence(x, [4, 2, 0])
    with pytest.raises(RuntimeError, match=r"equal to batch_size, but got 2 \(batch_size=3\)"):
        R.pack_padded_sequence(x, [3, 2])
    with pytest.raises(RuntimeError, match="larger than the padded input's 4 steps"):
        R.pack_padded_sequence(x, [5, 2, 1])  # (PyTorch reads past the input here)
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 4"):
        R.pad_packed_sequence(R.pack_padded_sequence(x, [4, 2, 1]), total_length=2)
    with pytest.raises(RuntimeError, match="padding_side"):
        R.pad_sequence([ag.ones(1)], padding_side="middle")
    gru = nn.GRU(2, 5)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 3, 5\), got \[1, 2, 5\]"):
        gru(R.pack_padded_sequence(x, [4, 2, 1]), ag.zeros(1, 2, 5))


def _run_both(torch, kind, kw, batch_first, enforce_sorted, with_hx):
    rng = np.random.default_rng(7)
    lengths = sorted(LENGTHS, reverse=True) if enforce_sorted else LENGTHS
    x0 = rng.standard_normal((max(lengths), len(lengths), 3))
    if batch_first:
        x0 = x0.transpose(1, 0, 2).copy()
    results = []
    for lib, tnn, util in ((ag, nn, R), (torch, torch.nn, torch.nn.utils.rnn)):
        lib.manual_seed(0)
        layer = getattr(tnn, kind)(3, 4, batch_first=batch_first, **kw).double()
        draws = np.random.default_rng(11)  # the same weights in both libraries
        with lib.no_grad():
            for p in layer.parameters():
                p.copy_(lib.tensor(draws.standard_normal(tuple(p.shape)) * 0.5))
        x = lib.tensor(x0, requires_grad=True)
        rows = layer.num_layers * (2 if layer.bidirectional else 1)
        out_size = kw.get("proj_size") or 4
        hx = None
        if with_hx:
            h = lib.tensor(np.linspace(-1, 1, rows * len(lengths) * out_size).reshape(
                rows, len(lengths), out_size), requires_grad=True)
            c = lib.tensor(np.linspace(1, -1, rows * len(lengths) * 4).reshape(
                rows, len(lengths), 4), requires_grad=True)
            hx = (h, c) if kind == "LSTM" else h
        packed = util.pack_padded_sequence(x, lib.tensor(lengths), batch_first=batch_first,
                                           enforce_sorted=enforce_sorted)
        out, hidden = layer(packed, hx)
        padded, lens = util.pad_packed_sequence(out, batch_first=batch_first)
        states = list(hidden) if kind == "LSTM" else [hidden]
        loss = (padded ** 2).sum() + sum(s.sum() for s in states)
        loss.backward()
        grads = [x.grad] + [p.grad for p in layer.parameters()]
        if with_hx:
            grads += [hx[0].grad, hx[1].grad] if kind == "LSTM" else [hx.grad]
        results.append([np.array(t.detach().numpy()) for t in
                        [padded, lens, *states, out.batch_sizes, *grads]])
    return results


@pytest.mark.torch_parity
@pytest.mark.parametrize("kind,kw", [
    ("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("GRU", {"bidirectional": True}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 2}), ("GRU", {"num_layers": 3})])
@pytest.mark.parametrize("batch_first,enforce_sorted,with_hx",
                         [(False, True, False), (True, False, True), (False, False, True)])
def test_packed_layers_match_torch(kind, kw, batch_first, enforce_sorted, with_hx):
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    ours, theirs = _run_both(torch, kind, kw, batch_first, enforce_sorted, with_hx)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.torch_parity
def test_utilities_match_torch():
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((n, 2)) for n in LENGTHS]
    for batch_first in (False, True):
        for side in ("right", "left"):
            ours = R.pad_sequence([ag.tensor(a) for a in arrays], batch_first, -2.0, side)
            theirs = torch.nn.utils.rnn.pad_sequence([torch.tensor(a) for a in arrays],
                                                     batch_first, -2.0, side)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    p = R.pack_sequence([ag.tensor(a) for a in arrays], enforce_sorted=False)
    q = torch.nn.utils.rnn.pack_sequence([torch.tensor(a) for a in arrays],
                                         enforce_sorted=False)
    for a, b in zip(p, q):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert p.to(ag.float32).data.dtype == ag.float32
    un = R.unpad_sequence(R.pad_sequence([ag.tensor(a) for a in arrays]),
                          ag.tensor(LENGTHS))
    for a, b in zip(un, arrays):
        np.testing.assert_array_equal(a.numpy(), b)


def test_a_compiled_step_with_lengths_runs_eagerly():
    # the lengths' values decide the slicing: a replay would keep the traced ones
    def step(x, lengths):
        packed = R.pack_padded_sequence(x * 2, lengths)
        return R.pad_packed_sequence(packed)[0].sum()

    compiled = ag.compile(step)
    x = ag.arange(24.0).reshape(4, 3, 2)
    with pytest.warns(RuntimeWarning, match="sequence lengths"):
        compiled(x, ag.tensor([4, 3, 2]))
    for lengths in ([4, 3, 2], [4, 2, 1], [2, 2, 1]):
        assert float(compiled(x, ag.tensor(lengths))) == float(step(x, ag.tensor(lengths)))
