"""Bundled data files of ganviz, installed as the package ``ganviz.resources``."""
