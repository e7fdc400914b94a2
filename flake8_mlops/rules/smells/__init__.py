"""Family B: ML code smells (Zhang et al. 2022), MLP101-MLP120."""
