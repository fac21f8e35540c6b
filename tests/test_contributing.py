"""CONTRIBUTING.md's recipes stay true: every code block of a recipe stands verbatim in the file
the recipe names for it, so following the recipe gives exactly what the repository has (and the
generic tests, which cover that code, cover the recipe)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "CONTRIBUTING.md").read_text()


def _recipe_blocks(heading):
    """(file named by the step, code) for each python block under ``heading``."""
    section = TEXT.split(heading, 1)[1].split("\n## ", 1)[0]
    current, out = None, []
    for part in re.split(r"(```python\n.*?```)", section, flags=re.S):
        if part.startswith("```python"):
            out.append((current, part[len("```python\n"):-3]))
        else:
            named = re.findall(r"\(`([\w/]+\.py)`", part)
            if named:
                current = named[-1]
    return out


def test_op_recipe_code_is_in_the_repository():
    blocks = _recipe_blocks("## Recipe: add an op")
    assert len(blocks) >= 5
    # issue 10: an activation with a fused kernel touches at most three files
    assert len({path for path, _ in blocks}) == 3, sorted({path for path, _ in blocks})
    for path, code in blocks:
        assert path is not None, code[:60]
        source = (ROOT / path).read_text()
        assert code.strip() in source, f"CONTRIBUTING.md's block for {path} is not in it:\n{code}"


def test_the_recipe_op_is_in_the_generic_op_table():
    import autograd_core as ag
    import nn
    import nn.functional as F
    from autograd_core.kernels import KERNELS
    from autograd_core.ops.registry import BY_NAME

    assert "silu" in BY_NAME and {"silu_forward", "silu_backward"} <= set(KERNELS)
    # nn.functional's form comes from the table, with PyTorch's (input, inplace=False)
    x = ag.tensor([-1.0, 2.0])
    assert F.silu(x, inplace=False).tolist() == ag.silu(x).tolist()
    assert F.silu.__doc__ == ag.silu.__doc__ and isinstance(nn.SiLU()(ag.ones(2)), ag.Tensor)
