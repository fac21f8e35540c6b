"""Checkpoints: ``autograd_core.save(obj, f)`` / ``autograd_core.load(f)``, also reached as
``nn.save`` / ``nn.load`` (one format, one implementation; ``nn`` registers its ``Parameter``
class here so that Parameters round-trip as Parameters).

``load`` is PyTorch's ``torch.load(f, weights_only=True)`` guarantee made unconditional: only
data comes back (tensors, arrays, numbers, strings, None, and dicts/lists/tuples of them), no
object is constructed from the file and no code in it can run. ``weights_only=False`` is refused
(there is no pickle path to turn on); ``map_location`` accepts only the CPU (or None, or a
function/dict that maps to it).

The file is a numpy ``.npz`` archive read with ``allow_pickle=False``, so loading a file can
never execute code (unlike pickle-based ``torch.save``). Layout:

* ``__structure__``: a uint8 array holding UTF-8 JSON that describes the nesting (dicts,
  OrderedDicts, lists, tuples, Python scalars, strings, None) and points at the arrays;
* one entry per numpy array / Tensor (Tensors are stored as arrays and restored as Tensors,
  Parameters as Parameters), named by where it sits in the object: ``nn.save(model.state_dict(),
  p)`` stores ``"0.weight"``, ``"0.bias"``, ... so ``np.load(p)["0.weight"]`` reads a weight
  without this project, and ``{"model": sd, "optimizer": osd}`` stores ``"model/0.weight"``,
  ``"optimizer/state/0/exp_avg"``, ... A name that is not a safe archive member name (other
  characters than letters, digits, ``_ . -``, a clash, a reserved name) falls back to ``a<n>``.
  Files from before this naming (every array as ``a0, a1, ...``) load unchanged: the structure
  names the entry of each array either way.

Dict keys keep their Python type (JSON keys are strings, so every key is encoded as a typed
node): optimizer state dicts with int keys round-trip exactly. Floats are stored with
``float.hex`` (bit-exact, including nan/inf), ints exactly.

Refused with ``TypeError`` before any file is touched: objects of other types, arrays of
object, string, datetime or structured dtype, and numpy masked arrays (their mask would be
lost; save ``a.data`` and ``a.mask`` as two arrays instead). Refused with ``ValueError``: a
reference cycle or nesting deeper than ``MAX_DEPTH`` levels.

Saving is atomic: the output path is checked first (an existing directory, a missing parent
directory, a parent that is a file, no write permission, an existing non-regular file such as
a FIFO or device: an ``OSError`` subclass naming the path, raised before anything is encoded);
the archive is then written to a temporary file beside the target
(``.<name>.tapegrad-tmp.<host>.<pid>.<random>.tmp``), flushed and fsynced, and
``os.replace``-d over the target, so a crash mid-save leaves the previous checkpoint intact. A
symlink is written through (the link stays, its target gets the new data). Temporary files
left beside the same target by an interrupted save (a killed process) are removed by the next
save to that path; those of a save still running are left alone.

Loading checks everything before building anything: a corrupt, truncated, foreign or crafted
file (wrong types for known keys, deep nesting, an array entry whose header does not match its
size, a compressed or missing entry) raises ``ValueError`` naming the file and the place in
the object (and the archive entry) where it went wrong.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import secrets
import socket
import stat
import threading
import time
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from autograd_core.device import check_device
from autograd_core.tensor import Tensor

__all__ = ["MAX_DEPTH", "load", "register_tensor_kind", "save"]

# tensor subclasses saved under their own node type (nn registers "param": nn.Parameter), most
# derived first; a kind not registered when loading comes back as a plain Tensor
_TENSOR_KINDS: dict[str, type] = {}


def register_tensor_kind(kind: str, cls: type) -> None:
    """Save instances of the Tensor subclass ``cls`` as node type ``kind`` and load them back
    as ``cls`` (``nn`` registers ``"param"`` for ``nn.Parameter``)."""
    if kind in ("tensor", "array", "npscalar") or not issubclass(cls, Tensor):
        raise ValueError(f"register_tensor_kind: cannot register {kind!r} for {cls!r}")
    _TENSOR_KINDS[kind] = cls

_FORMAT = "tapegrad-checkpoint"
_VERSION = 1
_STRUCT_KEY = "__structure__"
MAX_DEPTH = 100
"""Deepest nesting of containers ``save`` writes and ``load`` accepts."""

_TMP_MARK = ".tapegrad-tmp."
_TMP_SUFFIX = ".tmp"
_STALE_FOREIGN_SECONDS = 3600  # a temp of another host is only removed when this old
_active_tmps: set[str] = set()  # temporary files of saves running in this process
_active_lock = threading.Lock()

_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_.\-]+")
# np.savez's own parameter names cannot be used as entry names (they would bind to them)
_RESERVED_KEYS = {"file", "allow_pickle", "args", "kwds"}
_MAX_KEY_LENGTH = 200
_INT_TEXT = re.compile(r"-?[0-9]{1,4300}")
_SCALAR_NODES = ("none", "bool", "int", "float", "str")


# ---- save --------------------------------------------------------------------------------
class _Encoder:
    """Turns ``obj`` into the JSON structure; arrays are collected in ``arrays`` under names
    derived from their position (``model/0.weight``)."""

    def __init__(self, fn="nn.save"):
        self.fn = fn
        self.arrays = {}
        self._stack = set()  # ids of the containers being encoded (cycle detection)

    def encode(self, obj, where, segs, depth):
        if obj is None:
            return {"t": "none"}
        if isinstance(obj, bool):
            return {"t": "bool", "v": obj}
        if isinstance(obj, int):
            try:
                return {"t": "int", "v": str(obj)}
            except ValueError:  # more digits than Python converts to text
                raise ValueError(f"{self.fn}: the int at {where} is too large to save "
                                 f"({obj.bit_length()} bits)") from None
        if isinstance(obj, float):
            return {"t": "float", "v": obj.hex()}
        if isinstance(obj, str):
            return {"t": "str", "v": obj}
        if isinstance(obj, Tensor):
            kind = next((k for k, c in _TENSOR_KINDS.items() if isinstance(obj, c)), "tensor")
            node = {"t": kind, "k": self._add_array(obj._data, where, segs)}
            if obj.requires_grad:
                node["rg"] = True
            return node
        if isinstance(obj, np.ndarray):
            return {"t": "array", "k": self._add_array(obj, where, segs)}
        if isinstance(obj, np.generic):
            return {"t": "npscalar", "k": self._add_array(np.asarray(obj), where, segs)}
        if isinstance(obj, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                raise ValueError(f"{self.fn}: {where} is nested more than {MAX_DEPTH} levels "
                                 "deep")
            if id(obj) in self._stack:
                raise ValueError(f"{self.fn}: {where} contains itself (a reference cycle); "
                                 "only trees of containers can be saved")
            self._stack.add(id(obj))
            try:
                return self._container(obj, where, segs, depth)
            finally:
                self._stack.discard(id(obj))
        hint = ""
        if callable(getattr(obj, "state_dict", None)):  # torch.save(model, f) in a program
            hint = (f"; a whole {type(obj).__name__} is not saved (that would need pickle): "
                    "save its state_dict() and load it into a new instance with "
                    "load_state_dict()")
        raise TypeError(
            f"{self.fn}: cannot save an object of type {type(obj).__name__} at {where}; "
            "supported: dict, list, tuple, numpy arrays, Tensors, int, float, bool, str, None"
            + hint)

    def _container(self, obj, where, segs, depth):
        if isinstance(obj, dict):
            kind = "odict" if isinstance(obj, OrderedDict) else "dict"
            items = []
            for k, v in obj.items():
                if not (k is None or isinstance(k, (bool, int, float, str))):
                    raise TypeError(
                        f"{self.fn}: unsupported dict key type {type(k).__name__} at {where} "
                        "(keys must be str, int, float, bool or None)"
                    )
                items.append([self.encode(k, where, segs, depth + 1),
                              self.encode(v, f"{where}[{k!r}]", (*segs, str(k)), depth + 1)])
            node = {"t": kind, "items": items}
            meta = getattr(obj, "_metadata", None)  # a state_dict's per-module versions
            if kind == "odict" and isinstance(meta, dict):
                node["meta"] = self.encode(dict(meta), f"{where}._metadata", segs, depth + 1)
            return node
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"t": kind, "items": [self.encode(v, f"{where}[{i}]", (*segs, str(i)), depth + 1)
                                     for i, v in enumerate(obj)]}

    def _add_array(self, arr, where, segs):
        if isinstance(arr, np.ma.MaskedArray):
            raise TypeError(f"{self.fn}: {where} is a numpy masked array; its mask would be "
                            "lost. Save its ._data and .mask as two arrays (or .filled(value))")
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"{self.fn}: array at {where} has dtype {arr.dtype}; only numeric "
                            "and bool arrays can be saved (not object, string, datetime or "
                            "structured arrays)")
        key = self._name(segs)
        # not np.ascontiguousarray: it turns a 0-d array (num_batches_tracked) into shape (1,)
        arr = np.asarray(arr)
        self.arrays[key] = arr if arr.flags.c_contiguous else arr.copy(order="C")
        return key

    def _name(self, segs):
        key = "/".join(segs)
        if (segs and len(key) <= _MAX_KEY_LENGTH and key not in self.arrays
                and key not in _RESERVED_KEYS and not key.startswith("__")
                and all(_SAFE_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segs)):
            return key
        n = len(self.arrays)
        while f"a{n}" in self.arrays:
            n += 1
        return f"a{n}"


def _user_path(path, fn):
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(f"{fn}: path must be a str or os.PathLike, got "
                        f"{type(path).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise ValueError(f"{fn}: path is empty")
    return path


def _check_output_path(path, fn="nn.save"):
    """The regular file that ``save`` will (re)place for ``path``, after checking that it can:
    a symlink resolves to its target."""
    real = os.path.realpath(path)
    if os.path.islink(real):  # realpath stops at a symlink loop
        raise OSError(f"{fn}: cannot write {path!r}: too many levels of symbolic links")
    if os.path.isdir(real):
        raise IsADirectoryError(f"{fn}: {path!r} is a directory; give a file path such as "
                                f"{os.path.join(path, 'checkpoint.npz')!r}")
    parent = os.path.dirname(real)
    if not os.path.isdir(parent):
        ancestor = parent
        while not os.path.exists(ancestor) and os.path.dirname(ancestor) != ancestor:
            ancestor = os.path.dirname(ancestor)
        if os.path.exists(ancestor) and not os.path.isdir(ancestor):
            raise NotADirectoryError(f"{fn}: cannot write {path!r}: {ancestor!r} is a file, "
                                     "not a directory")
        raise FileNotFoundError(f"{fn}: cannot write {path!r}: directory {parent!r} does "
                                "not exist (create it first)")
    if os.path.lexists(real):
        if not stat.S_ISREG(os.stat(real).st_mode):
            raise FileExistsError(f"{fn}: {path!r} exists and is not a regular file (a "
                                  "device, FIFO or socket); refusing to replace it")
        if not os.access(real, os.W_OK):
            raise PermissionError(f"{fn}: no permission to write {path!r} (the existing "
                                  "file is read-only)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(f"{fn}: no permission to write in directory {parent!r} "
                              f"(saving {path!r})")
    return real


def _host_tag():
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    return True


def _remove_stale_temporaries(real):
    """Delete temporaries of earlier saves to ``real`` whose process is gone."""
    directory, base = os.path.split(real)
    prefix = "." + base + _TMP_MARK
    try:
        names = os.listdir(directory)
    except OSError:
        return
    host = _host_tag()
    for name in names:
        if not (name.startswith(prefix) and name.endswith(_TMP_SUFFIX)):
            continue
        parts = name[len(prefix):-len(_TMP_SUFFIX)].split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        full = os.path.join(directory, name)
        tag, pid = parts[0], int(parts[1])
        if tag == host and os.name == "posix":
            with _active_lock:
                if full in _active_tmps:
                    continue
            if pid != os.getpid() and _pid_alive(pid):
                continue
        else:  # another machine (shared disk) or no cheap liveness test: only when old
            try:
                if time.time() - os.stat(full).st_mtime < _STALE_FOREIGN_SECONDS:
                    continue
            except OSError:
                continue
        try:
            os.unlink(full)
        except OSError:
            pass


def _target_mode(path):
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _safetensors_numpy(fn):
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError(f"{fn}: the safetensors format needs the safetensors package: pip "
                          "install 'tapegrad[safetensors]' (or: pip install safetensors)") from None
    return st


def _flat_tensors(obj, fn):
    """``obj`` as safetensors holds it: a flat mapping of names to numeric arrays (a
    state_dict), each C-contiguous; anything else is refused naming the key."""
    if not isinstance(obj, dict):
        raise TypeError(f"{fn}: format='safetensors' holds a flat dict of tensors (a "
                        f"state_dict), got {type(obj).__name__}")
    out = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"{fn}: safetensors keys are strings, got {key!r}")
        arr = value._data if isinstance(value, Tensor) else value
        if not isinstance(arr, np.ndarray) or isinstance(arr, np.ma.MaskedArray) or (
                arr.dtype.kind not in "biuf"):
            raise TypeError(f"{fn}: format='safetensors' holds numeric tensors only; key "
                            f"{key!r} is {type(value).__name__}"
                            + (f" of dtype {arr.dtype}" if isinstance(arr, np.ndarray) else ""))
        # (not np.ascontiguousarray: it made a 0-d array, num_batches_tracked, shape (1,))
        out[key] = arr if arr.flags.c_contiguous else arr.copy(order="C")
    return out


def _encode(obj, _fn, format):  # noqa: A002
    """Check and encode ``obj``; return ``write(file)`` that writes the encoded bytes."""
    if format == "safetensors":
        payload = _safetensors_numpy(_fn).save(_flat_tensors(obj, _fn),
                                               metadata={"format": "pt"})
        return lambda f: f.write(payload)
    encoder = _Encoder(_fn)
    root = encoder.encode(obj, "obj", (), 0)
    header = json.dumps({"format": _FORMAT, "version": _VERSION, "root": root})
    structure = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    return lambda f: np.savez(f, allow_pickle=False, **{_STRUCT_KEY: structure},
                              **encoder.arrays)


def _save(obj, path, _fn, format="npz"):  # noqa: A002 - the keyword API.md names
    """Save a state dict (nested dicts/lists/tuples of arrays, Tensors, Python scalars,
    strings, None) to ``path`` atomically. The exact path is used (no suffix is added).

    The path is checked before anything else (see the module docstring for every refusal);
    a symlink is written through. Never pickles.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> save({"w": np.arange(3.0), "epoch": 2}, p)
    >>> load(p)["epoch"]
    2
    """
    if format not in ("npz", "safetensors"):
        raise ValueError(f"{_fn}: format must be 'npz' or 'safetensors', got {format!r}")
    path = _user_path(path, _fn)
    real = _check_output_path(path, _fn)
    write = _encode(obj, _fn, format)  # everything checked and encoded before the file is touched
    _remove_stale_temporaries(real)
    directory, base = os.path.split(real)
    tmp = os.path.join(directory, f".{base}{_TMP_MARK}{_host_tag()}.{os.getpid()}."
                                  f"{secrets.token_hex(4)}{_TMP_SUFFIX}")
    with _active_lock:
        _active_tmps.add(tmp)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
        try:
            # give the file the mode a plain open() would (or the mode of the checkpoint it
            # replaces), so a saved checkpoint is not silently made private
            os.chmod(tmp, _target_mode(real))
            with os.fdopen(fd, "wb") as f:
                fd = None
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, real)
        except BaseException:
            if fd is not None:
                os.close(fd)
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
    finally:
        with _active_lock:
            _active_tmps.discard(tmp)
    try:  # make the rename itself durable (best effort; not possible on every platform)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


# ---- load --------------------------------------------------------------------------------
class _Invalid(Exception):
    """A checkpoint problem, with where in the object it was found."""


class _Decoder:
    def __init__(self, archive):
        self.archive = archive
        self.cache = {}

    def array(self, node, where):
        key = _field(node, "k", str, where)
        if key in self.cache:
            return self.cache[key].copy()
        entry = key + ".npy"
        try:
            info = self.archive.zip.getinfo(entry)
        except KeyError:
            raise _Invalid(f"at {where}: key 'k' names the array entry {key!r}, which is not "
                           "in the archive") from None
        if info.compress_type != zipfile.ZIP_STORED:
            raise _Invalid(f"at {where}: array entry {key!r} is compressed (save writes "
                           "uncompressed entries)")
        with self.archive.zip.open(info) as f:
            try:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(f)
                elif version == (2, 0):
                    shape, _, dtype = np.lib.format.read_array_header_2_0(f)
                else:
                    raise ValueError(f"npy format version {version}")
            except ValueError as exc:
                raise _Invalid(f"at {where}: array entry {key!r} has a bad header: {exc}") \
                    from None
            if dtype.hasobject or dtype.kind not in "biufc":
                raise _Invalid(f"at {where}: array entry {key!r} has dtype {dtype}; only "
                               "numeric and bool arrays are loaded")
            expected = math.prod(shape) * dtype.itemsize
            actual = info.file_size - f.tell()
        if expected != actual:
            raise _Invalid(f"at {where}: array entry {key!r} declares shape {shape} "
                           f"({expected} bytes) but holds {actual} bytes (truncated or "
                           "corrupt)")
        arr = self.archive[key]
        self.cache[key] = arr
        return arr

    def decode(self, node, where, depth):
        if not isinstance(node, dict):
            raise _Invalid(f"at {where}: expected a node object, got {_json_type(node)}")
        t = _field(node, "t", str, where)
        if t == "none":
            return None
        if t == "bool":
            return _field(node, "v", bool, where)
        if t == "int":
            text = _field(node, "v", str, where)
            if not _INT_TEXT.fullmatch(text):
                raise _Invalid(f"at {where}: key 'v' of an int node must be decimal digits, "
                               f"got {text[:40]!r}")
            return int(text)
        if t == "float":
            text = _field(node, "v", str, where)
            try:
                return float.fromhex(text)
            except (ValueError, OverflowError):
                raise _Invalid(f"at {where}: key 'v' of a float node is not a hex float: "
                               f"{text[:40]!r}") from None
        if t == "str":
            return _field(node, "v", str, where)
        if t == "array":
            return self.array(node, where)
        if t == "npscalar":
            arr = self.array(node, where)
            if arr.ndim != 0:
                raise _Invalid(f"at {where}: a numpy scalar entry must be 0-d, got shape "
                               f"{arr.shape}")
            return arr[()]
        if t == "tensor" or t in _TENSOR_KINDS or t == "param":
            arr = self.array(node, where)
            rg = node.get("rg", False)
            if not isinstance(rg, bool):
                raise _Invalid(f"at {where}: key 'rg' must be true or false, got "
                               f"{_json_type(rg)}")
            try:
                kind = _TENSOR_KINDS.get(t, Tensor)  # (Tensor(arr) would make the default dtype)
                return (kind._wrap if kind.__init__ is Tensor.__init__ else kind)(
                    arr, requires_grad=rg)
            except (TypeError, ValueError, RuntimeError) as exc:
                raise _Invalid(f"at {where}: {exc}") from None
        if t in ("dict", "odict", "list", "tuple"):
            if depth >= MAX_DEPTH:
                raise _Invalid(f"at {where}: nested more than {MAX_DEPTH} levels deep")
            items = _field(node, "items", list, where)
            if t in ("list", "tuple"):
                out = [self.decode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(items)]
                return out if t == "list" else tuple(out)
            out = OrderedDict() if t == "odict" else {}
            for i, pair in enumerate(items):
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise _Invalid(f"at {where}: item {i} of key 'items' must be a [key, value] "
                                   f"pair, got {_json_type(pair)}")
                knode, vnode = pair
                if not (isinstance(knode, dict) and knode.get("t") in _SCALAR_NODES):
                    raise _Invalid(f"at {where}: item {i} of key 'items' has a key that is not "
                                   "a str, int, float, bool or None node")
                k = self.decode(knode, where, depth + 1)
                out[k] = self.decode(vnode, f"{where}[{k!r}]", depth + 1)
            if t == "odict" and "meta" in node:
                meta = self.decode(node["meta"], f"{where}._metadata", depth + 1)
                if not isinstance(meta, dict):
                    raise _Invalid(f"at {where}: key 'meta' must be a dict node")
                out._metadata = OrderedDict(meta)  # type: ignore[attr-defined]
            return out
        raise _Invalid(f"at {where}: unknown node type {t[:40]!r} in key 't'")


def _json_type(value):
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value),
                                                                        type(value).__name__)


def _field(node, key, kind, where):
    if key not in node:
        raise _Invalid(f"at {where}: node has no key {key!r}")
    value = node[key]
    if kind is int or kind is str or kind is list:
        ok = isinstance(value, kind) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        expected = {str: "a string", bool: "a boolean", list: "an array"}[kind]
        raise _Invalid(f"at {where}: key {key!r} must be {expected}, got {_json_type(value)}")
    return value


def _load(path, _fn):
    """Load what ``save`` wrote. Never executes code (``allow_pickle=False``). A corrupt,
    truncated, foreign or crafted file raises ``ValueError`` naming the file and the place in
    the object where it is wrong; nothing is returned or modified then."""
    if hasattr(path, "read"):  # an open file object (torch.load accepts one): read it whole
        if isinstance(path, io.TextIOBase) or "b" not in getattr(path, "mode", "b"):
            raise TypeError(f"{_fn}: the file object must be opened in binary mode ('rb'), "
                            f"got mode {getattr(path, 'mode', '?')!r}")
        data = path.read()
        source, path = io.BytesIO(data), getattr(path, "name", "<file object>")
        head = data[:9]
    else:
        path = source = _user_path(path, _fn)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{_fn}: no such file: {path!r}")
        if os.path.isdir(path):
            raise IsADirectoryError(f"{_fn}: {path!r} is a directory, not a checkpoint file")
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the read forever
            raise ValueError(f"{_fn}: {path!r} is not a regular file (a device, FIFO or "
                             "socket)")
        with open(path, "rb") as probe:
            head = probe.read(9)
    if len(head) == 9 and head[:2] != b"PK" and head[8:9] == b"{":
        # 8-byte header length, then the JSON header
        return _load_safetensors(source, path, _fn)

    def invalid(detail):
        return ValueError(f"{_fn}: {path!r} is not a valid tapegrad checkpoint (corrupt, "
                          f"truncated or not written by nn.save or autograd_core.save): "
                          f"{detail}")

    try:
        archive = np.load(source, allow_pickle=False)
    except PermissionError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise invalid(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise invalid("a single .npy array, not an .npz archive")
    try:
        with archive:
            if _STRUCT_KEY not in archive.files:
                if any(name.endswith("data.pkl") for name in archive.zip.namelist()):
                    raise _Invalid(
                        "it is a PyTorch checkpoint (torch.save's archive holds a pickle, and "
                        "tapegrad never loads pickle: it can run code). Convert it once where "
                        "PyTorch is installed: `from safetensors.torch import save_file; "
                        "save_file(torch.load(path), 'weights.safetensors')` (a state_dict), "
                        "then load that file here")
                raise _Invalid("no __structure__ entry (not written by nn.save or "
                               "autograd_core.save)")
            raw = archive[_STRUCT_KEY]
            if raw.dtype != np.uint8 or raw.ndim != 1:
                raise _Invalid(f"the __structure__ entry must be 1-d uint8, got {raw.dtype} "
                               f"of shape {raw.shape}")
            try:
                header = json.loads(raw.tobytes().decode("utf-8"))
            except RecursionError:
                raise _Invalid("the __structure__ JSON is nested too deeply") from None
            except (ValueError, UnicodeDecodeError) as exc:
                raise _Invalid(f"the __structure__ entry is not valid JSON: {exc}") from None
            if not isinstance(header, dict):
                raise _Invalid(f"the __structure__ JSON must be an object, got "
                               f"{_json_type(header)}")
            if header.get("format") != _FORMAT:
                raise _Invalid(f"unknown format {str(header.get('format'))[:40]!r}")
            if header.get("version") != _VERSION:
                raise _Invalid(f"unsupported checkpoint version "
                               f"{str(header.get('version'))[:40]!r}")
            if "root" not in header:
                raise _Invalid("the __structure__ JSON has no key 'root'")
            return _Decoder(archive).decode(header["root"], "obj", 0)
    except _Invalid as exc:
        raise invalid(str(exc)) from None
    except RecursionError:
        raise invalid("nested too deeply") from None
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, TypeError,
            UnicodeDecodeError, AttributeError, IndexError) as exc:
        raise invalid(f"{type(exc).__name__}: {exc}") from exc


def _load_safetensors(source, path, fn):
    """A safetensors file (ours, or one PyTorch/Hugging Face wrote) as a dict of Tensors, read
    by the safetensors package (it parses a JSON header and raw buffers; no code runs)."""
    st = _safetensors_numpy(fn)
    try:
        if isinstance(source, io.BytesIO):
            arrays = st.load(source.getvalue())
        else:
            with open(source, "rb") as f:
                arrays = st.load(f.read())
    except Exception as exc:  # noqa: BLE001 - safetensors' own errors, reported as ours
        raise ValueError(f"{fn}: {path!r} is not a valid safetensors file: "
                         f"{type(exc).__name__}: {exc}") from None
    return {k: Tensor._wrap(np.array(v, copy=True)) for k, v in arrays.items()}


# ---- PyTorch's names -------------------------------------------------------------------------
def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Save ``obj`` to ``f`` (``torch.save``), without pickle.

    ``obj`` may be a state_dict, a tensor, an optimizer's state_dict, or nested dicts, lists and
    tuples of tensors, arrays, numbers, strings and None. The file is the one ``nn.save`` writes
    (an ``.npz`` archive with a JSON description; data only). To a path it is written
    atomically: to a temporary file renamed over ``f``. To an open binary file object (a file
    opened ``"wb"``, an ``io.BytesIO``) the bytes are written at its position and it is
    flushed; that write is not atomic. Anything else than data is refused with ``TypeError``
    before anything is written. (PyTorch pickles; see "Differences from PyTorch".)

    Args:
        obj (object): what to save.
        f (str, os.PathLike or file object): the path, or a binary file object with ``write``.

    Example::

        >>> import io, os, tempfile
        >>> import autograd_core as ag
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = os.path.join(d, "ckpt.pt")
        ...     ag.save({"w": ag.tensor([1.0, 2.0]), "step": 3}, path)
        ...     ag.load(path)
        {'w': tensor([1., 2.]), 'step': 3}
        >>> buffer = io.BytesIO()
        >>> ag.save([ag.arange(2), 0.5], buffer)
        >>> _ = buffer.seek(0)
        >>> ag.load(buffer)
        [tensor([0, 1]), 0.5]
    """
    if hasattr(f, "write"):
        write = _encode(obj, "autograd_core.save", "npz")
        write(f)
        if hasattr(f, "flush"):
            f.flush()
        return
    _save(obj, f, "autograd_core.save")


