"""The public Numba kernels of ``activations``, built from its ``LOOPS`` table (generic: adding
an activation never touches this file).

Every public function here is named after a twin in ``activations``, has its signature and its
semantics (PyTorch's formulas), and returns a new array of the input's shape and dtype; it also
takes ``parallel=`` (None: by size; True/False force a build, for tests and measurements) and
``out=`` (write into a preallocated C-contiguous array of the result's shape and dtype, the form
a captured step replays).

How they are run (``tapegrad-bench kernels`` re-measures the choices below):

* One pass, no temporaries: inputs are flattened to 1-D views in their common memory order (C or
  Fortran; anything else is copied once) and a jitted loop writes the output in place. The loops
  are 1-D only, so every ndim reuses the same compiled code.
* Each loop exists twice in ``activations.LOOPS``, serial and parallel (``prange``), as separate
  Python functions (Numba's cache ignores compile options); each is compiled lazily with
  ``cache=True`` by ``_jit.jit``. The parallel one runs only from the measured crossover on
  (``THRESHOLDS``: 2**16 elements, 2**19 for ``activations.MEMORY_BOUND`` kernels).
* ``fastmath={"contract"}`` only: lets LLVM fuse ``a*b + c`` into an FMA (one rounding instead of
  two, ~30% faster here); see ``activations`` for the flags that stay off.
* float32/float64 run the loops; float16 runs the float32 loop on a float32 copy, rounded once
  (ATen's opmath); other dtypes (ints) get the twin's result.

Importing this module does not import numba; the first call of a kernel does.
"""

from __future__ import annotations

import inspect

import numpy as np

from . import _jit
from . import activations as _act
from .activations import MEMORY_BOUND

# the public kernels (one per LOOPS entry, GELU's two taking approximate=) are added below
__all__ = ["PARALLEL_THRESHOLD", "PARALLEL_THRESHOLD_MEMORY_BOUND", "THRESHOLDS", "LOOPS",
           "MEMORY_BOUND"]

# Number of elements from which the prange build is used (serial below), per kind of kernel;
# TAPEGRAD_PARALLEL_THRESHOLD overrides both, TAPEGRAD_PARALLEL=0 disables the parallel builds.
# 2**16 for kernels that evaluate a transcendental function, 2**19 for the memory-bound ones:
# in a quiet-machine sweep (``tapegrad-bench kernels``, serial/parallel table) the first sizes
# from which every kernel of its kind gained; the README's performance section has the table.
PARALLEL_THRESHOLD = _jit.parallel_threshold(default=1 << 16)
PARALLEL_THRESHOLD_MEMORY_BOUND = _jit.parallel_threshold(default=1 << 19)

_F32 = np.float32
_F64 = np.float64
_F16 = np.float16

# Compile options of every loop (merged into _jit.BASE_OPTIONS).
_OPTIONS = dict(fastmath={"contract"})

#: name -> (serial build, parallel build) of ``activations.LOOPS[name]``, compiled on first call
LOOPS = {
    name: (_jit.jit(serial, **_OPTIONS), _jit.jit(parallel, parallel=True, **_OPTIONS))
    for name, (serial, parallel) in _act.LOOPS.items()
}

# loop name -> number of elements from which its parallel build runs
THRESHOLDS = {
    name: PARALLEL_THRESHOLD_MEMORY_BOUND if name in MEMORY_BOUND else PARALLEL_THRESHOLD
    for name in LOOPS
}


# --------------------------------------------------------------------------------------------
# Python-side driver: layout, dtype, serial/parallel choice.


def _flat_views(arrays):
    """Same-shape arrays as 1-D arrays traversed in one common order, plus an output.

    Returns ``(flats, out, out_flat)``; views (no copy) when all inputs are C-contiguous, all
    Fortran-contiguous, or all one dense layout with permuted axes (``out`` then has it too),
    else C-ordered copies.
    """
    if all(a.flags.c_contiguous for a in arrays):
        out = np.empty(arrays[0].shape, arrays[0].dtype)
        return [a.ravel() for a in arrays], out, out.ravel()  # (views: ravel is cheapest)
    if all(a.flags.f_contiguous for a in arrays):
        out = np.empty(arrays[0].shape, arrays[0].dtype, order="F")
        return [a.T.reshape(-1) for a in arrays], out, out.T.reshape(-1)
    a0 = arrays[0]
    order = sorted(range(a0.ndim), key=lambda d: -a0.strides[d])
    if a0.transpose(order).flags.c_contiguous and all(
            a.strides == a0.strides for a in arrays[1:]):
        # one dense layout with permuted axes (conv2d's channels-last outputs): kept
        out_t = np.empty(tuple(a0.shape[d] for d in order), a0.dtype)
        return ([a.transpose(order).reshape(-1) for a in arrays],
                out_t.transpose(np.argsort(order)), out_t.reshape(-1))
    out = np.empty(arrays[0].shape, arrays[0].dtype)
    return [np.ascontiguousarray(a).reshape(-1) for a in arrays], out, out.reshape(-1)


