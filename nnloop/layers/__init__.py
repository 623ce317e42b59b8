"""The layers, one kind per file: each one's forward and backward loops, and f and f' (activations.py)."""
