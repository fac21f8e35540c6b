"""``nn.utils``: gradient clipping, parameter/vector conversion, and the tools that make the
lectures' training problems visible (``GradFlow``, ``memory_summary``, ``History``,
``plot_history``, ``landscape``: Li et al.'s loss-landscape plots); weight normalisation
(``weight_norm``, ``parametrizations.weight_norm``, ``weight_norm_init_``) and spectral
normalisation (``spectral_norm``, ``parametrizations.spectral_norm``), BatchNorm folding
(``fusion``), the batch renormalisation schedule (``batch_renorm_limits``) and
variable-length sequences for the recurrent layers (``rnn``: padding and packing), and
pruning (``prune``)."""

from nn.utils.clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,
                                 clip_grads_with_norm_, get_total_norm)
from nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from nn.utils.gradflow import GradFlow
from nn.utils.history import History, plot_history
from nn.utils import landscape
from nn.utils.memory import MemorySummary, memory_summary, tape_saved_bytes
from nn.utils.weight_norm import remove_weight_norm, weight_norm, weight_norm_init_
from nn.utils.spectral_norm import remove_spectral_norm, spectral_norm
from nn.utils.init import skip_init
from nn.utils.memory_format import (convert_conv2d_weight_memory_format,
                                    convert_conv3d_weight_memory_format)
from nn.utils.fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,
                             fuse_linear_bn_weights)
from nn.utils import fusion, parametrizations, parametrize, prune, rnn, stateless
from nn.layers.normalization import batch_renorm_limits

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector",
           "vector_to_parameters", "GradFlow", "History", "plot_history", "landscape",
           "memory_summary", "MemorySummary", "tape_saved_bytes", "weight_norm",
           "remove_weight_norm", "weight_norm_init_", "spectral_norm", "remove_spectral_norm", "fusion", "parametrize",
           "parametrizations", "prune", "rnn", "stateless", "batch_renorm_limits", "skip_init",
           "clip_grad_norm", "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "convert_conv2d_weight_memory_format",
           "convert_conv3d_weight_memory_format"]
