"""Regressions found by the ninth round of public PyTorch programs run on tapegrad with their
imports rewritten (pytorch/examples, pytorch/tutorials' intermediate and recipe programs, d2l.ai's
computer-vision and pretraining chapters, CS224n, yunjey's pytorch-tutorial, ...): each test is
the line that broke or gave another number, reduced."""

import numpy as np
import pytest

import autograd_core as ag


def test_from_numpy_and_as_tensor_keep_their_shape_when_the_array_is_reshaped_in_place():
    # yunjey/pytorch-tutorial 01-basics/pytorch_basics: `y = torch.from_numpy(x); z = y.numpy()`
    # printed `z is x` True (PyTorch: False): the tensor held the caller's own array object, so
    # a later `x.shape = (4,)` (numpy's in-place reshape) silently made the tensor 1-D, and
    # `x.dtype = ...` reinterpreted its bytes. PyTorch's tensor shares the memory but keeps its
    # own shape and dtype.
    for make in (ag.from_numpy, ag.as_tensor):
        x = np.ones((2, 2), dtype=np.float32)
        t = make(x)
        x.shape = (4,)
        x[0] = 5.0  # the memory is still shared
        assert t.shape == (2, 2) and t.dtype == ag.float32
        assert t[0, 0].item() == 5.0 and t.sum().item() == 8.0
        y = np.zeros(3)
        u = make(y)
        y.dtype = np.int64
        assert u.dtype == ag.float64 and u.tolist() == [0.0, 0.0, 0.0]


def _linear_net():
    import nn

    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    with ag.no_grad():
        net[0].weight.copy_(ag.tensor(np.arange(12.0).reshape(4, 3) / 10 - 0.5))
        net[0].bias.copy_(ag.tensor([0.1, -0.2, 0.3, 0.0]))
        net[2].weight.copy_(ag.tensor(np.arange(8.0).reshape(2, 4) / 8 - 0.4))
        net[2].bias.copy_(ag.tensor([0.05, -0.05]))
    return net


def test_module_full_backward_hooks_see_and_replace_the_gradients():
    # pytorch/tutorials former_torchies/nnft_tutorial.py: net.conv2.register_full_backward_hook(
    # printgradnorm) raised AttributeError (Module had no backward hooks at all).
    net = _linear_net()
    x = ag.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    seen = []
    h = net[2].register_full_backward_hook(
        lambda m, gi, go: seen.append((len(gi), gi[0].numpy().copy(), len(go),
                                       go[0].numpy().copy())))
    out = net(x)
    out.sum().backward()
    # d(sum)/d(out) is all ones; d(sum)/d(input of the last Linear) is ones @ W2
    assert len(seen) == 1 and seen[0][0] == 1 and seen[0][2] == 1
    np.testing.assert_array_equal(seen[0][3], np.ones((2, 2), np.float32))
    w2 = net[2].weight.detach().numpy()
    np.testing.assert_allclose(seen[0][1], np.ones((2, 2), np.float32) @ w2, rtol=1e-6)
    g_plain = x.grad.numpy().copy()
    h.remove()
    # a hook's result replaces grad_input (here doubled), and what flows on is doubled
    net[2].register_full_backward_hook(lambda m, gi, go: tuple(2 * g for g in gi))
    x.grad = None
    net(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * g_plain, rtol=1e-6)


def test_module_backward_pre_hook_replaces_grad_output():
    net = _linear_net()
    x = ag.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    net(x).sum().backward()
    g_plain = x.grad.numpy().copy()
    w_plain = net[0].weight.grad.numpy().copy()
    net.zero_grad()
    x.grad = None
    net[2].register_full_backward_pre_hook(lambda m, go: (go[0] * 3,))
    net(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * g_plain, rtol=1e-6)
    np.testing.assert_allclose(net[0].weight.grad.numpy(), 3 * w_plain, rtol=1e-6)


def test_module_full_backward_hook_without_input_grad_and_with_non_tensor_args():
    import nn

    class Scale(nn.Module):
        def forward(self, x, k, y):
            return x * k + y

    m = Scale()
    calls = []
    m.register_full_backward_hook(lambda mod, gi, go: calls.append((gi, len(go))))
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor([0.5, 0.5])
    (m(w * 1, 3.0, y) ** 2).sum().backward()
    gi, n_out = calls[0]
    # one entry per positional argument: the float gets None, the tensor without grad zeros
    # (PyTorch 2.13's hook node takes every tensor input: checked against torch)
    assert len(gi) == 3 and gi[1] is None and n_out == 1
    np.testing.assert_array_equal(gi[2].numpy(), [0.0, 0.0])
    np.testing.assert_allclose(gi[0].numpy(), 2 * (np.array([1.0, 2.0]) * 3 + 0.5) * 3)
    # no input requires grad: the hook runs with grad_input all None; a result is refused
    p = nn.Linear(2, 1)
    p.register_full_backward_hook(lambda mod, gi, go: calls.append(gi))
    firing = "Full backward hook is firing"  # (PyTorch's warning then)
    with pytest.warns(UserWarning, match=firing):
        p(ag.ones(1, 2)).sum().backward()
    assert calls[-1] == (None,)
    q = nn.Linear(2, 1)
    q.register_full_backward_hook(lambda mod, gi, go: (ag.ones(1, 2),))
    with pytest.raises(RuntimeError, match="no input requires gradient should always return "
                                           "None or None for all gradients"), \
            pytest.warns(UserWarning, match=firing):
        q(ag.ones(1, 2)).sum().backward()


