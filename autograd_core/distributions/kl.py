"""PyTorch's ``torch.distributions.kl``: ``kl_divergence``, ``register_kl``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.ops.registry import refuse_capture
from autograd_core.tensor import Tensor
from autograd_core.distributions.bernoulli import Bernoulli
from autograd_core.distributions.beta import Beta
from autograd_core.distributions.binomial import Binomial
from autograd_core.distributions.categorical import Categorical
from autograd_core.distributions.cauchy import Cauchy
from autograd_core.distributions.continuous_bernoulli import ContinuousBernoulli
from autograd_core.distributions.dirichlet import Dirichlet
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.exponential import Exponential
from autograd_core.distributions.gamma import Gamma
from autograd_core.distributions.geometric import Geometric
from autograd_core.distributions.gumbel import Gumbel
from autograd_core.distributions.half_normal import HalfNormal
from autograd_core.distributions.independent import Independent
from autograd_core.distributions.laplace import Laplace
from autograd_core.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
from autograd_core.distributions.multivariate_normal import MultivariateNormal
from autograd_core.distributions.normal import Normal
from autograd_core.distributions.one_hot_categorical import OneHotCategorical
from autograd_core.distributions.pareto import Pareto
from autograd_core.distributions.poisson import Poisson
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.uniform import Uniform
from autograd_core.distributions.utils import _EULER_GAMMA, _log_sigmoid, _sum_rightmost

__all__ = ["kl_divergence", "register_kl"]


# ---------------------------------------------------------------------------------------------
# KL divergences (PyTorch's closed forms).

def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    t1 = p.probs * (_ag.softplus(-q.logits) - _ag.softplus(-p.logits))
    t1 = _ag.where(p.probs == 0, 0.0, _ag.where(q.probs == 0, math.inf, t1))
    t2 = (1 - p.probs) * (_ag.softplus(q.logits) - _ag.softplus(p.logits))
    t2 = _ag.where(p.probs == 1, 0.0, _ag.where(q.probs == 1, math.inf, t2))
    return t1 + t2


def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = _ag.where(p.probs == 0, 0.0, _ag.where(q.probs == 0, math.inf, t))
    return t.sum(-1)


def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _ag.where((q.low > p.low) | (q.high < p.high), math.inf, result)


def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


_KL: dict[tuple[type, type], Any] = {
    (Normal, Normal): _kl_normal_normal,
    (Bernoulli, Bernoulli): _kl_bernoulli_bernoulli,
    (Categorical, Categorical): _kl_categorical_categorical,
    (Uniform, Uniform): _kl_uniform_uniform,
    (Independent, Independent): _kl_independent_independent,
}


def kl_divergence(p: Any, q: Any) -> Tensor:
    r"""The Kullback-Leibler divergence :math:`KL(p \| q)` of two distributions, batched, as
    ``torch.distributions.kl_divergence``: the closed forms PyTorch registers (pairs of one
    family, and mixed ones such as ``Normal``-``Laplace`` or ``Uniform``-``Beta``), found for
    the most specific registered pair of base classes (``register_kl`` adds one); ``inf``
    where ``q`` gives zero probability to what ``p`` can draw; differentiable in both.

    Args:
        p: a distribution of this package.
        q: a distribution of this package.

    Raises:
        NotImplementedError: for a pair without a closed form here.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal, kl_divergence
        >>> kl_divergence(Normal(0.0, 1.0), Normal(ag.tensor([0.0, 1.0]), 2.0))
        tensor([0.3181, 0.4431])
    """
    fn = _dispatch_kl(type(p), type(q))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} "
                                  f"and q type {type(q).__name__}")
    return fn(p, q)


def _dispatch_kl(type_p: type, type_q: type) -> Any:
    """The registered function of the most specific pair (PyTorch's order: nearest class of
    ``p`` first, then of ``q``); a warning when the order by ``q`` first picks another one."""
    mro_p, mro_q = type_p.__mro__, type_q.__mro__
    matches = [(mro_p.index(a), mro_q.index(b)) for a, b in _KL if a in mro_p and b in mro_q]
    if not matches:
        return None
    i, j = min(matches)
    k, m = min(matches, key=lambda ij: (ij[1], ij[0]))
    left, right = _KL[mro_p[i], mro_q[j]], _KL[mro_p[k], mro_q[m]]
    if left is not right:
        import warnings
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). Please "
                      f"register_kl({mro_p[i].__name__}, {mro_q[m].__name__})", RuntimeWarning,
                      stacklevel=3)
    return left


def register_kl(type_p: type, type_q: type) -> Any:
    """Decorator registering a function ``fn(p, q)`` as ``kl_divergence`` of the pair of
    classes, as ``torch.distributions.register_kl``: ``kl_divergence`` calls the function of
    the most specific registered pair of base classes.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal, kl_divergence, register_kl
        >>> class MyNormal(Normal):
        ...     pass
        >>> @register_kl(MyNormal, Normal)
        ... def _kl_mine(p, q):
        ...     return ag.tensor(42.0)
        >>> kl_divergence(MyNormal(0.0, 1.0), Normal(0.0, 1.0))
        tensor(42.)
    """
    if not isinstance(type_p, type):
        raise TypeError(f"Expected type_p to be a Distribution subclass but got {type_p}")
    if not isinstance(type_q, type):
        raise TypeError(f"Expected type_q to be a Distribution subclass but got {type_q}")

    def decorator(fun: Any) -> Any:
        _KL[type_p, type_q] = fun
        return fun
    return decorator


def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = _ag.lgamma(q.concentration) - _ag.lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * _ag.digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    pa, pb, qa, qb = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    p_sum, q_sum = pa + pb, qa + qb
    t1 = _ag.lgamma(qa) + _ag.lgamma(qb) + _ag.lgamma(p_sum)
    t2 = _ag.lgamma(pa) + _ag.lgamma(pb) + _ag.lgamma(q_sum)
    return (t1 - t2 + (pa - qa) * _ag.digamma(pa) + (pb - qb) * _ag.digamma(pb)
            + (q_sum - p_sum) * _ag.digamma(p_sum))


def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event "
                         "shapes cannot be computed")
    batch = tuple(np.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape)))
    k = p.event_shape[0]
    q_tril = q._tril.tril().expand(batch + (k, k))  # a triangular solve, as PyTorch's
    half_log_det = (q._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
                    - p._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1))
    spread = _ag.linalg.solve(q_tril, p._tril.expand(batch + (k, k))).pow(2).sum((-2, -1))
    shift = _ag.linalg.solve(q_tril, (q.loc - p.loc).expand(batch + (k,)).unsqueeze(-1))
    return half_log_det + 0.5 * (spread + shift.pow(2).sum((-2, -1)) - k)


_KL[(MultivariateNormal, MultivariateNormal)] = _kl_mvn_mvn
_KL[(Gamma, Gamma)] = _kl_gamma_gamma
_KL[(Beta, Beta)] = _kl_beta_beta


def _kl_lowrank_as_full(p: Any, q: Any) -> Tensor:
    """KL of two Gaussians of which one or both have a low-rank covariance: the full-matrix
    closed form (PyTorch's Woodbury forms give the same numbers up to rounding)."""
    if p.event_shape != q.event_shape:
        both = isinstance(p, LowRankMultivariateNormal) and isinstance(
            q, LowRankMultivariateNormal)
        raise ValueError(f"KL-divergence between two {'Low Rank' if both else '(Low Rank)'} "
                         "Multivariate Normals with different event shapes cannot be computed")

    def full(d: Any) -> MultivariateNormal:
        if isinstance(d, MultivariateNormal):
            return d
        return MultivariateNormal(d.loc, covariance_matrix=d.covariance_matrix,
                                  validate_args=False)
    return _kl_mvn_mvn(full(p), full(q))


# ---- More of the KL pairs PyTorch registers ------------------------------------------------

def _infinite_like(t: Tensor) -> Tensor:
    return _ag.full_like(t, math.inf)


def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    return (-scale_ratio.log() + loc_abs_diff / q.scale
            + scale_ratio * (-loc_abs_diff / p.scale).exp() - 1)


def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    rate_ratio = q.rate / p.rate
    return -rate_ratio.log() + rate_ratio - 1


def _kl_gumbel_gumbel(p: Gumbel, q: Gumbel) -> Tensor:
    ct1, ct2, ct3 = p.scale / q.scale, q.loc / q.scale, p.loc / q.scale
    t3 = (ct2 + _ag.lgamma(1 + ct1) - ct3).exp()
    return -ct1.log() - ct2 + ct3 + ct1 * _EULER_GAMMA + t3 - (1 + _EULER_GAMMA)


def _kl_halfnormal_halfnormal(p: HalfNormal, q: HalfNormal) -> Tensor:
    return _kl_normal_normal(p.base_dist, q.base_dist)


def _kl_cauchy_cauchy(p: Cauchy, q: Cauchy) -> Tensor:
    t1 = ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log()
    return t1 - (4 * p.scale * q.scale).log()


def _kl_dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    pc, qc = p.concentration, q.concentration
    sp, sq = pc.sum(-1), qc.sum(-1)
    t1 = _ag.lgamma(sp) - _ag.lgamma(sq)
    t2 = (_ag.lgamma(pc) - _ag.lgamma(qc)).sum(-1)
    t4 = _ag.digamma(pc) - _ag.digamma(sp).unsqueeze(-1)
    return t1 - t2 + ((pc - qc) * t4).sum(-1)


def _kl_onehot_onehot(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


def _kl_poisson_poisson(p: Poisson, q: Poisson) -> Tensor:
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


def _kl_binomial_binomial(p: Binomial, q: Binomial) -> Tensor:
    refuse_capture("kl_divergence(Binomial, Binomial)")
    if np.any(p.total_count._data < q.total_count._data):
        raise NotImplementedError(
            "KL between Binomials where q.total_count > p.total_count is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p()
                          - (-q.probs).log1p())
    return _ag.where(p.total_count > q.total_count, math.inf, kl)


def _kl_geometric_geometric(p: Geometric, q: Geometric) -> Tensor:
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


def _kl_transformed_transformed(p: TransformedDistribution,
                                q: TransformedDistribution) -> Tensor:
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError
    return kl_divergence(p.base_dist, q.base_dist)


def _kl_bernoulli_poisson(p: Bernoulli, q: Poisson) -> Tensor:
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


def _kl_beta_exponential(p: Beta, q: Exponential) -> Tensor:
    mean = p.concentration1 / (p.concentration1 + p.concentration0)
    return -p.entropy() - q.rate.log() + q.rate * mean


def _kl_exponential_gamma(p: Exponential, q: Gamma) -> Tensor:
    ratio = q.rate / p.rate
    return (-q.concentration * ratio.log() + ratio + _ag.lgamma(q.concentration)
            + q.concentration * _EULER_GAMMA - (1 + _EULER_GAMMA))


def _kl_exponential_gumbel(p: Exponential, q: Gumbel) -> Tensor:
    prod = p.rate * q.scale
    loc_scale = q.loc / q.scale
    return (prod.log() - 1 - loc_scale + loc_scale.exp() * prod / (prod + 1)
            + prod.reciprocal())


def _kl_exponential_normal(p: Exponential, q: Normal) -> Tensor:
    var = q.scale.pow(2)
    rate2 = p.rate.pow(2)
    t1 = 0.5 * (rate2 * var * 2 * math.pi).log()
    return t1 - 1 + (rate2.reciprocal() - q.loc / p.rate + q.loc.pow(2) * 0.5) / var


def _kl_gamma_exponential(p: Gamma, q: Exponential) -> Tensor:
    return -p.entropy() - q.rate.log() + q.rate * p.concentration / p.rate


def _kl_gamma_gumbel(p: Gamma, q: Gumbel) -> Tensor:
    c = p.concentration
    prod = p.rate * q.scale
    loc_scale = q.loc / q.scale
    t1 = (c - 1) * _ag.digamma(c) - _ag.lgamma(c) - c
    t2 = prod.log() + c / prod
    t3 = loc_scale.exp() * (1 + prod.reciprocal()).pow(-c) - loc_scale
    return t1 + t2 + t3


def _kl_gumbel_normal(p: Gumbel, q: Normal) -> Tensor:
    ratio = p.scale / q.scale
    t1 = (ratio / math.sqrt(2 * math.pi)).log()
    t2 = (math.pi * ratio * 0.5).pow(2) / 3
    t3 = ((p.loc + p.scale * _EULER_GAMMA - q.loc) / q.scale).pow(2) * 0.5
    return -t1 + t2 + t3 - (_EULER_GAMMA + 1)


def _kl_laplace_normal(p: Laplace, q: Normal) -> Tensor:
    var = q.scale.pow(2)
    ratio = p.scale.pow(2) / var
    t1 = 0.5 * (2 * ratio / math.pi).log()
    shift = 0.5 * p.loc.pow(2) - p.loc * q.loc + 0.5 * q.loc.pow(2)
    return -t1 + ratio + shift / var - 1


def _kl_normal_gumbel(p: Normal, q: Gumbel) -> Tensor:
    mean_scale = p.loc / q.scale
    var_ratio = (p.scale / q.scale).pow(2)
    loc_scale = q.loc / q.scale
    t3 = (-mean_scale + 0.5 * var_ratio + loc_scale).exp()
    return (-var_ratio.log() * 0.5 + mean_scale - loc_scale + t3
            - 0.5 * (1 + math.log(2 * math.pi)))


def _kl_normal_laplace(p: Normal, q: Laplace) -> Tensor:
    diff = p.loc - q.loc
    z = diff / p.scale
    t2 = math.sqrt(2 / math.pi) * p.scale * (-0.5 * z.pow(2)).exp()
    t3 = diff * _ag.erf(math.sqrt(0.5) * z)
    return (-(p.scale / q.scale).log() + (t2 + t3) / q.scale
            - 0.5 * (1 + math.log(0.5 * math.pi)))


def _kl_uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return _ag.where(p.low < 0, math.inf, result)


def _kl_uniform_gumbel(p: Uniform, q: Gumbel) -> Tensor:
    common = q.scale / (p.high - p.low)
    high, low = (p.high - q.loc) / q.scale, (p.low - q.loc) / q.scale
    return common.log() + 0.5 * (high + low) - common * ((-high).exp() - (-low).exp())


def _kl_p_infinite(param: str) -> Any:
    """``inf`` of ``p``'s batch: ``q`` gives zero density where ``p`` has mass."""
    def kl(p: Any, q: Any) -> Tensor:
        return _infinite_like(getattr(p, param))
    return kl


_KL.update({
    (Laplace, Laplace): _kl_laplace_laplace,
    (Exponential, Exponential): _kl_exponential_exponential,
    (Gumbel, Gumbel): _kl_gumbel_gumbel,
    (HalfNormal, HalfNormal): _kl_halfnormal_halfnormal,
    (Cauchy, Cauchy): _kl_cauchy_cauchy,
    (Dirichlet, Dirichlet): _kl_dirichlet_dirichlet,
    (OneHotCategorical, OneHotCategorical): _kl_onehot_onehot,
    (Poisson, Poisson): _kl_poisson_poisson,
    (Binomial, Binomial): _kl_binomial_binomial,
    (Geometric, Geometric): _kl_geometric_geometric,
    (TransformedDistribution, TransformedDistribution): _kl_transformed_transformed,
    (Bernoulli, Poisson): _kl_bernoulli_poisson,
    (Beta, Exponential): _kl_beta_exponential,
    (Exponential, Gamma): _kl_exponential_gamma,
    (Exponential, Gumbel): _kl_exponential_gumbel,
    (Exponential, Normal): _kl_exponential_normal,
    (Gamma, Exponential): _kl_gamma_exponential,
    (Gamma, Gumbel): _kl_gamma_gumbel,
    (Gumbel, Normal): _kl_gumbel_normal,
    (Laplace, Normal): _kl_laplace_normal,
    (Normal, Gumbel): _kl_normal_gumbel,
    (Normal, Laplace): _kl_normal_laplace,
    (Uniform, Exponential): _kl_uniform_exponential,
    (Uniform, Gumbel): _kl_uniform_gumbel,
    (LowRankMultivariateNormal, LowRankMultivariateNormal): _kl_lowrank_as_full,
    (LowRankMultivariateNormal, MultivariateNormal): _kl_lowrank_as_full,
    (MultivariateNormal, LowRankMultivariateNormal): _kl_lowrank_as_full,
})
for _p, _q in [(Exponential, Beta), (Exponential, Uniform), (Normal, Exponential),
               (Poisson, Bernoulli), (Poisson, Binomial)]:
    _KL[_p, _q] = _kl_p_infinite("rate" if _p in (Exponential, Poisson) else "loc")
for _p in (Gumbel, Laplace):
    for _q in (Beta, Exponential, Gamma, Uniform):
        _KL[_p, _q] = _kl_p_infinite("loc")


def _x_log_x(t: Tensor) -> Tensor:
    return _ag.xlogy(t, t)


def _kl_beta_gamma(p: Beta, q: Gamma) -> Tensor:
    a, b = p.concentration1, p.concentration0
    t2 = _ag.lgamma(q.concentration) - q.concentration * q.rate.log()
    t3 = (q.concentration - 1) * (_ag.digamma(a) - _ag.digamma(a + b))
    return -p.entropy() + t2 - t3 + q.rate * a / (a + b)


def _kl_beta_normal(p: Beta, q: Normal) -> Tensor:
    a, b = p.concentration1, p.concentration0
    mean = a / (a + b)
    var = q.scale.pow(2)
    t2 = 0.5 * (var * 2 * math.pi).log()
    t3 = (mean * (1 - mean) / (a + b + 1) + mean.pow(2)) * 0.5
    return -p.entropy() + t2 + (t3 - q.loc * mean + q.loc.pow(2) * 0.5) / var


def _kl_beta_uniform(p: Beta, q: Uniform) -> Tensor:
    result = -p.entropy() + (q.high - q.low).log()
    return _ag.where((q.low > 0) | (q.high < 1), math.inf, result)


def _kl_gamma_normal(p: Gamma, q: Normal) -> Tensor:
    c = p.concentration
    var = q.scale.pow(2)
    rate2 = p.rate.pow(2)
    t1 = 0.5 * (rate2 * var * 2 * math.pi).log() - c - _ag.lgamma(c)
    t2 = 0.5 * (c.pow(2) + c) / rate2
    return t1 + (c - 1) * _ag.digamma(c) + (t2 - q.loc * c / p.rate + 0.5 * q.loc.pow(2)) / var


def _kl_uniform_beta(p: Uniform, q: Beta) -> Tensor:
    width = p.high - p.low
    t2 = (q.concentration1 - 1) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    t3 = (q.concentration0 - 1) * (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width
    t4 = (_ag.lgamma(q.concentration1) + _ag.lgamma(q.concentration0)
          - _ag.lgamma(q.concentration1 + q.concentration0))
    result = t3 + t4 - width.log() - t2
    return _ag.where((p.high > 1) | (p.low < 0), math.inf, result)


def _kl_uniform_gamma(p: Uniform, q: Gamma) -> Tensor:
    width = p.high - p.low
    t2 = _ag.lgamma(q.concentration) - q.concentration * q.rate.log()
    t3 = (1 - q.concentration) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = -width.log() + t2 + t3 + q.rate * (p.high + p.low) / 2
    return _ag.where(p.low < 0, math.inf, result)


def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    width = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / width).log()
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (width.pow(2) / 12 + t3) / q.scale.pow(2)


_KL.update({
    (Beta, Gamma): _kl_beta_gamma,
    (Beta, Normal): _kl_beta_normal,
    (Beta, Uniform): _kl_beta_uniform,
    (Gamma, Normal): _kl_gamma_normal,
    (Uniform, Beta): _kl_uniform_beta,
    (Uniform, Gamma): _kl_uniform_gamma,
    (Uniform, Normal): _kl_uniform_normal,
    (Gamma, Beta): _kl_p_infinite("concentration"),
    (Gamma, Uniform): _kl_p_infinite("concentration"),
})
for _q in (Beta, Gamma, Uniform):
    _KL[Normal, _q] = _kl_p_infinite("loc")


def _kl_expfamily_expfamily(p: ExponentialFamily, q: ExponentialFamily) -> Tensor:
    """The Bregman divergence of the log normaliser: ``F(theta_q) - F(theta_p) - <theta_q -
    theta_p, grad F(theta_p)>`` (one family only, as PyTorch's)."""
    if type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential "
                                  "families cannot be computed using Bregman divergences")
    p_nparams, lg_normal, grads = p._log_normalizer_and_grad()
    q_nparams = q._natural_params
    result = q._log_normalizer(*q_nparams) - lg_normal
    for pnp, qnp, g in zip(p_nparams, q_nparams, grads):
        # summed over the parameter's own event dimensions (a Wishart's df has none; PyTorch
        # sums len(event_shape) of them, which mixes a batch of Wisharts' df terms)
        own = pnp.ndim - len(p.batch_shape)
        result = result - _sum_rightmost((qnp - pnp) * g, own)
    return result


def _kl_continuous_bernoulli_continuous_bernoulli(p: ContinuousBernoulli,
                                                  q: ContinuousBernoulli) -> Tensor:
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._log_norm() + (-p.probs).log1p()
    t3 = -q._log_norm() - (-q.probs).log1p()
    return t1 + t2 + t3


_KL[ExponentialFamily, ExponentialFamily] = _kl_expfamily_expfamily
_KL[ContinuousBernoulli, ContinuousBernoulli] = _kl_continuous_bernoulli_continuous_bernoulli


# Pareto and ContinuousBernoulli against the other families: -H(p) - E_p[log q(X)], inf where q
# has no density on part of p's support (PyTorch's pairs)

def _cb_cross_entropy(q: ContinuousBernoulli, mean: Tensor) -> Tensor:
    """``-E[log q(X)]`` for ``X`` of mean ``mean`` on [0, 1] (``log q`` is linear in x)."""
    return -(q.logits * mean + _log_sigmoid(-q.logits) + q._log_norm())


def _kl_beta_continuous_bernoulli(p: Beta, q: ContinuousBernoulli) -> Tensor:
    return -p.entropy() + _cb_cross_entropy(q, p.mean)


def _kl_uniform_continuous_bernoulli(p: Uniform, q: ContinuousBernoulli) -> Tensor:
    result = -p.entropy() + _cb_cross_entropy(q, p.mean)
    return _ag.where((p.low < 0) | (p.high > 1), math.inf, result)


def _kl_continuous_bernoulli_exponential(p: ContinuousBernoulli, q: Exponential) -> Tensor:
    return -p.entropy() - q.rate.log() + q.rate * p.mean


def _kl_continuous_bernoulli_normal(p: ContinuousBernoulli, q: Normal) -> Tensor:
    var = q.scale.pow(2)
    second = p.variance + (p.mean - q.loc).pow(2)  # E (X - loc)^2
    return -p.entropy() + 0.5 * (2 * math.pi * var).log() + second / (2 * var)


def _kl_continuous_bernoulli_uniform(p: ContinuousBernoulli, q: Uniform) -> Tensor:
    # finite when q covers [0, 1] (PyTorch 2.13 gives inf also when it ends at 0 or 1)
    result = -p.entropy() + (q.high - q.low).log()
    return _ag.where((q.low > 0) | (q.high < 1), math.inf, result)


def _pareto_moments(p: Pareto, min_alpha: builtins.int) -> tuple[Tensor, Tensor, Tensor]:
    """``(alpha > min_alpha, E X, E (X - E X)^2)``; the moments finite everywhere (a safe alpha
    where they do not exist, so the masked entries have zero gradient, not nan)."""
    ok = p.alpha > min_alpha
    a = _ag.where(ok, p.alpha, min_alpha + 1.0)
    mean = a * p.scale / (a - 1)
    return ok, mean, p.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))


