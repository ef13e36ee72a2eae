"""paintrack: a pain diary for medial branch blocks, with the relief metrics clinicians check."""

__version__ = "0.1.0"
