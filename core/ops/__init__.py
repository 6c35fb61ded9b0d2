"""Differentiable ops, one small ``Node`` subclass each, grouped by kind."""
