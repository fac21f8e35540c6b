"""Random generators (issue 12 item 3): ag.Generator, generator= on every draw, ag.manual_seed
returning the default generator, multinomial, PyTorch's randint signature; the numbers that
ag.manual_seed(n) gave before Generator existed are unchanged."""

import numpy as np
import pytest

import autograd_core as ag
import nn


def test_manual_seed_gives_pytorchs_streams_and_returns_the_default_generator():
    # the numbers PyTorch 2.13 prints for these calls (torch.manual_seed(7) / (0))
    g = ag.manual_seed(7)
    assert g is ag.default_generator and isinstance(g, ag.Generator)
    assert ag.initial_seed() == 7
    np.testing.assert_allclose(ag.randn(3, 2)._data, [[-0.1468, 0.7861], [0.9468, -1.1143],
                                                      [1.6908, -0.8948]], atol=5e-5)
    np.testing.assert_allclose(ag.rand(4)._data, [0.2868, 0.2063, 0.4451, 0.3593], atol=5e-5)
    assert ag.randint(0, 10, (5,)).tolist() == [6, 2, 3, 8, 6]
    assert ag.randperm(6).tolist() == [4, 1, 5, 0, 3, 2]
    # layers draw their initial weights from the same stream: PyTorch's nn.Linear(2, 2)
    ag.manual_seed(0)
    np.testing.assert_allclose(nn.Linear(2, 2).weight._data, [[-0.0053, 0.3793],
                                                              [-0.5820, -0.5204]], atol=5e-5)


def test_a_generator_is_its_own_stream():
    g = ag.Generator().manual_seed(3)
    ag.manual_seed(3)
    before = ag.get_rng_state().tolist()
    x = ag.randn(5, generator=g)
    assert ag.get_rng_state().tolist() == before  # the default stream did not move
    np.testing.assert_array_equal(x._data, ag.randn(5)._data)  # same seed, same numbers


def test_generator_api():
    g = ag.Generator()
    assert g.initial_seed() == 67280421310721  # PyTorch's seed of a new generator
    assert g.manual_seed(-1) is g and g.initial_seed() == 2**64 - 1  # wrapped as PyTorch
    assert g.device == ag.device("cpu")
    s = g.seed()
    assert 0 <= s < 2**64 and g.initial_seed() == s
    state = g.get_state()
    assert state.dtype == np.uint8 and state.ndim == 1
    a = ag.rand(7, generator=g)
    assert g.set_state(state) is g
    np.testing.assert_array_equal(ag.rand(7, generator=g)._data, a._data)
    assert g.initial_seed() == s  # the state carries the seed
    # a pending 32-bit half draw is part of the state too
    g.integers(0, 2**31, dtype=np.int32)
    st = g.get_state()
    b = g.integers(0, 2**31, size=3, dtype=np.int32)
    g.set_state(st)
    np.testing.assert_array_equal(g.integers(0, 2**31, size=3, dtype=np.int32), b)


def test_generator_refuses_bad_seeds_and_states():
    g = ag.Generator()
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        g.manual_seed(1.5)
    with pytest.raises(ValueError, match="64 bits"):
        g.manual_seed(2**64)
    with pytest.raises(TypeError, match="expected a torch.ByteTensor, but got list"):
        g.set_state([1, 2])
    with pytest.raises(RuntimeError, match="generator state of size 5056"):
        g.set_state(ag.zeros(3, dtype=ag.uint8))
    with pytest.raises(TypeError, match="randn: generator must be an autograd_core.Generator"):
        ag.randn(2, generator=3)
    before = g.get_state().tolist()
    with pytest.raises(RuntimeError, match="not a generator state"):
        g.set_state(ag.zeros(5056, dtype=ag.uint8))  # "left" 0: MT19937 holds 1 .. 625
    assert g.get_state().tolist() == before


@pytest.mark.parametrize("draw", [
    lambda g: ag.randn(3, generator=g), lambda g: ag.rand(3, generator=g),
    lambda g: ag.randint(0, 100, (3,), generator=g), lambda g: ag.randperm(8, generator=g),
    lambda g: ag.multinomial(ag.ones(5), 3, generator=g),
    lambda g: ag.multinomial(ag.ones(5), 3, True, generator=g),
    lambda g: ag.bernoulli(ag.full((6,), 0.5), generator=g),
    lambda g: ag.zeros(4).normal_(generator=g), lambda g: ag.zeros(4).uniform_(generator=g),
    lambda g: ag.zeros(4).bernoulli_(0.5, generator=g),
    lambda g: ag.zeros(4).random_(0, 50, generator=g),
    lambda g: ag.zeros(4).exponential_(generator=g),
], ids=lambda f: "")
def test_generator_keyword_makes_every_draw_reproducible(draw):
    a = draw(ag.Generator().manual_seed(11))._data
    b = draw(ag.Generator().manual_seed(11))._data
    np.testing.assert_array_equal(a, b)


