"""A view taken before its base became a leaf requiring grad (``v = x[1:]``, then
``x.requires_grad_()``) must not write into that leaf while recording: PyTorch refuses it as
any write through a view of such a leaf. It used to change the leaf silently."""

import pytest

import autograd_core as ag


def test_write_through_a_view_taken_before_requires_grad_is_refused():
    x = ag.tensor([1.0, 2.0, 3.0, 4.0])
    v = x[1:3]
    x.requires_grad_()
    with pytest.raises(RuntimeError, match=r"^a view of a leaf Variable that requires grad is "
                                           r"being used in an in-place operation\.$"):
        v.mul_(2)
    assert x.tolist() == [1.0, 2.0, 3.0, 4.0] and x._version == 0
    with ag.no_grad():  # allowed outside grad mode, as PyTorch's
        v.mul_(2)
    assert x.tolist() == [1.0, 4.0, 6.0, 4.0]


@pytest.mark.torch_parity
def test_write_through_a_view_taken_before_requires_grad_matches_torch():
    torch = pytest.importorskip("torch")
    msgs = []
    for L in (torch, ag):
        x = L.zeros(4)
        v = x.view(2, 2)[0]
        x.requires_grad_()
        with pytest.raises(RuntimeError) as e:
            v.add_(1)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
