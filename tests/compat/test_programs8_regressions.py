"""Regressions found by the eighth round of public PyTorch programs run on tapegrad with their
imports rewritten (pytorch/tutorials' beginner basics, karpathy's makemore parts 4-5, d2l.ai's
RNN, optimisation and attention chapters, UvA tutorials, ...): each test is the line that broke
or gave another number, reduced."""

import numpy as np
import pytest

import autograd_core as ag


def test_functional_forms_write_into_out():
    # pytorch/tutorials tensorqs_tutorial.py: `torch.matmul(tensor, tensor.T, out=y3)` and
    # `torch.mul(tensor, tensor, out=z3)` raised "matmul() got an unexpected keyword argument"
    t = ag.ones(4, 4)
    t[:, 1] = 0
    y3 = ag.rand_like(t)
    assert ag.matmul(t, t.T, out=y3) is y3
    np.testing.assert_array_equal(y3.numpy(), np.full((4, 4), 3.0))  # each row: three ones
    z3 = ag.rand_like(t)
    assert ag.mul(t, t, out=z3) is z3
    np.testing.assert_array_equal(z3.numpy(), t.numpy())
    v = ag.tensor([1.0, 5.0])  # labml's AMSGrad: torch.maximum(v_max, v, out=v_max)
    ag.maximum(v, ag.tensor([3.0, 2.0]), out=v)
    assert v.tolist() == [3.0, 5.0]
    o = ag.zeros(2, dtype=ag.float64)  # an integer result casts into a float64 out
    ag.add(ag.tensor([1, 2]), 1, out=o)
    assert o.tolist() == [2.0, 3.0] and o.dtype == ag.float64
    o = ag.zeros(2)  # exp's out= used to reach its node's numpy buffer and return another tensor
    assert ag.exp(ag.zeros(2), out=o) is o and o.tolist() == [1.0, 1.0]
    assert ag.cat([ag.ones(1), ag.zeros(1)], out=ag.empty(2)).tolist() == [1.0, 0.0]


def test_out_is_refused_where_pytorch_refuses_it():
    a = ag.ones(2, requires_grad=True)
    o = ag.zeros(2)
    with pytest.raises(RuntimeError, match=r"^mul\(\): functions with out=\.\.\. arguments don't "
                       r"support automatic differentiation, but one of the arguments requires "
                       r"grad\.$"):
        ag.mul(a, a, out=o)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ag.cat([a, a], out=ag.zeros(4))  # an input inside the sequence
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ag.mul(ag.ones(2), 2, out=ag.zeros(2, requires_grad=True))
    with pytest.raises(RuntimeError, match=r"^result type Float can't be cast to the desired "
                       r"output type Long$"):
        ag.mul(ag.ones(2), 2.5, out=ag.zeros(2, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="can't be cast"):
        ag.mul(ag.ones(2), 2.5, out=ag.zeros(3, dtype=ag.int64))  # refused before the resize
    assert o.tolist() == [0.0, 0.0]  # nothing written by a refused call
    with ag.no_grad():  # outside grad mode PyTorch writes, and out does not require grad
        assert ag.mul(a, 3, out=o).tolist() == [3.0, 3.0] and not o.requires_grad


@pytest.mark.torch_parity
def test_out_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    for name, args in [("matmul", (x, x.T)), ("mul", (x, x)), ("exp", (x,)), ("add", (x, 1.5)),
                       ("clamp", (x, 0.3, 1.0))]:
        t_args = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        theirs = torch.zeros(getattr(torch, name)(*t_args).shape)
        getattr(torch, name)(*t_args, out=theirs)
        ours = ag.zeros(*theirs.shape)
        getattr(ag, name)(*[ag.tensor(a) if isinstance(a, np.ndarray) else a for a in args],
                          out=ours)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, err_msg=name)
    with pytest.raises(RuntimeError) as t_err:
        torch.mul(torch.ones(2), 2.5, out=torch.zeros(2, dtype=torch.int64))
    with pytest.raises(RuntimeError) as a_err:
        ag.mul(ag.ones(2), 2.5, out=ag.zeros(2, dtype=ag.int64))
    assert str(a_err.value) == str(t_err.value)