def test_randint_has_pytorchs_two_forms():
    ag.manual_seed(0)
    x = ag.randint(5, (200,))
    assert x.dtype == np.int64 and x.shape == (200,) and 0 <= x._data.min() and x._data.max() < 5
    y = ag.randint(3, 5, (200,))
    assert set(np.unique(y._data)) == {3, 4}
    z = ag.randint(high=4, size=(2, 2), dtype=ag.int32)
    assert z.dtype == np.int32 and z.shape == (2, 2)
    with pytest.raises(RuntimeError, match="from=5 >= to=3"):
        ag.randint(5, 3, (2,))
    with pytest.raises(TypeError, match="size"):
        ag.randint(5)


def test_multinomial_with_and_without_replacement():
    ag.manual_seed(0)
    p = ag.tensor([0.0, 1.0, 3.0])
    draws = ag.multinomial(p, 20000, replacement=True)._data
    assert draws.dtype == np.int64 and 0 not in draws
    np.testing.assert_allclose(np.mean(draws == 2), 0.75, atol=0.02)
    # without replacement: each index once, the zero-weight one last (PyTorch's order)
    for _ in range(20):
        d = ag.multinomial(p, 3)._data
        assert sorted(d) == [0, 1, 2] and d[2] == 0
    # first draw without replacement follows the weights: P(first = 2) = 3/4
    firsts = [ag.multinomial(ag.tensor([1.0, 3.0]), 1).item() for _ in range(4000)]
    np.testing.assert_allclose(np.mean(firsts), 0.75, atol=0.03)
    rows = ag.multinomial(ag.tensor([[1.0, 0.0], [0.0, 1.0]]), 4, replacement=True)
    np.testing.assert_array_equal(rows._data, [[0] * 4, [1] * 4])
    assert p.multinomial(2).shape == (2,)  # the method


@pytest.mark.parametrize("args, exc, msg", [
    ((ag.tensor([0.0, 1.0]), 3), RuntimeError, "cannot sample n_sample > prob_dist"),
    ((ag.tensor([-1.0, 1.0]), 1), RuntimeError, "element < 0"),
    ((ag.tensor([1.0, float("nan")]), 1), RuntimeError, "`inf`, `nan`"),
    ((ag.tensor([0.0, 0.0]), 1), RuntimeError, "sum of probabilities <= 0"),
    ((ag.tensor(1.0), 1), RuntimeError, "prob_dist must be 1 or 2 dim"),
    ((ag.tensor([1, 2]), 1), RuntimeError, "only supports floating-point dtypes"),
    ((ag.tensor([1.0, 2.0]), 0), RuntimeError, "cannot sample n_sample <= 0"),
])
def test_multinomial_refuses_what_pytorch_refuses(args, exc, msg):
    with pytest.raises(exc, match=msg):
        ag.multinomial(*args)


def test_in_place_draws_follow_their_distributions_and_autograd_rules():
    ag.manual_seed(1)
    x = ag.zeros(20000)
    assert x.random_(0, 3) is x and set(np.unique(x._data)) == {0.0, 1.0, 2.0}
    x.random_(4)  # random_(to)
    assert set(np.unique(x._data)) == {0.0, 1.0, 2.0, 3.0}
    np.testing.assert_allclose(x.bernoulli_(0.25)._data.mean(), 0.25, atol=0.02)
    np.testing.assert_allclose(x.exponential_(2.0)._data.mean(), 0.5, atol=0.02)
    x.uniform_(**{"from": -2, "to": -1})
    assert x._data.min() >= -2 and x._data.max() < -1
    w = ag.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.normal_()
    with ag.no_grad():
        w.normal_()  # allowed under no_grad, as PyTorch
    h = ag.tensor([1.0, 2.0], requires_grad=True)
    y = h * 3
    y.normal_()  # a non-leaf: recorded, its history gets a zero gradient (PyTorch)
    (y * 1).sum().backward()
    np.testing.assert_array_equal(h.grad._data, [0.0, 0.0])
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        ag.zeros(2).normal_(0.0, -1.0)
    with pytest.raises(RuntimeError, match="from=3 >= to=3"):
        ag.zeros(2).random_(3, 3)


def test_in_place_elementwise_methods():
    x = ag.tensor([-1.0, 4.0])
    assert x.abs_() is x
    np.testing.assert_array_equal(x._data, [1.0, 4.0])
    np.testing.assert_allclose(x.sqrt_()._data, [1.0, 2.0])
    np.testing.assert_allclose(x.pow_(2)._data, [1.0, 4.0])
    np.testing.assert_allclose(x.neg_().clamp_min_(-2.0)._data, [-1.0, -2.0])
    np.testing.assert_allclose(x.clip_(-1.5, 0)._data, [-1.0, -1.5])
    np.testing.assert_allclose(ag.tensor([0.0]).exp_()._data, [1.0])
    # recorded through a non-leaf, as PyTorch: d/da sum(exp(2a)) = 2 exp(2a)
    a = ag.tensor([0.5, -1.0], dtype=ag.float64, requires_grad=True)
    y = a * 2
    y.exp_()
    y.sum().backward()
    np.testing.assert_allclose(a.grad._data, 2 * np.exp(2 * a._data))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        a.exp_()


