"""``autograd_core.amp``: PyTorch's gradient scaler for mixed-precision training.

``GradScaler`` multiplies the loss by a scale factor before ``backward``, divides the
gradients by it before the optimizer step, skips a step whose gradients hold inf or NaN and
adapts the scale, with PyTorch's defaults and update rule. Programs written for a GPU build it
as ``torch.cuda.amp.GradScaler(enabled=...)`` or ``torch.amp.GradScaler("cuda")``; as in a
PyTorch without CUDA, a scaler for ``"cuda"`` warns and disables itself, and a disabled scaler
passes everything through (``scale(loss)`` is ``loss``, ``step(opt)`` is ``opt.step()``).
``autocast`` exists for the programs that write ``with torch.autocast(device, enabled=amp)``:
disabled (and for ``"cuda"``, disabled with PyTorch's warning) it is a pass-through; enabled on
the CPU it refuses, as tapegrad has no reduced-precision autocasting (numpy has no bfloat16).
"""

from __future__ import annotations

import functools
import sys
import types
import warnings
from typing import Any

import numpy as np

from autograd_core.device import device as _device

__all__ = ["GradScaler", "autocast", "is_autocast_available", "is_autocast_enabled", "custom_fwd",
           "custom_bwd"]


class GradScaler:
    r"""Scale the loss and unscale the gradients (PyTorch's ``torch.amp.GradScaler``).

    Args:
        device (str): ``"cpu"`` or ``"cuda"``; a ``"cuda"`` scaler warns and disables itself
            (no CUDA here). Default: ``"cuda"``, as PyTorch.
        init_scale (float): the first scale factor. Default: ``2.**16``.
        growth_factor (float): scale multiplier after ``growth_interval`` steps without inf/NaN.
        backoff_factor (float): scale multiplier after a step with inf/NaN gradients.
        growth_interval (int): steps without inf/NaN between growths. Default: 2000.
        enabled (bool): False makes every method a pass-through. Default: True.

    Example::

        >>> import autograd_core as ag, nn, optimizers
        >>> w = nn.Parameter(ag.tensor([1.0, 2.0]))
        >>> opt = optimizers.SGD([w], lr=0.1)
        >>> scaler = ag.amp.GradScaler("cpu", init_scale=4.0)
        >>> scaler.scale((w * w).sum()).backward()
        >>> w.grad
        tensor([ 8., 16.])
        >>> scaler.step(opt); scaler.update()
        >>> w.detach(), scaler.get_scale()
        (tensor([0.8000, 1.6000]), 4.0)
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if device not in ("cpu", "cuda"):
            raise RuntimeError(f"GradScaler: device must be 'cpu' or 'cuda', got {device!r}")
        if enabled and device == "cuda":
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            enabled = False
        if enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._device = device
        self._enabled = bool(enabled)
        self._scale = float(np.float32(init_scale))
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict[str, bool]] = {}

    def is_enabled(self) -> bool:
        """Whether the scaler scales (``False``: every method passes through).

        Example::

            >>> import autograd_core as ag
            >>> ag.amp.GradScaler("cpu", enabled=False).is_enabled()
            False
        """
        return self._enabled

    def get_scale(self) -> float:
        """The current scale factor (1.0 when disabled).

        Example::

            >>> import autograd_core as ag
            >>> ag.amp.GradScaler("cpu").get_scale()
            65536.0
        """
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        """The scale's multiplier after ``growth_interval`` clean steps (PyTorch's getter; the
        other five read or set ``backoff_factor`` and ``growth_interval`` alike).

        Example::

            >>> import autograd_core as ag
            >>> s = ag.amp.GradScaler("cpu", growth_factor=3.0)
            >>> s.set_growth_interval(10); s.set_backoff_factor(0.25)
            >>> s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval()
            (3.0, 0.25, 10)
        """
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Set the growth factor (see :meth:`get_growth_factor`)."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The scale's multiplier after a step with inf/NaN gradients."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Set the backoff factor (see :meth:`get_growth_factor`)."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """The number of clean steps between growths."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Set the growth interval (see :meth:`get_growth_factor`)."""
        self._growth_interval = new_interval

    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a Tensor or nested lists/tuples of Tensors) times the scale factor.

        Example::

            >>> import autograd_core as ag
            >>> ag.amp.GradScaler("cpu", init_scale=8.0).scale(ag.tensor(0.5))
            tensor(4.)
        """
        if not self._enabled:
            return outputs
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        # PyTorch's scale is a 0-d float32 tensor: a 0-d float16 loss is promoted to float32
        # (60000 * 2**16 would overflow float16), a batched one stays float16
        from autograd_core.creation import tensor
        return outputs * tensor(self._scale, dtype=np.float32)

    def _state(self, optimizer: Any) -> dict[str, bool]:
        return self._per_optimizer.setdefault(
            id(optimizer), {"unscaled": False, "stepped": False, "found_inf": False})

    def unscale_(self, optimizer: Any) -> None:
        """Divide ``optimizer``'s gradients by the scale factor (in place), once per step,
        noting whether any is inf or NaN (before ``clip_grad_norm_``, as in PyTorch).

        Example::

            >>> import autograd_core as ag, nn, optimizers
            >>> w = nn.Parameter(ag.tensor([3.0]))
            >>> scaler = ag.amp.GradScaler("cpu", init_scale=4.0)
            >>> opt = optimizers.SGD([w], lr=0.1)
            >>> scaler.scale(w.sum()).backward(); scaler.unscale_(opt)
            >>> w.grad
            tensor([1.])
        """
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["unscaled"]:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stepped"]:
            raise RuntimeError("unscale_() is being called after step().")
        inv = np.float32(1.0) / np.float32(self._scale)
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad._data
                g *= inv.astype(g.dtype)
                found = found or not bool(np.isfinite(g).all())
        state["unscaled"], state["found_inf"] = True, found

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale (unless ``unscale_`` was called) and call ``optimizer.step(*args, **kwargs)``
        if no gradient is inf or NaN; returns its result, or None for a skipped step.

        Example::

            >>> import autograd_core as ag, nn, optimizers
            >>> w = nn.Parameter(ag.tensor([1.0]))
            >>> opt = optimizers.SGD([w], lr=0.5)
            >>> scaler = ag.amp.GradScaler("cpu")
            >>> w.grad = ag.tensor([float("inf")])
            >>> scaler.step(opt) is None, w.detach()  # skipped
            (True, tensor([1.]))
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        state = self._state(optimizer)
        if state["stepped"]:
            raise RuntimeError("step() has already been called since the last update().")
        if not state["unscaled"]:
            self.unscale_(optimizer)
        state["stepped"] = True
        return None if state["found_inf"] else optimizer.step(*args, **kwargs)

    def update(self, new_scale: float | None = None) -> None:
        """Adapt the scale factor: times ``backoff_factor`` if this step found inf/NaN,
        times ``growth_factor`` after ``growth_interval`` clean steps; or set ``new_scale``.

        Example::

            >>> import autograd_core as ag
            >>> s = ag.amp.GradScaler("cpu", init_scale=8.0, growth_interval=1)
            >>> s.update(); s.get_scale()
            16.0
        """
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(np.float32(float(new_scale)))
        elif any(s["found_inf"] for s in self._per_optimizer.values()):
            self._scale = float(np.float32(self._scale * self._backoff_factor))
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale = float(np.float32(self._scale * self._growth_factor))
                self._growth_tracker = 0
        self._per_optimizer.clear()

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's keys (``scale``, ``growth_factor``, ``backoff_factor``,
        ``growth_interval``, ``_growth_tracker``); empty when disabled.

        Example::

            >>> import autograd_core as ag
            >>> sorted(ag.amp.GradScaler("cpu").state_dict())
            ['_growth_tracker', 'backoff_factor', 'growth_factor', 'growth_interval', 'scale']
        """
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` gave.

        Example::

            >>> import autograd_core as ag
            >>> s = ag.amp.GradScaler("cpu"); s.load_state_dict({"scale": 2.0})
            >>> s.get_scale()
            2.0
        """
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict.get("growth_factor", self._growth_factor))
        self._backoff_factor = float(state_dict.get("backoff_factor", self._backoff_factor))
        self._growth_interval = int(state_dict.get("growth_interval", self._growth_interval))
        self._growth_tracker = int(state_dict.get("_growth_tracker", self._growth_tracker))


class autocast:  # noqa: N801 - PyTorch's name
    """PyTorch's ``torch.autocast`` context manager (and decorator), for programs that turn it
    off on the CPU: ``with torch.autocast(device.type, enabled=amp):`` with ``amp=False`` runs
    its body unchanged. ``device_type="cuda"`` warns and disables itself (no CUDA here), as a
    PyTorch without CUDA does. Enabled on the CPU it raises: tapegrad has no reduced-precision
    autocasting, and running in full precision instead would silently give other numbers.

    Args:
        device_type (str): ``"cpu"``, ``"cuda"``, ... (PyTorch's device types).
        dtype (dtype, optional): the reduced precision PyTorch would use.
        enabled (bool): whether autocasting is on. Default: ``True``.
        cache_enabled (bool, optional): accepted for PyTorch's signature.

    Example::

        >>> import autograd_core as ag
        >>> with ag.autocast("cpu", enabled=False):
        ...     y = ag.ones(2) * 3
        >>> y, ag.is_autocast_enabled("cpu")
        (tensor([3., 3.]), False)
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        self.device = _device(device_type).type  # PyTorch's error for an unknown type
        if not isinstance(enabled, bool):
            raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 2) must be "
                            f"bool, not {type(enabled).__name__}")
        if enabled and self.device == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          stacklevel=2)
            enabled = False
        if enabled:
            raise RuntimeError(
                f"autocast: reduced-precision autocasting ({self.device}) is not supported by "
                "tapegrad (numpy has no bfloat16); run in full precision with enabled=False")
        self.fast_dtype, self._enabled = dtype, enabled

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, func: Any) -> Any:
        import functools

        @functools.wraps(func)
        def decorated(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
        return decorated


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocasting is on: never here (see :class:`autocast`).

    Example::

        >>> import autograd_core as ag
        >>> ag.is_autocast_enabled()
        False
    """
    if device_type is not None:
        _device(device_type)
    return False


def is_autocast_available(device_type: str) -> bool:
    """Whether :class:`autocast` can run on ``device_type``: never here, so that a program
    asking before it enables autocast runs in full precision (PyTorch answers True for
    ``"cpu"`` and its GPU types; enabled here, autocast raises). An unknown device type
    raises PyTorch's error.

    Example::

        >>> import autograd_core as ag
        >>> ag.amp.is_autocast_available("cpu")
        False
    """
    if not isinstance(device_type, str):
        raise TypeError("_is_autocast_available(): argument 'device_type' (position 1) must be "
                        f"str, not {type(device_type).__name__}")
    _device(device_type)
    return False


def _check_device_type(device_type: Any) -> None:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")


def custom_fwd(fwd: Any = None, *, device_type: str, cast_inputs: Any = None) -> Any:
    """Decorator for a custom ``autograd.Function``'s ``forward`` under autocast (PyTorch's
    ``torch.amp.custom_fwd``). Autocasting is never on here, so ``forward`` runs with its
    inputs as given (``cast_inputs`` applies only inside an enabled autocast region, as in
    PyTorch); the ctx records that autocast was off, for :func:`custom_bwd`.

    Example::

        >>> import autograd_core as ag
        >>> class Double(ag.autograd.Function):
        ...     @staticmethod
        ...     @ag.amp.custom_fwd(device_type="cpu", cast_inputs=ag.float32)
        ...     def forward(ctx, x):
        ...         return x * 2
        ...     @staticmethod
        ...     @ag.amp.custom_bwd(device_type="cpu")
        ...     def backward(ctx, g):
        ...         return g * 2
        >>> x = ag.ones(2, requires_grad=True)
        >>> Double.apply(x).sum().backward()
        >>> x.grad
        tensor([2., 2.])
    """
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        args[0]._fwd_used_autocast = False
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd: Any = None, *, device_type: str) -> Any:
    """Decorator for a custom ``autograd.Function``'s ``backward`` (PyTorch's
    ``torch.amp.custom_bwd``): runs it with autocast as the forward had it (off here).
    See :func:`custom_fwd` for an example.

    Example::

        >>> import autograd_core as ag
        >>> ag.amp.custom_bwd(device_type="cuda")(lambda ctx, g: g)(None, 1)
        Traceback (most recent call last):
        ...
        AttributeError: 'NoneType' object has no attribute '_fwd_used_autocast'
    """
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast):
            return bwd(*args, **kwargs)
    return decorate_bwd


class _CudaAutocast(autocast):
    """``torch.cuda.amp.autocast`` (deprecated in PyTorch): ``autocast("cuda", ...)``, which
    warns and disables itself here (no CUDA)."""

    def __init__(self, enabled: bool = True, dtype: Any = None,
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", dtype, enabled, cache_enabled)


def _cuda_custom_fwd(fwd: Any = None, *, cast_inputs: Any = None) -> Any:
    """``torch.cuda.amp.custom_fwd`` (deprecated): ``custom_fwd(device_type="cuda")``."""
    warnings.warn("`torch.cuda.amp.custom_fwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_fwd(args..., device_type='cuda')` instead.", FutureWarning,
                  stacklevel=2)
    return custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def _cuda_custom_bwd(bwd: Any) -> Any:
    """``torch.cuda.amp.custom_bwd`` (deprecated): ``custom_bwd(device_type="cuda")``."""
    warnings.warn("`torch.cuda.amp.custom_bwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_bwd(args..., device_type='cuda')` instead.", FutureWarning,
                  stacklevel=2)
    return custom_bwd(bwd, device_type="cuda")


class _CudaGradScaler(GradScaler):
    """``torch.cuda.amp.GradScaler`` (deprecated in PyTorch): ``GradScaler("cuda", ...)``."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


_CudaGradScaler.__name__ = _CudaGradScaler.__qualname__ = "GradScaler"
_CudaAutocast.__name__ = _CudaAutocast.__qualname__ = "autocast"
_cuda_custom_fwd.__name__ = _cuda_custom_fwd.__qualname__ = "custom_fwd"
_cuda_custom_bwd.__name__ = _cuda_custom_bwd.__qualname__ = "custom_bwd"
cuda_amp = types.ModuleType("autograd_core.cuda.amp",
                            "``torch.cuda.amp``: GradScaler, autocast, custom_fwd, custom_bwd.")
cuda_amp.GradScaler = _CudaGradScaler  # type: ignore[attr-defined]
cuda_amp.autocast = _CudaAutocast  # type: ignore[attr-defined]
cuda_amp.custom_fwd = _cuda_custom_fwd  # type: ignore[attr-defined]
cuda_amp.custom_bwd = _cuda_custom_bwd  # type: ignore[attr-defined]
sys.modules.setdefault("autograd_core.cuda.amp", cuda_amp)
