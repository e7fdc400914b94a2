"""Data tables of library APIs (Bandit style): what the rules match, kept out of rule code."""
