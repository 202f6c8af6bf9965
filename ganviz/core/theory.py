"""What the theory says about each objective, free of torch and Qt (the window needs it
before torch has loaded): the curves recorded every iteration, what D's output means,
where the curves settle at the equilibrium, and the verdict's thresholds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CURVES = ("loss_d", "loss_g", "d_real", "d_fake")

# The verdict's thresholds. JS is estimated from 20,000 samples on the plot's bins: for
# p_g = p_data exactly that estimate is ~0.001-0.002 bits, so 0.01 leaves room for the
# sampling noise and nothing a user could see. D within 0.05 of its equilibrium value
# looks flat on a 0..1 axis. D* is estimated from a smoothed histogram: for p_g = p_data
# its largest error where the data lie is ~0.05, so D within 0.1 of D* agrees.
JS_CONVERGED_BITS = 0.01
D_TOLERANCE = 0.05
D_STAR_TOLERANCE = 0.1
# A condition met stops holding only clearly above its threshold (hysteresis, see
# core/toy1d/verdict.py): 1.5 times it, above the wobble of consecutive estimates.
JS_LEAVE_BITS = 0.015
D_LEAVE = 0.075
D_STAR_LEAVE = 0.15
VERDICTS = ("converged", "d-not-optimal", "not-converged")


@dataclass(frozen=True)
class Equilibrium:
    """Where the curves settle at p_g = p_data with an optimal D (None: no single value)."""

    d_output: float | None
    loss_d: float | None
    loss_g: float | None
    loss_d_label: str
    loss_g_label: str


@dataclass(frozen=True)
class ObjectiveInfo:
    name: str
    d_is_probability: bool  # D's output is sigmoid(logit): the paper's D
    d_name: str  # "D" or "critic C"
    loss_d_text: str
    loss_g_text: str

    def uses_smoothing(self) -> bool:
        return self.name in ("minimax", "nonsaturating")

    @property
    def has_d_star(self) -> bool:
        """D* is a function of the two densities (hinge: a step; wgan-gp: no closed form)."""
        return self.name in ("minimax", "nonsaturating", "lsgan")

    @property
    def has_value(self) -> bool:
        """V(D, G) of the paper (or, for wgan-gp, the Wasserstein estimate) is defined."""
        return self.name in ("minimax", "nonsaturating", "wgan-gp")

    def equilibrium(self, smoothing: float = 0.0) -> Equilibrium:
        """Where the curves settle; one-sided label smoothing only acts on the BCE games."""
        name = self.name
        if name in ("minimax", "nonsaturating"):
            d = 0.5 * (1.0 - smoothing)  # D*(x) = (1 - s) p_data / (p_data + p_g)
            loss_d = -(1.0 - smoothing) * math.log(d) - smoothing * math.log(1 - d) \
                - math.log(1 - d)
            if name == "minimax":
                loss_g = math.log(1.0 - d)
                g_label = "−ln 2" if not smoothing else f"{loss_g:.3f}"
            else:
                loss_g = -math.log(d)
                g_label = "ln 2" if not smoothing else f"{loss_g:.3f}"
            d_label = "2 ln 2" if not smoothing else f"{loss_d:.3f}"
            return Equilibrium(d, loss_d, loss_g, d_label, g_label)
        if name == "lsgan":
            return Equilibrium(0.5, 0.25, 0.125, "0.25", "0.125")
        if name == "hinge":  # any D in [-1, 1] is optimal at p_g = p_data: loss_d = 2
            return Equilibrium(None, 2.0, None, "2", "")
        return Equilibrium(None, 0.0, None, "0", "")  # wgan-gp: W estimate 0



INFO: dict[str, ObjectiveInfo] = {
    o.name: o
    for o in (
        ObjectiveInfo("minimax", True, "D", "D loss (BCE)", "G loss log(1 − D(G(z)))"),
        ObjectiveInfo("nonsaturating", True, "D", "D loss (BCE)", "G loss −log D(G(z))"),
        ObjectiveInfo("lsgan", False, "D", "D loss (least squares)", "G loss (least squares)"),
        ObjectiveInfo("wgan-gp", False, "critic C", "critic loss E C(fake) − E C(real)",
                      "G loss −E C(G(z))"),
        ObjectiveInfo("hinge", False, "D", "D loss (hinge)", "G loss −E D(G(z))"),
    )
}


def info(name: str) -> ObjectiveInfo:
    return INFO[name]
