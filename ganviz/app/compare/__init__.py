"""Compare mode: variants of a run trained together, drawn side by side."""
