"""Each module defines click commands and lists them in COMMANDS; lexcite.cli registers them."""
