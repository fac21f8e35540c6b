"""The generator is PyTorch's CPU generator: MT19937 seeded as PyTorch seeds it, and
PyTorch's algorithms for the draws programs' numbers hang on (uniform, normal, integers,
permutations, bernoulli/dropout, multinomial, exponential, cauchy, log-normal, geometric,
layer initialisation, DataLoader orders). Checked three ways: numbers PyTorch 2.13 prints for
seeds (hand-copied references), the raw MT19937 stream of numpy's independent implementation
with PyTorch's documented transforms, and, when torch is importable, bit equality over a
sweep of calls, shapes and dtypes, the generator states included."""

import math
import subprocess
import sys

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import random as agr
from autograd_core.utils import data as D


def _raw(seed, n):
    """numpy's legacy-seeded MT19937 (its own implementation): PyTorch's engine."""
    bits = np.random.MT19937()
    bits._legacy_seeding(seed & 0xFFFFFFFF)
    return bits.random_raw(n).astype(np.uint64)


def test_pytorchs_printed_numbers():
    ag.manual_seed(0)
    np.testing.assert_allclose(ag.rand(3).numpy(), [0.4963, 0.7682, 0.0885], atol=5e-5)
    ag.manual_seed(0)
    np.testing.assert_allclose(ag.randn(2, 3).numpy(), [[1.5410, -0.2934, -2.1788],
                                                        [0.5684, -1.0845, -1.3986]], atol=5e-5)
    ag.manual_seed(0)  # 16 or more float32 draws: PyTorch's vectorised Box-Muller
    np.testing.assert_allclose(ag.randn(4, 4).numpy()[0], [-1.1258, -1.1524, -0.2506, -0.4339],
                               atol=5e-5)
    ag.manual_seed(0)
    ag.rand(3)
    np.testing.assert_allclose(ag.randn(20).numpy()[:4], [-0.4339, 0.8487, 0.6920, -0.3160],
                               atol=5e-5)
    ag.manual_seed(0)
    assert ag.randint(0, 10, (5,)).tolist() == [4, 9, 3, 0, 3]
    ag.manual_seed(0)
    assert F.dropout(ag.ones(8), 0.5).tolist() == [0, 0, 2, 0, 0, 0, 2, 2]
    ag.manual_seed(0)
    assert ag.multinomial(ag.tensor([0.1, 0.2, 0.7]), 5, replacement=True).tolist() == [2] * 5


def test_uniform_is_the_raw_stream_transformed():
    # float32: the low 24 bits of a 32-bit draw times 2**-24; float64: the low 53 bits of
    # (first draw << 32 | second) times 2**-53
    r = _raw(123, 8)
    ag.manual_seed(123)
    np.testing.assert_array_equal(ag.rand(4).numpy(),
                                  ((r[:4] & 0xFFFFFF).astype(np.float64) * 2.0 ** -24)
                                  .astype(np.float32))
    r64 = (r[4::2] << np.uint64(32)) | r[5::2]
    np.testing.assert_array_equal(ag.rand(2, dtype=ag.float64).numpy(),
                                  (r64 & np.uint64(2 ** 53 - 1)).astype(np.float64) * 2.0 ** -53)


def test_integers_and_permutation_from_the_raw_stream():
    r = _raw(9, 16)
    ag.manual_seed(9)
    assert ag.randint(3, 10, (4,)).tolist() == [int(v) % 7 + 3 for v in r[:4]]
    perm = list(range(5))  # Fisher-Yates: i swaps with i + draw % (n - i)
    for i, v in enumerate(r[4:8]):
        j = i + int(v) % (5 - i)
        perm[i], perm[j] = perm[j], perm[i]
    assert ag.randperm(5).tolist() == perm


def test_small_normal_draws_come_in_cached_pairs():
    # fewer than 16 values: Box-Muller on two double uniforms, the sine kept for the next call
    ag.manual_seed(4)
    pair = ag.randn(2, dtype=ag.float64).numpy()
    ag.manual_seed(4)
    one, two = ag.randn(1, dtype=ag.float64).item(), ag.randn(1, dtype=ag.float64).item()
    assert [one, two] == pair.tolist()
    r = _raw(4, 4)
    u1, u2 = (((r[0::2] << np.uint64(32)) | r[1::2]) & np.uint64(2 ** 53 - 1)) \
        .astype(np.float64) * 2.0 ** -53
    radius = math.sqrt(-2.0 * math.log1p(-u2))
    assert abs(pair[0] - radius * math.cos(2 * math.pi * u1)) < 1e-15
    assert abs(pair[1] - radius * math.sin(2 * math.pi * u1)) < 1e-15


