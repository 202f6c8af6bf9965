"""Variants of one preset trained together: the toys' sweeps as one batched model.

A sweep varies one or two settings (``--vary lr_d=1e-4,1e-3 --vary k=1,5``): every
combination is a variant with a Trainer of its own (its seed, its random stream, its
history), built exactly as ``ganviz train`` builds it. Variants whose computation has the
same shape (every setting equal but those in BATCHABLE, which only scale numbers) form a
:class:`BatchedGroup`: their weights are stacked and each iteration runs once for all of
them (torch.func.vmap over the networks, the optimiser's update on stacked tensors with
per-variant learning rates, betas and EMA decays). Each variant still draws its batches
and noise from its own stream in its own order, so its numbers are those of its single
run up to the order of float sums. What cannot batch (a batch-dependent D, gradient
penalties, instance noise, RMSprop, MNIST) trains one after another in the same process.
"""

from __future__ import annotations

import torch

from ganviz.core.stacked_mlp import StackedMLP

# Parsing --vary (torch-free, the window's chooser uses it), here too for the callers.
from ganviz.core.sweep_axes import (  # noqa: F401
    MAX_MNIST_VARIANTS,
    MAX_TOY_VARIANTS,
    Variant,
    checked_variants,
    variants,
)
from ganviz.core.trainer import Trainer
from ganviz.core.updates import ema_decay

# Settings that change only numbers inside the same computation: variants differing in
# these alone train as one batch.
BATCHABLE = frozenset({"lr_d", "lr_g", "adam_beta1", "adam_beta2", "momentum", "ema", "seed"})
ADAM_EPS = 1e-8  # torch.optim.Adam's default, as the single runs use


def why_not_batched(trainer: Trainer) -> str | None:
    """Why ``trainer``'s run cannot join a batch (None: it can)."""
    s = trainer.settings
    reasons = (
        (trainer.mode == "mnist", "MNIST variants take turns"),
        (trainer.problem.batch_dependent, "minibatch discrimination"),
        (bool(s["r1_weight"]), "the R1 penalty"),
        (s["loss"] == "wgan-gp" and bool(s["gp_weight"]), "the gradient penalty"),
        (bool(s["instance_noise"]), "instance noise"),
        ("rmsprop" in (s["optimizer_d"], s["optimizer_g"]), "RMSprop"),
        (not (StackedMLP.fits(trainer.generator) and StackedMLP.fits(trainer.discriminator)),
         "networks other than plain MLPs"),
    )
    return next((why for applies, why in reasons if applies), None)


def group_key(trainer: Trainer) -> tuple:
    """Equal for trainers that batch together: all settings but BATCHABLE and k (a group
    takes its D steps on the prefix of its variants that still have one)."""
    return tuple(sorted((n, repr(v)) for n, v in trainer.settings.items()
                        if n not in BATCHABLE and n != "k"))