def test_scatter_takes_value_as_a_keyword():
    # pytorch/tutorials transforms_tutorial.py (and data_tutorial.py): the one-hot target
    # transform `torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)` raised
    # "scatter() got an unexpected keyword argument 'value'"; its index is 0-dimensional
    one_hot = ag.zeros(10, dtype=ag.float).scatter_(0, ag.tensor(3), value=1)
    assert one_hot.tolist() == [0.0, 0.0, 0.0, 1.0] + [0.0] * 6
    x = ag.zeros(5)
    assert ag.scatter(x, 0, ag.tensor([1, 2]), value=2.5).tolist() == [0.0, 2.5, 2.5, 0.0, 0.0]
    assert x.scatter(0, ag.tensor([1, 1]), value=2, reduce="add").tolist() == [0.0, 4.0, 0, 0, 0]
    assert x.scatter(0, ag.tensor([4]), value=ag.tensor(2.0)).tolist() == [0, 0, 0, 0, 2.0]
    assert ag.zeros(3, dtype=ag.int64).scatter(0, ag.tensor([1]), value=2.7).tolist() == [0, 2, 0]
    a = ag.ones(3, requires_grad=True)  # the written place gets no gradient
    a.scatter(0, ag.tensor([1]), value=2.7).sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(TypeError, match="both src and value"):
        x.scatter(0, ag.tensor([1]), ag.ones(1), value=2.0)
    with pytest.raises(TypeError, match="'value' must be a number"):
        x.scatter(0, ag.tensor([1]), value=ag.ones(1))
    with pytest.raises(TypeError, match="missing 1 required argument: 'src'"):
        x.scatter(0, ag.tensor([1]))
    assert x.tolist() == [0.0] * 5


def test_a_zero_dimensional_index_counts_as_one_element():
    # the same line's `torch.tensor(y)` index: PyTorch treats a 0-d index (and src) as 1-d
    x = ag.arange(5.0, requires_grad=True)
    g = ag.gather(x, 0, ag.tensor(3))
    assert g.shape == () and g.item() == 3.0
    g.backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]
    assert ag.arange(5.0).scatter_add(0, ag.tensor(2), ag.tensor(7.0)).tolist() == [0, 1, 9, 3, 4]
    s = ag.tensor(7.0, requires_grad=True)
    out = ag.arange(5.0).scatter(0, ag.tensor(2), s)
    assert out.tolist() == [0.0, 1.0, 7.0, 3.0, 4.0]
    out.sum().backward()
    assert s.grad.item() == 1.0


@pytest.mark.torch_parity
def test_scatter_value_and_zero_dim_index_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        idx2 = lib.tensor([[0, 2], [1, 0]])
        got = [lib.zeros(10).scatter_(0, lib.tensor(7), value=1).tolist(),
               lib.zeros(2, 3).scatter(1, idx2, value=-1.5).tolist(),
               lib.zeros(2, 3).scatter(1, idx2, value=2, reduce="add").tolist(),
               lib.gather(lib.arange(4.0), 0, lib.tensor(2)).tolist()]
        if lib is ag:
            ours = got
    assert ours == got


def test_load_state_dict_into_a_fresh_lazy_model():
    # d2l's read-write chapter: `clone = MLP(); clone.load_state_dict(torch.load('mlp.params'))`
    # with MLP built from nn.LazyLinear raised "size mismatch ... the shape in current model is
    # Size([0])"; PyTorch's lazy modules take the checkpoint's shapes
    import nn
    import nn.functional as F

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.LazyLinear(6)
            self.output = nn.LazyLinear(2)

        def forward(self, x):
            return self.output(F.relu(self.hidden(x)))

    ag.manual_seed(0)
    net, x = MLP(), ag.randn(3, 4)
    y = net(x)
    clone = MLP()
    result = clone.load_state_dict(net.state_dict())
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    for name, p in clone.named_parameters():
        np.testing.assert_array_equal(p.detach().numpy(), net.state_dict()[name].numpy())
    np.testing.assert_array_equal(clone(x).detach().numpy(), y.detach().numpy())  # loaded values, not re-drawn
    assert repr(clone.hidden) == "Linear(in_features=4, out_features=6, bias=True)"
    fresh = MLP()  # a refused load changes nothing
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "hidden.bias"'):
        fresh.load_state_dict({"hidden.weight": ag.ones(6, 4)})
    assert fresh.hidden.has_uninitialized_params()
    part = MLP()
    part.load_state_dict({"hidden.weight": ag.ones(6, 5), "hidden.bias": ag.ones(6)}, strict=False)
    with pytest.raises(AssertionError, match="in_features inferred from input: 4 is not equal to "
                       "in_features from self.weight: 5"):
        part(x)


def test_load_state_dict_into_lazy_conv_and_batch_norm():
    import nn

    def make():
        return nn.Sequential(nn.LazyConv2d(4, 3, groups=1), nn.LazyBatchNorm2d(), nn.ReLU(),
                             nn.LazyConvTranspose2d(2, 3), nn.Flatten(), nn.LazyLinear(2))

    ag.manual_seed(1)
    m, x = make(), ag.randn(2, 3, 6, 6)
    m(x)
    m.eval()
    m2 = make()
    m2.load_state_dict(m.state_dict())
    m2.eval()
    np.testing.assert_array_equal(m2(x).detach().numpy(), m(x).detach().numpy())
    assert (m2[0].in_channels, m2[1].num_features, m2[3].in_channels) == (3, 4, 4)


