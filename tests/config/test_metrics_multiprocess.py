"""With PROMETHEUS_MULTIPROC_DIR set, a scrape sums the counters of every process writing there."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup()\n"
COUNT = SETUP + "from marketplace.metrics import CHECKOUTS; CHECKOUTS.labels('placed').inc()\n"
SCRAPE = (
    SETUP + "from prometheus_client import generate_latest\n"
    "from config.metrics import _process_registry\n"
    "print(generate_latest(_process_registry()).decode())\n"
)


def _run(code: str, **env: str) -> str:
    inherited = {name: value for name, value in os.environ.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _placed(text: str) -> float:
    (line,) = [line for line in text.splitlines() if line.startswith('jalin_checkouts_total{outcome="placed"}')]
    return float(line.split()[-1])


def test_the_scrape_sums_the_processes_sharing_the_directory(tmp_path):
    shared = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        _run(COUNT, **shared)

    assert _placed(_run(SCRAPE, **shared)) == 2


def test_without_the_directory_a_process_reports_only_its_own_counts(tmp_path):
    # Nothing counted in this fresh process: the other processes' counts are not seen
    _run(COUNT, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))

    text = _run(SCRAPE)

    assert 'jalin_checkouts_total{outcome="placed"}' not in text
    assert "# TYPE jalin_checkouts_total counter" in text
