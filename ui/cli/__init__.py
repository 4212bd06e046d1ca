"""The command line: `lexcite` (ui/cli/main.py), one module per command group in ui/cli/commands/."""
