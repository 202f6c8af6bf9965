"""Reference values from the theory (Goodfellow et al. 2014), free of torch and Qt."""

import math

CURVES = ("loss_d", "loss_g", "d_real", "d_fake")

# At the equilibrium p_g = p_data the optimal discriminator is D = 1/2 everywhere: the
# summed BCE of D is then 2 ln 2 = 1.386 and the non-saturating G loss ln 2 = 0.693.
EQUILIBRIUM = {"loss_d": 2.0 * math.log(2.0), "loss_g": math.log(2.0), "d_real": 0.5, "d_fake": 0.5}
