"""Checkpoints: ``nn.save(obj, path)`` / ``nn.load(path)``.

The file is a numpy ``.npz`` archive read with ``allow_pickle=False``, so loading a file can
never execute code (unlike pickle-based ``torch.save``). Layout:

* ``__structure__``: a uint8 array holding UTF-8 JSON that describes the nesting (dicts,
  OrderedDicts, lists, tuples, Python scalars, strings, None) and points at the arrays;
* ``a0``, ``a1``, ...: one entry per numpy array / Tensor (Tensors are stored as arrays and
  restored as Tensors, Parameters as Parameters).

Dict keys keep their Python type (JSON keys are strings, so every key is encoded as a typed
node): optimizer state dicts with int keys round-trip exactly. Floats are stored with
``float.hex`` (bit-exact, including nan/inf), ints exactly.

Saving is atomic: the archive is written to a temporary file in the destination directory,
flushed and fsynced, then ``os.replace``-d over the destination, so a crash mid-save leaves
the previous checkpoint intact. The whole object is encoded (and rejected with ``TypeError``
for unsupported types) before any file is created. Loading a corrupt or truncated file
raises ``ValueError`` naming the file.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np

from autograd_core import Tensor

__all__ = ["save", "load"]

_FORMAT = "tapegrad-checkpoint"
_VERSION = 1
_STRUCT_KEY = "__structure__"


def _encode(obj, arrays, path):
    """JSON-able description of ``obj``; arrays are appended to ``arrays``."""
    from nn.parameter import Parameter

    if obj is None:
        return {"t": "none"}
    if isinstance(obj, bool):
        return {"t": "bool", "v": obj}
    if isinstance(obj, int):
        return {"t": "int", "v": str(obj)}
    if isinstance(obj, float):
        return {"t": "float", "v": obj.hex()}
    if isinstance(obj, str):
        return {"t": "str", "v": obj}
    if isinstance(obj, Tensor):
        arr = obj.data
        kind = "param" if isinstance(obj, Parameter) else "tensor"
        node = {"t": kind, "k": _add_array(arr, arrays, path)}
        if obj.requires_grad:
            node["rg"] = True
        return node
    if isinstance(obj, np.ndarray):
        return {"t": "array", "k": _add_array(obj, arrays, path)}
    if isinstance(obj, np.generic):
        return {"t": "npscalar", "k": _add_array(np.asarray(obj), arrays, path)}
    if isinstance(obj, dict):
        kind = "odict" if isinstance(obj, OrderedDict) else "dict"
        items = []
        for k, v in obj.items():
            if not (k is None or isinstance(k, (bool, int, float, str))):
                raise TypeError(
                    f"nn.save: unsupported dict key type {type(k).__name__} at {path} (keys "
                    "must be str, int, float, bool or None)"
                )
            items.append([_encode(k, arrays, path), _encode(v, arrays, f"{path}[{k!r}]")])
        return {"t": kind, "items": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"t": kind,
                "items": [_encode(v, arrays, f"{path}[{i}]") for i, v in enumerate(obj)]}
    raise TypeError(
        f"nn.save: cannot save an object of type {type(obj).__name__} at {path}; supported: "
        "dict, list, tuple, numpy arrays, Tensors, int, float, bool, str, None"
    )


def _add_array(arr, arrays, path):
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"nn.save: array at {path} has dtype {arr.dtype}; only numeric and "
                        "bool arrays can be saved")
    key = f"a{len(arrays)}"
    # not np.ascontiguousarray: it turns a 0-d array (num_batches_tracked) into shape (1,)
    arrays[key] = arr if arr.flags.c_contiguous else arr.copy(order="C")
    return key


def _target_mode(path):
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def save(obj, path):
    """Save a state dict (nested dicts/lists/tuples of arrays, Tensors, Python scalars,
    strings, None) to ``path`` atomically. The exact path is used (no suffix is added)."""
    path = os.fspath(path)
    arrays = {}
    root = _encode(obj, arrays, "obj")
    header = json.dumps({"format": _FORMAT, "version": _VERSION, "root": root})
    structure = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would (or the mode
        # of the checkpoint it replaces), so a saved checkpoint is not silently made private
        os.chmod(tmp, _target_mode(path))
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{_STRUCT_KEY: structure}, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable (best effort; not possible on every platform)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _decode(node, arrays):
    from nn.parameter import Parameter

    t = node["t"]
    if t == "none":
        return None
    if t == "bool":
        return bool(node["v"])
    if t == "int":
        return int(node["v"])
    if t == "float":
        return float.fromhex(node["v"])
    if t == "str":
        return str(node["v"])
    if t == "array":
        return arrays[node["k"]]
    if t == "npscalar":
        return arrays[node["k"]][()]
    if t == "tensor":
        return Tensor(arrays[node["k"]], requires_grad=bool(node.get("rg", False)))
    if t == "param":
        return Parameter(arrays[node["k"]], requires_grad=bool(node.get("rg", False)))
    if t in ("dict", "odict"):
        out = OrderedDict() if t == "odict" else {}
        for k, v in node["items"]:
            out[_decode(k, arrays)] = _decode(v, arrays)
        return out
    if t == "list":
        return [_decode(v, arrays) for v in node["items"]]
    if t == "tuple":
        return tuple(_decode(v, arrays) for v in node["items"])
    raise ValueError(f"unknown node type {t!r}")


def load(path):
    """Load what ``save`` wrote. Never executes code (``allow_pickle=False``). A corrupt,
    truncated or foreign file raises ``ValueError`` naming the file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"nn.load: no such file: {path!r}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _STRUCT_KEY not in archive.files:
                raise ValueError("no __structure__ entry (not written by nn.save)")
            arrays = {k: archive[k] for k in archive.files}
        header = json.loads(arrays.pop(_STRUCT_KEY).tobytes().decode("utf-8"))
        if header.get("format") != _FORMAT:
            raise ValueError(f"unknown format {header.get('format')!r}")
        if header.get("version") != _VERSION:
            raise ValueError(f"unsupported checkpoint version {header.get('version')!r}")
        return _decode(header["root"], arrays)
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, TypeError,
            UnicodeDecodeError, AttributeError, IndexError) as exc:
        raise ValueError(
            f"nn.load: {path!r} is not a valid tapegrad checkpoint (corrupt, truncated or "
            f"not written by nn.save): {type(exc).__name__}: {exc}"
        ) from exc
