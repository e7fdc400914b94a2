"""flake8-mlops: a flake8 plugin that finds MLOps antipatterns and ML code smells."""

__version__ = "0.1.0"
