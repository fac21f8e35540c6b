"""Regressions found by the second round of public PyTorch programs run on tapegrad with their
imports rewritten (karpathy's ng-video-lecture / nanoGPT / makemore, pytorch/tutorials and
pytorch/examples, d2l.ai): each test is the line that broke or gave another number, reduced."""

import pytest

import autograd_core as ag


def test_backend_flags_a_gpu_program_sets_at_start_up():
    # nanoGPT train.py: torch.backends.cuda.matmul.allow_tf32 = True (and cudnn.allow_tf32)
    import autograd_core.backends.cuda as cuda_backend

    assert ag.backends.cuda.matmul.allow_tf32 is False  # PyTorch's default
    ag.backends.cuda.matmul.allow_tf32 = True
    try:
        assert ag.backends.cuda.matmul.allow_tf32 is True
    finally:
        ag.backends.cuda.matmul.allow_tf32 = False
    assert cuda_backend.is_built() is False
    with pytest.raises(AttributeError, match="Unknown attribute allow_tf33"):
        ag.backends.cuda.matmul.allow_tf33 = True  # a typo is not silently kept
    with pytest.raises(AttributeError, match="Unknown attribute allow_tf33"):
        ag.backends.cuda.matmul.allow_tf33
    assert ag.backends.cudnn.allow_tf32 is True and ag.backends.cudnn.benchmark is False
    assert ag.backends.cudnn.deterministic is False and ag.backends.cudnn.enabled is True
    assert ag.backends.cudnn.is_available() is False and ag.backends.cudnn.version() is None


@pytest.mark.torch_parity
def test_backend_flag_defaults_match_torch():
    torch = pytest.importorskip("torch")
    m, tm = ag.backends.cuda.matmul, torch.backends.cuda.matmul
    for name in ["allow_tf32", "allow_fp16_reduced_precision_reduction",
                 "allow_bf16_reduced_precision_reduction"]:
        assert getattr(m, name) == getattr(tm, name), name
    for name in ["enabled", "benchmark", "deterministic", "allow_tf32"]:
        assert getattr(ag.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