def _check_out(name, out, shape, dtype):
    """An ``out=`` array must have the result's shape and dtype and be C-contiguous: the loops
    write it as one flat run, so anything else would be written out of bounds."""
    if type(out) is not np.ndarray or out.shape != shape or out.dtype != dtype \
            or not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError(
            f"{name}: out must be a writable C-contiguous {dtype} array of shape {shape}, got "
            + (f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__)
        )


def _run(name, loop, arrays, params, reference, parallel=None, out=None):
    """Apply ``LOOPS[loop]`` to ``arrays`` with scalar ``params``; ``name``: the public kernel.

    Backward kernels require their two arrays in one shape (no broadcasting, like the twins):
    the engine sums broadcast gradients down to the input's shape before any backward rule
    runs, so a mismatch is a caller's bug, reported with both shapes.
    ``parallel``: None chooses by size (``THRESHOLDS``); True/False forces a build
    (tests, measurements). Dtypes other than float32/float64 go to the numpy ``reference``.
    """
    # Fast path, the engine's usual call: float32/float64 C-contiguous arrays of one dtype.
    a0 = arrays[0]
    if type(a0) is np.ndarray and a0.flags.c_contiguous:
        dtype = a0.dtype
        if (dtype == _F32 or dtype == _F64) and (len(arrays) == 1 or (
                type(arrays[1]) is np.ndarray and arrays[1].dtype == dtype
                and arrays[1].shape == a0.shape and arrays[1].flags.c_contiguous)):
            if out is None:
                out = np.empty(a0.shape, dtype)
            else:
                _check_out(name, out, a0.shape, dtype)
            n = out.size
            if n:
                if parallel is None:
                    parallel = n >= THRESHOLDS[loop] and _jit.parallel_enabled()
                cast = dtype.type
                LOOPS[loop][1 if parallel else 0](
                    *[a.ravel() for a in arrays], out.ravel(), *[cast(p) for p in params])
            return out
    arrays = [np.asarray(a) for a in arrays]
    if len(arrays) == 2 and arrays[0].shape != arrays[1].shape:
        first = "y" if name in ("sigmoid_backward", "tanh_backward") else "x"
        raise ValueError(
            f"{name}: {first} and g must have the same shape (kernels do not broadcast), "
            f"got {first}.shape={arrays[0].shape} and g.shape={arrays[1].shape}"
        )
    dtype = np.result_type(*arrays)
    if dtype == _F16 and name not in _act.IN_FLOAT16:
        return _act.in_float32(lambda *a: _run(name, loop, a, params, reference, parallel),
                               arrays, (), name, out)
    if dtype != _F32 and dtype != _F64:
        result = reference(*arrays, *params)
        if out is not None:
            _check_out(name, out, result.shape, result.dtype)
            np.copyto(out, result)
            return out
        return result
    arrays = [a if a.dtype == dtype else a.astype(dtype) for a in arrays]
    if out is not None:
        _check_out(name, out, arrays[0].shape, dtype)
        flats = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
        out_flat = out.reshape(-1)
    else:
        flats, out, out_flat = _flat_views(arrays)
    n = out_flat.size
    if n == 0:
        return out
    if parallel is None:
        parallel = n >= THRESHOLDS[loop] and _jit.parallel_enabled()
    LOOPS[loop][1 if parallel else 0](*flats, out_flat, *(dtype.type(p) for p in params))
    return out


def _gelu_loop(approximate, direction):
    if approximate == "none":
        return f"gelu_{direction}"
    if approximate == "tanh":
        return f"gelu_tanh_{direction}"
    raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")


def _public(name):
    """The kernel ``name`` with its twin's signature, plus ``parallel=`` (None: by size) and
    ``out=`` (write the result into a preallocated array of the result's shape and dtype)."""
    ref = getattr(_act, name)
    n_arrays = sum(p.default is inspect.Parameter.empty
                   for p in inspect.signature(ref).parameters.values())
    defaults = [p.default for p in inspect.signature(ref).parameters.values()][n_arrays:]

    def kernel(*args, parallel=None, out=None):
        arrays, params = args[:n_arrays], args[n_arrays:]
        params = tuple(params) + tuple(defaults[len(params):])
        return _run(name, name, arrays, params, ref, parallel, out)

    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = ref.__doc__
    return kernel


# every loop is public under its own name, except GELU's, which take approximate= (below)
for _name in LOOPS:
    if not _name.startswith("gelu"):
        globals()[_name] = _public(_name)
        __all__.append(_name)
__all__ += ["gelu_forward", "gelu_backward"]


def gelu_forward(x, approximate="none", *, parallel=None, out=None):
    loop = _gelu_loop(approximate, "forward")
    ref = lambda x: _act.gelu_forward(x, approximate)  # noqa: E731
    return _run("gelu_forward", loop, (x,), (), ref, parallel, out)


def gelu_backward(x, g, approximate="none", *, parallel=None, out=None):
    loop = _gelu_loop(approximate, "backward")
    ref = lambda x, g: _act.gelu_backward(x, g, approximate)  # noqa: E731
    return _run("gelu_backward", loop, (x, g), (), ref, parallel, out)