def _kl_pareto_pareto(p: Pareto, q: Pareto) -> Tensor:
    ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - ratio.log() + ratio - 1
    return _ag.where(p.scale < q.scale, math.inf, result)


def _kl_pareto_exponential(p: Pareto, q: Exponential) -> Tensor:
    ok, mean, _ = _pareto_moments(p, 1)
    return _ag.where(ok, -p.entropy() - q.rate.log() + q.rate * mean, math.inf)


def _kl_pareto_gamma(p: Pareto, q: Gamma) -> Tensor:
    ok, mean, _ = _pareto_moments(p, 1)
    c, r = q.concentration, q.rate
    mean_log = p.scale.log() + p.alpha.reciprocal()  # E log X
    result = -p.entropy() - c * r.log() + _ag.lgamma(c) - (c - 1) * mean_log + r * mean
    return _ag.where(ok, result, math.inf)


def _kl_pareto_normal(p: Pareto, q: Normal) -> Tensor:
    ok, mean, variance = _pareto_moments(p, 2)
    var = q.scale.pow(2)
    second = variance + (mean - q.loc).pow(2)
    result = -p.entropy() + 0.5 * (2 * math.pi * var).log() + second / (2 * var)
    return _ag.where(ok, result, math.inf)


def _kl_uniform_pareto(p: Uniform, q: Pareto) -> Tensor:
    width = p.high - p.low
    mean_log = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width  # E log X
    result = (-width.log() - q.alpha.log() - q.alpha * q.scale.log()
              + (q.alpha + 1) * mean_log)
    return _ag.where(p.low < q.scale, math.inf, result)


