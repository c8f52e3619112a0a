"""Every state change of measure 3, one module per part (plans, drawing, visits, intake)."""
