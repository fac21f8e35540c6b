"""How a value is cast where PyTorch's CPU casts round otherwise than numpy's (imports no
product module, so creation, the ops and the tensor layer can all use it)."""

from __future__ import annotations

from typing import Any

import numpy as np

_F16, _F32, _F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)


def half_source(arr: Any, dtype: Any) -> Any:
    """``arr`` (an array, a numpy or Python float) ready to be cast to ``dtype`` as PyTorch's
    CPU casts round: a float64 value made float16 goes through float32 first (``c10::Half``
    is made from a float), so a value just off a float16 tie rounds as there; numpy rounds
    once (an ulp apart in about 1e-4 of random values). Anything else is ``arr`` itself."""
    t = type(arr)
    if (t is float or ((t is np.ndarray or t is np.float64) and arr.dtype == _F64)) and \
            dtype is not None and np.dtype(dtype) == _F16:
        with np.errstate(over="ignore"):
            return np.float32(arr) if t is float else arr.astype(_F32)
    return arr


def half_number(x: Any, dtype: Any) -> Any:
    """A Python float (or numpy float64) ``x`` meeting an array of ``dtype`` in a numpy op, as
    PyTorch's CPU kernels read a number there: into float16 through float32 (``c10::Half``
    from the double made a float, :func:`half_source`), held as a numpy float16 so that numpy
    keeps the array's dtype. numpy's weak Python float rounds once, an ulp apart just off a
    float16 tie (``x16 + v``, ``x16 < v``, ``clamp``, ``full``...). Anything else is ``x``
    itself (``mul``/``div`` read the number as a float32 instead: ``ops._xp._in_float32``)."""
    t = type(x)
    if (t is float or t is np.float64) and dtype is not None and np.dtype(dtype) == _F16:
        with np.errstate(over="ignore"):
            return np.float16(np.float32(x))
    return x


def plain_number(x: Any) -> Any:
    """A numpy scalar (``np.float64(0.1)``, ``np.float32``, ``np.int64``, ``np.bool_``) as the
    Python number PyTorch reads it as (its argument parser takes numpy scalars as Scalars);
    anything else as it is. Read where a user's value enters (the operators, the functional
    and method forms of ``add``/``sub``'s ``alpha``, ``mul``, ``div``, ``floor_divide``,
    ``pow``, ``lerp``'s weight, ``addcmul``/``addcdiv``'s ``value``, ``full``'s fill value,
    ``__array_ufunc__``), not in ``Node.apply``: backward rules hand ops numpy scalars as
    gradients (a reduction's result), which must keep their dtype. numpy's scalars are not
    weak: ``x16 * np.float64(0.1)`` computed in float64, ``x ** np.float64(2)`` gave a float64
    tensor, and ``add(x, y, alpha=np.float64(0.1))`` rounded twice where PyTorch fuses."""
    if isinstance(x, np.generic) and x.dtype.kind in "biufc":
        return x.item()
    return x


def type_name(value: Any) -> str:
    """The name PyTorch gives ``value``'s type in its errors and ``torch.typename`` (``float``,
    ``list``, ``numpy.ndarray``; a class given itself names itself)."""
    kind = value if isinstance(value, type) else type(value)
    return kind.__qualname__ if kind.__module__ in ("builtins", None) else \
        f"{kind.__module__}.{kind.__qualname__}"
