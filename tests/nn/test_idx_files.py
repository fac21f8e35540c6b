"""nn.data.load_idx / load_mnist on IDX files this test writes itself, byte by byte from the
format's definition (header 0, 0, type, ndim; big-endian uint32 sizes; big-endian values)."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from nn.data import load_idx, load_mnist


def _idx_bytes(array, type_code, fmt):
    head = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", s)
                                                         for s in array.shape)
    return head + b"".join(struct.pack(">" + fmt, v) for v in array.reshape(-1).tolist())


@pytest.mark.parametrize("type_code, fmt, dtype", [
    (0x08, "B", np.uint8), (0x09, "b", np.int8), (0x0B, "h", np.int16), (0x0C, "i", np.int32),
    (0x0D, "f", np.float32), (0x0E, "d", np.float64)])
@pytest.mark.parametrize("gz", [False, True])
def test_every_idx_type_reads_back(tmp_path, type_code, fmt, dtype, gz):
    rng = np.random.default_rng(type_code)
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    a = (rng.integers(info.min, info.max, size=(3, 4, 5), endpoint=True) if info
         else rng.standard_normal((3, 4, 5))).astype(dtype)
    raw = _idx_bytes(a, type_code, fmt)
    path = tmp_path / "x.idx"  # the name says nothing: gzip is recognised by its magic bytes
    path.write_bytes(gzip.compress(raw) if gz else raw)
    got = load_idx(path)
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative and got.shape == (3, 4, 5)
    np.testing.assert_array_equal(got, a)


def test_hand_written_file():
    # 2x3 uint8 matrix [[1, 2, 3], [4, 5, 255]]
    raw = bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255])
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m")
        with open(path, "wb") as f:
            f.write(raw)
        assert load_idx(path).tolist() == [[1, 2, 3], [4, 5, 255]]


@pytest.mark.parametrize("raw, message", [
    (b"PK\x03\x04abcd", "is not an IDX file"),
    (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), "is not an IDX file"),
    (bytes([0, 0, 8, 2, 0, 0, 0]), "cut short inside its header"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]), "has 10 bytes; its header (shape (3,), uint8) says 11"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 1, 1, 2]), "has 10 bytes"),
    (b"\x1f\x8b\x08\x00garbage", "damaged gzip file"),
])
def test_bad_files_are_named(tmp_path, raw, message):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match="load_idx: .*bad-idx1-ubyte") as exc:
        load_idx(path)
    assert message in str(exc.value)


def _write_mnist(root, n_train, n_test, gz, dotted=False, shape=(28, 28)):
    rng = np.random.default_rng(0)
    arrays = {}
    for part, n in (("train", n_train), ("t10k", n_test)):
        X = rng.integers(0, 256, size=(n, *shape)).astype(np.uint8)
        y = rng.integers(0, 10, size=n).astype(np.uint8)
        for kind, a, dims in (("images", X, 3), ("labels", y, 1)):
            name = f"{part}-{kind}{'.' if dotted else '-'}idx{dims}-ubyte" + (".gz" if gz else "")
            raw = _idx_bytes(a, 0x08, "B")
            (root / name).write_bytes(gzip.compress(raw) if gz else raw)
        arrays[part] = (X, y)
    return arrays


@pytest.mark.parametrize("gz, dotted", [(False, False), (True, False), (False, True)])
def test_load_mnist_scales_and_splits_as_the_files_say(tmp_path, gz, dotted):
    arrays = _write_mnist(tmp_path, 7, 3, gz, dotted)
    d = load_mnist(tmp_path)
    (Xtr, ytr), (Xte, yte) = arrays["train"], arrays["t10k"]
    assert d.X_train.dtype.itemsize == 4 and tuple(d.X_train.shape) == (7, 784)
    np.testing.assert_allclose(d.X_train.data, Xtr.reshape(7, -1) / 255.0, rtol=1e-6)
    np.testing.assert_allclose(d.X_test.data, Xte.reshape(3, -1) / 255.0, rtol=1e-6)
    assert d.y_train.data.dtype == np.int64 and d.y_train.data.tolist() == ytr.tolist()
    assert d.y_test.data.tolist() == yte.tolist()
    raw = load_mnist(tmp_path, flatten=False, dtype=np.float64, as_tensors=False)
    assert raw.X_test.shape == (3, 28, 28) and raw.X_test.dtype == np.float64
    assert raw.X_test.max() <= 1.0 and isinstance(raw.y_test, np.ndarray)


def test_load_mnist_names_missing_files_and_mismatches(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_mnist(tmp_path / "nope")
    _write_mnist(tmp_path, 4, 2, gz=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"lacks t10k-labels-idx1-ubyte\[\.gz\]"):
        load_mnist(tmp_path)
    # labels that do not match the images in number
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx_bytes(np.zeros(5, np.uint8), 8, "B"))
    with pytest.raises(ValueError, match="expected 2 uint8 labels, one per image"):
        load_mnist(tmp_path)
