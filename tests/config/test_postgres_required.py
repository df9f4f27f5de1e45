"""`JALIN_POSTGRES_REQUIRED=1` turns the skip of a PostgreSQL-only test into a failure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEEDS_POSTGRES = """
from tests.postgres import postgres_unavailable

def test_needs_postgres():
    postgres_unavailable("needs PostgreSQL")
"""


def _run(tmp_path, switch: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_tiny.py").write_text(NEEDS_POSTGRES)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k != "JALIN_POSTGRES_REQUIRED"}
    env["PYTHONPATH"] = str(ROOT)
    if switch is not None:
        env["JALIN_POSTGRES_REQUIRED"] = switch
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", "-rsf", "test_tiny.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("switch", [None, "0"])
def test_without_the_switch_the_test_is_skipped_with_its_reason(tmp_path, switch):
    run = _run(tmp_path, switch)

    assert run.returncode == 0, run.stdout
    assert "1 skipped" in run.stdout and "SKIPPED [1]" in run.stdout and ": needs PostgreSQL\n" in run.stdout


def test_with_the_switch_the_skip_is_a_failure(tmp_path):
    run = _run(tmp_path, "1")

    assert run.returncode == 1, run.stdout
    assert "1 failed" in run.stdout and "needs PostgreSQL (JALIN_POSTGRES_REQUIRED=1)" in run.stdout