@pytest.mark.torch_parity
def test_module_backward_hooks_match_pytorch_on_a_conv_net():
    torch = pytest.importorskip("torch")
    import nn

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 1, 8, 8)).astype(np.float32)
    ours = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Conv2d(3, 2, 3), nn.Flatten(),
                         nn.Linear(32, 4))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3), torch.nn.ReLU(),
                                 torch.nn.Conv2d(3, 2, 3), torch.nn.Flatten(),
                                 torch.nn.Linear(32, 4))
    theirs.load_state_dict({k: torch.tensor(v.detach().numpy())
                            for k, v in ours.state_dict().items()})
    logs = {"ours": [], "theirs": []}
    for lib, net, key in ((ag, ours, "ours"), (torch, theirs, "theirs")):
        def hook(m, gi, go, key=key):
            logs[key].append([None if g is None else g.detach().numpy().copy() for g in gi + go])
            return (gi[0] * 0.5,)

        net[2].register_full_backward_hook(hook)
        net[4].register_full_backward_pre_hook(lambda m, go: (go[0] + 1,))
        xin = lib.tensor(x, requires_grad=True)
        (net(xin) ** 2).sum().backward()
        logs[key].append([xin.grad.detach().numpy(), net[0].weight.grad.detach().numpy()])
    for a_list, b_list in zip(logs["ours"], logs["theirs"]):
        for a, b in zip(a_list, b_list):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_scatter_reduce_amax_edge_softmax_closed_form():
    # a PyG-free GAT's edge softmax: torch.full((N, H), -inf).scatter_reduce(0, dst, e, "amax",
    # include_self=False) raised AttributeError (scatter_reduce was missing)
    e = ag.tensor([1.0, 3.0, 2.0, 5.0], requires_grad=True)
    dst = ag.tensor([0, 0, 1, 0])
    m = ag.full((3,), float("-inf")).scatter_reduce(0, dst, e, "amax", include_self=False)
    assert m.tolist() == [5.0, 2.0, float("-inf")]  # a node without edges keeps its value
    m[:2].sum().backward()
    assert e.grad.tolist() == [0.0, 0.0, 1.0, 1.0]  # the gradient goes to each maximum
    # ties share it evenly, the input's own entries included (PyTorch's rule)
    x = ag.tensor([4.0, 0.0], requires_grad=True)
    s = ag.tensor([4.0, 4.0, 1.0], requires_grad=True)
    out = ag.scatter_reduce(x, 0, ag.tensor([0, 0, 1]), s, "amax")
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1 / 3, 0.0])
    np.testing.assert_allclose(s.grad.numpy(), [1 / 3, 1 / 3, 1.0])


def test_scatter_reduce_mean_prod_and_include_self_by_hand():
    x = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    src = ag.tensor([[4.0, 0.0, 6.0, 8.0]], requires_grad=True)
    idx = ag.tensor([[0, 0, 2, 2]])
    mean = x.scatter_reduce(1, idx, src, "mean")
    np.testing.assert_allclose(mean.detach().numpy(), [[5 / 3, 2.0, 17 / 3]])
    mean_ex = x.scatter_reduce(1, idx, src, "mean", include_self=False)
    np.testing.assert_allclose(mean_ex.detach().numpy(), [[2.0, 2.0, 7.0]])
    mean_ex.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 1.0, 0.0]])  # replaced entries: none
    np.testing.assert_allclose(src.grad.numpy(), [[0.5, 0.5, 0.5, 0.5]])
    x.grad = src.grad = None
    prod = x.scatter_reduce(1, idx, src, "prod")  # position 0: 1 * 4 * 0, position 2: 3*6*8
    assert prod.tolist() == [[0.0, 2.0, 144.0]]
    prod.sum().backward()
    # d/d(each) = product of the others; the single zero gets 1 * 4
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 1.0, 48.0]])
    np.testing.assert_allclose(src.grad.numpy(), [[0.0, 4.0, 24.0, 18.0]])
    ints = ag.tensor([5, 7, 2]).scatter_reduce(0, ag.tensor([0, 0]), ag.tensor([2, 4]), "mean")
    assert ints.tolist() == [3, 7, 2] and ints.dtype == ag.int64  # floor of 11 / 3
    with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, "
                                           "amax or amin, got max"):
        x.scatter_reduce(1, idx, src, "max")


