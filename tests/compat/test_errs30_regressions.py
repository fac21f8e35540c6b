"""errs30: leftovers of earlier error and edge sweeps, fixed toward PyTorch 2.13.

* ``x.T`` of a tensor that is not 2-D warned nothing; PyTorch warns (once per process) that it
  is deprecated, with one wording for 0-D tensors and another for the rest.
* ``copy.deepcopy`` of a tensor an op produced copied the graph behind it; PyTorch refuses it.
"""

import copy
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops import linalg_solvers

T_NOT_2D = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.")
T_0D = "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
DEEPCOPY = ("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
            "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
            "because of a torch.nn.utils.weight_norm usage, see "
            "https://github.com/pytorch/pytorch/pull/103001")


def _t_warnings(lib, shape):
    """The warnings ``x.T`` gives for a tensor of ``shape`` (twice: PyTorch warns once)."""
    x = lib.ones(shape)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = x.T
        x.T
    return tuple(first.shape), [str(w.message).split(" (Triggered internally")[0]
                                for w in caught]


@pytest.mark.parametrize("shape, message", [((3,), T_NOT_2D), ((2, 3, 4), T_NOT_2D), ((), T_0D)])
def test_T_of_a_tensor_not_2d_warns_pytorchs_deprecation_once(shape, message):  # noqa: N802
    linalg_solvers._WARNED.difference_update({"T", "T0"})  # as in a fresh process
    reversed_shape, caught = _t_warnings(ag, shape)
    assert reversed_shape == shape[::-1]
    assert caught == [message]
    assert _t_warnings(ag, (2, 3))[1] == []  # a matrix: no warning


@pytest.mark.torch_parity
def test_T_warnings_are_pytorchs():  # noqa: N802 - PyTorch's name
    torch = pytest.importorskip("torch")
    linalg_solvers._WARNED.difference_update({"T", "T0"})
    ours = [_t_warnings(ag, s)[1] for s in ((3,), (), (2, 3))]
    theirs = [_t_warnings(torch, s)[1] for s in ((3,), (), (2, 3))]
    # (PyTorch warns once per process: a test before this one may have had its warning)
    assert all(t in ([], o) for o, t in zip(ours, theirs)), (ours, theirs)
    assert {T_NOT_2D, T_0D} >= {m for t in theirs for m in t}


def test_deepcopy_of_a_non_leaf_is_refused_as_pytorch_refuses_it():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for made in (x * 2, x[:1], x.exp().sum()):
        with pytest.raises(RuntimeError) as info:
            copy.deepcopy(made)
        assert str(info.value) == DEEPCOPY
    with ag.no_grad():  # made under no_grad: a leaf, copied
        y = x * 2
    assert copy.deepcopy(y).tolist() == [2.0, 4.0]


def test_deepcopy_of_a_leaf_copies_values_grad_and_attributes():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.grad = ag.tensor([3.0, 4.0])
    x.note = "kept"
    c = copy.deepcopy(x)
    x.data.fill_(0.0)
    x.grad.fill_(0.0)
    assert c.tolist() == [1.0, 2.0] and c.grad.tolist() == [3.0, 4.0]
    assert c.requires_grad and c.is_leaf and c.note == "kept"
    pair = copy.deepcopy([c, c])  # the memo: one copy for one tensor
    assert pair[0] is pair[1]


def test_modules_optimizer_state_and_averaged_models_still_deepcopy():
    import nn
    import optimizers
    from optimizers.swa_utils import AveragedModel, get_ema_multi_avg_fn

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    opt = optimizers.Adam(model.parameters(), lr=0.1)
    model(ag.randn(5, 3)).sum().backward()
    opt.step()
    twin = copy.deepcopy(model)
    for a, b in zip(model.state_dict().values(), twin.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    state = copy.deepcopy(opt.state_dict())
    np.testing.assert_array_equal(state["state"][0]["exp_avg"].numpy(),
                                  opt.state_dict()["state"][0]["exp_avg"].numpy())
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9), use_buffers=True)
    ema.update_parameters(model)
    np.testing.assert_array_equal(ema.module[0].weight.detach().numpy(),
                                  model[0].weight.detach().numpy())
