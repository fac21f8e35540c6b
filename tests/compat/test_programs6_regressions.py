"""Regressions found by the sixth round of public PyTorch programs run on tapegrad with their
imports rewritten (pytorch/tutorials' NLP and torch.func tutorials, UvA tutorials, ...): each
test is the line that broke or gave another number, reduced."""

import numpy as np
import pytest

import autograd_core as ag


def test_vmap_is_importable_from_the_top_level():
    # the model-ensembling tutorial: `from torch import vmap` (PyTorch's top-level alias of
    # torch.func.vmap) raised ImportError
    from autograd_core import vmap

    assert vmap is ag.func.vmap and ag.vmap is vmap
    assert "vmap" in dir(ag)
    x = ag.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(vmap(lambda r: r * r.sum())(x).numpy(),
                                  [[0.0, 3.0, 6.0], [36.0, 48.0, 60.0]])


def test_func_jvp_takes_pytrees_of_primals_and_tangents():
    # the neural-tangent-kernel tutorial: `jvp(func_x2, (params,), vjps)` with params a dict of
    # tensors (and vjps the tuple of one dict vjp_fn returns) raised "Expected primals and
    # tangents to be tuples of Tensors"; torch.func.jvp takes pytrees
    from autograd_core.func import jvp

    w, b = ag.tensor([[1.0, 2.0], [3.0, -1.0]]), ag.tensor([0.5, -0.5])
    dw, db = ag.tensor([[0.0, 1.0], [2.0, 0.0]]), ag.tensor([1.0, 3.0])
    x = ag.tensor([2.0, 1.0])

    def f(p):
        return {"y": p["w"] @ x + p["b"], "z": [p["b"] * 2]}

    out, tan = jvp(f, ({"w": w, "b": b},), ({"w": dw, "b": db},))
    # y = w x + b: dy = dw x + db = [1, 4] + [1, 3]; z = 2b: dz = 2 db
    assert out["y"].tolist() == [4.5, 4.5] and out["z"][0].tolist() == [1.0, -1.0]
    assert tan["y"].tolist() == [2.0, 7.0] and tan["z"][0].tolist() == [2.0, 6.0]
    with pytest.raises(RuntimeError, match="Expected primals and tangents to have the same "
                                           "python structure"):
        jvp(f, ({"w": w, "b": b},), ({"w": dw},))
    with pytest.raises(RuntimeError, match=r"Expected tangents to only contain Tensors, got "
                                           r"<class 'float'>"):
        jvp(f, ({"w": w, "b": b},), ({"w": dw, "b": 1.0},))


