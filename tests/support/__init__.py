"""What several test folders share: document generators, fake assistants and chat models, server helpers.

Imported as `tests.support.<module>` (pytest runs from the repository root).
"""
