"""Each module defines click commands and lists them in COMMANDS; ui.cli.main registers them."""
