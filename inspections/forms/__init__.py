"""Forms of measure 3, one module per part: they parse input and decide nothing."""