def test_vectorised_log_sin_cos_are_accurate():
    # the emulated AVX2 polynomials: within 2 float32 ulps of the exact functions
    x = np.linspace(1e-6, 1.0, 20001, dtype=np.float32)
    exact = np.log(x.astype(np.float64))
    assert np.all(np.abs(agr._log_f32(x) - exact) <= 2 * np.spacing(np.abs(exact).astype(
        np.float32)) + 1e-12)
    t = np.linspace(0, 2 * np.pi, 20001, dtype=np.float32)
    s, c = agr._sincos_f32(t)
    assert np.max(np.abs(s - np.sin(t.astype(np.float64)))) < 3e-7
    assert np.max(np.abs(c - np.cos(t.astype(np.float64)))) < 3e-7


def test_state_round_trip_keeps_the_cached_normal():
    ag.manual_seed(11)
    ag.randn(1)  # leaves a cached draw
    state = ag.get_rng_state()
    assert state.shape == (5056,) and state.dtype == ag.uint8
    a = ag.randn(3).tolist()
    ag.set_rng_state(state)
    assert ag.randn(3).tolist() == a
    with pytest.raises(RuntimeError, match="generator state of size 5056"):
        ag.set_rng_state(ag.zeros(45, dtype=ag.uint8))


def test_new_generators_start_from_pytorchs_seed_the_default_from_entropy():
    assert ag.Generator().initial_seed() == 67280421310721
    g1, g2 = ag.Generator(), ag.Generator()
    assert ag.rand(3, generator=g1).tolist() == ag.rand(3, generator=g2).tolist()
    # PyTorch's default generator is seeded from the OS at import: two processes differ
    code = "import autograd_core as ag; print(ag.initial_seed())"
    seeds = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout for _ in range(2)}
    assert len(seeds) == 2


def test_numpy_generator_still_accepted():
    x = ag.empty(3).uniform_(0, 1, generator=np.random.default_rng(0))
    assert ((x >= 0) & (x < 1)).all()
    w = nn.init.normal_(ag.empty(2, 2), generator=np.random.default_rng(0))
    assert w.shape == (2, 2)


