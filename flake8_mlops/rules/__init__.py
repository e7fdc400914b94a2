"""Every rule module, imported explicitly so that each registers itself.

A test checks that every ``mlpNNN_*.py`` file under this package is imported here.
"""

from .mlops import (  # noqa: F401
    mlp001_hardcoded_credentials,
    mlp002_pickle_model_handoff,
    mlp003_unsafe_deserialization,
    mlp004_trusted_remote_code,
    mlp005_unpinned_hub_artifact,
)
