"""Checkpoints: ``nn.save(obj, path)`` / ``nn.load(path)``.

The format and its guarantees (data only, never pickle, atomic writes, every refusal) live in
``autograd_core.serialization``, shared with ``autograd_core.save`` / ``autograd_core.load``;
this module registers ``nn.Parameter`` there, so Parameters are saved and loaded as
Parameters, and gives the functions their ``nn`` names.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np  # noqa: F401 - the doctest below uses it

from autograd_core import serialization as _core
from autograd_core.serialization import (  # noqa: F401 - the format's internals, for tests
    MAX_DEPTH, _active_tmps, _Encoder, _host_tag,
)
from nn.parameter import Parameter

__all__ = ["MAX_DEPTH", "load", "save"]

_core.register_tensor_kind("param", Parameter)


def save(obj: Any, path: str | os.PathLike[str], format: str = "npz") -> None:  # noqa: A002
    """Saves a state dict (nested dicts/lists/tuples of arrays, Tensors, Python scalars,
    strings, None) to ``path`` atomically. The exact path is used (no suffix is added).

    ``format="safetensors"`` writes a flat state_dict (names to tensors) in the safetensors
    format that PyTorch and Hugging Face read (``safetensors.torch.load_file``), through the
    safetensors package (optional: ``pip install 'tapegrad[safetensors]'``); ``load`` reads
    either format, safetensors files written elsewhere included.

    The path is checked before anything else (see ``autograd_core.serialization`` for every
    refusal); a symlink is written through. Never pickles. Differs from PyTorch's
    ``torch.save``: data only (no arbitrary objects), npz or safetensors instead of a pickle.

    Args:
        obj: the state dict (``model.state_dict()``, ``opt.state_dict()``, or a dict of both).
        path (str or PathLike): the file to write.
        format (str): ``'npz'`` or ``'safetensors'``. Default: ``'npz'``.

    Example::

        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
        >>> save({"w": np.arange(3.0), "epoch": 2}, p)
        >>> load(p)["epoch"]
        2
    """
    _core._save(obj, path, "nn.save", format)


def load(path: str | os.PathLike[str]) -> Any:
    """Loads what ``save`` wrote (npz), or any safetensors file.

    Never executes code (``allow_pickle=False``). A corrupt, truncated, foreign or crafted
    file raises ``ValueError`` naming the file and the place in the object where it is wrong;
    nothing is returned or modified then. A PyTorch ``state_dict`` saved as safetensors (or
    converted to numpy arrays) loads into the matching model with ``load_state_dict``.

    Args:
        path (str or PathLike): the file to read.

    Example::

        >>> import os, tempfile
        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> model = nn.Linear(3, 2)
        >>> p = os.path.join(tempfile.mkdtemp(), "model.npz")
        >>> nn.save(model.state_dict(), p)
        >>> state = nn.load(p)
        >>> sorted(state)
        ['bias', 'weight']
        >>> nn.Linear(3, 2).load_state_dict(state)
        <All keys matched successfully>
    """
    return _core._load(path, "nn.load")
