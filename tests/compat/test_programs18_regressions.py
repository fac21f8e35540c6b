"""Regressions found running seeded PyTorch programs that use distributions and data pipelines
on tapegrad with only their imports rewritten (round 18: VAEs, policy-gradient agents,
Bayesian VI, mixtures, flows, Poisson/binomial regression, topic-model toys, diffusion toys,
class-imbalance training with WeightedRandomSampler, rand-based augmentation).

Harness and results: /work/progs_runs/progs18/ (RESULTS18.md).
"""
import pytest

import autograd_core as ag
from autograd_core.utils.data import WeightedRandomSampler

NAN, INF = float("nan"), float("inf")


def _outcome(fn):
    try:
        return fn()
    except RuntimeError as e:
        return str(e)


@pytest.mark.torch_parity
@pytest.mark.parametrize("weights", [[-1.0, 2.0], [1.0, NAN], [1.0, INF], [INF, -1.0],
                                     [[1.0, 1.0], [INF, -1.0]], [[0.0, 0.0], [-1.0, 1.0]],
                                     [[1.0, -1.0], [0.0, 0.0]]])
@pytest.mark.parametrize("num_samples,replacement", [(1, True), (2, True), (1, False),
                                                     (2, False)])
def test_multinomial_names_the_bad_entry_as_pytorch(weights, num_samples, replacement):
    """p27 (a policy whose weights went bad): ``multinomial(w, 2, replacement=True)`` of weights
    with a negative, NaN or inf entry said "probability tensor contains either `inf`, `nan` or
    element < 0" where PyTorch's with-replacement kernel scans row by row and says
    "invalid multinomial distribution (encountering probability entry < 0)" (NaN too) or
    "(... entry = infinity or NaN)" for the first bad entry, or "sum of probabilities <= 0" for
    an earlier all-zero row."""
    torch = pytest.importorskip("torch")
    ours = _outcome(lambda: ag.multinomial(ag.tensor(weights), num_samples, replacement))
    theirs = _outcome(lambda: torch.multinomial(torch.tensor(weights), num_samples,
                                                replacement))
    assert isinstance(theirs, str) and ours == theirs


@pytest.mark.torch_parity
@pytest.mark.parametrize("weights,num_samples,replacement", [
    ([0.5, -1.0], 2, True), ([0.5, -1.0], 1, True), ([0.5, -1.0], 2, False), ([0.0, 0.0], 2, True),
    ([1.0, INF], 2, True), ([1.0, NAN], 2, True), ([1.0, 0.0, 0.0], 2, False),
    ([1.0, 0.0, 0.0], 3, False), ([1.0, 1.0], 3, False), ([0.2, 0.0, 0.5, 0.0], 2, False)])