@pytest.mark.torch_parity
def test_scatter_reduce_matches_pytorch_values_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for trial in range(40):
        dim = trial % 2
        ishape = (3, 4) if dim == 1 else (4, 5)
        x = rng.integers(-2, 3, (3, 5)).astype(np.float64)  # small integers: ties and zeros
        src = rng.integers(-2, 3, ishape).astype(np.float64)
        idx = rng.integers(0, (3, 5)[dim], ishape)
        g = rng.standard_normal((3, 5))
        for reduce in ("sum", "prod", "mean", "amax", "amin"):
            for include_self in (True, False):
                got, want = [], []
                for lib, into in ((ag, got), (torch, want)):
                    a = lib.tensor(x, requires_grad=True)
                    b = lib.tensor(src, requires_grad=True)
                    out = a.scatter_reduce(dim, lib.tensor(idx), b, reduce,
                                           include_self=include_self)
                    out.backward(lib.tensor(g))
                    into += [out.detach().numpy(), a.grad.numpy(), b.grad.numpy()]
                for u, v in zip(got, want):
                    np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-12)


def test_data_assignment_after_save_is_read_by_backward():
    """SpectralNorm GAN wrapper (christiancosgrove/pytorch-spectral-normalization-gan): each call
    reassigns ``u.data``; when the discriminator ran twice before one backward, the first graph's
    backward read the old ``u`` here, PyTorch's the new one (its saved input shares the tensor).
    Worked by hand: d(u . (W v))/dW = outer(u, v), with u = [0, 1] at backward."""
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    u = ag.tensor([1.0, 0.0])
    y = u.dot(w.mv(ag.tensor([1.0, 1.0])))
    u.data = ag.tensor([0.0, 1.0])
    y.backward()
    assert w.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    # through the operator path (Mul saves both inputs) and a saved output (exp keeps its own
    # values, as PyTorch saves an output's data)
    a = ag.tensor([2.0], requires_grad=True)
    c = ag.tensor([3.0])
    (a * c).sum().backward()
    assert a.grad.tolist() == [3.0]
    a.grad = None
    z = a * c
    c.data = ag.tensor([5.0])
    z.sum().backward()
    assert a.grad.tolist() == [5.0]
    x = ag.tensor([0.0], requires_grad=True)
    e = x.exp()
    e.data = ag.tensor([7.0])
    e.backward()
    assert x.grad.tolist() == [1.0]


def test_numpy_and_constructor_hand_out_array_objects_of_their_own():
    """yunjey's pytorch-tutorial basics (progs9): after from_numpy, also ``t.numpy()``,
    ``np.asarray(t)`` and ``Tensor(a)`` handed out (or kept) the tensor's own array object, so
    setting ``.shape`` on it reshaped the tensor. Memory stays shared, as PyTorch's."""
    t = ag.zeros(4)
    n = t.numpy()
    assert n is not t.numpy()
    n.shape = (2, 2)
    assert t.shape == (4,)
    n[0, 0] = 5.0
    assert t.tolist() == [5.0, 0.0, 0.0, 0.0]
    m = np.asarray(t)
    m.shape = (4, 1)
    assert t.shape == (4,)
    a = np.arange(4.0, dtype=np.float32)
    u = ag.Tensor(a)
    a.shape = (2, 2)
    a[0, 0] = 9.0
    assert u.shape == (4,) and u.tolist() == [9.0, 1.0, 2.0, 3.0]


def test_legacy_new():
    """The nnft / older tutorials' ``x.new(...)`` (progs9): missing. PyTorch's cases: sizes or
    a Size (this dtype), data (copied, this dtype), a tensor of this dtype (an alias; another
    dtype refused), nothing (empty)."""
    x = ag.zeros(2, dtype=ag.float64)
    assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype == ag.float64
    assert x.new(ag.Size([4])).shape == (4,)
    assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new([1, 2]).dtype == ag.float64
    assert x.new().shape == (0,)
    assert ag.zeros(1, dtype=ag.int64).new([1.5, 2]).tolist() == [1, 2]
    y = ag.ones(3, dtype=ag.float64)
    alias = x.new(y)
    alias[0] = 7.0
    assert y.tolist() == [7.0, 1.0, 1.0]
    with pytest.raises(TypeError):
        x.new(ag.ones(3))
    with pytest.raises(TypeError, match="data must be a sequence"):
        x.new(2.5)


def test_legacy_new_edges_found_by_review10():
    """review10: ``x.new(y)`` of a tensor requiring grad was detached (PyTorch: an alias view,
    gradients reach ``y``); ``x.new(Size([]))`` gave shape (0,) (PyTorch ()); ``size=`` and a
    0-d tensor among the sizes were refused."""
    x = ag.zeros(2)
    y = ag.ones(2, requires_grad=True)
    z = x.new(y)
    assert z._base is y and z.requires_grad
    (z * ag.tensor([2.0, 3.0])).sum().backward()
    assert y.grad.tolist() == [2.0, 3.0]
    assert x.new(ag.Size([])).shape == ()
    assert x.new(size=(2, 3)).shape == (2, 3)
    assert x.new(2, ag.tensor(3)).shape == (2, 3)
    assert x.new(ag.tensor(3.0)).shape == ()
    with pytest.raises(TypeError):
        x.new(ag.tensor(3))  # a one-element int64 tensor is data of another dtype