def load(f: str | os.PathLike | IO[bytes], map_location: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None) -> Any:
    """Load what ``save`` (or ``nn.save``) wrote to ``f`` (``torch.load``).

    The file holds data only and is read without pickle, so loading a file from anywhere can
    never run code, whatever ``weights_only`` says: ``True``, ``None`` and ``False`` load the
    same (``False``, which PyTorch needs for files holding numpy arrays, has nothing unsafe to
    allow here). Everything loads on the CPU, the only device. A corrupt, truncated or foreign
    file raises ``ValueError`` naming the file and the place in the object.

    Args:
        f (str, os.PathLike or file object): the path, or a binary file object with ``read``
            (read from its position to its end).
        map_location (optional): None, ``"cpu"``, a CPU ``device``, a dict of device names to
            the CPU, or a function ``(tensor, location) -> tensor`` (called with ``"cpu"``).
        weights_only (bool, optional): accepted for PyTorch's signature; loading is always
            data only. Default: None.
        mmap (bool, optional): accepted for PyTorch's signature (``False`` or None); the
            file is read into memory. Default: None.

    Returns:
        object: what was saved, with Tensors for the saved tensors (numpy arrays for saved
        numpy arrays).

    Example::

        >>> import os, tempfile
        >>> import autograd_core as ag
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = os.path.join(d, "t.pt")
        ...     ag.save(ag.arange(3), path)
        ...     ag.load(path, map_location="cpu")
        tensor([0, 1, 2])
    """
    if weights_only not in (True, False, None):
        raise TypeError(f"autograd_core.load: weights_only must be a bool or None, got "
                        f"{type(weights_only).__name__}")
    if mmap:  # (a memory map of this format's arrays is not made; say so, not load silently)
        raise NotImplementedError("autograd_core.load: mmap=True is not supported; the file is "
                                  "read into memory (mmap=False or None)")
    fn = None
    if callable(map_location):
        fn = map_location
    elif isinstance(map_location, dict):
        for target in map_location.values():
            check_device(target, "load")
    else:
        check_device(map_location, "load")
    obj = _load(f, "autograd_core.load")
    if fn is not None:
        obj = _map_tensors(obj, lambda t: fn(t, "cpu"))
    return obj


