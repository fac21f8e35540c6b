"""Regressions found running seeded public PyTorch programs on tapegrad with only their imports
rewritten (round 17: the generator is PyTorch's, so a seeded program must print PyTorch's
numbers from step 0 — makemore, nanoGPT, d2l, VAE/GAN, REINFORCE, DataLoader loops).

Harness and results: /work/progs_runs/progs17/ (RESULTS17.md).
"""
import pytest

import autograd_core as ag
from autograd_core.utils.data import DataLoader, TensorDataset


def _epochs(lib, loader_cls, dataset_cls, n, batch_size, drop_last, epochs=3):
    """Each epoch's batches, with the generator's state after each fetched batch (so the
    moment of every draw is compared, not only the orders)."""
    g = lib.Generator()
    g.manual_seed(7)
    dl = loader_cls(dataset_cls(lib.arange(n)), batch_size=batch_size, shuffle=True,
                    generator=g, drop_last=drop_last)
    out = []
    for _ in range(epochs):
        for b in dl:
            out.append((b[0].tolist() if batch_size else b[0].item(),
                        bytes(g.get_state().numpy().tobytes())))
        out.append(bytes(g.get_state().numpy().tobytes()))
    return out


@pytest.mark.torch_parity
@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 4, True), (10, 4, False), (8, 4, False),
                                                    (8, 4, True), (5, None, False)])
