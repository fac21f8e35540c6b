"""``stride()`` of an empty tensor is PyTorch's row-major strides with zero sizes counted as 1
(numpy 2 keeps all-zero strides for empty arrays, which ours returned: ``zeros(0, 3).stride()``
was ``(0, 0)``, PyTorch's ``(3, 1)``)."""

import pytest

import autograd_core as ag

CASES = [((3, 0), (1, 1)), ((0, 3), (3, 1)), ((0,), (1,)), ((2, 0, 4), (4, 4, 1)),
         ((0, 0), (1, 1)), ((1, 0), (1, 1)), ((2, 3), (3, 1))]


@pytest.mark.parametrize("shape,strides", CASES)
def test_empty_strides_hand_worked(shape, strides):
    x = ag.zeros(*shape)
    assert x.stride() == strides
    assert all(x.stride(d) == s for d, s in enumerate(strides))


@pytest.mark.torch_parity
def test_empty_strides_as_torch():
    torch = pytest.importorskip("torch")
    for shape, _ in CASES:
        assert ag.empty(*shape).stride() == torch.empty(*shape).stride()
        assert ag.zeros(*shape, dtype=ag.float64).stride() == \
            torch.zeros(*shape, dtype=torch.float64).stride()
