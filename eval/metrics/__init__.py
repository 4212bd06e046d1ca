"""One module per metric: explicit inputs, a clear error when one is missing, NaN when undefined."""
