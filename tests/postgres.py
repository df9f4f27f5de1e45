"""Tests that need PostgreSQL (and, for some, Redis, a worker or the HTTP transport).

On the embedded defaults they are skipped with a reason. With `JALIN_POSTGRES_REQUIRED=1`
(the CI's PostgreSQL run) such a skip is a failure instead: that run exists to run them.
No Django here, so that the switch itself can be tested in a bare pytest.
"""

import os

import pytest

SWITCH = "JALIN_POSTGRES_REQUIRED"


def postgres_unavailable(reason: str):
    """Skips the calling test, or fails it when PostgreSQL is required."""
    if os.environ.get(SWITCH) == "1":
        pytest.fail(f"{reason} ({SWITCH}=1)")
    pytest.skip(reason)
