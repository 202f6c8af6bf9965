"""The Qt-free heart of ganviz: settings, data, models, the training loop, metrics.

Nothing below this package imports Qt or pyqtgraph, so the same run works in the
window, headless (``ganviz train``) and in tests.
"""
