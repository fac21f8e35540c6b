"""Run every case of ``nn_reference_cases`` in PyTorch and save the results to
``data/torch_reference.npz`` (outputs, input gradients, extras such as BatchNorm running
statistics, for float64 and float32).

    pip install torch==2.13.0   # CPU build
    python tests/nn/make_nn_torch_reference.py

``test_torch_reference.py`` compares our numbers with the file always, and with torch live
when it is importable.
"""

from __future__ import annotations

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import nn_reference_cases as RC  # noqa: E402


def main():
    import torch

    torch.use_deterministic_algorithms(True)
    data = RC.run_all(RC.TorchBackend())
    data["__torch_version__"] = np.frombuffer(torch.__version__.encode(), dtype=np.uint8)
    path = os.path.join(HERE, "data", "torch_reference.npz")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez_compressed(path, **data)
    print(f"wrote {len(data)} arrays to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
