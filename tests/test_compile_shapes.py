"""torch.compile(dynamic=True) of the dilated conv encoder: one graph for every crop length."""

from __future__ import annotations

import pytest
import torch

from tscl.encoders.dilated_conv import DilatedConvEncoder
from tscl.train.compile_shapes import compile_dynamic, convolution_backward_as_aten


def unique_graphs() -> int:
    from torch._dynamo.utils import counters

    return int(counters["stats"]["unique_graphs"])


def test_training_steps_at_new_lengths_reuse_one_graph() -> None:
    pytest.importorskip("torch._inductor")
    from torch._functorch import config as functorch_config
    from torch._inductor import config as inductor_config

    torch._dynamo.reset()
    torch.manual_seed(0)
    eager = DilatedConvEncoder(1, hidden_dims=8, output_dims=8, depth=3)
    compiled = DilatedConvEncoder(1, hidden_dims=8, output_dims=8, depth=3)
    compiled.load_state_dict(eager.state_dict())
    eager.eval()  # no dropout or random masks: the two are comparable
    compiled.eval()
    compile_dynamic(compiled)
    assert convolution_backward_as_aten() is False  # idempotent: already replaced
    before = unique_graphs()
    generator = torch.Generator().manual_seed(1)
    # no cache: a graph cached by an earlier process would hide a recompile
    with (
        inductor_config.patch(fx_graph_cache=False),
        functorch_config.patch(enable_autograd_cache=False),
    ):
        for length in (61, 97, 130, 77):
            x = torch.randn(2, 1, length, generator=generator)
            for model in (eager, compiled):
                model.zero_grad()
                model(x).pow(2).mean().backward()
            torch.testing.assert_close(
                compiled.input_fc.weight.grad,
                eager.input_fc.weight.grad,
                rtol=1e-4,
                atol=1e-5,
            )
    assert unique_graphs() - before == 1
