"""``assert_close``, as ``torch.testing.assert_close``: tensors, numpy arrays, numbers and
(nested) sequences and mappings of them, with PyTorch's default tolerances by dtype and its
failure messages.

Differences: ``check_device``, ``check_layout`` and ``check_stride`` are accepted and have nothing
to check here (one device, one layout, strides are numpy's); numpy arrays compare like tensors.
"""

from __future__ import annotations

import collections.abc
import numbers
import warnings
from typing import Any, Callable

import numpy as np

from autograd_core.creation import tensor as _tensor
from autograd_core.tensor import Tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]

# (rtol, atol) by dtype, as PyTorch's defaults; exact comparison for every other dtype
_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
    np.dtype(np.complex64): (1.3e-6, 1e-5),
    np.dtype(np.complex128): (1e-7, 1e-7),
}


class _Mismatch(AssertionError):
    """A failed comparison; ``path`` says where inside nested containers."""

    def __init__(self, message, path=""):
        super().__init__(message)
        self.message, self.path = message, path


def _tolerances(*dtypes):
    pairs = [_TOLERANCES.get(np.dtype(d), (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _dtype_name(dtype):
    return f"autograd_core.{np.dtype(dtype).name}"


def _shape_repr(shape):
    return f"Size({list(shape)})"


def _is_number(x):
    return isinstance(x, (numbers.Number, np.number, np.bool_)) and not isinstance(x, Tensor)


def _number_dtype(x):
    if isinstance(x, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(x, np.number):
        return x.dtype
    if isinstance(x, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(x, numbers.Real):
        return np.dtype(np.float64)
    return np.dtype(np.complex128)


def _fmt(v):
    """A value as PyTorch prints it in these messages (ints as ints, floats as Python's)."""
    v = v.item() if isinstance(v, np.generic) else v
    return repr(v) if isinstance(v, float) else str(v)


def _compare_values(a, e, rtol, atol, equal_nan, scalar, check_dtype):
    if check_dtype and a.dtype != e.dtype:
        raise _Mismatch(f"The values for attribute 'dtype' do not match: "
                        f"{_dtype_name(a.dtype)} != {_dtype_name(e.dtype)}.")
    if a.dtype != e.dtype:
        common = np.result_type(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    if a.dtype == np.bool_:
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if a.dtype.kind in "fc":
            close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
        else:
            close = a == e
        if close.all():
            return
        exact = rtol == 0 and atol == 0
        verdict = "equal" if exact else "close"
        abs_diff = np.abs(a - e) if a.dtype.kind in "fc" else np.abs(
            a.astype(np.int64) - e.astype(np.int64))
        real = abs_diff.dtype if abs_diff.dtype.kind == "f" else np.dtype(np.float32)
        rel_diff = abs_diff.astype(real) / np.abs(e).astype(real)
    up_abs = "" if exact else f" (up to {atol} allowed)"
    up_rel = "" if exact else f" (up to {rtol} allowed)"
    if scalar:
        raise _Mismatch(
            f"Scalars are not {verdict}!\n\nExpected {_fmt(e.reshape(())[()])} but got "
            f"{_fmt(a.reshape(())[()])}.\nAbsolute difference: {_fmt(abs_diff.reshape(())[()])}"
            f"{up_abs}\nRelative difference: {_fmt(rel_diff.reshape(())[()])}{up_rel}")
    abs_diff = np.where(close, 0, abs_diff)
    rel_diff = np.where(close, 0, rel_diff)
    n_bad, n = int((~close).sum()), close.size
    ia = tuple(int(i) for i in np.unravel_index(int(np.argmax(abs_diff)), a.shape))
    ir = tuple(int(i) for i in np.unravel_index(int(np.argmax(rel_diff)), a.shape))
    raise _Mismatch(
        f"Tensor-likes are not {verdict}!\n\nMismatched elements: {n_bad} / {n} "
        f"({100 * n_bad / n:.1f}%)\n"
        f"Greatest absolute difference: {_fmt(abs_diff[ia])} at index {ia}{up_abs}\n"
        f"Greatest relative difference: {_fmt(rel_diff[ir])} at index {ir}{up_rel}")


def _compare(actual, expected, tol, equal_nan, check_dtype, allow_subclasses, path):
    try:
        _compare_one(actual, expected, tol, equal_nan, check_dtype, allow_subclasses, path)
    except _Mismatch as exc:
        if not exc.path and path:
            exc.path = path
        raise


def _compare_one(actual, expected, tol, equal_nan, check_dtype, allow_subclasses, path):
    tensor_like = (Tensor, np.ndarray)
    if isinstance(actual, tensor_like) and isinstance(expected, tensor_like):
        kind = Tensor if isinstance(expected, Tensor) else np.ndarray
        if not isinstance(actual, kind):
            _no_pair(actual, expected)
        if not allow_subclasses and type(actual) is not type(expected):
            _no_pair(actual, expected)
        a = actual._data if isinstance(actual, Tensor) else actual
        e = expected._data if isinstance(expected, Tensor) else expected
        if a.shape != e.shape:
            raise _Mismatch(f"The values for attribute 'shape' do not match: "
                            f"{_shape_repr(a.shape)} != {_shape_repr(e.shape)}.")
        rtol, atol = tol or _tolerances(a.dtype, e.dtype)
        _compare_values(a, e, rtol, atol, equal_nan, a.ndim == 0, check_dtype)
        return
    if _is_number(actual) and _is_number(expected):
        da, de = _number_dtype(actual), _number_dtype(expected)
        if check_dtype and da.kind != de.kind and not ({da.kind, de.kind} <= {"i", "u"}):
            raise _Mismatch(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
        rtol, atol = tol or _tolerances(da, de)
        a = np.asarray(actual, dtype=np.result_type(da, de))
        e = np.asarray(expected, dtype=np.result_type(da, de))
        _compare_values(a, e, rtol, atol, equal_nan, True, False)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(
            expected, collections.abc.Mapping):
        ka, ke = set(actual), set(expected)
        if ka != ke:
            raise _Mismatch(
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(ke - ka, key=repr)}\n"
                f"Additional keys in the actual mapping: {sorted(ka - ke, key=repr)}")
        for k in expected:
            _compare(actual[k], expected[k], tol, equal_nan, check_dtype, allow_subclasses,
                     f"{path}[{k!r}]")
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(f"The length of the sequences mismatch: {len(actual)} != "
                            f"{len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, tol, equal_nan, check_dtype, allow_subclasses, f"{path}[{i}]")
        return
    _no_pair(actual, expected)


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, (str, bytes))


def _no_pair(actual, expected):
    raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and "
                    f"{type(expected)}.")


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg: str | Callable[[str], str] | None = None) -> None:
    """Raise ``AssertionError`` unless ``actual`` and ``expected`` are close (``torch.testing``'s).

    Close means ``|actual - expected| <= atol + rtol * |expected|`` elementwise, with equal shapes
    (and dtypes, unless ``check_dtype=False``). Without ``rtol``/``atol`` the tolerances are
    PyTorch's for the dtypes (float16 1e-3/1e-5, float32 1.3e-6/1e-5, float64 1e-7/1e-7; other
    dtypes exact). Containers are compared item by item.

    Args:
        actual (Tensor, array, number or container): the value to check.
        expected (Tensor, array, number or container): the reference.
        allow_subclasses (bool): accept matching subclasses. Default: True.
        rtol (float, optional): relative tolerance (with ``atol``).
        atol (float, optional): absolute tolerance (with ``rtol``).
        equal_nan (bool): count two NaNs as equal. Default: False.
        check_device (bool): accepted (one device). Default: True.
        check_dtype (bool): require equal dtypes. Default: True.
        check_layout (bool): accepted (one layout). Default: True.
        check_stride (bool): accepted. Default: False.
        msg (str or callable, optional): a message replacing the default one, or a callable that
            receives it and returns the one to raise.

    Example::

        >>> import autograd_core as ag
        >>> ag.testing.assert_close(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.0 + 1e-7]))
        >>> try:
        ...     ag.testing.assert_close(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.1]))
        ... except AssertionError as e:
        ...     print(str(e).splitlines()[0])
        Tensor-likes are not close!
    """
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError("Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {missing}.")
    tol = None if rtol is None else (rtol, atol)
    try:
        _compare(actual, expected, tol, equal_nan, check_dtype, allow_subclasses, "")
    except _Mismatch as exc:
        message = exc.message
        if exc.path:
            message += f"\n\nThe failure occurred for item {exc.path}"
        if callable(msg):
            message = msg(message)
        elif msg is not None:
            message = msg
        raise AssertionError(message) from None


# assert_allclose's looser defaults (PyTorch's for the deprecated function), by dtype
_ALLCLOSE_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-3),
    np.dtype(np.float32): (1e-4, 1e-5),
    np.dtype(np.float64): (1e-5, 1e-8),
}


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True, msg: str = "") -> None:
    """PyTorch's deprecated ``torch.testing.assert_allclose`` (older course tests call it):
    :func:`assert_close` with dtypes not compared, NaNs equal by default and looser default
    tolerances (float16 1e-3/1e-3, float32 1e-4/1e-5, float64 1e-5/1e-8: the larger of the
    two inputs' dtypes'); non-tensors are made tensors, ``expected`` in ``actual``'s dtype.
    Warns FutureWarning, as PyTorch's.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ag.testing.assert_allclose(ag.tensor([1.0, 2.0]), [1.00005, 2.0])
    """
    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning, stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = _tensor(actual)
    if not isinstance(expected, Tensor):
        expected = _tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        pairs = [_ALLCLOSE_TOLERANCES.get(t._data.dtype, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(r for r, _ in pairs), max(a for _, a in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_dtype=False, msg=msg or None)


def make_tensor(*shape: Any, dtype: Any, device: Any, low: float | None = None,
                high: float | None = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format: Any = None) -> Tensor:
    """A tensor of ``shape`` filled with random values for tests, as PyTorch's: integers drawn
    from ``[low, high)`` (default ``[-9, 10)``, clamped to the dtype), bools 0 or 1, floats and
    each part of complex numbers uniform in ``[low, high)`` (default ``[-9, 9)``). The draws
    come from the default generator (PyTorch's stream differs, its distribution does not).

    Args:
        *shape (int or sequence of int): the shape.
        dtype (dtype): the dtype (keyword only, required).
        device (device or str): ``"cpu"`` (keyword only, required).
        low (number, optional): the smallest value (inclusive).
        high (number, optional): the bound the values stay below.
        requires_grad (bool): a floating or complex result requires grad. Default: ``False``.
        noncontiguous (bool): give a non-contiguous view (when it has more than one element).
        exclude_zero (bool): replace zeros by 1 (integers) or the dtype's smallest normal.
        memory_format (memory_format, optional): lay the result out so (not with
            ``noncontiguous``).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.testing import make_tensor
        >>> t = make_tensor(2, 3, dtype=ag.int64, device="cpu", low=0, high=4)
        >>> t.shape, t.dtype, bool(((t >= 0) & (t < 4)).all())
        (autograd_core.Size([2, 3]), autograd_core.int64, True)
    """
    import math
    import warnings

    import autograd_core

    ag: Any = autograd_core
    tdt = ag.tensor([], dtype=dtype).dtype
    dt, shown = np.dtype(tdt), repr(tdt)  # shown: autograd_core.int64, as torch.int64
    integral = dt.kind in "biu"
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    if requires_grad and integral:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral dtypes,"
                         f" but got dtype={shown}")
    lowest: float
    highest: float
    if dt.kind == "b":
        lowest, highest, default = 0, 2, (0, 2)
    elif integral:
        ints = np.iinfo(dt)
        lowest, highest, default = int(ints.min), int(ints.max) + (dt != np.int64), (-9, 10)
    else:
        lowest, highest, default = float(-np.finfo(dt).max), float(np.finfo(dt).max), (-9, 9)
    low = default[0] if low is None else low
    high = default[1] if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and not integral:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex"
                      " types is deprecated since 2.1 and will be removed in 2.3. Use "
                      "`torch.full(...)` instead.", FutureWarning, stacklevel=2)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {shown} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if integral:
        result = ag.randint(math.ceil(low), math.ceil(high), shape, dtype=dtype, device=device)
    else:
        result = ag.empty(shape, dtype=dtype, device=device)
        parts = ag.view_as_real(result) if dt.kind == "c" else result
        if high - low >= float(np.finfo(dt).max):  # the width itself would overflow
            parts.uniform_(low / 2, high / 2).mul_(2)
        else:
            parts.uniform_(low, high)
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if integral else float(np.finfo(dt).tiny)
    if not integral:
        result.requires_grad_(requires_grad)
    return result
