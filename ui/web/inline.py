"""Problems a person fixes in the form itself ("pick a document first"), shown beside the control.

`Invalid` is a `gr.Error`, so a handler called outside the page still stops with a readable message;
the app's events catch it and write the message next to the control instead, so no component is
covered by an error block and the form stays usable.
"""

from __future__ import annotations

import gradio as gr

from ui.web.render import esc


class Invalid(gr.Error):
    """Input the person can correct; the message says how."""


def hint(message: str) -> str:
    """An inline message for a gr.HTML beside the control."""
    return f'<div class="lx-hint" role="alert">{esc(message)}</div>' if message else ""

