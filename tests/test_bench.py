"""The load benchmark itself, in its quick mode, so the script cannot quietly rot."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_end_to_end_and_loses_no_signature(tmp_path):
    run = subprocess.run(
        [sys.executable, "bench/load.py", "--quick", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [written] = tmp_path.glob("*-sqlite-quick.json")
    result = json.loads(written.read_text())

    [signing] = result["load"]["signing"]
    [bare_insert] = result["load"]["bare_insert"]
    for scenario in (signing, bare_insert):
        assert scenario["accepted"] > 0
        assert scenario["stored"] == scenario["accepted"]
        assert scenario["server_errors"] == 0
        assert scenario["write_ms"]["p50"] > 0
    assert result["pages"]["bare_page"]["pages_per_s"] > 0
    assert result["pages"]["statement_100"]["errors"] == {}
    assert set(result["pages"]["latency_uncached"]) == {"100", "500"}
    assert result["export"]["cli"]["rows"] == result["export"]["http"]["rows"] == 500
    assert result["export"]["http"]["peak_rss_mb"] > 0
    assert result["search"]["all"]["n"] > 0
    assert "signing_64_vs_bare_insert" not in result["targets"]  # quick mode runs 4 signers
    assert "wrote" in run.stdout


def test_the_encryption_benchmark_measures_both_ways(tmp_path):
    run = subprocess.run(
        [sys.executable, "bench/encryption.py", "--rows", "2000", "--signings", "10",
         "--rounds", "1", "--export-repeats", "1", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [written] = tmp_path.glob("*-encryption-sqlite.json")
    result = json.loads(written.read_text())

    assert result["cipher"]["address"]["decrypt_us"] > 0
    assert result["signing"]["cipher_us_per_signature"] > 0
    assert all(result["signing"][mode]["wall_ms"] > 0 for mode in ("encrypted", "plain"))
    assert result["export"]["encrypted"]["rows"] == result["export"]["plain"]["rows"] == 2000
    assert result["export"]["encrypted"]["bytes"] == result["export"]["plain"]["bytes"]


@pytest.mark.skipif(not (ROOT.parent / "shared" / "ceiling" / "bare_app.py").exists(),
                    reason="the shared ceiling (../shared/ceiling) is not beside this checkout")
def test_the_signing_cpu_benchmark_compares_the_app_with_the_ceiling_part_by_part(tmp_path):
    run = subprocess.run(
        [sys.executable, "bench/signing_cpu.py", "--batches", "1", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [written] = tmp_path.glob("*-signing-cpu-sqlite.json")
    per_post = json.loads(written.read_text())["per_post"]
    assert set(per_post) == {"whole signature", "checks only", "request only"}
    for figures in per_post.values():
        assert figures["app_ms_best"] > 0 and figures["bare_ms_best"] > 0
        assert 0 < figures["share_of_bare"]
    assert per_post["checks only"]["app_ms_best"] < per_post["whole signature"]["app_ms_best"]
