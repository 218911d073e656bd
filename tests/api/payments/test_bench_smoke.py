"""The webhook benchmark still runs (a tiny count; the real run is `bench/webhooks.py`, not a test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.services import require_postgres

ROOT = Path(__file__).resolve().parents[3]


def test_the_webhook_benchmark_runs_end_to_end_with_a_tiny_count() -> None:
    require_postgres()
    argv = ["bench/webhooks.py", "--clients", "2", "--requests", "6", "--rounds", "1", "--max-seconds", "60"]
    done = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "signed webhook ingest" in done.stdout
    assert "duplicate deliveries" in done.stdout
    assert "ratio webhook/minimal throughput" in done.stdout
