"""Many copies of one small MLP as stacked tensors, with a forward and backward pass by
batched matrix products: a sweep's variants (core/sweep.py) in a handful of calls.

The backward pass is written out (the Linear layers' and the activations' derivatives)
instead of left to autograd: for networks this small, autograd's bookkeeping per operation
cost more than the products themselves (measured in docs/performance.md).
"""

from __future__ import annotations

import torch
from torch import nn

from ganviz.core.networks import ACTIVATIONS as MAKERS

ACTIVATIONS = tuple({type(make()) for make in MAKERS.values()})


class StackedMLP:
    """The variants' copies of one nn.Sequential of Linear layers and activations: per
    Linear a weight (V, in, out) and a bias (V, 1, out). Passes run over the first ``n``
    variants (views of the stacked tensors)."""

    def __init__(self, modules: list[nn.Sequential]) -> None:
        self.template = modules[0]
        self.params: list[torch.Tensor] = []
        self.names: list[tuple[str, bool]] = []  # each tensor's module parameter, transposed?
        for index, layer in enumerate(self.template):
            if isinstance(layer, nn.Linear):
                layers = [m[index] for m in modules]
                self.params.append(torch.stack([x.weight.detach().T for x in layers]).clone())
                self.params.append(torch.stack([x.bias.detach()[None] for x in layers]).clone())
                self.names += [(f"{index}.weight", True), (f"{index}.bias", False)]

    @staticmethod
    def fits(module: nn.Module) -> bool:
        """A plain Sequential of biased Linear layers and known activations."""
        return isinstance(module, nn.Sequential) and all(
            isinstance(layer, (nn.Linear, *ACTIVATIONS)) and
            (not isinstance(layer, nn.Linear) or layer.bias is not None) for layer in module)

    @torch.no_grad()
    def forward(self, x: torch.Tensor, n: int, keep: bool = False):
        """The output for inputs ``x`` (n, B, in), and (``keep``) what the backward pass
        needs: each layer's input and output."""
        kept = []
        at = 0
        for layer in self.template:
            given = x
            if isinstance(layer, nn.Linear):
                x = torch.baddbmm(self.params[at + 1][:n], x, self.params[at][:n])
                at += 2
            else:
                x = layer(x)  # elementwise, no weights
            if keep:
                kept.append((given, x))
        return x, kept

    @torch.no_grad()
    def backward(self, kept, grad: torch.Tensor, n: int, weights: bool = True,
                 inputs: bool = False):
        """The gradients of the parameters (first ``n`` variants; None unless ``weights``)
        and (``inputs``) of the input, given the output's gradient ``grad``."""
        grads: list[torch.Tensor | None] = [None] * len(self.params)
        at = len(self.params)
        for layer, (given, made) in zip(reversed(self.template), reversed(kept), strict=True):
            if isinstance(layer, nn.Linear):
                at -= 2
                if weights:
                    grads[at] = torch.bmm(given.transpose(1, 2), grad)
                    grads[at + 1] = grad.sum(1, keepdim=True)
                if at == 0 and not inputs:
                    return grads, None
                grad = torch.bmm(grad, self.params[at][:n].transpose(1, 2))
            else:
                grad = _through(layer, grad, given, made)
        return (grads if weights else None), grad

    def copy_into(self, module: nn.Module, index: int) -> None:
        """Variant ``index``'s weights into ``module`` (a copy of the template)."""
        own = dict(module.named_parameters())
        for tensor, (name, transposed) in zip(self.params, self.names, strict=True):
            value = tensor[index]
            own[name].copy_(value.T if transposed else value[0])


def _through(layer: nn.Module, grad: torch.Tensor, given: torch.Tensor,
             made: torch.Tensor) -> torch.Tensor:
    """``grad`` taken back through the activation (input ``given``, output ``made``), by
    the kernels autograd itself uses."""
    aten = torch.ops.aten
    if isinstance(layer, nn.LeakyReLU):
        return aten.leaky_relu_backward(grad, given, layer.negative_slope, False)
    if isinstance(layer, nn.ReLU):
        return aten.threshold_backward(grad, made, 0)
    if isinstance(layer, nn.Tanh):
        return aten.tanh_backward(grad, made)
    if isinstance(layer, nn.Softplus):
        return aten.softplus_backward(grad, given, layer.beta, layer.threshold)
    raise TypeError(f"no derivative for {type(layer).__name__}")
