"""Adam's step by a shorter path: the two kernel calls torch's fused Adam makes.

The 1-D toy's iteration is per-op overhead, and most of an Adam step is Python: the
step's profiler label and hooks, then the regrouping of tensors by device and dtype.
:func:`step_optimizer` makes the same two kernel calls torch's fused Adam makes (the step
counts, then the update) on the lists it keeps, so the weights come out bit for bit the
same (a test checks it). Anything else (another optimiser, a first step that creates the
state, a missing gradient, options ganviz does not set) goes through ``step()``.

Those two calls are torch's private API (``torch._foreach_add_``, ``torch._fused_adam_``),
tested with the torch version the CI pins (pyproject.toml). :class:`QuickAdam` guards them:
where they fail, that optimiser steps through ``step()`` for the rest of the run and the
user is told once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import torch
from torch.optim import optimizer as torch_optimizer


def step_optimizer(optimizer: torch.optim.Optimizer) -> bool:
    """``optimizer.step()``, by a shorter path where it is a fused Adam; True if it took it."""
    lists = _fused_adam_lists(optimizer)
    if lists is None:
        optimizer.step()
        return False
    _fused_adam_step(*lists)
    return True


class QuickAdam:
    """Steps optimisers by :func:`step_optimizer`'s path while torch's private calls work.

    The first failure of an optimiser's quick step (e.g. another torch version changed the
    private calls) sends that optimiser through ``step()`` for the rest of the run; the
    first failure of all is reported once, through ``notify``.
    """

    def __init__(self, notify: Callable[[str], None]) -> None:
        self._notify = notify
        self._slow: weakref.WeakSet[torch.optim.Optimizer] = weakref.WeakSet()
        self.failed = False

    def step(self, optimizer: torch.optim.Optimizer) -> bool:
        """Step ``optimizer``; True if the quick path took it."""
        if optimizer not in self._slow:
            try:
                lists = _fused_adam_lists(optimizer)
                if lists is not None:
                    _fused_adam_step(*lists)
                    return True
            except Exception as error:  # any failure: torch's own step() still works
                self._slow.add(optimizer)
                if not self.failed:
                    self.failed = True
                    self._notify(f"The quick Adam step failed with this torch "
                                 f"({torch.__version__}: {type(error).__name__}: {error}); "
                                 "Adam steps through torch's own step() from now on, with the "
                                 "same results, a little slower")
        optimizer.step()
        return False


def _fused_adam_step(group: dict, params: list, grads: list, exp_avgs: list,
                     exp_avg_sqs: list, steps: list) -> None:
    """torch's fused Adam's two kernel calls. Where the update raises, the step counts are
    put back as they were, so that ``step()`` can take over from the same state."""
    beta1, beta2 = group["betas"]
    torch._foreach_add_(steps, 1)
    try:
        torch._fused_adam_(params, grads, exp_avgs, exp_avg_sqs, [], steps, amsgrad=False,
                           lr=group["lr"], beta1=beta1, beta2=beta2, weight_decay=0.0,
                           eps=group["eps"], maximize=False, grad_scale=None, found_inf=None)
    except BaseException:
        with torch.no_grad():
            for count in steps:
                count.sub_(1)
        raise


def _fused_adam_lists(optimizer: torch.optim.Optimizer) -> tuple | None:
    """The group, parameters, gradients, moments and step counts of a fused Adam that
    step_optimizer can step itself, or None where ``step()`` must."""
    groups = optimizer.param_groups
    if type(optimizer) is not torch.optim.Adam or len(groups) != 1 or _step_is_hooked(optimizer):
        return None
    group = groups[0]
    params, state = group["params"], optimizer.state
    if (not group["fused"] or group["amsgrad"] or group["maximize"] or group["weight_decay"]
            or group["capturable"] or group["differentiable"]
            or group.get("decoupled_weight_decay") or isinstance(group["lr"], torch.Tensor)
            or len(state) != len(params)):  # len: the first step creates the state
        return None
    grads, exp_avgs, exp_avg_sqs, steps = [], [], [], []
    for p in params:
        if p.grad is None or p.grad.is_sparse:
            return None
        p_state = state[p]
        grads.append(p.grad)
        exp_avgs.append(p_state["exp_avg"])
        exp_avg_sqs.append(p_state["exp_avg_sq"])
        steps.append(p_state["step"])
    return group, params, grads, exp_avgs, exp_avg_sqs, steps


def _step_is_hooked(optimizer: torch.optim.Optimizer) -> bool:
    """Whether something expects ``step()`` itself to run: its hooks, a step replaced on
    this optimiser, gradient scaling (none of which ganviz uses)."""
    return bool(optimizer._optimizer_step_pre_hooks or optimizer._optimizer_step_post_hooks
                or getattr(torch_optimizer, "_global_optimizer_pre_hooks", None)
                or getattr(torch_optimizer, "_global_optimizer_post_hooks", None)
                or "step" in vars(optimizer) or hasattr(optimizer, "grad_scale"))
