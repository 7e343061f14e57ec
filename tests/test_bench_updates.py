"""The updates benchmark, at a tiny size on SQLite, so the script cannot quietly rot: one
INSERT queues the recipients, delivery runs, and a killed sender loses and repeats nothing."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_updates_benchmark_runs_and_a_killed_sender_loses_nothing(tmp_path):
    run = subprocess.run(
        [sys.executable, "bench/updates.py", "--db", "sqlite", "--recipients", "500",
         "--deliver", "60", "--kill-recipients", "150", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [written] = tmp_path.glob("*-updates-sqlite.json")
    result = json.loads(written.read_text())
    assert result["queuing"]["recipients"] == 500
    assert result["queuing"]["statements"]["INSERT"] == 1
    assert result["delivery"]["messages"] == 60 and result["delivery"]["app_per_s"] > 0
    kill = result["kill"]
    assert kill["lost"] == 0 and kill["received_twice_or_more"] == 0
    assert kill["received_when_killed"] < 150