#: what programs allowed with add_safe_globals (kept only to be listed back: see below)
_SAFE_GLOBALS: list[Any] = []


def add_safe_globals(safe_globals: list[Any]) -> None:
    """Mark ``safe_globals`` (classes, functions) as allowed in checkpoints that ``load`` reads
    (``torch.serialization.add_safe_globals``).

    PyTorch's weights-only loader unpickles and needs every global in the file allowed first;
    ``load`` here never unpickles (files are data only), so nothing needs allowing. The list is
    kept for :func:`get_safe_globals`, and programs written for PyTorch run unchanged.

    Args:
        safe_globals (list): the globals (or ``(global, name)`` pairs) to allow.

    Example::

        >>> import numpy as np
        >>> from autograd_core import serialization
        >>> serialization.add_safe_globals([np.dtype])
        >>> np.dtype in serialization.get_safe_globals()
        True
        >>> serialization.clear_safe_globals()
    """
    if not isinstance(safe_globals, list):
        raise TypeError(f"add_safe_globals: safe_globals must be a list, got "
                        f"{type(safe_globals).__name__}")
    _SAFE_GLOBALS.extend(g for g in safe_globals if g not in _SAFE_GLOBALS)


def get_safe_globals() -> list[Any]:
    """Return the globals given to :func:`add_safe_globals` (a copy).

    Example::

        >>> from autograd_core import serialization
        >>> serialization.get_safe_globals()
        []
    """
    return list(_SAFE_GLOBALS)


