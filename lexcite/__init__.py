"""Lexcite: the application shell (settings, errors, command line)."""

__version__ = "0.1.0"
