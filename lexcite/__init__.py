"""Lexcite core: settings, errors and the text toolkit every layer shares (imports no other layer)."""

__version__ = "0.1.0"