_KL.update({
    (Beta, ContinuousBernoulli): _kl_beta_continuous_bernoulli,
    (Uniform, ContinuousBernoulli): _kl_uniform_continuous_bernoulli,
    (ContinuousBernoulli, Exponential): _kl_continuous_bernoulli_exponential,
    (ContinuousBernoulli, Normal): _kl_continuous_bernoulli_normal,
    (ContinuousBernoulli, Uniform): _kl_continuous_bernoulli_uniform,
    (Pareto, Pareto): _kl_pareto_pareto,
    (Pareto, Exponential): _kl_pareto_exponential,
    (Pareto, Gamma): _kl_pareto_gamma,
    (Pareto, Normal): _kl_pareto_normal,
    (Uniform, Pareto): _kl_uniform_pareto,
})
for _p, _param in [(Beta, "concentration1"), (ContinuousBernoulli, "probs"), (Exponential, "rate"),
                   (Gamma, "concentration"), (Gumbel, "loc"), (Laplace, "loc"), (Normal, "loc")]:
    _KL[_p, Pareto] = _kl_p_infinite(_param)
    if _p not in (Beta, ContinuousBernoulli):
        _KL[_p, ContinuousBernoulli] = _kl_p_infinite(_param)
for _q in (Beta, ContinuousBernoulli, Uniform):
    _KL[Pareto, _q] = _kl_p_infinite("scale")
