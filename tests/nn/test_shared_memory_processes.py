"""``autograd_core.multiprocessing`` (``torch.multiprocessing``) and ``Module.share_memory()``:
the Hogwild example's processes update one copy of the parameters. ``share_memory`` only marked
the tensors and there was no ``torch.multiprocessing``: a child process trained a copy of the
model and the parent's weights never moved. The values here are worked by hand (SGD steps with
known gradients); the exceptions' wording is PyTorch's."""

import multiprocessing

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.multiprocessing as mp
import nn
import optimizers


def _sgd_step(rank, model, lr):
    """One SGD step on loss = sum(w) + sum(b) * (rank + 1): w -= lr, b -= lr * (rank + 1)."""
    opt = optimizers.SGD(model.parameters(), lr=lr)
    opt.zero_grad()
    (model.weight.sum() + model.bias.sum() * (rank + 1)).backward()
    opt.step()


def _add_to_own_element(rank, weight, buffer):
    with ag.no_grad():
        weight[0, rank] += 10.0 * (rank + 1)  # each process its own element: no race
        buffer[rank] = rank + 100


def _raise(rank):
    raise ValueError(f"bad step in {rank}")


def _exit(rank):
    import os

    os._exit(3)


def _run_exit_handlers():
    mp._release()  # what a forked child that exits normally runs (atexit)


def _double_from_queue(queue, done):
    t = queue.get()
    with ag.no_grad():
        t.mul_(2)
    done.put(t.tolist())


@pytest.mark.parametrize("method", ["spawn", "fork", "forkserver"])
def test_hogwild_processes_update_the_shared_parameters(method):
    model = nn.Linear(3, 1).double()
    w0, b0 = model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()
    assert model.share_memory() is model
    ctx = mp.get_context(method)
    for rank in range(2):  # one after the other: the second sees the first's step
        p = ctx.Process(target=_sgd_step, args=(rank, model, 0.5))
        p.start()
        p.join()
        assert p.exitcode == 0
    np.testing.assert_allclose(model.weight.detach().numpy(), w0 - 2 * 0.5, rtol=1e-15)
    np.testing.assert_allclose(model.bias.detach().numpy(), b0 - (1 + 2) * 0.5, rtol=1e-15)


def test_spawn_runs_fn_with_the_index_in_each_process():
    model = nn.Linear(2, 1, bias=False)
    model.register_buffer("counts", ag.zeros(2))
    model.weight.data = ag.tensor([[1.0, 2.0]])
    model.share_memory()
    assert mp.spawn(_add_to_own_element, args=(model.weight, model.counts), nprocs=2) is None
    assert model.weight.tolist() == [[11.0, 22.0]]
    assert model.counts.tolist() == [100.0, 101.0]
    assert model.weight.is_shared() and model.counts.is_shared()


def test_a_shared_tensor_sent_through_a_queue_is_the_same_memory():
    ctx = mp.get_context("spawn")
    t = mp._share_memory_(ag.tensor([1.0, -3.0]))
    queue, done = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_double_from_queue, args=(queue, done))
    p.start()
    queue.put(t)
    assert done.get(timeout=60) == [2.0, -6.0]
    p.join()
    assert t.tolist() == [2.0, -6.0]


def test_sharing_keeps_values_and_gradients():
    model = nn.Linear(2, 2)
    model(ag.ones(1, 2)).sum().backward()
    before = [(p.detach().numpy().copy(), p.grad.numpy().copy()) for p in model.parameters()]
    model.share_memory()
    for p, (v, g) in zip(model.parameters(), before):
        assert p.is_shared() and p.grad.is_shared() and p.requires_grad
        np.testing.assert_array_equal(p.detach().numpy(), v)
        np.testing.assert_array_equal(p.grad.numpy(), g)


def test_a_failing_process_raises_pytorchs_exceptions():
    with pytest.raises(mp.ProcessRaisedException) as info:
        mp.spawn(_raise, nprocs=1)
    assert info.value.error_index == 0
    assert str(info.value).startswith("\n\n-- Process 0 terminated with the following error:\n"
                                      "Traceback (most recent call last):")
    assert "ValueError: bad step in 0" in str(info.value)
    with pytest.raises(mp.ProcessExitedException, match="^process 0 terminated with exit code 3$"):
        mp.spawn(_exit, nprocs=1)


def test_the_module_is_pythons_multiprocessing_plus_pytorchs_names():
    assert ag.multiprocessing is mp
    assert mp.Process is multiprocessing.Process and mp.Queue is multiprocessing.Queue
    assert mp.get_all_sharing_strategies() == {"file_descriptor", "file_system"}
    assert mp.get_sharing_strategy() == "file_descriptor"
    with pytest.warns(FutureWarning, match="only supports start_method=spawn"):
        mp.spawn(_add_to_own_element, args=(mp._share_memory_(ag.zeros(1, 1)),
                                            mp._share_memory_(ag.zeros(1))),
                 start_method="fork")


def test_a_forked_child_exiting_leaves_the_parents_segments():
    t = mp._share_memory_(ag.tensor([1.0, -3.0]))
    child = mp.get_context("fork").Process(target=_run_exit_handlers)
    child.start()
    child.join()
    ctx = mp.get_context("spawn")  # a later process still finds the segment by its name
    queue, done = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_double_from_queue, args=(queue, done))
    p.start()
    queue.put(t)
    assert done.get(timeout=60) == [2.0, -6.0]
    p.join()
    assert t.tolist() == [2.0, -6.0]


def _report_shared(queue, done):
    t = queue.get()
    done.put(t.is_shared())
    with ag.no_grad():
        t.add_(1)


def test_tensor_share_memory_method_shares_and_is_shared_in_the_child():
    """``x.share_memory_()`` (the Tensor method) only marked the tensor: a child process got a
    copy and the parent's values never moved; and a tensor received by a child said
    ``is_shared()`` False."""
    t = ag.tensor([1.0, 2.0])
    assert not t.is_shared()
    assert t.share_memory_() is t and t.is_shared()
    assert not ag.tensor([1.0]).is_shared()
    ctx = mp.get_context("fork")
    queue, done = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_report_shared, args=(queue, done))
    p.start()
    queue.put(t)
    assert done.get(timeout=60) is True
    p.join()
    assert t.tolist() == [2.0, 3.0]
