"""Regressions found by the seventh round of public PyTorch programs run on tapegrad with their
imports rewritten (labml's annotated optimizers, minGPT, rasbt/deeplearning-models, udlbook,
CS231n, ...): each test is the line that broke or gave another number, reduced."""

import pytest

import autograd_core as ag

_LIKE = ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like")


@pytest.mark.parametrize("name", _LIKE)
def test_like_factories_take_memory_format(name):
    # labml's Adam: `torch.zeros_like(param, memory_format=torch.preserve_format)` for its state
    x = ag.ones(2, 3, dtype=ag.float64)
    for fmt in (ag.preserve_format, ag.contiguous_format):
        out = getattr(ag, name)(x, memory_format=fmt)
        assert out.shape == (2, 3) and out.dtype == ag.float64
    assert ag.zeros_like(x, memory_format=ag.preserve_format).tolist() == [[0.0] * 3] * 2
    assert ag.full_like(x, 2.5, memory_format=ag.preserve_format).tolist() == [[2.5] * 3] * 2
    assert ag.randint_like(x, 3, memory_format=ag.preserve_format).shape == (2, 3)
    img = ag.ones(1, 2, 3, 3)
    assert getattr(ag, name)(img, memory_format=ag.channels_last).shape == (1, 2, 3, 3)


@pytest.mark.parametrize("name", _LIKE)
def test_like_factories_check_memory_format_rank_first(name):
    with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last format"):
        getattr(ag, name)(ag.ones(2, 3), memory_format=ag.channels_last)
    with pytest.raises(TypeError, match="memory_format"):
        getattr(ag, name)(ag.ones(2, 3), memory_format="preserve")


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", _LIKE + ("full_like", "randint_like"))
def test_like_factories_memory_format_errors_match_torch(name):
    torch = pytest.importorskip("torch")
    extra = {"full_like": (1.0,), "randint_like": (3,)}.get(name, ())
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch, name)(torch.ones(2, 3), *extra, memory_format=torch.channels_last)
    with pytest.raises(RuntimeError) as ours:
        getattr(ag, name)(ag.ones(2, 3), *extra, memory_format=ag.channels_last)
    assert str(ours.value) == str(theirs.value)


def test_unknown_keyword_is_named_as_the_users_function():
    # labml's AMSGrad: `torch.maximum(v_max, v, out=v_max)` said "Maximum.forward() got an
    # unexpected keyword argument 'out'", naming an internal class; as for matmul/add it now
    # names the function called (and since progs8, the functional forms take out=)
    a = ag.ones(2)
    with pytest.raises(TypeError, match=r"^max\(\) got an unexpected keyword argument 'out'$"):
        ag.max(ag.ones(2, 3), 1, out=a)  # several results: no out= tuple yet
    with pytest.raises(TypeError, match=r"^maximum\(\) got an unexpected keyword argument 'bogus'$"):
        a.maximum(a, bogus=1)
    assert ag.maximum(a, 2 * a).tolist() == [2.0, 2.0]


def test_tensor_of_a_tensor_warns_as_pytorch():
    # rasbt's cnn-weight-sharing: `nn.Parameter(torch.tensor(torch.zeros(n), dtype=...))`; torch
    # warns that the copy should be spelled detach().clone(), tapegrad was silent
    src = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match=r"^To copy construct from a tensor, it is recommended to "
                      r"use sourceTensor\.detach\(\)\.clone\(\)"):
        out = ag.tensor(src, dtype=ag.float64)
    assert out.tolist() == [1.0, 2.0] and out.dtype == ag.float64 and not out.requires_grad
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.tensor([1.0, 2.0])  # data that is not a tensor: no warning
        ag.tensor(src._data)


@pytest.mark.torch_parity
def test_tensor_of_a_tensor_warning_is_torchs():
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning) as theirs:
        torch.tensor(torch.zeros(2))
    with pytest.warns(UserWarning) as ours:
        ag.tensor(ag.zeros(2))
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__


def _one_cpu(monkeypatch):
    import os
    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(os, "cpu_count", lambda: 1)


def test_dataloader_warns_about_more_workers_than_cpus(monkeypatch):
    # rasbt's gnn-basic-1: DataLoader(num_workers=4) on a 2-CPU machine; torch warns at
    # construction and at each epoch, tapegrad was silent
    import warnings

    from nn.data import DataLoader
    _one_cpu(monkeypatch)
    with pytest.warns(UserWarning, match=r"^This DataLoader will create 2 worker processes in "
                      r"total\. Our suggested max number of worker in current system is 1"):
        DataLoader(list(range(4)), batch_size=2, num_workers=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [b.tolist() for b in DataLoader(list(range(4)), batch_size=2)] == [[0, 1], [2, 3]]
        DataLoader(list(range(4)), batch_size=2, num_workers=1)


def test_dataloader_pin_memory_warns_at_each_epoch():
    # minGPT's trainer passes pin_memory=True: torch (no accelerator) warns when an epoch starts
    from nn.data import DataLoader
    loader = DataLoader(list(range(4)), batch_size=2, pin_memory=True)
    for _ in range(2):
        with pytest.warns(UserWarning, match=r"^'pin_memory' argument is set as true but no "
                          r"accelerator is found, then device pinned memory won't be used\.$"):
            batches = [b.tolist() for b in loader]
        assert batches == [[0, 1], [2, 3]]


@pytest.mark.torch_parity
def test_dataloader_warnings_are_torchs(monkeypatch):
    pytest.importorskip("torch")
    import torch.utils.data as tud

    from nn.data import DataLoader
    _one_cpu(monkeypatch)
    with pytest.warns(UserWarning) as theirs:
        tl = tud.DataLoader(list(range(4)), batch_size=2, num_workers=3, pin_memory=True)
    with pytest.warns(UserWarning) as ours:
        DataLoader(list(range(4)), batch_size=2, num_workers=3, pin_memory=True)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    monkeypatch.undo()
    tl = tud.DataLoader(list(range(4)), batch_size=2, pin_memory=True)
    with pytest.warns(UserWarning) as theirs:
        iter(tl)
    with pytest.warns(UserWarning) as ours:
        iter(DataLoader(list(range(4)), batch_size=2, pin_memory=True))
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