def test_dataloader_and_random_split_take_a_generator():
    from nn import data

    ds = data.TensorDataset(ag.arange(10))
    order = [b[0].tolist() for b in data.DataLoader(ds, batch_size=5, shuffle=True,
                                                    generator=ag.Generator().manual_seed(4))]
    again = [b[0].tolist() for b in data.DataLoader(ds, batch_size=5, shuffle=True,
                                                    generator=ag.Generator().manual_seed(4))]
    assert order == again and sorted(sum(order, [])) == list(range(10))
    a, b = data.random_split(range(10), [5, 5], generator=ag.Generator().manual_seed(2))
    c, d = data.random_split(range(10), [5, 5], generator=ag.Generator().manual_seed(2))
    assert list(a) == list(c) and list(b) == list(d)


@pytest.mark.torch_parity
def test_generator_api_shape_matches_pytorch():
    torch = pytest.importorskip("torch")
    assert ag.Generator().initial_seed() == torch.Generator().initial_seed()
    assert ag.Generator().manual_seed(-1).initial_seed() == \
        torch.Generator().manual_seed(-1).initial_seed()
    assert (torch.manual_seed(1) is torch.default_generator) == \
        (ag.manual_seed(1) is ag.default_generator)
    for p, n, repl in (([0.0, 1.0, 2.0], 3, False), ([[1.0, 1.0]], 3, True)):
        assert tuple(ag.multinomial(ag.tensor(p), n, repl).shape) == \
            tuple(torch.multinomial(torch.tensor(p), n, repl).shape)
    assert ag.randint(5, (2,)).dtype == np.int64 and torch.randint(5, (2,)).dtype == torch.int64
    for bad in (lambda m: m.multinomial(m.tensor([0.0, 1.0]), 3),
                lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
                lambda m: m.randint(5, 3, (2,))):
        with pytest.raises(RuntimeError) as theirs:
            bad(torch)
        with pytest.raises(RuntimeError) as ours:
            bad(ag)
        assert str(theirs.value).split(" (")[0][:30] in str(ours.value)


IN_PLACE = [
    ("normal_", ()), ("uniform_", ()), ("fill_", (2.0,)), ("zero_", ()), ("copy_", ([1.0, 2.0],)),
    ("add_", (1.0,)), ("sub_", (1.0,)), ("mul_", (2.0,)), ("div_", (2.0,)),
    ("clamp_", (0.0, 1.0)), ("abs_", ()), ("exp_", ()), ("bernoulli_", (0.5,)),
    ("random_", (0, 5)), ("exponential_", ()), ("sqrt_", ()), ("neg_", ()), ("pow_", (2,)),
    ("sigmoid_", ()), ("tanh_", ()), ("relu_", ()), ("clip_", (0.0, 1.0)),
]


@pytest.mark.parametrize("name, args", IN_PLACE, ids=[n for n, _ in IN_PLACE])
def test_in_place_methods_follow_pytorchs_autograd_rules(name, args):
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        getattr(w, name)(*args)
    np.testing.assert_array_equal(w._data, [1.0, 2.0])  # refused before any write
    version = w._counter()[0]
    with ag.no_grad():
        assert getattr(w, name)(*args) is w  # allowed under no_grad (parameter updates)
    assert w._counter()[0] > version and w.grad_fn is None
    x = ag.tensor([1.0, 2.0])
    assert getattr(x, name)(*args) is x  # any tensor that does not require grad


def test_nn_init_takes_a_generator():
    import nn

    a, b = ag.empty(3, 4), ag.empty(3, 4)
    nn.init.kaiming_uniform_(a, generator=ag.Generator().manual_seed(1))
    nn.init.kaiming_uniform_(b, generator=ag.Generator().manual_seed(1))
    np.testing.assert_array_equal(a._data, b._data)
    assert np.abs(a._data).max() > 0


def test_module_manual_seed_takes_what_int_takes():
    # torch.manual_seed int()s its argument (Generator.manual_seed does not): seeds from a
    # config file as floats or strings raised "expected a long" here
    for seed, want in [(1.5, 1), (True, 1), ("12", 12), (np.float32(2.7), 2),
                       (ag.tensor(5.5), 5), (-1, 2 ** 64 - 1)]:
        assert ag.manual_seed(seed).initial_seed() == want
        assert ag.rand(2).tolist() == \
            ag.rand(2, generator=ag.Generator().manual_seed(want)).tolist()
    ag.manual_seed(2.9)
    a = ag.rand(3)
    ag.manual_seed(2)
    assert (ag.rand(3) == a).all()
    with pytest.raises(ValueError):
        ag.manual_seed("x")