def test_weighted_random_sampler_checks_weights_as_pytorch_when_drawing(weights, num_samples,
                                                                        replacement):
    """p27/p11 (class-imbalance recipe): ``WeightedRandomSampler`` refused bad weights at
    construction with its own message ("sum of probabilities <= 0, or a negative, inf or nan
    weight"), and refused ``replacement=False`` with more samples than positive weights, where
    PyTorch builds the sampler, and its iteration gives ``torch.multinomial``'s error — or, for
    ``[1, 0, 0]`` and 2 samples without replacement, draws ``[0, 1]`` (the zero-weight indices
    once the positive ones are used up)."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import WeightedRandomSampler as TW

    ag.manual_seed(0)
    ours = _outcome(lambda: list(WeightedRandomSampler(weights, num_samples, replacement)))
    torch.manual_seed(0)
    theirs = _outcome(lambda: list(TW(weights, num_samples, replacement)))
    assert ours == theirs


def test_weighted_random_sampler_without_replacement_uses_zero_weights_last():
    """Hand-worked: the one positive weight comes first, then the zero-weight indices."""
    ag.manual_seed(3)
    out = list(WeightedRandomSampler([0.0, 2.0, 0.0], 3, replacement=False))
    assert out[0] == 1 and sorted(out) == [0, 1, 2]


def test_weighted_random_sampler_with_numpy_generator_draws_zero_weights_last():
    """The numpy-generator path of the same sampler: ``replacement=False`` with more samples
    than positive weights raised numpy's "Fewer non-zero entries in p than size" once the
    construction-time check was dropped; it now draws the zero-weight indices last, as the
    default path."""
    np = pytest.importorskip("numpy")
    out = list(WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 4, replacement=False,
                                     generator=np.random.default_rng(0)))
    assert set(out[:2]) == {1, 3} and sorted(out) == [0, 1, 2, 3]
    assert sorted(WeightedRandomSampler([1.0, 2.0], 2, replacement=False,
                                        generator=np.random.default_rng(1))) == [0, 1]


class _DrawingDataset:
    """Each item draws from the worker's generator (seeded from the loader's base seed)."""

    def __init__(self, lib):
        self.lib = lib

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return self.lib.tensor([float(i), self.lib.rand(()).item()])


def _persistent_epochs(lib, loader_cls, shuffle):
    lib.manual_seed(123)
    dl = loader_cls(_DrawingDataset(lib), batch_size=3, shuffle=shuffle, num_workers=2,
                    persistent_workers=True)
    return [(sorted(b.tolist() for b in dl), lib.rand(1).item()) for _ in range(3)]


@pytest.mark.torch_parity
@pytest.mark.parametrize("shuffle", [False, True])
def test_persistent_workers_draw_no_base_seed_after_the_first_epoch(shuffle):
    """p40 (per-sample augmentation in ``DataLoader(num_workers=2, persistent_workers=True)``):
    from the second epoch the default generator gave other numbers (``rand`` after epoch 1:
    0.8665 vs PyTorch's 0.6886 for seed 123) and the shuffle another order. PyTorch creates its
    persistent iterator once and only resets it later, so its int64 base seed is drawn in the
    first epoch only; ours drew one every epoch."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TDL

    from autograd_core.utils.data import DataLoader
    ours = _persistent_epochs(ag, DataLoader, shuffle)
    theirs = _persistent_epochs(torch, TDL, shuffle)
    assert ours == theirs


class _NumpyDrawingDataset:
    """Each item draws from numpy's legacy global generator, as albumentations-style code."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        import numpy as np
        return float(np.random.rand())


@pytest.mark.torch_parity
def test_workers_seed_numpys_legacy_generator_as_pytorch():
    """p41 (augmentation calling ``np.random`` inside ``__getitem__`` with ``num_workers=2``):
    every numpy draw differed (0.6179 vs PyTorch's 0.8372 for seed 0). PyTorch seeds each
    worker's ``np.random`` with its ``_generate_state(base_seed, worker_id)``, numpy's
    SeedSequence hash of the words ``[worker_id, base_seed]``; ours hashed
    ``[base_seed, worker_id]``."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TDL

    from autograd_core.utils.data import DataLoader

    def run(lib, loader_cls):
        lib.manual_seed(0)
        return [b.tolist() for b in loader_cls(_NumpyDrawingDataset(), batch_size=2,
                                                num_workers=2)]
    assert run(ag, DataLoader) == run(torch, TDL)


@pytest.mark.torch_parity
def test_bernoulli_with_a_scalar_probability():
    """p42 (masking idiom ``torch.bernoulli(x, p=0.3)``): ``ag.bernoulli`` took no ``p``
    ("unexpected keyword argument 'p'"). PyTorch's overload ``bernoulli(input, float p)`` draws
    ``empty_like(input).bernoulli_(p)`` (row-major, input's dtype); a 0-dim tensor ``p`` is that
    float, a tensor of values is refused."""
    torch = pytest.importorskip("torch")

    def run(lib):
        lib.manual_seed(0)
        g = lib.Generator().manual_seed(3)
        return (lib.bernoulli(lib.zeros(40), 0.3).tolist(),
                lib.bernoulli(lib.zeros(3, dtype=lib.float64), p=0.7).tolist(),
                lib.bernoulli(lib.zeros(5, dtype=lib.int64), 0.4).tolist(),
                lib.bernoulli(lib.zeros(5, 4).t(), 0.3).tolist(),
                lib.bernoulli(lib.zeros(3), lib.tensor(0.5)).tolist(),
                lib.bernoulli(lib.zeros(6), 0.5, generator=g).tolist(), lib.rand(1).item())
    assert run(ag) == run(torch)
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        ag.bernoulli(ag.zeros(3), ag.tensor([0.5, 0.5, 0.5]))
    with pytest.raises(RuntimeError, match="bernoulli_ expects p to be in"):
        ag.bernoulli(ag.zeros(3), p=1.5)
