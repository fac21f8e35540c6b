"""nn.save / nn.load: bit-exact round trips of model and optimizer state, exact resume, refusal
of truncated/corrupt/foreign files, atomic saves that leave the old checkpoint intact, and no
pickle anywhere on the load path."""

import io
import json
import math
import os
import pickle
import stat
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim
from autograd_core import Tensor


def _model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 3))


def _batch(seed):
    rng = np.random.default_rng(seed)
    return (Tensor._wrap(rng.standard_normal((16, 4)).astype(np.float32)),
            Tensor._wrap(rng.integers(0, 3, 16)))


def _train(model, opt, steps, start=0):
    loss_fn = nn.CrossEntropyLoss()
    for s in range(start, start + steps):
        x, y = _batch(s)
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()


def _assert_identical(a, b, where="obj"):
    """Same structure, same Python types, bit-identical values."""
    assert type(a) is type(b) or (isinstance(a, Tensor) and isinstance(b, Tensor)), \
        f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), where
        assert [type(k) for k in a] == [type(k) for k in b], where
        for k in a:
            _assert_identical(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b)):
            _assert_identical(u, v, f"{where}[{i}]")
    elif isinstance(a, (Tensor, np.ndarray)):
        u = a._data if isinstance(a, Tensor) else a
        v = b._data if isinstance(b, Tensor) else b
        assert u.dtype == v.dtype and u.shape == v.shape, where
        assert u.tobytes() == v.tobytes(), where
    elif isinstance(a, float):
        assert struct.pack("<d", a) == struct.pack("<d", b), f"{where}: {a!r} vs {b!r}"
    else:
        assert a == b, where


def _trained():
    ag.manual_seed(0)
    model = _model()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    _train(model, opt, 3)
    return model, opt


def test_round_trip_is_bit_exact_for_model_and_adam_state(tmp_path):
    model, opt = _trained()
    ckpt = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "epoch": 3, "best": 0.1 + 0.2, "neg_zero": -0.0, "inf": math.inf,
        "flag": True, "note": "résumé", "none": None, "big": 2 ** 70,
        "shape": (3, 4), "history": [1.5, 2.5, float("nan")],
        "odict": OrderedDict([("b", 1), ("a", 2)]),
        "np_scalar": np.float32(1.25), "i8": np.arange(5, dtype=np.int8),
    }
    path = tmp_path / "ckpt.npz"
    nn.save(ckpt, path)
    back = nn.load(path)
    nan = back["history"].pop()
    ckpt["history"].pop()
    assert math.isnan(nan)
    _assert_identical(ckpt, back)
    # int parameter indices of the optimizer state survive as ints
    assert all(isinstance(k, int) for k in back["optimizer"]["state"])
    assert isinstance(back["optimizer"]["param_groups"][0]["betas"], tuple)
    assert back["np_scalar"].dtype == np.float32


def test_resume_from_checkpoint_continues_exactly(tmp_path):
    model, opt = _trained()
    nn.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "c")
    _train(model, opt, 3, start=3)  # the uninterrupted run

    ag.manual_seed(99)  # a different init: everything must come from the checkpoint
    model2 = _model()
    opt2 = optim.Adam(model2.parameters(), lr=1e-2)
    ck = nn.load(tmp_path / "c")
    model2.load_state_dict(ck["model"])
    opt2.load_state_dict(ck["optimizer"])
    _train(model2, opt2, 3, start=3)
    for (k, a), (_, b) in zip(model.state_dict().items(), model2.state_dict().items()):
        assert a._data.tobytes() == b._data.tobytes(), k


def _file(tmp_path):
    model, opt = _trained()
    path = tmp_path / "good.ckpt"
    nn.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    return path, path.read_bytes()


def test_truncated_files_are_refused_with_a_clear_error(tmp_path):
    path, data = _file(tmp_path)
    bad = tmp_path / "bad.ckpt"
    for cut in [0, 1, 30, len(data) // 3, len(data) // 2, len(data) - 22, len(data) - 1]:
        bad.write_bytes(data[:cut])
        with pytest.raises(ValueError) as info:
            nn.load(bad)
        msg = str(info.value)
        assert "bad.ckpt" in msg and ("truncated" in msg or "corrupt" in msg), msg


def test_corrupted_bytes_are_detected(tmp_path):
    path, data = _file(tmp_path)
    arr = nn.load(path)["model"]["3.weight"]._data
    i = data.find(arr.tobytes())
    assert i > 0
    flipped = bytearray(data)
    flipped[i + 5] ^= 0x40
    bad = tmp_path / "flipped.ckpt"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="flipped.ckpt"):
        nn.load(bad)


