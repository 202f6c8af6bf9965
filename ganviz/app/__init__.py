"""The window: everything that imports Qt lives in this package."""
