"""`JALIN_POSTGRES_REQUIRED=1` turns the skip of a PostgreSQL-only test into a failure."""

import pytest

from tests.postgres import SWITCH, postgres_unavailable


@pytest.mark.parametrize("switch", [None, "0", ""])
def test_without_the_switch_the_test_is_skipped_with_its_reason(monkeypatch, switch):
    if switch is None:
        monkeypatch.delenv(SWITCH, raising=False)
    else:
        monkeypatch.setenv(SWITCH, switch)

    with pytest.raises(pytest.skip.Exception) as skipped:
        postgres_unavailable("needs PostgreSQL")

    assert str(skipped.value) == "needs PostgreSQL"


def test_with_the_switch_the_skip_is_a_failure(monkeypatch):
    monkeypatch.setenv(SWITCH, "1")

    with pytest.raises(pytest.fail.Exception) as failed:
        postgres_unavailable("needs PostgreSQL")

    assert str(failed.value) == "needs PostgreSQL (JALIN_POSTGRES_REQUIRED=1)"
