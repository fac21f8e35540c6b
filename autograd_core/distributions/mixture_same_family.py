"""PyTorch's ``torch.distributions.mixture_same_family``: ``MixtureSameFamily``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.categorical import Categorical
from autograd_core.distributions.constraints import Constraint, MixtureSameFamilyConstraint
from autograd_core.distributions.distribution import Distribution

__all__ = ["MixtureSameFamily"]


class MixtureSameFamily(Distribution):
    r"""A mixture of ``K`` components of one family, as
    ``torch.distributions.MixtureSameFamily``: ``mixture_distribution`` (a ``Categorical``)
    picks one of the ``K`` distributions in the rightmost batch dimension of
    ``component_distribution``. ``log_prob`` (a logsumexp over the components), ``cdf``,
    ``mean`` and ``variance`` are differentiable; ``sample`` is not reparameterised.

    Args:
        mixture_distribution (Categorical): the mixture weights, batch ``B``, ``K`` events.
        component_distribution: a distribution with batch ``B + (K,)``.
        validate_args (bool, optional): check ``log_prob``'s values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Categorical, MixtureSameFamily, Normal
        >>> gmm = MixtureSameFamily(Categorical(probs=ag.tensor([0.5, 0.5])),
        ...                         Normal(ag.tensor([-1.0, 1.0]), ag.tensor([1.0, 1.0])))
        >>> gmm.log_prob(ag.tensor([0.0])), gmm.mean, gmm.variance
        (tensor([-1.4189]), tensor(0.), tensor(2.))
    """

    def __init__(self, mixture_distribution: Categorical, component_distribution: Any,
                 validate_args: builtins.bool | None = None) -> None:
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(" The Mixture distribution needs to be an  instance of "
                             "torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution need to be an instance of "
                             "torch.distributions.Distribution")
        mdbs = tuple(mixture_distribution.batch_shape)
        cdbs = tuple(component_distribution.batch_shape)[:-1]
        for size1, size2 in zip(reversed(mdbs), reversed(cdbs)):
            if size1 != 1 and size2 != 1 and size1 != size2:
                raise ValueError(f"`mixture_distribution.batch_shape` ({Size(mdbs)}) is not "
                                 f"compatible with `component_distribution.batch_shape`"
                                 f"({Size(cdbs)})")
        km = mixture_distribution.param_shape[-1]
        kc = component_distribution.batch_shape[-1] if component_distribution.batch_shape \
            else None
        if km != kc:
            raise ValueError(f"`mixture_distribution component` ({km}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({kc})")
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = km
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(cdbs, component_distribution.event_shape, validate_args)

    def __repr__(self) -> str:
        return (f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n  "
                f"{self._component_distribution!r})")

    @property
    def mixture_distribution(self) -> Categorical:
        return self._mixture_distribution

    @property
    def component_distribution(self) -> Any:
        return self._component_distribution

    @property
    def support(self) -> Any:  # type: ignore[override]
        """The components' support, checked per component (PyTorch's constraint)."""
        base = getattr(self._component_distribution, "support", None)
        return MixtureSameFamilyConstraint(base) if isinstance(base, Constraint) else base

    def expand(self, batch_shape: Any, _instance: Any = None) -> MixtureSameFamily:
        shape = tuple(Size(batch_shape))
        comp = self._component_distribution.expand(shape + (self._num_component,))
        mix = self._mixture_distribution
        mix = Categorical(logits=mix.logits.expand(shape + (self._num_component,)),
                          validate_args=False)
        return MixtureSameFamily(mix, comp, self._validate)

    def _pad(self, x: Tensor) -> Tensor:
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, x: Tensor) -> Tensor:
        dist_ndims = len(self._batch_shape)
        cat_ndims = len(self._mixture_distribution.batch_shape)
        pad = 0 if cat_ndims == 1 else dist_ndims - cat_ndims
        shape = tuple(x.shape)
        return x.reshape(shape[:-1] + (1,) * pad + shape[-1:] + (1,) * self._event_ndims)

    @property
    def mean(self) -> Tensor:
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        return (probs * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self) -> Tensor:
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        comp = self._component_distribution
        dim = -1 - self._event_ndims
        mean_cond_var = (probs * comp.variance).sum(dim)
        var_cond_mean = (probs * (comp.mean - self._pad(self.mean)).pow(2)).sum(dim)
        return mean_cond_var + var_cond_mean

    def cdf(self, x: Tensor) -> Tensor:
        cdf_x = self._component_distribution.cdf(self._pad(x))
        return (cdf_x * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, x: Tensor) -> Tensor:
        if self._validate:
            if not isinstance(x, Tensor):
                raise ValueError("The value argument to log_prob must be a Tensor")
            full = tuple(self._batch_shape) + tuple(self._event_shape)
            try:
                np.broadcast_shapes(tuple(x.shape), full)
            except ValueError:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{x.shape!r} vs {Size(full)!r}.") from None
        log_prob_x = self._component_distribution.log_prob(self._pad(x))
        log_mix = self._mixture_distribution.logits.log_softmax(-1)
        return (log_prob_x + log_mix).logsumexp(-1)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            sample_shape = tuple(Size(sample_shape))
            gather_dim = len(sample_shape) + len(self._batch_shape)
            event = tuple(self._event_shape)
            mix_sample = self._mixture_distribution.sample(sample_shape)
            mix_shape = tuple(mix_sample.shape)
            comp_samples = self._component_distribution.sample(sample_shape)
            index = mix_sample.reshape(mix_shape + (1,) * (len(event) + 1))
            index = index.expand(mix_shape + (1,) + event)
            comp_samples = comp_samples.expand(
                mix_shape + tuple(comp_samples.shape)[len(mix_shape):])
            return comp_samples.gather(gather_dim, index).squeeze(gather_dim)
