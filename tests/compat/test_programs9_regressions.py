"""Regressions found by the ninth round of public PyTorch programs run on tapegrad with their
imports rewritten (pytorch/examples, pytorch/tutorials' intermediate and recipe programs, d2l.ai's
computer-vision and pretraining chapters, CS224n, yunjey's pytorch-tutorial, ...): each test is
the line that broke or gave another number, reduced."""

import numpy as np

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
