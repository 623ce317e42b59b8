"""Files on disk: MNIST's IDX files read as samples; model files, written atomically and read back checked key by key (the training block in checkpoint.py)."""
