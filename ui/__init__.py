"""Gradio app."""
