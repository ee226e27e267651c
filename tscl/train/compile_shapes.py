"""Keeps ``torch.compile(dynamic=True)`` dynamic through convolution backward passes.

Inductor's lowering of ``aten.convolution_backward`` (torch 2.13,
``torch/_inductor/kernel/conv.py``) guards the input-gradient strides to
integers, which pins every length of a 1-D conv to the one it was compiled at:
with random crop lengths each training step then compiles a new graph (the
``compile`` benchmark at length 3000 counted one graph per step, up to
Dynamo's recompile limit). Routing that one op to Inductor's ATen fallback,
the kernel eager mode runs, keeps the length symbolic; the forward
convolutions and everything else are still compiled.
"""

from __future__ import annotations

import torch
from torch import nn


def compile_dynamic(module: nn.Module) -> None:
    """Compiles ``module`` in place with symbolic shapes from the first call.

    Crops and slices change length every step, and a static first graph would
    only be compiled again; conv backward goes to ATen first, as it would pin
    the length (module docstring).
    """
    convolution_backward_as_aten()
    module.compile(dynamic=True)


def convolution_backward_as_aten() -> bool:
    """Lower ``aten.convolution_backward`` to its ATen kernel from now on, in this process.

    Idempotent. Returns True when Inductor's own lowering of the op was found
    and replaced by the fallback, False when it was not there (already replaced,
    or a torch without it).
    """
    from torch._inductor import lowering
    from torch._inductor.kernel import conv

    op = torch.ops.aten.convolution_backward
    own = getattr(conv, "convolution_backward_lowering", None)
    if own is None or lowering.lowerings.get(op.default) is not own:
        return False
    lowering.lowerings.pop(op.default)
    lowering.make_fallback(op, warn=False)
    return True