@pytest.mark.torch_parity
def test_load_state_dict_into_lazy_modules_matches_torch():
    torch = pytest.importorskip("torch")
    import nn

    torch.manual_seed(0)  # (unseeded, about one run in ten missed rtol=1e-6 by a float32 step)
    t_net = torch.nn.Sequential(torch.nn.LazyLinear(5), torch.nn.Tanh(), torch.nn.LazyLinear(1))
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    t_net(torch.tensor(x))
    ours = nn.Sequential(nn.LazyLinear(5), nn.Tanh(), nn.LazyLinear(1))
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in t_net.state_dict().items()})
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               t_net(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_top_level_in_place_functions():
    # pytorch/tutorials introyt/tensors_deeper_tutorial.py: `print(torch.sin_(b))  # note the
    # underscore` raised "module 'autograd_core' has no attribute 'sin_'"
    import math

    b = ag.tensor([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4])
    assert ag.sin_(b) is b
    np.testing.assert_allclose(b.numpy(), [0.0, math.sqrt(0.5), 1.0, math.sqrt(0.5)], atol=1e-7)
    x = ag.tensor([-1.5, 0.25, 2.75])
    assert ag.relu_(x) is x and x.tolist() == [0.0, 0.25, 2.75]
    assert ag.clamp_(x, 0.5, 1.0).tolist() == [0.5, 0.5, 1.0]
    assert ag.exp_(ag.zeros(2)).tolist() == [1.0, 1.0] and ag.zero_(x).tolist() == [0.0] * 3
    leaf = ag.ones(2, requires_grad=True)  # the in-place rules are the methods'
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        ag.sin_(leaf)


@pytest.mark.torch_parity
def test_top_level_in_place_functions_are_torchs():
    torch = pytest.importorskip("torch")
    ours = {n for n in dir(ag) if n.endswith("_") and not n.startswith("_")}
    theirs = {n for n in dir(torch) if n.endswith("_") and not n.startswith("_")
              and hasattr(ag.Tensor, n)}
    assert theirs - ours == set()
    for name in ["sqrt_", "sigmoid_", "tanh_", "round_", "neg_"]:
        a, t = ag.tensor([0.25, 2.5]), torch.tensor([0.25, 2.5])
        getattr(ag, name)(a)
        getattr(torch, name)(t)
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-6, err_msg=name)


def test_creation_functions_write_into_out():
    # introyt/tensors_deeper_tutorial.py: `torch.rand(2, 2, out=c)  # works for creation too!`
    # raised "rand() got an unexpected keyword argument 'out'"
    c = ag.zeros(2, 2)
    old_id = id(c)
    assert ag.rand(2, 2, out=c) is c and id(c) == old_id
    assert bool(((c >= 0) & (c < 1)).all()) and c.dtype == ag.float32
    d = ag.zeros(2, 2, dtype=ag.float64)  # the values are made in out's dtype
    ag.randn(2, 2, out=d)
    assert d.dtype == ag.float64
    n = ag.zeros(3, dtype=ag.int64)
    assert ag.ones(3, out=n).tolist() == [1, 1, 1] and n.dtype == ag.int64
    assert ag.zeros(size=(3,), out=n).tolist() == [0, 0, 0]
    with pytest.raises(RuntimeError, match=r"^dtype Double does not match dtype of out parameter "
                       r"\(Float\)$"):
        ag.ones(2, 2, dtype=ag.float64, out=ag.zeros(2, 2))
    with pytest.raises(RuntimeError, match=r"^ones\(\): functions with out=\.\.\. arguments don't "
                       "support automatic differentiation"):
        ag.ones(2, out=ag.zeros(2, requires_grad=True))
    with pytest.warns(UserWarning, match=r"had shape \[2\], which does not match"):
        assert ag.zeros(3, out=n[:2]).shape == (3,)  # resized, as PyTorch's


@pytest.mark.torch_parity
def test_creation_out_matches_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        n = lib.zeros(2, 3, dtype=lib.int64)
        lib.ones(2, 3, out=n)
        got = (n.tolist(), str(n.dtype).split(".")[-1])
        if lib is ag:
            ours = got
    assert ours == got
    with pytest.raises(RuntimeError) as t_err:
        torch.zeros(2, dtype=torch.float64, out=torch.zeros(2))
    with pytest.raises(RuntimeError) as a_err:
        ag.zeros(2, dtype=ag.float64, out=ag.zeros(2))
    assert str(a_err.value) == str(t_err.value)


def test_torch_functional_module_imports():
    # pytorch/tutorials introyt/modelsyt_tutorial.py: `import torch.functional as F` (PyTorch's
    # torch.functional, not nn.functional) raised "No module named 'autograd_core.functional'"
    import autograd_core.functional as F
    import nn.functional

    assert ag.functional is F and F.F is nn.functional
    assert F.einsum("i,i->", ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])).item() == 11.0
    assert [t.tolist() for t in F.split(ag.arange(4), 2)] == [[0, 1], [2, 3]]
    assert F.broadcast_shapes((2, 1), (3,)) == (2, 3)


@pytest.mark.torch_parity
def test_torch_functional_names_exist():
    torch = pytest.importorskip("torch")
    import autograd_core.functional as F

    assert set(torch.functional.__all__) - set(F.__all__) == set()