class PlainGroup:
    """A variant that trains on its own, in turn with the others."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainers = [trainer]

    def step(self) -> None:
        self.trainers[0].step()

    def sync(self, trainer: Trainer, whole: bool = False) -> Trainer:
        return trainer

    def for_picture(self, trainer: Trainer) -> Trainer:
        return trainer


def _column(values, like: torch.Tensor) -> torch.Tensor:
    """Per-variant numbers shaped (V, 1, 1), to scale stacked (V, a, b) tensors."""
    return torch.tensor(values, dtype=like.dtype, device=like.device).view(-1, 1, 1)


class BatchedGroup:
    """Variants of one computation trained as one: stacked weights, batched products.

    The variants are kept in the order of their k (most D steps first): the j-th D step of
    an iteration is then taken by a prefix of them, those with k > j, so variants differing
    in k batch too, and none draws a batch or updates more often than its single run."""

    def __init__(self, trainers: list[Trainer]) -> None:
        self.trainers = sorted(trainers, key=lambda t: -t.settings["k"])  # stable
        trainers = self.trainers
        self.objective = trainers[0].objective
        self.g = StackedMLP([t.generator for t in trainers])
        self.d = StackedMLP([t.discriminator for t in trainers])
        self.ema = StackedMLP([t.generator_ema for t in trainers])
        like = self.g.params[0]
        setting = lambda name: _column([t.settings[name] for t in trainers], like)  # noqa: E731
        self.lr = {"d": setting("lr_d"), "g": setting("lr_g")}
        self.b1, self.b2, self.momentum = (setting("adam_beta1"), setting("adam_beta2"),
                                           setting("momentum"))
        self.rest1, self.rest2 = 1 - self.b1, 1 - self.b2
        s = trainers[0].settings
        self.kinds = {"d": s["optimizer_d"], "g": s["optimizer_g"]}
        self.moments = {"d": None, "g": None}  # Adam's (m, v) or SGD's momentum buffers
        self.updates = {"d": torch.zeros_like(self.b1), "g": torch.zeros_like(self.b1)}
        self.k = [t.settings["k"] for t in trainers]
        self.last = torch.zeros(len(trainers), 3)  # each variant's last D loss and outputs

    def mean(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1).mean(1)

    # ------------------------------------------------------------------------ training
    def step(self) -> None:
        trainers, first = self.trainers, self.trainers[0]
        s = first.settings
        batch = s["batch_size"]
        smoothing = s["label_smoothing"] if self.objective.uses_smoothing() else 0.0
        scale = first.learning_rate_scale()
        for j in range(self.k[0]):
            n = sum(k > j for k in self.k)
            real = torch.stack([t.problem.real_batch(batch, t.rng) for t in trainers[:n]])
            noise = torch.stack([t.problem.noise(batch, t.rng) for t in trainers[:n]])
            fake, _ = self.g.forward(noise, n)
            out, kept = self.d.forward(torch.cat((real, fake), dim=1), n, keep=True)
            judged = out.requires_grad_()  # autograd for the loss alone: the rest by hand
            real_out, fake_out = judged[:, :batch], judged[:, batch:]
            loss_d = self.objective.d_loss(real_out, fake_out, smoothing, mean=self.mean)
            (upstream,) = torch.autograd.grad(loss_d.sum(), judged)
            grads, _ = self.d.backward(kept, upstream, n)
            self._update("d", self.d.params, grads, n, scale)
            with torch.no_grad():
                output = self.objective.d_output
                self.last[:n] = torch.stack((loss_d, self.mean(output(real_out)),
                                             self.mean(output(fake_out))), 1)
        count = len(trainers)
        for j in range(s["k_g"]):
            noise = torch.stack([t.problem.noise(batch, t.rng) for t in trainers])
            fake, made = self.g.forward(noise, count, keep=True)
            out, kept = self.d.forward(fake, count, keep=True)
            judged = out.requires_grad_()
            loss_g = self.objective.g_loss(judged, mean=self.mean)
            (upstream,) = torch.autograd.grad(loss_g.sum(), judged)
            _, on_fakes = self.d.backward(kept, upstream, count, weights=False, inputs=True)
            grads, _ = self.g.backward(made, on_fakes, count)
            self._update("g", self.g.params, grads, count, scale)
            self._average(j + 1)
        values = torch.cat((self.last[:, :1], loss_g.detach()[:, None], self.last[:, 1:]),
                           1).tolist()
        for trainer, row, k in zip(trainers, values, self.k, strict=True):
            trainer.d_updates += k
            trainer.g_updates += s["k_g"]
            trainer.step_count += 1
            trainer.record_iteration(row)

    @torch.no_grad()
    def _update(self, network: str, params, grads, n: int, scale: float) -> None:
        """One step of the network's optimiser for the first ``n`` variants, as
        torch.optim's (Adam, SGD, SGD with momentum)."""
        kind = self.kinds[network]
        if self.moments[network] is None:
            self.moments[network] = [[torch.zeros_like(p) for p in params] for _ in
                                     range(2 if kind == "adam" else 1)]
        p = [x[:n] for x in params]
        g = [x[:n] for x in grads]
        lr = self.lr[network][:n] * scale
        updates = self.updates[network][:n]
        updates += 1
        each = lambda column: [column] * len(p)  # noqa: E731  (foreach ops take a list)
        if kind == "adam":
            b1, b2 = self.b1[:n], self.b2[:n]
            m, v = ([x[:n] for x in state] for state in self.moments[network])
            torch._foreach_lerp_(m, g, each(self.rest1[:n]))  # m = b1 m + (1 - b1) g
            torch._foreach_mul_(v, each(b2))
            torch._foreach_addcmul_(v, g, torch._foreach_mul(g, each(self.rest2[:n])))
            denom = torch._foreach_sqrt(v)
            torch._foreach_div_(denom, each((1 - b2 ** updates).sqrt()))
            torch._foreach_add_(denom, ADAM_EPS)
            step = torch._foreach_div(m, denom)
            torch._foreach_mul_(step, each(lr / (1 - b1 ** updates)))
            torch._foreach_sub_(p, step)
        elif kind == "momentum":
            (buffers,) = ([x[:n] for x in state] for state in self.moments[network])
            first = updates == 1  # torch's buffer starts as the first gradient
            torch._foreach_mul_(buffers, each(torch.where(first, 0.0, self.momentum[:n])))
            torch._foreach_add_(buffers, g)
            torch._foreach_sub_(p, torch._foreach_mul(buffers, each(lr)))
        else:
            torch._foreach_sub_(p, torch._foreach_mul(g, each(lr)))

    @torch.no_grad()
    def _average(self, done: int) -> None:
        """The EMA after this iteration's ``done``-th G update, as Trainer._update_ema."""
        weights = _column([1.0 - ema_decay(t.g_updates + done, t.settings["ema"])
                           for t in self.trainers], self.ema.params[0])
        torch._foreach_lerp_(self.ema.params, self.g.params,
                             [weights] * len(self.ema.params))

    # ------------------------------------------------------------------------- reading
    @torch.no_grad()
    def sync(self, trainer: Trainer, whole: bool = False) -> Trainer:
        """``trainer``, one of the group's, with its newest weights (``whole``: its
        optimisers' state too, so that it can train on alone: opened as the main run)."""
        at = next(i for i, t in enumerate(self.trainers) if t is trainer)
        self.g.copy_into(trainer.generator, at)
        self.d.copy_into(trainer.discriminator, at)
        self.ema.copy_into(trainer.generator_ema, at)
        if whole:
            trainer.prepare()
            for network, optimizer, stacked in (("d", trainer.opt_d, self.d),
                                                ("g", trainer.opt_g, self.g)):
                self._hand_over(network, optimizer, stacked, at)
        return trainer

    @torch.no_grad()
    def for_picture(self, trainer: Trainer) -> Trainer:
        """``trainer`` with the newest weights of what a picture draws (D and the averaged
        generator): a third less to copy than :meth:`sync`, at every frame of 16 cells."""
        at = next(i for i, t in enumerate(self.trainers) if t is trainer)
        self.d.copy_into(trainer.discriminator, at)
        self.ema.copy_into(trainer.generator_ema, at)
        return trainer

    def _hand_over(self, network: str, optimizer, stacked: StackedMLP, at: int) -> None:
        moments = self.moments[network]
        if moments is None:
            return
        own = dict(self.trainers[at].discriminator.named_parameters() if network == "d"
                   else self.trainers[at].generator.named_parameters())

        def value(tensor, transposed):
            # contiguous, as the parameter: the fused kernel walks both in one order
            return (tensor[at].T if transposed else tensor[at][0]).contiguous().clone()

        for position, (name, transposed) in enumerate(stacked.names):
            p = own[name]
            if self.kinds[network] == "adam":
                optimizer.state[p] = {
                    "step": self.updates[network][at].reshape(()).to(torch.float32).clone(),
                    "exp_avg": value(moments[0][position], transposed),
                    "exp_avg_sq": value(moments[1][position], transposed)}
            elif self.kinds[network] == "momentum":
                optimizer.state[p] = {"momentum_buffer": value(moments[0][position],
                                                               transposed)}


def build_groups(trainers: list[Trainer]) -> list:
    """The trainers in groups that batch (see the module's docstring), in their order of
    first appearance; a group of one trains plainly."""
    grouped: dict[tuple, list[int]] = {}
    plain = []
    for index, trainer in enumerate(trainers):
        if why_not_batched(trainer) is not None:
            plain.append(index)
        else:
            grouped.setdefault(group_key(trainer), []).append(index)
    groups = [BatchedGroup([trainers[i] for i in members]) if len(members) > 1
              else PlainGroup(trainers[members[0]]) for members in grouped.values()]
    return groups + [PlainGroup(trainers[i]) for i in plain]
