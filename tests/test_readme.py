"""The README's Python examples run as written, and its two commands are the ones CI uses."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_python_examples_run():
    blocks = _python_blocks()
    assert blocks, "the README has no python example"
    for code in blocks:
        scope = {}
        exec(compile(code, str(README), "exec"), scope)
    # the first example trains a small net and computes a Hessian-vector product: check both
    first = {}
    exec(compile(blocks[0], str(README), "exec"), first)
    assert first["loss"].item() < 0.3  # BCE of a trained XOR-like classifier (chance: 0.69)
    w = first["w"].data.astype(np.float64)
    # f = sum(w sin w): f'' = 2 cos w - w sin w, diagonal Hessian; v = ones
    np.testing.assert_allclose(first["hvp"].data, 2 * np.cos(w) - w * np.sin(w), rtol=1e-5)


def test_readme_opens_with_the_two_commands():
    text = README.read_text()
    main = re.search(r"<!-- main-command -->\n```bash\n(.*)\n```", text).group(1)
    test = re.search(r"<!-- test-command -->\n```bash\n(.*)\n```", text).group(1)
    assert "python3 -m venv" in main and "examples/train_mnist.py" in main
    assert "python3 -m venv" in test and 'pip install -e ".[dev]"' in test
    # the whole suite, one process per core, a test file per process (Numba compiles a file's
    # kernels once): -n/--dist come from pytest-xdist, so the dev extra the same command installs
    # must carry it, or a fresh machine's run stops at "unrecognized arguments"
    assert test.endswith("python -m pytest -n auto --dist loadfile")
    project = (README.parent / "pyproject.toml").read_text()
    dev = project[project.index("\ndev = ["):project.index("\n]", project.index("\ndev = ["))]
    assert re.search(r'"pytest-xdist\b(?!-)', dev)


def test_api_reference_commands_name_every_lazily_loaded_module():
    # pdoc does not find autograd_core's modules loaded on first use (``_LAZY_MODULES``): the
    # README's command and CI's must name each, or its page silently goes missing.
    import autograd_core

    lazy = {m for m in autograd_core._LAZY_MODULES.values() if m.startswith("autograd_core.")}
    readme = README.read_text()
    command = readme[readme.index("## API reference"):]
    command = command[command.index("```bash"):command.index("```", command.index("```bash") + 3)]
    ci = (README.parent / ".ci" / "run").read_text()
    for module in sorted(lazy):
        assert module in command, f"README's pdoc command misses {module}"
        assert module in ci and module.replace(".", "/") in ci, f".ci/run misses {module}"
