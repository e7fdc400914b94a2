"""Family A: MLOps antipatterns (MLP0xx), from the seed papers."""
