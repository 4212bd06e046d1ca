"""The Gradio app: Ask (cited chat), Library, Quiz and Evaluate tabs, sign-in. Built from ui.services."""