@pytest.mark.torch_parity
def test_bit_for_bit_against_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional

    def same(a, b):
        a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
        b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
        return a.shape == b.shape and np.array_equal(a, b)

    calls = [
        lambda L: L.rand(5, 3), lambda L: L.rand(4, dtype=L.float64),
        lambda L: L.randn(7), lambda L: L.randn(33), lambda L: L.randn(16, dtype=L.float64),
        lambda L: L.randn(3, 17, dtype=L.float64), lambda L: L.randn(5, dtype=L.complex64),
        lambda L: L.randint(-3, 40, (9,)), lambda L: L.randint(0, 2 ** 40, (3,)),
        lambda L: L.randperm(30), lambda L: L.empty(6, 5).uniform_(-0.3, 0.9),
        lambda L: L.empty(40, dtype=L.float64).uniform_(2, 7),
        lambda L: L.empty(19).normal_(1.5, 0.25), lambda L: L.zeros(8, dtype=L.int64).random_(),
        lambda L: L.zeros(8, dtype=L.int32).random_(5, 9), lambda L: L.zeros(4).random_(),
        lambda L: L.bernoulli(L.full((3, 5), 0.3)),
        lambda L: L.empty(12, dtype=L.float64).bernoulli_(0.6),
        lambda L: L.multinomial(L.tensor([[0.2, 0.5, 0.3], [1.0, 0.0, 2.0]]), 2),
        lambda L: L.multinomial(L.tensor([0.2, 0.5, 0.3]), 6, replacement=True),
        lambda L: L.empty(7).exponential_(1.5), lambda L: L.empty(7).cauchy_(1, 2),
        lambda L: L.empty(5).log_normal_(0.1, 0.4), lambda L: L.empty(6).geometric_(0.3),
        lambda L: L.normal(L.zeros(4), L.ones(4) * 2), lambda L: L.normal(1.0, 2.0, (21,)),
        lambda L: L.rand_like(L.zeros(2, 2)), lambda L: L.randn_like(L.zeros(18)),
        lambda L: L.rand(20, dtype=L.float16), lambda L: L.empty(9, dtype=L.float16).uniform_(-2, 3),
        lambda L: L.randn(7, dtype=L.float16),
    ]
    for seed in (0, 1, 2 ** 40 + 7):
        ag.manual_seed(seed)
        torch.manual_seed(seed)
        for k, call in enumerate(calls):
            assert same(call(ag), call(torch)), (seed, k)
        assert same(ag.get_rng_state(), torch.get_rng_state()), seed

    nets = [lambda M: M.Linear(5, 3), lambda M: M.Conv2d(2, 4, 3), lambda M: M.LSTM(3, 4, 2),
            lambda M: M.GRU(2, 3, bidirectional=True), lambda M: M.Embedding(10, 4),
            lambda M: M.TransformerEncoderLayer(8, 2, 16), lambda M: M.Bilinear(2, 3, 4),
            lambda M: M.ConvTranspose1d(3, 2, 4), lambda M: M.BatchNorm1d(3)]
    ag.manual_seed(3)
    torch.manual_seed(3)
    for make in nets:
        for p, q in zip(make(nn).parameters(), make(torch.nn).parameters()):
            assert same(p, q)
    for name, args in [("uniform_", (-1, 2)), ("normal_", (0.5, 2.0)), ("xavier_normal_", ()),
                       ("kaiming_normal_", ()), ("trunc_normal_", (0, 1, -2, 2)),
                       ("trunc_normal_", (0, 1, 1.5, 3.0)), ("sparse_", (0.3,))]:
        assert same(getattr(nn.init, name)(ag.empty(6, 7), *args),
                    getattr(torch.nn.init, name)(torch.empty(6, 7), *args)), name

    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype(np.float32)
    for fa, ft in [(lambda X: F.dropout(X, 0.3), lambda X: tf.dropout(X, 0.3)),
                   (lambda X: F.dropout2d(X, 0.5), lambda X: tf.dropout2d(X, 0.5)),
                   (lambda X: F.alpha_dropout(X, 0.2, True),
                    lambda X: tf.alpha_dropout(X, 0.2, True)),
                   (lambda X: F.feature_alpha_dropout(X, 0.2, True),
                    lambda X: tf.feature_alpha_dropout(X, 0.2, True))]:
        assert same(fa(ag.tensor(x)), ft(torch.tensor(x)))

    tdata = torch.utils.data
    for gen in (None, 5):
        ours = [b[0].tolist() for b in D.DataLoader(
            D.TensorDataset(ag.arange(11)), batch_size=4, shuffle=True,
            generator=None if gen is None else ag.Generator().manual_seed(gen))]
        theirs = [b[0].tolist() for b in tdata.DataLoader(
            tdata.TensorDataset(torch.arange(11)), batch_size=4, shuffle=True,
            generator=None if gen is None else torch.Generator().manual_seed(gen))]
        assert ours == theirs
    assert [list(s) for s in D.random_split(range(10), [0.3, 0.7])] == \
        [list(s) for s in tdata.random_split(range(10), [0.3, 0.7])]
    assert list(D.RandomSampler(range(7), replacement=True, num_samples=40)) == \
        list(tdata.RandomSampler(range(7), replacement=True, num_samples=40))
    assert same(ag.get_rng_state(), torch.get_rng_state())


