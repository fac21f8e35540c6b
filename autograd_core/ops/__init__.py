"""Every op, declared once with ``@op`` beside its node class (see ``registry``).

Importing this package imports every op module, which fills ``registry.DECLS``; the package
``autograd_core`` then exports the functional forms and ``autograd_core.methods`` wires the
Tensor methods, both from that table.
"""

from autograd_core.ops import (  # noqa: F401 - imported for their declarations
    activation,
    arrange,
    binary,
    batch2,
    batch2_linalg,
    batch2_numeric,
    complexfns,
    compose,
    conv,
    copies,
    index,
    inplace,
    linalg,
    linalg_solvers,
    mathfns,
    matrix,
    pieces,
    quantize,
    reduce,
    removed,
    scatter,
    shape,
    sorting,
    spectral,
    specialfns,
    stft,
    storage,
    unary,
)
from autograd_core.ops.registry import DECLS, Sample, op

__all__ = ["DECLS", "Sample", "op"]
