"""Loss landscapes (Li, Xu, Taylor, Studer & Goldstein, "Visualizing the Loss Landscape of Neural
Nets", NeurIPS 2018): the loss along a line through parameter space and over a plane spanned by
two filter-normalised random directions, for any model and any loss closure.

    closure = lambda: loss_fn(model(X), y)               # evaluated without recording
    d1 = landscape.random_direction(model, generator=g)  # filter-normalised, biases/BN zeroed
    d2 = landscape.random_direction(model, generator=g)
    losses = landscape.surface(model, closure, d1, d2, np.linspace(-1, 1, 21),
                               np.linspace(-1, 1, 21))    # shape (21, 21): [y, x]
    losses = landscape.interpolate(model, closure, start, end, np.linspace(-0.5, 1.5, 41))

Parameters sets and directions are dicts ``{name: numpy array}`` keyed like
``model.named_parameters()`` (:func:`parameters_of` takes one). Only parameters move: buffers
(batch norm's running statistics) stay as they are, as in the paper's code; put the model in
``eval()`` mode first if its batch norm layers should use them. Every function restores the
model's parameters when it returns, also on error.

Filter normalisation (Li et al., section 4): a random Gaussian direction ``d`` is rescaled, for
every weight of two or more dimensions and every *filter* ``i`` of it (the slice ``[i]`` along
dim 0: one output unit of a ``Linear`` weight, one output channel of a convolution's), to the
norm of the same filter of the weights: ``d[i] <- d[i] / ||d[i]|| * ||theta[i]||``. This removes
the scale invariance of ReLU networks from the picture, so that the plots of two networks can
be compared. One-dimensional parameters (biases, batch-norm weights and biases) get a zero
direction by default (``ignore="biasbn"``, the paper's setting); with ``ignore=None`` their
direction is the parameter itself, as in the paper's code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import random as _random

__all__ = ["parameters_of", "random_direction", "filter_normalize", "interpolate", "line",
           "surface"]

Params = Mapping[str, np.ndarray]


def parameters_of(model) -> dict[str, np.ndarray]:
    """A copy of ``model``'s parameters as ``{name: numpy array}`` (float64), e.g. the start or
    the end of :func:`interpolate`.

    Example::

        >>> import nn
        >>> from nn.utils import landscape
        >>> {k: v.shape for k, v in landscape.parameters_of(nn.Linear(3, 2)).items()}
        {'weight': (2, 3), 'bias': (2,)}
    """
    return {name: np.array(p._data, dtype=np.float64) for name, p in model.named_parameters()}


def _as_arrays(params, model, what: str) -> dict[str, np.ndarray]:
    """``params`` (a dict of arrays or tensors, e.g. a state_dict) checked against ``model``:
    every parameter present with its shape; extra keys (buffers) are ignored."""
    if not isinstance(params, Mapping):
        raise TypeError(f"landscape: {what} must be a dict of arrays keyed by parameter name, "
                        f"got {type(params).__name__}")
    out = {}
    for name, p in model.named_parameters():
        if name not in params:
            raise KeyError(f"landscape: {what} has no entry for parameter {name!r}")
        value = params[name]
        a = np.asarray(value._data if isinstance(value, ag.Tensor) else value, dtype=np.float64)
        if a.shape != tuple(p.shape):
            raise ValueError(f"landscape: {what}[{name!r}] has shape {a.shape}, the parameter "
                             f"has {tuple(p.shape)}")
        out[name] = a
    return out


def filter_normalize(direction: Params, weights: Params, ignore: str | None = "biasbn"
                     ) -> dict[str, np.ndarray]:
    r"""Li et al.'s filter normalisation of ``direction`` to the scale of ``weights``.

    For each entry of two or more dimensions, every filter ``d[i]`` (slice along dim 0) is
    rescaled to ``d[i] / ||d[i]|| * ||w[i]||`` (a zero filter stays zero). One-dimensional
    entries (biases, batch-norm parameters) become zeros with ``ignore="biasbn"`` (default)
    and a copy of the weights with ``ignore=None``.

    Args:
        direction (dict): ``{name: array}``.
        weights (dict): ``{name: array}`` with the same names and shapes.
        ignore (str or None): ``"biasbn"`` or ``None``, see above.

    Returns:
        a new dict of float64 arrays.

    Example::

        >>> import numpy as np
        >>> from nn.utils.landscape import filter_normalize
        >>> d = filter_normalize({"w": np.array([[3.0, 4.0], [1.0, 0.0]]), "b": np.ones(2)},
        ...                      {"w": np.array([[0.0, 1.0], [2.0, 0.0]]), "b": np.ones(2)})
        >>> d["w"].round(6).tolist(), d["b"].tolist()
        ([[0.6, 0.8], [2.0, 0.0]], [0.0, 0.0])
    """
    if ignore not in ("biasbn", None):
        raise ValueError(f"filter_normalize: ignore must be 'biasbn' or None, got {ignore!r}")
    out = {}
    for name, d in direction.items():
        if name not in weights:
            raise KeyError(f"filter_normalize: no weights for {name!r}")
        d = np.asarray(d, dtype=np.float64)
        w = np.asarray(weights[name], dtype=np.float64)
        if d.shape != w.shape:
            raise ValueError(f"filter_normalize: direction[{name!r}] has shape {d.shape}, the "
                             f"weights {w.shape}")
        if d.ndim <= 1:
            out[name] = np.zeros_like(d) if ignore == "biasbn" else w.copy()
            continue
        axes = tuple(range(1, d.ndim))
        d_norm = np.sqrt(np.sum(d * d, axis=axes, keepdims=True))
        w_norm = np.sqrt(np.sum(w * w, axis=axes, keepdims=True))
        scale = np.divide(w_norm, d_norm, out=np.zeros_like(d_norm), where=d_norm > 0)
        out[name] = d * scale
    return out


def random_direction(model, filter_normalization: bool = True, ignore: str | None = "biasbn",
                     generator=None) -> dict[str, np.ndarray]:
    r"""A random direction in ``model``'s parameter space: standard normal entries, filter
    normalised to the model's current weights (:func:`filter_normalize`) by default.

    Args:
        model (Module): the model whose parameters set the names, shapes and scales.
        filter_normalization (bool): rescale per filter (default ``True``); ``False`` returns
            the raw Gaussian direction (the paper's "no normalisation" baseline).
        ignore (str or None): ``"biasbn"`` (default) zeros 1-D parameters' directions, ``None``
            keeps them (see :func:`filter_normalize`).
        generator (Generator, optional): ``autograd_core.Generator`` or
            ``numpy.random.Generator`` to draw from; by default the project's, so
            ``ag.manual_seed`` makes it reproducible.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import nn
        >>> from nn.utils import landscape
        >>> _ = ag.manual_seed(0)
        >>> layer = nn.Linear(4, 3)
        >>> d = landscape.random_direction(layer)
        >>> np.allclose(np.linalg.norm(d["weight"], axis=1),
        ...             np.linalg.norm(layer.weight.data, axis=1)), d["bias"].tolist()
        (True, [0.0, 0.0, 0.0])
    """
    rng = _random.generator(generator, "random_direction")
    weights = parameters_of(model)
    direction = {name: rng.standard_normal(w.shape) for name, w in weights.items()}
    if not filter_normalization:
        return direction
    return filter_normalize(direction, weights, ignore)


class _Moved:
    """Context: the model's parameters at ``center + sum_k a_k * direction_k``, restored on
    exit; ``closure()`` evaluated there without recording."""

    def __init__(self, model, closure):
        if not callable(closure):
            raise TypeError(f"landscape: closure must be callable (returning the loss), got "
                            f"{type(closure).__name__}")
        self.params = dict(model.named_parameters())
        if not self.params:
            raise ValueError("landscape: the model has no parameters")
        self.saved = {name: p._data.copy() for name, p in self.params.items()}
        self.closure = closure

    def loss_at(self, arrays: Mapping[str, np.ndarray]) -> float:
        for name, p in self.params.items():
            p._data[...] = arrays[name]
        with ag.no_grad():
            value = self.closure()
        value = value.item() if isinstance(value, ag.Tensor) else float(value)
        return value

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for name, p in self.params.items():
            p._data[...] = self.saved[name]


def _grid(values, what: str) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"landscape: {what} must be a non-empty 1-D sequence of finite "
                         f"numbers, got shape {a.shape}")
    return a


def interpolate(model, closure: Callable[[], object], start: Params, end: Params,
                alphas: Sequence[float] | np.ndarray) -> np.ndarray:
    r"""The loss along the straight line between two parameter sets:
    ``closure()`` at ``theta(alpha) = (1 - alpha) * start + alpha * end`` for each alpha
    (Goodfellow et al.'s 1-D interpolation; alpha outside [0, 1] extrapolates).

    Args:
        model (Module): the model whose parameters are moved (and restored afterwards).
        closure (callable): ``closure()`` returns the loss (a one-element Tensor or a number)
            of the model as it is; it runs under ``no_grad``.
        start, end (dict): parameter sets ``{name: array or Tensor}`` (e.g. from
            :func:`parameters_of` or a ``state_dict``).
        alphas (sequence of float): where to evaluate.

    Returns:
        numpy array of the losses, one per alpha.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import nn
        >>> from nn.utils import landscape
        >>> w = nn.Linear(1, 1, bias=False)
        >>> closure = lambda: (w.weight ** 2).sum()          # loss = w^2
        >>> landscape.interpolate(w, closure, {"weight": [[1.0]]}, {"weight": [[3.0]]},
        ...                       [0.0, 0.5, 1.0]).tolist()
        [1.0, 4.0, 9.0]
    """
    alphas = _grid(alphas, "alphas")
    with _Moved(model, closure) as moved:
        a = _as_arrays(start, model, "start")
        b = _as_arrays(end, model, "end")
        return np.array([moved.loss_at({k: (1 - t) * a[k] + t * b[k] for k in a})
                         for t in alphas])


def line(model, closure: Callable[[], object], direction: Params,
         alphas: Sequence[float] | np.ndarray, center: Params | None = None) -> np.ndarray:
    r"""The loss along ``direction`` through ``center``: ``closure()`` at
    ``center + alpha * direction`` for each alpha.

    Args:
        model, closure: as in :func:`interpolate`.
        direction (dict): ``{name: array}``, e.g. from :func:`random_direction`.
        alphas (sequence of float): the steps along it.
        center (dict, optional): the parameter set to start from; default: the model's
            current parameters.

    Returns:
        numpy array of the losses, one per alpha.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> from nn.utils import landscape
        >>> w = nn.Linear(1, 1, bias=False)
        >>> with ag.no_grad():
        ...     _ = w.weight.fill_(1.0)
        >>> closure = lambda: (w.weight ** 2).sum()
        >>> landscape.line(w, closure, {"weight": [[1.0]]}, [-1.0, 0.0, 1.0]).tolist()
        [0.0, 1.0, 4.0]
    """
    alphas = _grid(alphas, "alphas")
    with _Moved(model, closure) as moved:
        c = _as_arrays(parameters_of(model) if center is None else center, model, "center")
        d = _as_arrays(direction, model, "direction")
        return np.array([moved.loss_at({k: c[k] + t * d[k] for k in c}) for t in alphas])


def surface(model, closure: Callable[[], object], x_direction: Params, y_direction: Params,
            xs: Sequence[float] | np.ndarray, ys: Sequence[float] | np.ndarray,
            center: Params | None = None) -> np.ndarray:
    r"""The loss over a plane: ``closure()`` at ``center + x * x_direction + y * y_direction``
    for every ``x`` in ``xs`` and ``y`` in ``ys`` (Li et al.'s 2-D plot with two
    filter-normalised random directions).

    Args:
        model, closure: as in :func:`interpolate`.
        x_direction, y_direction (dict): ``{name: array}``, e.g. two :func:`random_direction`
            draws (nearly orthogonal in high dimension).
        xs, ys (sequence of float): the grid's coordinates.
        center (dict, optional): default: the model's current parameters.

    Returns:
        numpy array of shape ``(len(ys), len(xs))``, rows along y (as ``plt.contour(xs, ys, Z)``
        expects).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> from nn.utils import landscape
        >>> w = nn.Linear(2, 1, bias=False)
        >>> with ag.no_grad():
        ...     _ = w.weight.zero_()
        >>> closure = lambda: (w.weight ** 2).sum()          # x^2 + y^2 on the unit axes
        >>> landscape.surface(w, closure, {"weight": [[1.0, 0.0]]}, {"weight": [[0.0, 1.0]]},
        ...                   [0.0, 1.0, 2.0], [0.0, 1.0]).tolist()
        [[0.0, 1.0, 4.0], [1.0, 2.0, 5.0]]
    """
    xs, ys = _grid(xs, "xs"), _grid(ys, "ys")
    with _Moved(model, closure) as moved:
        c = _as_arrays(parameters_of(model) if center is None else center, model, "center")
        dx = _as_arrays(x_direction, model, "x_direction")
        dy = _as_arrays(y_direction, model, "y_direction")
        out = np.empty((ys.size, xs.size))
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                out[i, j] = moved.loss_at({k: c[k] + x * dx[k] + y * dy[k] for k in c})
        return out