def clear_safe_globals() -> None:
    """Forget the globals given to :func:`add_safe_globals`.

    Example::

        >>> from autograd_core import serialization
        >>> serialization.add_safe_globals([int])
        >>> serialization.clear_safe_globals()
        >>> serialization.get_safe_globals()
        []
    """
    _SAFE_GLOBALS.clear()


class safe_globals:  # noqa: N801 - PyTorch's name
    """Context manager allowing ``safe_globals`` while it is active
    (``torch.serialization.safe_globals``); as :func:`add_safe_globals`, nothing needs allowing
    here, since ``load`` never unpickles.

    Args:
        safe_globals (list): the globals (or ``(global, name)`` pairs) to allow.

    Example::

        >>> import io
        >>> import autograd_core as ag
        >>> from autograd_core import serialization
        >>> buffer = io.BytesIO()
        >>> ag.save({"w": ag.ones(2)}, buffer)
        >>> _ = buffer.seek(0)
        >>> with serialization.safe_globals([int]):
        ...     ag.load(buffer)
        {'w': tensor([1., 1.])}
        >>> serialization.get_safe_globals()
        []
    """

    def __init__(self, safe_globals: list[Any]) -> None:
        if not isinstance(safe_globals, list):
            raise TypeError(f"safe_globals: safe_globals must be a list, got "
                            f"{type(safe_globals).__name__}")
        self.safe_globals = safe_globals
        self._before: list[Any] = []

    def __enter__(self) -> None:
        self._before = list(_SAFE_GLOBALS)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc: Any) -> None:
        _SAFE_GLOBALS[:] = self._before


def _map_tensors(obj, fn):
    if isinstance(obj, Tensor):
        return fn(obj)
    if isinstance(obj, dict):
        out = type(obj)() if isinstance(obj, OrderedDict) else {}
        for k, v in obj.items():
            out[k] = _map_tensors(v, fn)
        return out
    if isinstance(obj, list):
        return [_map_tensors(v, fn) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_map_tensors(v, fn) for v in obj)
    return obj
