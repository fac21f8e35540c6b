"""A keyword an op does not take is refused in PyTorch's words, naming the op, also for ops
whose node inherits its ``forward`` (``minimum`` from ``maximum``'s node, ``fmin`` from
``fmax``'s): Python names the inherited forward by its base class, which the message showed."""

import pytest

import autograd_core as ag

CASES = [("minimum", 2), ("fmin", 2), ("maximum", 2), ("fmax", 2), ("sign", 1), ("floor", 1),
         ("ceil", 1), ("trunc", 1), ("sinh", 1), ("acosh", 1), ("erf", 1), ("lgamma", 1)]


@pytest.mark.parametrize("name, n", CASES)
def test_wrong_keyword_names_the_op(name, n):
    x = ag.tensor([1.5, 2.5])
    with pytest.raises(TypeError) as e:
        getattr(ag, name)(*[x] * n, foo=1)
    assert str(e.value) == f"{name}() got an unexpected keyword argument 'foo'"


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, n", CASES)
def test_wrong_keyword_message_is_torchs(name, n):
    torch = pytest.importorskip("torch")
    x, t = ag.tensor([1.5, 2.5]), torch.tensor([1.5, 2.5])
    with pytest.raises(TypeError) as ours:
        getattr(ag, name)(*[x] * n, foo=1)
    with pytest.raises(TypeError) as theirs:
        getattr(torch, name)(*[t] * n, foo=1)
    assert str(ours.value) == str(theirs.value)