def test_foreign_files_are_refused(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, w=np.ones(3))
    with pytest.raises(ValueError, match="not written by nn.save|__structure__"):
        nn.load(plain)
    pk = tmp_path / "pickle.pt"
    pk.write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    with pytest.raises(ValueError, match="pickle.pt"):
        nn.load(pk)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.ckpt")


def _checkpoint_with_object_array(path):
    """A file laid out exactly like nn.save's, but whose array entry is a pickled object
    array: loading it would run pickle."""
    header = {"format": "tapegrad-checkpoint", "version": 1,
              "root": {"t": "dict", "items": [[{"t": "str", "v": "w"},
                                               {"t": "array", "k": "a0"}]]}}
    structure = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    obj = np.empty(1, dtype=object)
    obj[0] = {"evil": "payload"}
    with open(path, "wb") as f:  # a file object: np.savez would append ".npz" to a name
        np.savez(f, __structure__=structure, a0=obj)


def test_object_arrays_are_refused_and_pickle_is_never_used(tmp_path, monkeypatch):
    path = tmp_path / "object.ckpt"
    _checkpoint_with_object_array(path)
    good, _ = _file(tmp_path)

    def no_pickle(*a, **k):
        raise AssertionError("pickle used while loading a checkpoint")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    monkeypatch.setattr(pickle, "Unpickler", no_pickle)
    calls = []
    real_load = np.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("allow_pickle", False))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", spy)
    with pytest.raises(ValueError, match="object.ckpt"):
        nn.load(path)
    nn.load(good)
    assert calls and not any(calls)  # every np.load call had allow_pickle=False


def test_unsaveable_objects_are_refused_before_touching_the_file(tmp_path):
    path, data = _file(tmp_path)
    for bad in [{"model": object()}, {"fn": lambda: 0}, {"arr": np.array([{}], object)},
                {(1, 2): 3}, {"s": {1, 2}}]:
        with pytest.raises(TypeError, match="nn.save"):
            nn.save(bad, path)
        assert path.read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == ["good.ckpt"]  # no temporary file left behind


@pytest.mark.parametrize("stage", ["write", "fsync", "replace"])
def test_failed_save_leaves_the_old_checkpoint_intact(tmp_path, monkeypatch, stage):
    path, data = _file(tmp_path)
    model, _ = _trained()
    model[0].weight._data[...] = 7.0  # something different to save

    def boom(*args, **kwargs):
        raise OSError(f"simulated failure in {stage}")

    if stage == "write":

        def partial(f, *a, **k):  # write some bytes, then die (disk full, killed, ...)
            f.write(b"PK\x03\x04 partial garbage")
            boom()

        monkeypatch.setattr(np, "savez", partial)
    elif stage == "fsync":
        monkeypatch.setattr(os, "fsync", boom)
    else:
        monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="simulated"):
        nn.save({"model": model.state_dict()}, path)
    monkeypatch.undo()
    assert path.read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == ["good.ckpt"]
    nn.load(path)


def test_save_replaces_atomically_and_keeps_normal_permissions(tmp_path):
    path = tmp_path / "c.ckpt"
    nn.save({"a": np.zeros(2)}, path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    os.chmod(path, 0o640)  # an existing checkpoint keeps the mode its owner gave it
    nn.save({"a": np.ones(2)}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    np.testing.assert_array_equal(nn.load(path)["a"], np.ones(2))
    assert os.listdir(tmp_path) == ["c.ckpt"]


def test_file_is_a_plain_npz_archive(tmp_path):
    """The format is documented as an npz with a JSON structure entry: readable by numpy
    alone, without this project."""
    path = tmp_path / "c.ckpt"
    nn.save({"w": np.arange(3.0)}, path)
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as f:
        header = json.loads(f["__structure__"].tobytes())
        assert header["format"] == "tapegrad-checkpoint"
        np.testing.assert_array_equal(f["w"], np.arange(3.0))  # entries named by key
    buf = io.BytesIO(path.read_bytes())
    assert zipfile.ZipFile(buf).testzip() is None
