"""Regressions found by the sixth round of public PyTorch programs run on tapegrad with their
imports rewritten (pytorch/tutorials' NLP and torch.func tutorials, UvA tutorials, ...): each
test is the line that broke or gave another number, reduced."""

import numpy as np
import pytest

import autograd_core as ag
import nn


def test_vmap_is_importable_from_the_top_level():
    # the model-ensembling tutorial: `from torch import vmap` (PyTorch's top-level alias of
    # torch.func.vmap) raised ImportError
    from autograd_core import vmap

    assert vmap is ag.func.vmap and ag.vmap is vmap
    assert "vmap" in dir(ag)
    x = ag.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(vmap(lambda r: r * r.sum())(x).numpy(),
                                  [[0.0, 3.0, 6.0], [36.0, 48.0, 60.0]])
