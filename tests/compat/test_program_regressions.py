"""Regressions found by running public PyTorch programs (tutorials, pytorch/examples,
course notebooks) on tapegrad with their imports rewritten: each test is the line of the
program that broke or gave a different number, reduced to its essence."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def test_mse_loss_against_an_integer_target_keeps_float32():
    # the 60-minute blitz: criterion(net(input), torch.arange(1, 11).view(1, -1)) is float32
    x = ag.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    target = ag.arange(1, 4).view(1, -1)
    loss = nn.MSELoss()(x, target)
    assert loss.dtype == ag.float32
    assert loss.item() == pytest.approx((0.5 ** 2 + 3.0 ** 2 + 1.0 ** 2) / 3)
    loss.backward()
    assert x.grad.dtype == ag.float32
    np.testing.assert_allclose(x.grad.numpy(), [[2 * -0.5 / 3, 2 * -3.0 / 3, 2 * -1.0 / 3]],
                               rtol=1e-6)
    # a float64 operand still wins, as in PyTorch
    assert F.mse_loss(x, target.double()).dtype == ag.float64


@pytest.mark.torch_parity
@pytest.mark.parametrize("tdt", ["int64", "int32", "float64", "float32"])
def test_mse_loss_dtype_matches_torch(tdt):
    torch = pytest.importorskip("torch")
    x = np.array([[0.25, -1.5], [2.0, 0.0]], dtype=np.float32)
    t = np.array([[1, 0], [2, 3]], dtype=tdt)
    ours = F.mse_loss(ag.tensor(x), ag.tensor(t))
    theirs = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(t))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-6)


def test_save_and_load_through_file_objects(tmp_path):
    # pytorch/examples time_sequence_prediction: torch.save(data, open('traindata.pt', 'wb'))
    data = np.sin(np.arange(12.0)).reshape(3, 4)
    with open(tmp_path / "traindata.pt", "wb") as f:
        ag.save(data, f)
    with open(tmp_path / "traindata.pt", "rb") as f:
        back = ag.load(f)
    np.testing.assert_array_equal(back, data)
    assert ag.load(tmp_path / "traindata.pt").dtype == np.float64  # the same bytes as a path
    import io

    buffer = io.BytesIO()
    state = {"w": ag.tensor([[1.0, 2.0]]), "step": 3, "names": ["a", "b"]}
    ag.save(state, buffer)
    buffer.seek(0)
    out = ag.load(buffer, weights_only=False)  # what programs pass since PyTorch 2.6
    assert out["w"].tolist() == [[1.0, 2.0]] and out["step"] == 3 and out["names"] == ["a", "b"]
    with open(tmp_path / "traindata.pt", "r") as text:
        with pytest.raises(TypeError, match="opened in binary mode"):
            ag.load(text)


def test_load_of_a_file_object_with_foreign_bytes_names_it(tmp_path):
    import io

    buffer = io.BytesIO(b"not a checkpoint at all")
    with pytest.raises(ValueError, match="not a valid tapegrad checkpoint"):
        ag.load(buffer)


@pytest.mark.torch_parity
def test_file_object_round_trip_reads_like_torch(tmp_path):
    torch = pytest.importorskip("torch")
    import io

    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    ours, theirs = io.BytesIO(), io.BytesIO()
    ag.save({"x": ag.tensor(x)}, ours)
    torch.save({"x": torch.tensor(x)}, theirs)
    ours.seek(0)
    theirs.seek(0)
    a, b = ag.load(ours)["x"], torch.load(theirs)["x"]
    assert a.tolist() == b.tolist() and str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]


def test_repr_rows_fill_eighty_columns_and_grad_fn_wraps():
    # makemore part 4 / the blitz print 27 probabilities: PyTorch puts 9 per row (80 columns)
    # and moves grad_fn to its own line when it does not fit on the last one
    t = ag.tensor(np.full(27, 0.0216, dtype=np.float32), requires_grad=True) * 1
    lines = repr(t).splitlines()
    assert lines[0] == "tensor([" + ", ".join(["0.0216"] * 9) + ","
    assert len(lines) == 4 and lines[-1] == "       grad_fn=<MulBackward0>)"
    assert max(len(x) for x in lines) <= 80
    short = ag.tensor(np.full(20, 0.0216, dtype=np.float32), requires_grad=True) * 1
    assert repr(short).splitlines()[-1] == "        0.0216, 0.0216], grad_fn=<MulBackward0>)"
    long = ag.tensor(np.full(16, -1.5, dtype=np.float32), requires_grad=True) * 1
    lines = repr(long).splitlines()
    assert lines[-1] == "       grad_fn=<MulBackward0>)"  # 81 columns with it on the last line
    assert lines[-2].endswith("-1.5000],")
    assert repr(ag.tensor([1.0, 2.0], requires_grad=True)) == \
        "tensor([1., 2.], requires_grad=True)"


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape", [(27,), (40,), (3, 27), (2, 3, 15), (5, 12), (9,)])
@pytest.mark.parametrize("scale", [1.0, 0.01, 1e5])
def test_repr_layout_matches_torch(shape, scale):
    torch = pytest.importorskip("torch")
    x = (np.random.default_rng(0).standard_normal(shape) * scale).astype(np.float32)
    for a, b in ((ag.tensor(x), torch.tensor(x)),
                 (ag.tensor(x, requires_grad=True) * 2, torch.tensor(x, requires_grad=True) * 2),
                 (ag.tensor(x.astype(np.float64)), torch.tensor(x.astype(np.float64)))):
        assert repr(a) == repr(b).replace("torch.", "autograd_core."), (repr(a), repr(b))


def test_index_errors_in_pytorchs_words():
    # makemore: probs[torch.arange(5), ys] with 6 labels; a class index past the vocabulary
    probs = ag.zeros(6, 27)
    with pytest.raises(IndexError, match=r"^shape mismatch: indexing tensors could not be "
                                         r"broadcast together with shapes \[5\], \[6\]$"):
        probs[ag.arange(5), ag.arange(6)]
    with pytest.raises(IndexError, match=r"^index 40 is out of bounds for dimension 1 with "
                                         r"size 27$"):
        probs[ag.tensor([1]), ag.tensor([40])]
    with pytest.raises(IndexError, match=r"^shape mismatch: indexing tensors"):
        probs[ag.arange(5), ag.arange(6)] = 1.0


@pytest.mark.torch_parity
def test_index_error_messages_equal_torchs():
    torch = pytest.importorskip("torch")
    for lib, make in ((ag, ag.tensor), (torch, torch.tensor)):
        msgs = []
        x = lib.zeros(4, 3, 5)
        for idx in ((make([0, 1]), make([0, 1, 2])), (make([7]),),
                    (make([0]), make([2]), make([9]))):
            with pytest.raises(IndexError) as info:
                x[idx]
            msgs.append(str(info.value))
        if lib is ag:
            ours = msgs
    assert ours == msgs


def test_histogram_by_hand():
    # makemore part 3 plots torch.histogram(t, density=True) of each layer's activations
    x = ag.tensor([1.0, 2.0, 1.0, 5.0, 0.5])
    hist, edges = ag.histogram(x, bins=4)
    np.testing.assert_allclose(edges.numpy(), [0.5, 1.625, 2.75, 3.875, 5.0])
    np.testing.assert_array_equal(hist.numpy(), [3.0, 1.0, 0.0, 1.0])  # 5.0 is in the last
    assert ag.histogram(x)[0].shape == (100,)  # bins defaults to 100, as in PyTorch
    out = x.histogram(2, density=True)
    np.testing.assert_allclose(out.hist.numpy(), [4 / (5 * 2.25), 1 / (5 * 2.25)], rtol=1e-6)
    hist, _ = ag.histogram(x, ag.tensor([0.0, 1.0, 4.0]), weight=ag.tensor([1.0, 2, 3, 4, 5]))
    np.testing.assert_array_equal(hist.numpy(), [5.0, 1 + 2 + 3])  # 0.5 | 1, 2, 1 (5 outside)
    hist, edges = ag.histogram(ag.tensor([2.0, 2.0]), 2)
    assert edges.tolist() == [1.5, 2.0, 2.5] and hist.tolist() == [0.0, 2.0]
    assert hist.dtype == ag.float32
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        ag.histogram(ag.tensor([1, 2]), 2)
    with pytest.raises(RuntimeError, match="bins must be > 0"):
        ag.histogram(x, 0)


@pytest.mark.torch_parity
@pytest.mark.parametrize("kw", [dict(bins=7), dict(bins=5, range=(-1.0, 1.0)),
                                dict(bins=10, density=True), dict(bins=3, weighted=True)])
def test_histogram_matches_torch(kw):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(50).astype(np.float32)
    w = np.random.default_rng(1).random(50).astype(np.float32)
    kw = dict(kw)
    weighted = kw.pop("weighted", False)
    a = ag.histogram(ag.tensor(x), weight=ag.tensor(w) if weighted else None, **kw)
    b = torch.histogram(torch.tensor(x), weight=torch.tensor(w) if weighted else None, **kw)
    np.testing.assert_allclose(a.bin_edges.numpy(), b.bin_edges.numpy(), rtol=1e-6)
    np.testing.assert_allclose(a.hist.numpy(), b.hist.numpy(), rtol=1e-5)


def test_samplers_by_hand():
    # programs split train/valid with SubsetRandomSampler, rebalance with WeightedRandomSampler
    from nn.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler,
                         SubsetRandomSampler, TensorDataset, WeightedRandomSampler)

    ds = TensorDataset(ag.arange(10.0))
    assert list(SequentialSampler(ds)) == list(range(10))
    gen = ag.Generator().manual_seed(0)
    order = list(RandomSampler(ds, generator=gen))
    assert sorted(order) == list(range(10))
    twice = list(RandomSampler(ds, num_samples=25))
    assert len(twice) == 25 and sorted(twice[:10]) == sorted(twice[10:20]) == list(range(10))
    assert len(set(twice[20:])) == 5
    drawn = list(RandomSampler(ds, replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) <= set(range(10))
    valid = [1, 4, 6]
    loader = DataLoader(ds, batch_size=2, sampler=SubsetRandomSampler(valid))
    seen = [x.tolist() for (x,) in loader]
    assert [len(b) for b in seen] == [2, 1] and sorted(sum(seen, [])) == [1.0, 4.0, 6.0]
    assert list(WeightedRandomSampler([0.0, 0.0, 2.0], 4)) == [2, 2, 2, 2]
    assert sorted(WeightedRandomSampler([1.0, 0.0, 3.0], 2, replacement=False)) == [0, 2]
    batches = list(BatchSampler(SequentialSampler(ds), batch_size=4, drop_last=False))
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    loader = DataLoader(ds, batch_sampler=BatchSampler(range(10), 4, drop_last=True))
    assert [x.tolist() for (x,) in loader] == [[0.0, 1, 2, 3], [4.0, 5, 6, 7]]
    assert len(loader) == 2
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got "
                                        "replacement=1"):
        RandomSampler(ds, replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(ds, num_samples=0)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, None)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0]], 2)
    # PyTorch draws zero-weight indices once the positive ones are used up (its multinomial)
    assert list(WeightedRandomSampler([1.0, 0.0], 2, replacement=False)) == [0, 1]
    with pytest.raises(RuntimeError, match="without replacement"):
        list(WeightedRandomSampler([1.0, 0.0], 3, replacement=False))


@pytest.mark.torch_parity
def test_sampler_signatures_and_deterministic_orders_match_torch():
    torch = pytest.importorskip("torch")
    import inspect

    import nn.data as ours

    theirs = torch.utils.data
    for name in ("SequentialSampler", "RandomSampler", "SubsetRandomSampler",
                 "WeightedRandomSampler", "BatchSampler"):
        a = list(inspect.signature(getattr(ours, name)).parameters.items())
        b = list(inspect.signature(getattr(theirs, name)).parameters.items())
        assert [(k, v.default) for k, v in a] == [(k, v.default) for k, v in b], name
    for drop_last in (False, True):
        assert list(ours.BatchSampler(range(11), 4, drop_last)) == \
            list(theirs.BatchSampler(range(11), 4, drop_last))
        assert len(ours.BatchSampler(range(11), 4, drop_last)) == \
            len(theirs.BatchSampler(range(11), 4, drop_last))


def test_grad_assignment_errors_in_pytorchs_words():
    # polynomial_autograd.py (current tutorial) assigns a.grad = 0.: both libraries refuse it
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"^assigned grad expected to be a Tensor or None but "
                                        r"got grad of type float$"):
        a.grad = 0.0
    with pytest.raises(RuntimeError, match=r"^attempting to assign a gradient of size '\[3\]' "
                                           r"to a tensor of size '\[2\]'"):
        a.grad = ag.ones(3)
    a.grad = ag.ones(2)
    assert a.grad.tolist() == [1.0, 1.0]


def test_saving_a_whole_module_says_to_save_its_state_dict(tmp_path):
    # word_language_model: torch.save(model, f) pickles the module; here the error says what to do
    model = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(TypeError, match=r"cannot save an object of type Sequential at obj; .*"
                                        r"save its state_dict\(\)"):
        ag.save(model, tmp_path / "model.pt")
    assert not (tmp_path / "model.pt").exists()
    with pytest.raises(TypeError, match="cannot save an object of type object at obj; "
                                        "supported: [^;]*$"):
        ag.save(object(), tmp_path / "x.pt")  # no hint for what has no state_dict


def test_safe_globals_context_and_registry(tmp_path):
    # programs written for PyTorch >= 2.6 load under torch.serialization.safe_globals([...])
    import autograd_core as torch

    torch.save({"w": torch.ones(2), "mean": np.float64(0.5)}, tmp_path / "ckpt.pt")
    with torch.serialization.safe_globals([np.dtype, (np.float64, "numpy.float64")]):
        assert len(torch.serialization.get_safe_globals()) == 2
        out = torch.load(tmp_path / "ckpt.pt")
    assert out["w"].tolist() == [1.0, 1.0] and out["mean"] == 0.5
    assert torch.serialization.get_safe_globals() == []  # restored on exit
    torch.serialization.add_safe_globals([np.dtype])
    torch.serialization.add_safe_globals([np.dtype])
    assert torch.serialization.get_safe_globals() == [np.dtype]
    torch.serialization.clear_safe_globals()
    assert torch.serialization.get_safe_globals() == []
    with pytest.raises(TypeError, match="must be a list"):
        torch.serialization.add_safe_globals(np.dtype)


@pytest.mark.torch_parity
def test_safe_globals_signatures_match_torch():
    torch = pytest.importorskip("torch")
    import inspect

    from autograd_core import serialization

    for name in ("add_safe_globals", "get_safe_globals", "clear_safe_globals"):
        a = inspect.signature(getattr(serialization, name)).parameters
        b = inspect.signature(getattr(torch.serialization, name)).parameters
        assert list(a) == list(b), name
    assert list(inspect.signature(serialization.safe_globals).parameters) == \
        list(inspect.signature(torch.serialization.safe_globals).parameters)


def test_torch_nn_modules_paths():
    # custom losses subclass torch.nn.modules.loss._Loss; init code tests
    # isinstance(m, nn.modules.batchnorm._BatchNorm) / nn.modules.conv._ConvNd
    import autograd_core as torch
    from nn.modules.loss import _Loss

    class Half(_Loss):
        def forward(self, input, target):
            return ((input - target) / 2).abs().mean() if self.reduction == "mean" else None

    assert Half()(ag.tensor([1.0, 3.0]), ag.tensor([0.0, 0.0])).item() == 1.0
    convs = [m for m in nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU()).modules()
             if isinstance(m, (torch.nn.modules.conv._ConvNd,
                               torch.nn.modules.batchnorm._BatchNorm))]
    assert [type(m).__name__ for m in convs] == ["Conv2d", "BatchNorm2d"]
    assert torch.nn.modules.rnn.LSTM is nn.LSTM and torch.nn.modules.module.Module is nn.Module
    import nn.modules.activation as activation

    assert activation.ReLU is nn.ReLU
    with pytest.raises(AttributeError, match="module 'nn.modules.loss' has no attribute 'Nope'"):
        torch.nn.modules.loss.Nope  # noqa: B018


@pytest.mark.torch_parity
def test_torch_nn_modules_files_route_to_the_project_classes():
    pytest.importorskip("torch")
    import importlib

    from nn import modules

    routed = 0
    for file in modules.FILES:
        theirs = importlib.import_module(f"torch.nn.modules.{file}")
        for name in getattr(theirs, "__all__", []):
            if hasattr(nn, name):  # what the project has is found under PyTorch's path
                assert getattr(getattr(modules, file), name) is getattr(nn, name), (file, name)
                routed += 1
    assert routed > 80
    for file, base in (("conv", "_ConvNd"), ("batchnorm", "_BatchNorm"), ("loss", "_Loss"),
                       ("loss", "_WeightedLoss"), ("batchnorm", "_NormBase"),
                       ("instancenorm", "_InstanceNorm"), ("pooling", "_MaxPoolNd")):
        assert hasattr(importlib.import_module(f"torch.nn.modules.{file}"), base)
        assert isinstance(getattr(getattr(modules, file), base), type), (file, base)