def test_random_from_with_to_none_runs_to_the_dtypes_max():
    # random_(from, None) is PyTorch's [from, max of the dtype] (it raised "from >= to" here)
    raw = _raw(5, 8)
    ag.manual_seed(5)
    x = ag.empty(8, dtype=ag.int8).random_(-128, None)  # a range of 256
    assert x.tolist() == ((raw % 256).astype(np.int64) - 128).tolist()
    raw = _raw(6, 8)
    r64 = (raw[0::2] << np.uint64(32)) | raw[1::2]
    ag.manual_seed(6)  # from the lowest int64: every 64-bit draw, as an int64
    assert ag.empty(4, dtype=ag.int64).random_(-2 ** 63, None).tolist() == \
        r64.view(np.int64).tolist()
    ag.manual_seed(6)  # a range of 2**63 and more: draw % range + from, modulo 2**64
    want = [int(v) % 2 ** 63 - 2 ** 62 for v in r64]
    assert ag.randint(-2 ** 62, 2 ** 62, (4,)).tolist() == want
    ag.manual_seed(6)
    assert ag.empty(4, dtype=ag.int64).random_(-5, None).tolist() == \
        [(int(v) % (2 ** 63 + 5)) - 5 for v in r64]
    ag.manual_seed(6)
    assert ag.empty(4, dtype=ag.int64).random_(-5, to=None).tolist() == \
        [(int(v) % (2 ** 63 + 5)) - 5 for v in r64]


@pytest.mark.torch_parity
def test_random_bounds_at_the_edges_against_torch():
    torch = pytest.importorskip("torch")
    cases = [("int8", -128, None), ("uint8", 0, None), ("int16", -5, None),
             ("int32", -2 ** 31, None), ("int64", -2 ** 63, None), ("int64", 7, None),
             ("int64", -2 ** 63, 2 ** 63 - 1), ("bool", 0, None), ("float32", -5, None),
             ("float64", 0, None), ("int64", 0, 2 ** 32)]
    for dt, lo, hi in cases:
        ag.manual_seed(1)
        torch.manual_seed(1)
        ours = ag.empty(9, dtype=getattr(ag, dt)).random_(lo, hi).numpy()
        theirs = torch.empty(9, dtype=getattr(torch, dt)).random_(lo, hi).numpy()
        assert np.array_equal(ours, theirs), (dt, lo, hi)
        assert np.array_equal(ag.get_rng_state().numpy(), torch.get_rng_state().numpy())
    for lo, hi in [(0, 2 ** 32), (-2 ** 63, 2 ** 63 - 1), (-2 ** 62, 2 ** 62), (-10, 2 ** 32 - 10)]:
        ag.manual_seed(2)
        torch.manual_seed(2)
        assert np.array_equal(ag.randint(lo, hi, (7,)).numpy(),
                              torch.randint(lo, hi, (7,)).numpy()), (lo, hi)


def test_like_draws_take_a_generator():
    # PyTorch 2.13's rand_like/randn_like/randint_like take generator= (a TypeError here)
    for like, plain in [(lambda x, g: ag.rand_like(x, generator=g),
                         lambda g: ag.rand(3, 4, generator=g)),
                        (lambda x, g: ag.randn_like(x, generator=g),
                         lambda g: ag.randn(3, 4, generator=g)),
                        (lambda x, g: ag.randint_like(x, -2, 9, generator=g),
                         lambda g: ag.randint(-2, 9, (3, 4), generator=g))]:
        ag.manual_seed(0)
        before = ag.get_rng_state()
        got = like(ag.zeros(3, 4), ag.Generator().manual_seed(11))
        assert (ag.get_rng_state() == before).all()  # the default generator is untouched
        assert (got == plain(ag.Generator().manual_seed(11))).all()
        # a transposed input's layout is filled in memory order, from the generator too
        got_t = like(ag.zeros(4, 3).t(), ag.Generator().manual_seed(11))
        assert (got_t.t() == plain(ag.Generator().manual_seed(11)).reshape(4, 3)).all()
        assert (ag.get_rng_state() == before).all()


def test_large_randperm_is_pytorchs_inside_out_shuffle(monkeypatch):
    # PyTorch's randperm(n) for n >= (2**32 - 1) // 20 draws random64() % (i + 1) for every i
    # and swaps i with it (checked against torch 2.13 at n = 214748364 and 214748365); we
    # kept the 32-bit forward Fisher-Yates and gave another permutation. The switch is moved
    # down to n = 6 so the path runs here on a small n.
    assert agr._RANDPERM_64 == (2 ** 32 - 1) // 20
    monkeypatch.setattr(agr, "_RANDPERM_64", 6)
    raw = _raw(4, 2 * 9 + 1)
    r64 = (raw[0:18:2] << np.uint64(32)) | raw[1:18:2]
    want = list(range(9))
    for i, r in enumerate(r64):
        j = int(r) % (i + 1)
        want[i], want[j] = want[j], want[i]
    ag.manual_seed(4)
    assert ag.randperm(9).tolist() == want
    assert ag.rand(1).item() == (int(raw[18]) & (2 ** 24 - 1)) * 2.0 ** -24  # 18 words read
    ag.manual_seed(4)  # below the switch: the forward 32-bit shuffle
    raw = _raw(4, 4)
    want = list(range(5))
    for i in range(4):
        j = i + int(raw[i]) % (5 - i)
        want[i], want[j] = want[j], want[i]
    assert ag.randperm(5).tolist() == want