@pytest.mark.torch_parity
def test_func_jvp_pytree_matches_torch():
    torch = pytest.importorskip("torch")
    from autograd_core.func import jvp

    rng = np.random.default_rng(0)
    a = {k: rng.standard_normal((3, 3)) for k in ("w1", "w2")}
    t = {k: rng.standard_normal((3, 3)) for k in ("w1", "w2")}
    x = rng.standard_normal(3)

    def run(lib, fjvp):
        def f(p):
            return (p["w2"] @ (p["w1"] @ lib.tensor(x)).tanh()).sin()
        P = {k: lib.tensor(v) for k, v in a.items()}
        T = {k: lib.tensor(v) for k, v in t.items()}
        return [r.detach().numpy() for r in fjvp(f, (P,), (T,))]

    for got, want in zip(run(ag, jvp), run(torch, torch.func.jvp)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_random_split_subset_indices_are_python_ints():
    # the text-classification tutorial's random_split: the Subsets' `indices` held numpy
    # int64s (printing them showed `np.int64(11)`, json refused them); PyTorch's are a list of
    # Python ints (randperm(...).tolist())
    from nn.data import random_split

    parts = random_split(range(10), [6, 4], generator=0)
    for part in parts:
        assert type(part.indices) is list and all(type(i) is int for i in part.indices)
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    assert [parts[0][k] for k in range(6)] == parts[0].indices


def test_dataloader_pin_memory_warns_as_pytorch_without_an_accelerator():
    # UvA tutorial 15 (ViT) builds its loaders with pin_memory=True: PyTorch warns, at each new
    # iterator, that without an accelerator nothing is pinned; tapegrad (CPU only) was silent
    from nn.data import DataLoader

    loader = DataLoader(list(range(4)), batch_size=2, pin_memory=True)
    with pytest.warns(UserWarning, match="^'pin_memory' argument is set as true but no "
                                         "accelerator is found, then device pinned memory "
                                         "won't be used.$"):
        assert [b.tolist() for b in loader] == [[0, 1], [2, 3]]
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(DataLoader(list(range(4)), batch_size=2))  # the default: silent


@pytest.mark.torch_parity
def test_dataloader_pin_memory_warnings_match_torch():
    torch = pytest.importorskip("torch")
    import warnings

    from nn.data import DataLoader

    def messages(make):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            iter(make(list(range(4)), batch_size=2, pin_memory=True, pin_memory_device="cpu"))
        return [str(w.message) for w in got if "pin" in str(w.message)]

    assert messages(DataLoader) == messages(torch.utils.data.DataLoader)


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")


@pytest.mark.parametrize("write", [
    lambda x: x.__setitem__((slice(None), 0, 1), 5.0),   # UvA 12's img[:, c, h, w] = sample
    lambda x: x.add_(1.0),
    lambda x: x.mul_(2.0),
    lambda x: x.copy_(ag.ones(3, 2, 2)),
])
def test_writes_into_expanded_memory_raise_pytorchs_overlap_error(write):
    # UvA tutorial 12 (PixelCNN) fills an `expand`ed batch of images pixel by pixel: PyTorch
    # refuses with its internal-overlap error; tapegrad refused too, in its own words
    x = ag.zeros(1, 2, 2).expand(3, 2, 2)
    with pytest.raises(RuntimeError, match=f"^{_OVERLAP}$".replace(".", r"\.")
                       .replace("(", r"\(").replace(")", r"\)")):
        write(x)
    assert x.sum().item() == 0.0


@pytest.mark.torch_parity
def test_overlap_error_wording_matches_torch():
    torch = pytest.importorskip("torch")
    img = torch.zeros(1, 1, 2, 2, dtype=torch.long).expand(3, -1, -1, -1)
    with pytest.raises(RuntimeError) as theirs:
        img[:, 0, 1, 1] = torch.tensor([1, 2, 3])
    assert str(theirs.value) == _OVERLAP


def test_module_hook_dicts_are_ordereddicts_as_pytorchs():
    # the pruning tutorial prints `module._forward_pre_hooks`: PyTorch shows an OrderedDict
    # (its hook registries are OrderedDicts), tapegrad showed a plain dict
    from collections import OrderedDict

    import nn
    import nn.utils.prune as prune

    m = nn.Linear(3, 2)
    prune.l1_unstructured(m, name="bias", amount=1)
    m.register_forward_hook(lambda mod, i, o: None)
    first = m.register_forward_pre_hook(lambda mod, i: None, prepend=True)
    assert type(m._forward_pre_hooks) is OrderedDict and type(m._forward_hooks) is OrderedDict
    assert repr(m._forward_pre_hooks).startswith("OrderedDict([(%d, <function " % first.id)
    assert type(nn.Linear(1, 1)._forward_pre_hooks) is OrderedDict


def test_utils_benchmark_timer_runs_the_statement_and_measures_per_run():
    # the torch.func tutorials (per-sample gradients, ensembling, jacobians) time their loops
    # with `from torch.utils.benchmark import Timer` ... `Timer(stmt=..., globals=globals())
    # .timeit(n)`, printing the Measurement and reading `.times[0]`: the module was missing
    from autograd_core.utils.benchmark import Measurement, Timer

    calls = []
    ticks = iter(range(0, 1000, 4))  # a fake clock: every reading 4 "seconds" later
    t = Timer("calls.append(x)", setup="x = 7", globals={"calls": calls},
              timer=lambda: next(ticks))
    m = t.timeit(250)
    assert calls == [7] * (2 + 250)  # warm-up max(250 // 100, 2) = 2, then 250
    assert isinstance(m, Measurement) and m.number_per_run == 250
    assert m.raw_times == [4] and m.times == [4 / 250] and m.median == 4 / 250
    assert ag.utils.benchmark.Timer is Timer
    with pytest.raises(ValueError, match="only Python statements"):
        Timer("x", language="c++")


@pytest.mark.torch_parity
def test_utils_benchmark_measurement_layout_matches_torch():
    pytest.importorskip("torch")
    from torch.utils.benchmark import Timer as TorchTimer

    from autograd_core.utils.benchmark import Timer

    def lines(timer_cls, **kw):
        text = repr(timer_cls("x + 1", globals={"x": 1}, **kw).timeit(20))
        out = text.splitlines()[1:]  # the object-address header differs by module
        out[-2] = out[-2].split()[-1]  # the time itself differs; its unit is kept
        return out

    for kw in ({}, {"setup": "y = 2", "label": "L", "sub_label": "S", "description": "D"}):
        ours, theirs = lines(Timer, **kw), lines(TorchTimer, **kw)
        assert ours[:-2] == theirs[:-2] and ours[-1] == theirs[-1]
        assert ours[-2] in ("ns", "us", "ms", "s") and theirs[-2] in ("ns", "us", "ms", "s")


def test_utils_benchmark_sets_the_thread_count_once_per_measurement(monkeypatch):
    # blocked_autorange set and restored the thread count around every block: 2-10 ms of
    # thread-pool calls per block of ~0.1 ms, so min_run_time=0.01 ran for 8 s in a test
    # process with many libraries loaded. PyTorch's Timer sets it once per measurement.
    from autograd_core import threads
    from autograd_core.utils.benchmark import Timer

    calls, real = [], threads.set_num_threads
    monkeypatch.setattr(threads, "set_num_threads", lambda n: (calls.append(n), real(n))[1])
    before = threads.get_num_threads()
    blocks = []
    seen = []  # the count in force while each block is reported
    m = Timer("sum(range(10))", num_threads=1).blocked_autorange(
        callback=lambda n, t: (blocks.append(n), seen.append(threads.get_num_threads())),
        min_run_time=0.01)
    assert blocks and len(m.raw_times) == len(blocks)
    assert calls == [1, before] and set(seen) == {1}
    assert threads.get_num_threads() == before
    calls.clear()
    Timer("x = 1", num_threads=1).timeit(100)
    assert calls == [1, before]
