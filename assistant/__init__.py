"""The assistant: a question becomes retrieved passages, a draft with [n] citations, a verified Answer."""
