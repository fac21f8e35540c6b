"""Classic optimization test problems, as tensors-in / tensors-out functions.

Each problem is written with operators only (``+ - * ** @``, slicing, ``.sum()``), so it is
differentiable through the autograd engine when called on an ``autograd_core.Tensor`` and also
evaluates on a plain numpy array. ``problem.grad(x)`` gives the analytic gradient (numpy) for
tests that should not depend on the engine.

    from optimizers.test_functions import ROSENBROCK
    x = ag.tensor(ROSENBROCK.start, requires_grad=True)
    loss = ROSENBROCK(x); loss.backward()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = [
    "TestProblem",
    "rosenbrock",
    "beale",
    "saddle",
    "ill_conditioned_quadratic",
    "ROSENBROCK",
    "BEALE",
    "SADDLE",
    "QUADRATIC",
    "PROBLEMS",
]


@dataclass(frozen=True)
class TestProblem:
    """A function with its known minimiser(s) ``minima``, minimum value ``f_min``, customary
    starting point ``start`` and analytic gradient ``grad``. Calling it evaluates ``fn``.

    Example::

        >>> import autograd_core as ag
        >>> from optimizers.test_functions import ROSENBROCK
        >>> x = ag.tensor(ROSENBROCK.start, requires_grad=True)
        >>> loss = ROSENBROCK(x)
        >>> loss.backward()
        >>> x.grad.tolist(), ROSENBROCK.grad(ROSENBROCK.start).tolist()
        ([-155.0, -50.0], [-155.0, -50.0])
        >>> ROSENBROCK.distance_to_minimum(ROSENBROCK.minimum)
        0.0
    """

    __test__ = False  # not a pytest class

    name: str
    fn: Callable
    grad: Callable
    minima: tuple
    f_min: float
    start: np.ndarray
    notes: str = ""
    extra: dict = field(default_factory=dict)

    def __call__(self, x: Any) -> Any:
        return self.fn(x)

    @property
    def minimum(self) -> np.ndarray:
        """The (first) global minimiser."""
        return self.minima[0]

    def distance_to_minimum(self, x: Any) -> float:
        """Euclidean distance from ``x`` (array or Tensor) to the nearest minimiser."""
        x = np.asarray(getattr(x, "_data", x), dtype=np.float64)
        return min(float(np.linalg.norm(x - m)) for m in self.minima)


def rosenbrock(x: Any, a: float = 1.0, b: float = 100.0) -> Any:
    r"""Rosenbrock's banana, n-dimensional: :math:`\sum_i b(x_{i+1} - x_i^2)^2 + (a - x_i)^2`.
    Minimum 0 at :math:`(a, a^2, ...)` (all ones for a = 1); a long curved valley.

    Example::

        >>> import numpy as np
        >>> from optimizers.test_functions import rosenbrock
        >>> float(rosenbrock(np.array([1.0, 1.0]))), float(rosenbrock(np.array([0.0, 0.0])))
        (0.0, 1.0)
    """
    head, tail = x[:-1], x[1:]
    return (b * (tail - head**2) ** 2 + (a - head) ** 2).sum()


def rosenbrock_grad(x: Any, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    r = x[1:] - x[:-1] ** 2
    g[:-1] += -4 * b * x[:-1] * r - 2 * (a - x[:-1])
    g[1:] += 2 * b * r
    return g


def beale(x: Any) -> Any:
    r"""Beale's function :math:`(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`.
    Minimum 0 at (3, 0.5); flat plateaus and steep ridges near the corners.

    Example::

        >>> import numpy as np
        >>> from optimizers.test_functions import beale
        >>> float(beale(np.array([3.0, 0.5])))
        0.0
    """
    u, v = x[0], x[1]
    return (1.5 - u + u * v) ** 2 + (2.25 - u + u * v**2) ** 2 + (2.625 - u + u * v**3) ** 2


def beale_grad(x: Any) -> np.ndarray:
    u, v = (float(t) for t in np.asarray(x, dtype=np.float64))
    t1, t2, t3 = 1.5 - u + u * v, 2.25 - u + u * v**2, 2.625 - u + u * v**3
    gu = 2 * t1 * (v - 1) + 2 * t2 * (v**2 - 1) + 2 * t3 * (v**3 - 1)
    gv = 2 * t1 * u + 2 * t2 * 2 * u * v + 2 * t3 * 3 * u * v**2
    return np.array([gu, gv])


def saddle(x: Any) -> Any:
    r""":math:`f(x, y) = x^2 + y^4/4 - y^2`: a saddle point at the origin (gradient 0, Hessian
    diag(2, -2)) between two global minima :math:`(0, \pm\sqrt 2)` with :math:`f = -1`. Started
    on the x axis, plain gradient descent converges to the saddle; any y-perturbation or
    momentum/adaptivity escapes it.

    Example::

        >>> import numpy as np
        >>> from optimizers.test_functions import saddle
        >>> float(saddle(np.array([0.0, 0.0]))), round(float(saddle(np.array([0.0, 2 ** 0.5]))), 6)
        (0.0, -1.0)
    """
    u, v = x[0], x[1]
    return u**2 + v**4 / 4 - v**2


def saddle_grad(x: Any) -> np.ndarray:
    u, v = (float(t) for t in np.asarray(x, dtype=np.float64))
    return np.array([2 * u, v**3 - 2 * v])


def _quadratic_parts(dim, condition, rotate, seed):
    h = np.logspace(0, np.log10(condition), dim)
    if rotate:
        q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((dim, dim)))
    else:
        q = np.eye(dim)
    center = np.linspace(-1.0, 1.0, dim)
    return h, q, center


def ill_conditioned_quadratic(dim: int = 10, condition: float = 1e3, rotate: bool = True,
                              seed: int = 0) -> TestProblem:
    r"""An ill-conditioned convex quadratic problem
    :math:`f(x) = \tfrac12 (x - c)^\top Q^\top H Q (x - c)` with eigenvalues :math:`H` log-spaced
    from 1 to ``condition`` and (if ``rotate``) a random rotation :math:`Q`, so the valley is not
    axis-aligned. Minimum 0 at :math:`c` = linspace(-1, 1, dim). Gradient descent needs
    O(condition) steps; momentum O(sqrt(condition)).

    Args:
        dim (int): the dimension. Default: ``10``.
        condition (float): ratio of the largest to the smallest Hessian eigenvalue.
            Default: ``1e3``.
        rotate (bool): rotate the axes at random. Default: ``True``.
        seed (int): seed of the rotation. Default: ``0``.

    Example::

        >>> from optimizers.test_functions import ill_conditioned_quadratic
        >>> q = ill_conditioned_quadratic(dim=3, condition=100.0)
        >>> q.name, float(q(q.minimum)), q.start.tolist()
        ('quadratic(dim=3, condition=100)', 0.0, [0.0, 0.0, 0.0])
    """
    h, q, center = _quadratic_parts(dim, condition, rotate, seed)

    def fn(x):
        z = (x - center) @ q.T
        return (z**2 * h).sum() * 0.5

    def grad(x):
        z = (np.asarray(x, dtype=np.float64) - center) @ q.T
        return (z * h) @ q

    return TestProblem(
        name=f"quadratic(dim={dim}, condition={condition:g})", fn=fn, grad=grad,
        minima=(center,), f_min=0.0, start=np.zeros(dim),
        notes="Hessian eigenvalues logspace(0, log10(condition))",
        extra={"hessian": q.T @ np.diag(h) @ q, "condition": condition})


ROSENBROCK = TestProblem("rosenbrock", rosenbrock, rosenbrock_grad, (np.array([1.0, 1.0]),),
                         0.0, np.array([-1.5, 2.0]))
BEALE = TestProblem("beale", beale, beale_grad, (np.array([3.0, 0.5]),), 0.0,
                    np.array([1.0, 1.5]))
SADDLE = TestProblem("saddle", saddle, saddle_grad,
                     (np.array([0.0, np.sqrt(2.0)]), np.array([0.0, -np.sqrt(2.0)])), -1.0,
                     np.array([1.0, 1e-3]), notes="saddle point at the origin")
QUADRATIC = ill_conditioned_quadratic()
PROBLEMS = {p.name.split("(")[0]: p for p in (ROSENBROCK, BEALE, SADDLE, QUADRATIC)}
