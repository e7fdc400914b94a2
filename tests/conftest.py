"""pytest configuration: hypothesis profiles for tests/test_fuzz.py.

The default profile keeps the fuzz tests to a few seconds each. For a longer sweep set
``MLP_FUZZ_EXAMPLES`` (examples per fuzz test), e.g. ``MLP_FUZZ_EXAMPLES=2000 pytest
tests/test_fuzz.py``; ``HYPOTHESIS_PROFILE=mlp-ci`` derandomizes the run.
"""

from __future__ import annotations

import os

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is a test extra
    settings = None

if settings is not None:
    _examples = int(os.environ.get("MLP_FUZZ_EXAMPLES", "0") or 0)
    _common = dict(
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        print_blob=True,
    )
    settings.register_profile("mlp-default", max_examples=40, **_common)
    settings.register_profile("mlp-ci", max_examples=40, derandomize=True, database=None, **_common)
    settings.register_profile("mlp-long", max_examples=max(_examples, 1), **_common)
    if _examples:
        settings.load_profile("mlp-long")
    else:
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "mlp-default"))