def test_dataloader_with_generator_draws_the_samplers_trailing_permutation(n, batch_size,
                                                                           drop_last):
    """p12 (tutorial training loop with ``DataLoader(..., shuffle=True, generator=g)``): the
    second epoch's order differed ([7, 3, 4, 1] vs PyTorch's [5, 1, 6, 0] for seed 7). PyTorch's
    RandomSampler, asked for an index past its last, draws one more ``randperm(n)`` from the
    loader's generator (its ``[:num_samples % n]`` tail, empty); ours drew one per epoch."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TDL
    from torch.utils.data import TensorDataset as TTD
    assert (_epochs(ag, DataLoader, TensorDataset, n, batch_size, drop_last)
            == _epochs(torch, TDL, TTD, n, batch_size, drop_last))


_NONCONTIGUOUS_FILLS = [
    ("normal_ column slice", lambda lib, nn: lib.zeros(4, 16)[:, :8].normal_()),
    ("normal_ transposed", lambda lib, nn: lib.zeros(20, 3).t().normal_(1.0, 2.0)),
    ("uniform_ transposed", lambda lib, nn: lib.zeros(20, 3).t().uniform_(-1, 1)),
    ("bernoulli_ transposed", lambda lib, nn: lib.zeros(20, 3).t().bernoulli_(0.3)),
    ("random_ transposed", lambda lib, nn: lib.zeros(20, 3).t().random_(0, 9)),
    ("exponential_ transposed", lambda lib, nn: lib.zeros(20, 3).t().exponential_()),
    ("kaiming_uniform_ transposed",
     lambda lib, nn: nn.init.kaiming_uniform_(lib.zeros(20, 3).t())),
    ("init.normal_ column slice", lambda lib, nn: nn.init.normal_(lib.zeros(6, 8)[:, 2:6])),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,fill", _NONCONTIGUOUS_FILLS, ids=[n for n, _ in _NONCONTIGUOUS_FILLS])
def test_inplace_random_fill_of_a_noncontiguous_view_is_pytorchs(name, fill):
    """p15 (random-op tour): ``a[:, :8].normal_()`` on a (4, 16) tensor and the in-place draws
    on a transposed view gave other numbers than PyTorch's for the seed (first value 0.8033
    expected, -0.0766 got). PyTorch's CPU kernels fill a view element by element in memory
    order, and ``normal_`` of a non-contiguous tensor uses its per-element double Box-Muller
    (no blocks of 16) at any size; ours drew as for a contiguous tensor in logical order."""
    torch = pytest.importorskip("torch")
    import nn
    torch.manual_seed(3)
    want = fill(torch, torch.nn).contiguous().numpy()
    ag.manual_seed(3)
    got = fill(ag, nn).contiguous().numpy()
    assert got.tolist() == want.tolist()


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rrelu_training_draws_pytorchs_slopes(dtype):
    """p21 (stochastic layers tour): ``nn.RReLU()`` in training gave another first value than
    PyTorch's for the seed (-0.3869 vs -0.3202) and shifted every later draw. PyTorch's CPU
    kernel draws one double uniform per element ``<= 0`` (only those), in order; ours drew a
    float uniform for every element."""
    torch = pytest.importorskip("torch")
    import nn
    import nn.functional as F
    vals = [[-1.5, 2.0, 0.0, -0.25], [3.0, -2.0, -0.5, 1.0]]
    torch.manual_seed(8)
    tx = torch.tensor(vals, dtype=getattr(torch, dtype), requires_grad=True)
    tout = torch.nn.RReLU(0.1, 0.3)(tx)
    tout.sum().backward()
    t2 = torch.nn.functional.rrelu(tx.detach(), training=True)
    t_after = torch.rand(2)
    ag.manual_seed(8)
    x = ag.tensor(vals, dtype=getattr(ag, dtype), requires_grad=True)
    out = nn.RReLU(0.1, 0.3)(x)
    out.sum().backward()
    o2 = F.rrelu(x.detach(), training=True)
    after = ag.rand(2)
    assert out.detach().numpy().tolist() == tout.detach().numpy().tolist()
    assert x.grad.numpy().tolist() == tx.grad.numpy().tolist()
    assert o2.numpy().tolist() == t2.numpy().tolist()
    assert after.numpy().tolist() == t_after.numpy().tolist()


_LIKE_DRAWS = [
    ("rand_like", lambda lib, F, x: lib.rand_like(x)),
    ("randn_like", lambda lib, F, x: lib.randn_like(x)),
    ("randn_like float64", lambda lib, F, x: lib.randn_like(x, dtype=lib.float64)),
    ("rand_like requires_grad", lambda lib, F, x: lib.rand_like(x, requires_grad=True)),
    ("randint_like", lambda lib, F, x: lib.randint_like(x, 3, 10)),
    ("dropout", lambda lib, F, x: F.dropout(x, 0.5)),
    ("alpha_dropout", lambda lib, F, x: F.alpha_dropout(x, 0.5, True)),
    ("dropout permuted 3-D", lambda lib, F, x: F.dropout(x.reshape(4, 3, 5).permute(2, 0, 1), 0.3)),
    ("empty_like normal_", lambda lib, F, x: lib.empty_like(x).normal_()),
    ("empty_like float64 uniform_", lambda lib, F, x: lib.empty_like(x, dtype=lib.float64).uniform_()),
    ("bernoulli(p) is row-major", lambda lib, F, x: x.bernoulli(0.3)),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,draw", _LIKE_DRAWS, ids=[n for n, _ in _LIKE_DRAWS])
def test_like_draws_and_dropout_of_a_transposed_input_are_pytorchs(name, draw):
    """p15/p18 follow-up (``randn_like(std)``, dropout after a ``transpose(1, 2)``): for a
    transposed input, ``torch.randn_like(x)`` began 1.5410 where ours began -1.1258 (seed 0),
    and dropout kept other elements. PyTorch's ``*_like`` and dropout's noise are
    ``empty_like(x)``, which keeps a dense view's strides, so the draws fill it in memory order
    (``normal_`` then takes its per-element kernel); ours drew row-major values."""
    torch = pytest.importorskip("torch")
    import nn.functional as F
    base = [[float(i * 20 + j + 1) for j in range(20)] for i in range(3)]
    torch.manual_seed(0)
    want = draw(torch, torch.nn.functional, torch.tensor(base).t())
    t_after = torch.rand(3)
    ag.manual_seed(0)
    got = draw(ag, F, ag.tensor(base).t())
    after = ag.rand(3)
    assert got.shape == want.shape and got.dtype.__str__().split(".")[-1] == str(want.dtype).split(".")[-1]
    assert got.detach().numpy().tolist() == want.detach().numpy().tolist()
    assert got.requires_grad == want.requires_grad
    assert after.numpy().tolist() == t_after.numpy().tolist()


@pytest.mark.torch_parity
def test_empty_like_keeps_a_transposed_inputs_layout():
    """The layout behind the draws above: ``torch.empty_like(x.t())`` is not contiguous
    (preserve_format keeps a dense view's strides); a slice's or ``contiguous_format``'s is."""
    torch = pytest.importorskip("torch")
    for lib in (torch, ag):
        x = lib.ones(3, 20)
        got = [lib.empty_like(x.t()).is_contiguous(), lib.empty_like(x[:, ::2]).is_contiguous(),
               lib.empty_like(x.t(), memory_format=lib.contiguous_format).is_contiguous()]
        assert got == [False, True, True], lib
