"""Comparisons and searches that order values refuse complex inputs, as PyTorch does: numpy
orders complex numbers lexicographically, and the masks, indices and gradients built on that
order (prelu, threshold, kl_div, argmax...) were silently meaningless."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


def _z():
    return ag.tensor(np.array([1j, 2 - 1j, -0.5]), requires_grad=True)


REFUSED = [
    ("gt", lambda z: z > 0, NotImplementedError, '"gt_cpu" not implemented'),
    ("lt", lambda z: ag.lt(z, z), NotImplementedError, '"lt_cpu" not implemented'),
    ("ge", lambda z: z >= 1, NotImplementedError, '"ge_cpu" not implemented'),
    ("le", lambda z: z.le(z), NotImplementedError, '"le_cpu" not implemented'),
    ("gt_python_complex", lambda z: z.real > 1j, NotImplementedError, '"gt_cpu" not implemented'),
    ("argmax", lambda z: z.argmax(), RuntimeError, r"argmax\(\): does not support complex"),
    ("argmin", lambda z: ag.argmin(z, 0), RuntimeError, r"argmin\(\): does not support complex"),
    ("searchsorted", lambda z: ag.searchsorted(z.detach(), z.detach()), NotImplementedError,
     "searchsorted_out_cpu"),
    ("bucketize", lambda z: ag.bucketize(z.detach(), ag.tensor([0.0, 1.0])),
     NotImplementedError, "searchsorted_out_cpu"),
    ("heaviside", lambda z: ag.heaviside(z, z), RuntimeError,
     "heaviside is not yet implemented for complex tensors"),
    ("nanmedian", lambda z: z.nanmedian(), NotImplementedError, '"median_cpu" not implemented'),
    ("prelu", lambda z: F.prelu(z, ag.tensor(np.array([0.25 + 0j]))), NotImplementedError,
     "not implemented"),
    ("threshold", lambda z: F.threshold(z, 0.1, 0.0), NotImplementedError, "not implemented"),
    ("kl_div", lambda z: F.kl_div(z, z, reduction="batchmean"), NotImplementedError,
     "not implemented"),
]


@pytest.mark.parametrize("name,call,error,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_orderings_refuse_complex_values(name, call, error, message):
    with pytest.raises(error, match=message):
        call(_z())


def test_equality_of_complex_values_still_works():
    z = _z()
    np.testing.assert_array_equal((z == z.detach() * 1).numpy(), [True, True, True])
    np.testing.assert_array_equal(z.ne(1j).numpy(), [False, True, True])


def test_real_comparisons_are_unchanged():
    np.testing.assert_array_equal((ag.tensor([1.0, -1.0]) > 0).numpy(), [True, False])
    assert ag.tensor([3.0, 5.0, 4.0]).argmax().item() == 1
