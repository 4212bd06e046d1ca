"""Exception types the core raises. Each message says how to fix the problem.

The CLI turns them into a one-line message and an exit code; the UI into `gr.Error`.
"""


class LexciteError(Exception):
    """Base class: a problem a person can act on. `exit_code` is what the CLI returns."""

    exit_code = 2


class ConfigError(LexciteError):
    """Bad or unknown setting."""


class NoIndexError(LexciteError):
    """The index is missing or empty."""


class StoreError(LexciteError):
    """The vector store (embedded or server) could not be used."""


class IngestBusyError(LexciteError):
    """Another ingest holds the lock."""


class LoaderError(LexciteError):
    """A file could not be read. The message is one line a person can act on."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
