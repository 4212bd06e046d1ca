"""Eval harness: golden sets, metrics, reports."""
