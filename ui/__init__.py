"""Interfaces: the command line (ui/cli/), the Gradio app (ui/web/), and the one place that builds the
objects both use from the settings (ui/services.py)."""