def test_bernoulli_with_a_tensor_p_fills_a_transposed_tensor_in_memory_order():
    # PyTorch's kernel walks the output along its storage; with a tensor p we drew in logical
    # order, so a transposed output got other 0s and 1s than PyTorch's
    p = np.random.default_rng(0).random((3, 4)).astype(np.float32)
    u = ((_raw(0, 12) & np.uint64(2 ** 24 - 1)).astype(np.float64) * 2.0 ** -24)
    want = (u.reshape(4, 3).T < p).astype(np.float32)  # element k of storage: u[k]
    ag.manual_seed(0)
    got = ag.empty(4, 3).t().bernoulli_(ag.tensor(p))
    assert got.numpy().tolist() == want.tolist()
    ag.manual_seed(0)  # p broadcast along the tensor's rows
    got = ag.empty(4, 3).t().bernoulli_(ag.tensor(p[:1]))
    assert got.numpy().tolist() == (u.reshape(4, 3).T < p[:1]).astype(np.float32).tolist()


@pytest.mark.torch_parity
def test_bernoulli_tensor_p_layouts_against_torch():
    torch = pytest.importorskip("torch")
    p = np.random.default_rng(1).random((5, 6)).astype(np.float32)
    for make in [lambda L: L.empty(6, 5).t(), lambda L: L.empty(5, 6),
                 lambda L: L.empty(6, 5, dtype=L.float64).t()]:
        for pp in [p, p.T.copy().T, p[:1]]:
            ag.manual_seed(2)
            torch.manual_seed(2)
            ours = make(ag).bernoulli_(ag.tensor(pp)).numpy()
            theirs = make(torch).bernoulli_(torch.tensor(pp)).numpy()
            assert np.array_equal(ours, theirs)


def test_draws_refuse_what_pytorch_refuses_before_drawing():
    # each of these drew numbers here (wrapped, negative-scaled or truncated) where PyTorch
    # raises; the generator must be untouched
    ag.manual_seed(0)
    before = ag.get_rng_state()
    bad = [(lambda: ag.normal(ag.zeros(3), ag.tensor([1.0, -1.0, 1.0])),
            RuntimeError, r"normal expects all elements of std >= 0\.0"),
           (lambda: ag.normal(0.0, -1.0, (2,)), RuntimeError,
            r"normal expects std >= 0\.0, but found std -1"),
           (lambda: ag.normal(ag.zeros(2), float("nan")), RuntimeError, "found std nan"),
           (lambda: ag.normal(ag.zeros(4), ag.ones(2, 2)), RuntimeError,
            r"size of tensor a \(4\) must match the size of tensor b \(2\)"),
           (lambda: ag.empty(2).uniform_(3, 2), RuntimeError,
            r"\[from, to\) range, but found from=3 > to=2"),
           (lambda: ag.empty(2).uniform_(-3e38, 3e38), RuntimeError,
            r"to-from <= std::numeric_limits<Float>::max\(\)"),
           (lambda: ag.empty(2, dtype=ag.float16).uniform_(-7e4, 1), RuntimeError,
            "from is out of bounds for c10::Half"),
           (lambda: ag.empty(2, dtype=ag.int64).uniform_(), NotImplementedError,
            "\"check_uniform_bounds\" not implemented for 'Long'"),
           (lambda: ag.empty(2, dtype=ag.int64).normal_(), NotImplementedError,
            "\"normal_kernel_cpu\" not implemented for 'Long'"),
           (lambda: ag.empty(2, dtype=ag.bool).exponential_(), RuntimeError,
            "dtype must be a floating point but you specified Bool"),
           (lambda: ag.randint(0, 300, (3,), dtype=ag.uint8), RuntimeError,
            "to - 1 is out of bounds for unsigned char"),
           (lambda: ag.randint(-3, 3, (3,), dtype=ag.uint8), RuntimeError,
            "from is out of bounds for unsigned char"),
           (lambda: ag.empty(2).bernoulli_(ag.tensor([0, 1])), NotImplementedError,
            "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'"),
           (lambda: ag.empty(3).bernoulli_(ag.full((2, 3), 0.5)), RuntimeError,
            r"p of shape \(2, 3\) cannot be expanded")]
    for call, kind, message in bad:
        with pytest.raises(kind, match=message):
            call()
        assert (ag.get_rng_state() == before).all()
    assert ag.empty(2, dtype=ag.complex64).uniform_(-1, 1).dtype == ag.complex64
    assert ag.randint(0, 256, (3,), dtype=ag.uint8).dtype == ag.uint8


