"""Regressions found by the third round of public PyTorch programs run on tapegrad with their
imports rewritten (learn2learn, pytorch/examples, d2l.ai, functorch examples, ...): each test is
the line that broke or gave another number, reduced."""

import numpy as np
import pytest

import autograd_core as ag


def test_data_ptr_is_the_address_of_the_first_element():
    # learn2learn's clone_module keys its memo on `param.data_ptr`
    t = ag.arange(6, dtype=ag.float32)
    assert isinstance(t.data_ptr(), int) and t.data_ptr() != 0
    assert t.data_ptr() == t.view(2, 3).data_ptr() == t.data.data_ptr() == t.detach().data_ptr()
    assert t[2:].data_ptr() == t.data_ptr() + 2 * t.element_size()
    assert t.clone().data_ptr() != t.data_ptr()
    assert ag.empty(0).data_ptr() == 0


@pytest.mark.torch_parity
def test_data_ptr_offsets_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        t = lib.zeros(3, 4, dtype=lib.float64)
        assert t[1, 2:].data_ptr() - t.data_ptr() == 6 * 8
        assert t.t().data_ptr() == t.data_ptr()
        assert lib.empty(0).data_ptr() == 0
