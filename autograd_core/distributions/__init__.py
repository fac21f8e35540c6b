"""``autograd_core.distributions``: probability distributions, as ``torch.distributions``.

The ``Distribution`` base class (subclass it) and ``register_kl``; continuous ``Normal``,
``Uniform``, ``Beta``, ``Gamma``, ``InverseGamma``, ``Chi2``, ``Laplace``, ``Exponential``,
``LogNormal``, ``LogisticNormal``, ``HalfNormal``, ``HalfCauchy``, ``Cauchy``, ``Gumbel``,
``StudentT``, ``Dirichlet``, ``MultivariateNormal``, ``LowRankMultivariateNormal``, ``Weibull``,
``Pareto``, ``GeneralizedPareto``, ``FisherSnedecor``, ``Kumaraswamy``, ``VonMises``,
``Wishart``, ``LKJCholesky``; discrete ``Categorical``, ``OneHotCategorical`` (and its straight-
through variant), ``Bernoulli``, ``Binomial``, ``Multinomial``, ``Geometric``, ``Poisson``,
``NegativeBinomial``; the relaxed ``RelaxedBernoulli`` and ``RelaxedOneHotCategorical``;
``Independent``, ``MixtureSameFamily`` and ``TransformedDistribution`` with the transforms
(``Exp``, ``Sigmoid``, ``Tanh``, ``Softplus``, ``Affine``, ``Power``, ``Abs``, ``Compose``,
``Independent``, ``Reshape``, ``Softmax``, ``StickBreaking``, ``LowerCholesky``, ``Cat``,
``Stack``), with PyTorch's constructor signatures, parameter and value checks
(``validate_args``) and error messages, and ``kl_divergence`` for the pairs PyTorch registers
among them. ``log_prob``, ``entropy``, ``cdf`` / ``icdf`` and the reparameterised ``rsample``
(where ``has_rsample``) are differentiable in the parameters; ``sample`` is not. Draws come from
the default generator (``autograd_core.manual_seed``) with the torch ops PyTorch's samplers
call, so they are PyTorch's numbers for a seed (where a sampler then computes with ``log``,
``pow``, a matrix product, ..., up to those functions' last-bit rounding; ``LKJCholesky``'s are
not, see its docstring). The checks of ``validate_args=True`` (the default) read values in Python, so
``ag.compile`` runs a step that builds or evaluates such a distribution eagerly; pass
``validate_args=False`` to have it captured.
"""

from autograd_core.distributions import constraints
from autograd_core.distributions.constraints import Constraint
from autograd_core.distributions.utils import (clamp_probs, probs_to_logits, logits_to_probs,
    broadcast_all)
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.transforms import (Transform, SigmoidTransform, ExpTransform,
    AffineTransform, TanhTransform, SoftplusTransform, PowerTransform, AbsTransform,
    ComposeTransform, IndependentTransform, ReshapeTransform, SoftmaxTransform,
    StickBreakingTransform, LowerCholeskyTransform, CatTransform, StackTransform,
    CorrCholeskyTransform, PositiveDefiniteTransform, CumulativeDistributionTransform,
    identity_transform)
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.bernoulli import Bernoulli
from autograd_core.distributions.beta import Beta
from autograd_core.distributions.binomial import Binomial
from autograd_core.distributions.categorical import Categorical
from autograd_core.distributions.cauchy import Cauchy
from autograd_core.distributions.chi2 import Chi2
from autograd_core.distributions.constraint_registry import biject_to, transform_to
from autograd_core.distributions.continuous_bernoulli import ContinuousBernoulli
from autograd_core.distributions.dirichlet import Dirichlet
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.exponential import Exponential
from autograd_core.distributions.fishersnedecor import FisherSnedecor
from autograd_core.distributions.gamma import Gamma
from autograd_core.distributions.generalized_pareto import GeneralizedPareto
from autograd_core.distributions.geometric import Geometric
from autograd_core.distributions.gumbel import Gumbel
from autograd_core.distributions.half_cauchy import HalfCauchy
from autograd_core.distributions.half_normal import HalfNormal
from autograd_core.distributions.independent import Independent
from autograd_core.distributions.inverse_gamma import InverseGamma
from autograd_core.distributions.kl import kl_divergence, register_kl
from autograd_core.distributions.kumaraswamy import Kumaraswamy
from autograd_core.distributions.laplace import Laplace
from autograd_core.distributions.lkj_cholesky import LKJCholesky
from autograd_core.distributions.log_normal import LogNormal
from autograd_core.distributions.logistic_normal import LogisticNormal
from autograd_core.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
from autograd_core.distributions.mixture_same_family import MixtureSameFamily
from autograd_core.distributions.multinomial import Multinomial
from autograd_core.distributions.multivariate_normal import MultivariateNormal
from autograd_core.distributions.negative_binomial import NegativeBinomial
from autograd_core.distributions.normal import Normal
from autograd_core.distributions.one_hot_categorical import (OneHotCategorical,
    OneHotCategoricalStraightThrough)
from autograd_core.distributions.pareto import Pareto
from autograd_core.distributions.poisson import Poisson
from autograd_core.distributions.relaxed_bernoulli import RelaxedBernoulli
from autograd_core.distributions.relaxed_categorical import RelaxedOneHotCategorical
from autograd_core.distributions.studentT import StudentT
from autograd_core.distributions.uniform import Uniform
from autograd_core.distributions.von_mises import VonMises
from autograd_core.distributions.weibull import Weibull
from autograd_core.distributions.wishart import Wishart

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical",
           "CatTransform", "Cauchy", "Chi2", "ComposeTransform", "ContinuousBernoulli",
           "CorrCholeskyTransform", "CumulativeDistributionTransform", "Dirichlet", "Distribution",
           "Exponential", "ExponentialFamily", "ExpTransform", "FisherSnedecor", "Gamma", "GeneralizedPareto",
           "Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "Independent",
           "IndependentTransform", "InverseGamma", "Kumaraswamy", "Laplace", "LKJCholesky",
           "LogisticNormal", "LogNormal", "LowerCholeskyTransform", "LowRankMultivariateNormal",
           "MixtureSameFamily", "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal",
           "OneHotCategorical", "OneHotCategoricalStraightThrough", "Pareto", "Poisson",
           "PositiveDefiniteTransform", "PowerTransform", "RelaxedBernoulli",
           "RelaxedOneHotCategorical", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform",
           "SoftplusTransform", "StackTransform", "StickBreakingTransform", "StudentT",
           "TanhTransform", "Transform", "TransformedDistribution", "Uniform", "VonMises",
           "Weibull", "Wishart", "biject_to", "kl_divergence", "register_kl", "transform_to"]