def test_a_freshly_seeded_state_round_trips():
    # set_state(get_state()) of a just-seeded generator returned another state (its "next"
    # field 624 instead of 0), so a torch state loaded here and read back differed
    for seed in (0, 5, 2 ** 40 + 1):
        st = ag.Generator().manual_seed(seed).get_state()
        g = ag.Generator()
        g.set_state(st)
        assert (g.get_state() == st).all()
        h = ag.Generator().manual_seed(seed)
        ag.rand(1, generator=g)  # and after a draw, the state of a generator seeded directly
        ag.rand(1, generator=h)
        assert (g.get_state() == h.get_state()).all()
        assert bytes(st.numpy()[16:24]) == bytes(8)  # PyTorch's "next" of a fresh seed: 0


def test_float16_dropout_scales_as_pytorchs_reduced_float_division():
    # PyTorch divides float16 noise by 1 - p in float32 (float32(1 - p), one rounding to
    # float16): kept values of ones are float16(1 / float32(0.6)) = 1.66699..., where we
    # divided by float16(0.6) and got 1.66601...
    ag.manual_seed(0)
    y = F.dropout(ag.ones(200, dtype=ag.float16, requires_grad=True), 0.4)
    kept = y.detach().numpy()[y.detach().numpy() != 0]
    want = np.float16(np.float32(1) / np.float32(0.6))
    assert kept.size > 50 and (kept == want).all()
    assert want == np.float16(1.6669921875)


@pytest.mark.torch_parity
@pytest.mark.parametrize("m, c, n", [(1000, 10, 5), (3, 7, 40), (40, 300, 20), (1, 1, 3)])
def test_multinomial_with_replacement_many_rows_is_torchs(m, c, n):
    """Rows' uniforms drawn in one call and short rows searched all at once (a Python loop per
    row took 10 ms for 1000 rows, torch 0.13): the same draws, rows and generator state."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(m * c + n)
    for dt in (np.float32, np.float64):
        p = rng.random((m, c)).astype(dt)
        p[rng.random((m, c)) < 0.3] = 0
        p[:, 0] += 0.1
        ag.manual_seed(5)
        torch.manual_seed(5)
        ours = ag.multinomial(ag.tensor(p), n, replacement=True).numpy()
        theirs = torch.multinomial(torch.tensor(p), n, replacement=True).numpy()
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(ag.rand(4).numpy(), torch.rand(4).numpy())


def test_top_stable_equals_a_stable_full_sort_with_ties():
    from autograd_core.random import _top_stable
    rng = np.random.default_rng(7)
    v = rng.integers(0, 6, (9, 700)).astype(np.float64)  # many ties at every rank
    v[0] = 0.0
    v[1, ::2] = -np.inf
    for n in (1, 5, 60, 87):
        assert np.array_equal(_top_stable(v, n), np.argsort(v, axis=-1, kind="stable")[:, :n])


@pytest.mark.torch_parity
def test_multinomial_without_replacement_on_long_rows_is_torchs():
    torch = pytest.importorskip("torch")
    p = np.random.default_rng(3).random((20, 3000)).astype(np.float32)
    p[:, ::4] = 0
    torch.manual_seed(5)
    want = torch.multinomial(torch.from_numpy(p), 40).numpy()
    ag.manual_seed(5)
    assert np.array_equal(ag.multinomial(ag.from_numpy(p), 40).numpy(), want)
