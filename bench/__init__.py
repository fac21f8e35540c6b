"""bench: benchmarks for tapegrad kernels, optimizer steps and training steps (`python -m bench`)."""
