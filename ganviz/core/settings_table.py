"""Every setting ganviz has, described once: the table :mod:`ganviz.core.config` serves.

The control panel, ``ganviz train --set``, ``ganviz train --help`` and the trainer's
validation all read this table, so they cannot disagree. No torch, no Qt.
"""

from __future__ import annotations

from ganviz.core.setting import Setting

LOSSES = ("minimax", "nonsaturating", "lsgan", "wgan-gp", "hinge")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
TARGETS = ("gaussian", "mixture", "uniform", "laplace")
NOISES = ("gaussian", "uniform", "stratified")
DEVICES = ("auto", "cpu", "cuda", "mps")
GRID_LAYOUTS = ("noise", "codes", "continuous")  # the MNIST sample grid's layouts
DATASETS_2D = ("ring8", "grid25", "two-moons", "spiral", "line", "two-gaussians",
               "custom")

# The order here is the order of the controls in the window and of `ganviz train --help`.
SETTINGS: tuple[Setting, ...] = (
    Setting("loss", "Objective", str, "nonsaturating", choices=LOSSES,
            help="The GAN game. minimax: G minimises log(1 - D(G(z))), the paper's "
                 "saturating loss; nonsaturating: G minimises -log D(G(z)); lsgan: least "
                 "squares; wgan-gp: a critic (no sigmoid) with gradient penalty; hinge. "
                 "Switchable while training: the networks are kept."),
    Setting("lr_d", "Learning rate D", float, 1e-3, 1e-5, 1.0, log_scale=True,
            help="Step size of the discriminator's optimiser. Applied at once; the "
                 "optimiser keeps its state."),
    Setting("lr_g", "Learning rate G", float, 1e-3, 1e-5, 1.0, log_scale=True,
            help="Step size of the generator's optimiser. Applied at once; the optimiser "
                 "keeps its state."),
    Setting("optimizer_d", "Optimiser D", str, "adam", choices=OPTIMIZERS,
            help="The discriminator's optimiser: plain SGD, SGD with momentum, Adam or "
                 "RMSprop. Switching keeps the weights; the optimiser's state (moments, "
                 "momentum) starts afresh."),
    Setting("optimizer_g", "Optimiser G", str, "adam", choices=OPTIMIZERS,
            help="The generator's optimiser (as for D). Switching keeps the weights; the "
                 "optimiser's state starts afresh."),
    Setting("adam_beta1", "Adam beta1", float, 0.5, 0.0, 0.999,
            help="Adam's first-moment decay (both networks). Applied at once, state kept."),
    Setting("adam_beta2", "Adam beta2", float, 0.999, 0.0, 0.99999,
            help="Adam's second-moment decay (both networks). Applied at once, state kept."),
    Setting("momentum", "Momentum", float, 0.9, 0.0, 0.999,
            help="Momentum of the 'momentum' optimiser (SGD with heavy-ball momentum)."),
    Setting("k", "D steps per iteration (k_d)", int, 1, 1, 50,
            help="Discriminator updates in each iteration, before the generator's (k of "
                 "Algorithm 1 in Goodfellow et al. 2014; also accepted as k_d)."),
    Setting("k_g", "G steps per iteration", int, 1, 1, 20,
            help="Generator updates in each iteration, after the discriminator's (the "
                 "DCGAN tutorial of the seed systems uses 2)."),
    Setting("lr_decay", "LR decay factor", float, 1.0, 0.01, 1.0,
            help="Staircase decay of both learning rates (as in the 1-D tutorial S1): "
                 "multiplied by this factor every 'LR decay every' iterations; 1 = none."),
    Setting("lr_decay_every", "LR decay every", int, 1000, 1, 1_000_000,
            help="Iterations between two learning-rate decay steps."),
    Setting("batch_size", "Batch size", int, 64, 1, 4096,
            help="Real and fake samples per step, for both networks. Applied at once."),
    Setting("ema", "Generator EMA decay", float, 0.999, 0.0, 0.9999,
            help="The generator drawn and measured is an exponential moving average of the "
                 "trained generator's weights (0 = the trained weights themselves). "
                 "Averaging removes the oscillation around the equilibrium."),
    Setting("gp_weight", "WGAN-GP weight", float, 10.0, 0.0, 1000.0, group="Stabilisers",
            help="Weight of the gradient penalty (||grad C|| - 1)^2 on points between real "
                 "and fake samples; used by the wgan-gp objective only."),
    Setting("gp_one_sided", "One-sided gradient penalty", bool, False, group="Stabilisers",
            help="WGAN-GP's penalty on slopes above 1 only, max(0, ||grad C|| - 1)^2 (Gulrajani "
                 "et al. 2017, appendix), instead of (||grad C|| - 1)^2. In 1-D the two-sided "
                 "penalty can trap the critic upside down: to flip its sign it must pass a "
                 "flat critic, which costs gp_weight."),
    Setting("r1_weight", "R1 penalty", float, 0.0, 0.0, 1000.0, group="Stabilisers",
            help="Zero-centred gradient penalty on real data, weight/2 * ||grad D(x)||^2 "
                 "(Mescheder et al. 2018); 0 = off."),
    Setting("instance_noise", "Instance noise", float, 0.0, 0.0, 10.0, group="Stabilisers",
            help="Std of Gaussian noise added to every input of D, real and fake (data "
                 "units; MNIST: pixel units), annealed linearly to 0; 0 = off."),
    Setting("instance_noise_steps", "Noise annealed over", int, 5000, 1, 1_000_000,
            group="Stabilisers",
            help="Iterations over which the instance noise falls linearly to 0."),
    Setting("label_smoothing", "One-sided label smoothing", float, 0.0, 0.0, 0.5,
            group="Stabilisers",
            help="D's target for real data is 1 - this (minimax and nonsaturating only). "
                 "With 0.1 the optimal D at equilibrium is 0.45, not 0.5."),
    Setting("minibatch_discrimination", "Minibatch discrimination", bool, False, live=False,
            group="Stabilisers", modes=("1d",),
            help="S1's later version: D also sees, per sample, how close it is to the rest "
                 "of its batch (5 kernels of dimension 3), which punishes a generator "
                 "collapsed to a spike. D(x) then depends on the batch. Applied on Reset."),
    Setting("d_pretrain_steps", "D pre-training steps", int, 0, 0, 20_000, live=False,
            group="Stabilisers", modes=("1d",),
            help="S1's D_pre: before the game, fit D(x) to the real pdf (scaled to peak at "
                 "0.8, as N(4, 0.5) does) by mean squared error for this many steps. "
                 "Applied on Reset; the window's 'Pre-train D' button does it at once."),
    Setting("target", "Target", str, "gaussian", group="Target", modes=("1d",),
            choices=TARGETS,
            help="The real data: a Gaussian, a mixture of 2-5 Gaussians, a uniform or a "
                 "Laplace distribution. Applied at once."),
    Setting("target_mean", "Target mean", float, 4.0, -50.0, 50.0, group="Target", modes=("1d",),
            help="Mean of the real data (gaussian, uniform, laplace). Applied at once: watch "
                 "the generator follow."),
    Setting("target_sigma", "Target std", float, 0.5, 0.01, 20.0, group="Target",
            modes=("1d",),
            help="Standard deviation of the real data (gaussian, uniform, laplace). Applied "
                 "at once."),
    Setting("mixture_means", "Mixture means", tuple, (-2.0, 2.0), -50.0, 50.0,
            group="Target", modes=("1d",),
            help="Means of the mixture's components, comma-separated (2 to 5)."),
    Setting("mixture_sigmas", "Mixture stds", tuple, (0.5, 0.5), 0.01, 20.0, group="Target",
            modes=("1d",),
            help="Standard deviations of the components; one number applies to all."
                 , lengths=(1, 5)),
    Setting("mixture_weights", "Mixture weights", tuple, (1.0, 1.0), 0.0, 100.0,
            group="Target", modes=("1d",), lengths=(1, 5),
            help="Relative weights of the components (normalised); one number: equal."),
    Setting("dataset", "Dataset", str, "ring8", group="Target", modes=("2d",),
            choices=DATASETS_2D,
            help="The real 2-D data: 8 Gaussians on a ring, a 5x5 grid of Gaussians, two "
                 "moons, a spiral, a line, two Gaussians, or custom (points drawn with the "
                 "mouse or read from a file: Data menu). Applied at once: the generator "
                 "has to follow."),
    Setting("noise", "Generator noise", str, "gaussian", group="Noise", modes=("1d", "2d"),
            choices=NOISES,
            help="The generator's input z: N(0, 1), U(-range, range), or (1-D only) S1's "
                 "stratified "
                 "linspace(-range, range, batch) + U(0, 0.01). Applied at once."),
    Setting("noise_range", "Noise range", float, 1.0, 0.01, 100.0, group="Noise",
            modes=("1d", "2d"),
            help="The range of uniform and stratified noise (S1 uses 8)."),
    Setting("noise_dim", "Noise dimension", int, 2, 1, 8, live=False, group="Noise",
            modes=("2d",),
            help="Dimension of the generator's input z. With 2 the window draws the "
                 "generator's manifold: the image of a grid of z. Applied on Reset."),
    Setting("seed", "Random seed", int, 0, 0, 2**31 - 1, live=False, group="Model",
            help="Seeds the weights, the noise and the real samples. Applied on Reset."),
    Setting("g_width", "G hidden units", int, 32, 1, 512, live=False, group="Model",
            modes=("1d", "2d"),
            help="Units in each hidden layer of the generator. Applied on Reset."),
    Setting("g_layers", "G hidden layers", int, 2, 0, 6, live=False, group="Model",
            modes=("1d", "2d"),
            help="Hidden layers of the generator (0: a linear map). Applied on Reset."),
    Setting("d_width", "D hidden units", int, 32, 1, 512, live=False, group="Model",
            modes=("1d", "2d"),
            help="Units in each hidden layer of the discriminator. Applied on Reset."),
    Setting("d_layers", "D hidden layers", int, 2, 0, 6, live=False, group="Model",
            modes=("1d", "2d"),
            help="Hidden layers of the discriminator (0: logistic regression, which can "
                 "only tell means apart). Applied on Reset."),
    Setting("standardize", "Standardise inputs", bool, True, live=False, group="Model",
            modes=("1d",),
            help="The networks see (x - mean) / std of the target instead of raw x. Off, "
                 "D tends to go flat at 0.5 before the generator's spread is right. "
                 "Applied on Reset."),
    Setting("device", "Device", str, "auto", live=False, group="Model", choices=DEVICES,
            help="Where the networks train. auto: MNIST on CUDA or Apple's MPS when "
                 "present, the 1-D and 2-D toys on the CPU (their networks are so small that "
                 "a GPU runs them slower: launching its kernels costs more than the "
                 "arithmetic). The window draws from copies on the CPU. Applied on Reset."),
    Setting("latent_dim", "Latent size", int, 64, 1, 512, live=False, group="Model",
            modes=("mnist",),
            help="Dimension of the generator's noise input z. Applied on Reset."),
    Setting("info_codes", "InfoGAN code values", int, 0, 0, 100, live=False, group="Model",
            modes=("mnist",),
            help="InfoGAN (Chen et al. 2016): the generator's input also gets a categorical "
                 "code, one of this many values (one-hot; 1 is a constant, no code), and D "
                 "a second head Q that guesses the code from the digit. G and Q are trained "
                 "to make it guessable, so each value comes to stand for one kind of digit "
                 "and fewer samples fall between two classes. 0 = off. Applied on Reset."),
    Setting("info_continuous", "InfoGAN continuous codes", int, 0, 0, 8, live=False,
            group="Model", modes=("mnist",),
            help="InfoGAN's continuous codes: this many numbers from U(-1, 1) also join the "
                 "generator's input, and Q estimates each of them too (a unit-variance "
                 "Gaussian: half the squared error). In the InfoGAN paper two of them came "
                 "to stand for a digit's slant and width. 0 = off. Applied on Reset."),
    Setting("info_weight", "InfoGAN weight", float, 1.0, 0.0, 100.0, group="Model",
            modes=("mnist",),
            help="Weight of Q's loss (the categorical code's cross-entropy plus the "
                 "continuous codes' term) in both networks' losses, InfoGAN's lambda; 0 lets "
                 "the generator ignore its codes. The loss curves show the GAN's own "
                 "losses, without this term. Applied at once."),
    Setting("digit", "Digit asked for", str, "all", group="Model", modes=("mnist",),
            choices=("all", *"0123456789"),
            help="A conditional preset (mnist-cgan): the digit the grid and the class bars "
                 "ask for; all: the grid's rows go 0-9 and the bars sample each digit in "
                 "turn. Other presets draw what they draw (only all). Applied at once."),
    Setting("sample_grid", "Sample grid", str, "noise", group="Model", modes=("mnist",),
            choices=GRID_LAYOUTS,
            help="What the grid of generated digits shows. noise: 64 fixed inputs, the same "
                 "every frame. codes: one row per value of InfoGAN's categorical code, the "
                 "same z down each column (what each value has come to stand for). "
                 "continuous: each continuous code from -1 to 1 across a row, the rest "
                 "fixed (InfoGAN's slant and width, if learnt). A layout the run's codes do "
                 "not have shows noise. Applied at once; training is unchanged."),
)
