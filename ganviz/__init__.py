"""ganviz: watch a GAN learn, live."""

__version__ = "0.1.0"
