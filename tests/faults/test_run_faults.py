"""Files and runs (issue 12 item 3, RELIABILITY G2/G4): interrupted, concurrent and half-existing runs.

Each case asserts the exit code, the message and the state of the output folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spatial import datasets
from spatial._fs import sha256
from spatial.cli import main
from tests.conftest import REPO, folder_snapshot

PANEL = ('[project]\nname = "Produc"\noutput = "out"\n[panel]\ndataset = "us_produc"\nid = "fips"\n'
         'time = "year"\nvariables = ["gsp", "unemp"]\n[boundaries]\ndataset = "us48_states"\n')


def _config(folder: Path, extra: str = "") -> Path:
    path = folder / "a.toml"
    path.write_text(PANEL + extra, encoding="utf-8")
    return path


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


def _cli(args: list, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_run_json_is_last_and_lists_every_output_with_its_checksum(tmp_path, capsys):
    code, _, err = _cli(["run", _config(tmp_path, '[weights.queen]\nkind = "queen"\n')], capsys)
    assert code == 0, err
    out = tmp_path / "out"
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "complete" and record["partial"] == [] and record["format"] == "spatial-run/1"
    files = {p.name for p in out.iterdir()}
    assert files == set(record["outputs"])  # nothing else: no staging folder, no lock, no .part file
    assert set(record["checksums"]) == files - {"run.json"}
    for name, digest in record["checksums"].items():
        assert sha256(out / name) == digest
    assert os.stat(out / "run.json").st_mtime_ns >= max(os.stat(out / n).st_mtime_ns for n in record["checksums"])
    assert {i["file"] for i in record["inputs"]} == {"produc.csv", "us48_states.geojson"}


def test_existing_output_is_refused_before_any_step(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "esda_scatter_unemp_1970.png").write_bytes(b"an earlier figure")
    config = _config(tmp_path, '[esda]\nvariables = ["unemp"]\nlisa = ["unemp"]\npermutations = 0\n')
    before = folder_snapshot(tmp_path)
    code, stdout, err = _cli(["run", config], capsys)
    assert code == 2
    assert "out: esda_scatter_unemp_1970.png already exists (outputs of an earlier run)" in err
    assert "pass --overwrite" in err
    assert "SpatialPanel" not in stdout  # refused before the panel was even read
    assert folder_snapshot(tmp_path) == before and sorted(os.listdir(out)) == ["esda_scatter_unemp_1970.png"]


def test_a_failing_later_step_leaves_the_folder_untouched(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    config = _config(tmp_path, '[report]\nvariables = ["nope"]\n')
    before = folder_snapshot(tmp_path)
    code, stdout, err = _cli(["run", config], capsys)
    assert code == 2 and "[report] variables ['nope'] are not panel variables" in err
    assert "SpatialPanel" in stdout  # the panel step ran and would have written its summary
    assert folder_snapshot(tmp_path) == before
    assert sorted(os.listdir(out)) == ["notes.txt"]  # no staging folder, lock or panel_summary.txt left


def test_a_second_concurrent_run_stops_with_a_clear_message(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / ".spatial-run.lock").write_text(f"{holder.pid}\n", encoding="utf-8")
        config = _config(tmp_path)
        before = folder_snapshot(tmp_path)
        code, _, err = _cli(["run", config], capsys)
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert f"another spatial run (pid {holder.pid}) is writing to out" in err and "choose another --out" in err
    assert folder_snapshot(tmp_path) == before


def test_a_stale_lock_of_a_dead_process_is_taken_over_with_a_warning(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    dead = _dead_pid()
    (out / ".spatial-run.lock").write_text(f"{dead}\n", encoding="utf-8")
    code, _, err = _cli(["run", _config(tmp_path)], capsys)
    assert code == 0, err
    assert f"warning: out: taking over the lock of a run that no longer exists (pid {dead})" in err
    assert not (out / ".spatial-run.lock").exists() and (out / "run.json").is_file()


def test_leftovers_of_a_killed_process_are_removed_by_the_next_run(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    dead, alive = _dead_pid(), os.getppid()
    stale = [f".run.json.spatial-{dead}-abc123.part", f".report.html.spatial-{dead}-zz.part"]
    for name in stale:
        (out / name).write_text("half-written", encoding="utf-8")
    (out / f".spatial-staging-{dead}-q1").mkdir()
    (out / f".spatial-staging-{dead}-q1" / "panel_summary.txt").write_text("staged", encoding="utf-8")
    live = out / f".other.csv.spatial-{alive}-x.part"  # a live process's temporary file is never touched
    live.write_text("in progress", encoding="utf-8")
    code, _, err = _cli(["run", _config(tmp_path)], capsys)
    assert code == 0, err
    hidden = sorted(n for n in os.listdir(out) if n.startswith("."))
    assert hidden == [live.name]


def test_a_single_command_sweeps_leftovers_in_its_folder(tmp_path, capsys):
    dead = _dead_pid()
    (tmp_path / f".q.gal.spatial-{dead}-k.part").write_text("half", encoding="utf-8")
    args = ["weights", "build", datasets.path("us48_states"), "--id", "fips", "--kind", "queen", "--out",
            tmp_path / "q.gal"]
    code, _, err = _cli(args, capsys)
    assert code == 0, err
    assert sorted(os.listdir(tmp_path)) == ["q.gal", "q.gal.run.json"]


@pytest.mark.parametrize("command", [["run"], ["report"]])
def test_sigterm_removes_every_temporary_file_and_exits_143(tmp_path, command):
    # Long enough to be interrupted: many permutations on every period.
    config = _config(tmp_path, '[esda]\nvariables = ["gsp", "unemp"]\nlisa = ["gsp", "unemp"]\n'
                               'lisa_periods = [1970, 1975, 1980, 1986]\npermutations = 99999\nseed = 1\n'
                               + ('[report]\n' if command == ["report"] else ''))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "spatial", "-q", *command, str(config)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.name.startswith(".spatial-staging-") for p in
                                                  (out.iterdir() if out.is_dir() else [])):
        time.sleep(0.05)
    time.sleep(0.5)
    assert proc.poll() is None, proc.stderr.read()
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 143, err
    assert "terminated; no output was left half-written" in err and "Traceback" not in err
    assert os.listdir(out) == []  # no .part file, no staging folder, no lock, no half a run


def test_commands_write_a_sidecar_record_of_inputs_options_and_seed(tmp_path, capsys):
    table = datasets.path("us_produc")
    out = tmp_path / "moran.csv"
    args = ["moran", table, "--id", "fips", "--time", "year", "--variables", "unemp", "--boundaries",
            datasets.path("us48_states"), "--permutations", "99", "--seed", "7", "--out", out]
    code, _, err = _cli(args, capsys)
    assert code == 0, err
    record = json.loads((tmp_path / "moran.csv.run.json").read_text(encoding="utf-8"))
    assert record["command"] == "moran" and record["seed"] == 7 and record["status"] == "complete"
    assert {"role": "table", "file": "produc.csv", "sha256": sha256(table)} in record["inputs"]
    assert record["options"]["variables"] == ["unemp"] and record["options"]["output"] == "moran.csv"  # as parsed
    assert record["outputs"] == ["moran.csv"] and record["checksums"] == {"moran.csv": sha256(out)}
    assert "numpy" in record["versions"]
    # the record of an earlier output is not overwritten silently either
    out.unlink()
    before = folder_snapshot(tmp_path)
    code, _, err = _cli(args, capsys)
    assert code == 2 and "moran.csv.run.json (the record of an earlier output) already exists" in err
    assert folder_snapshot(tmp_path) == before


def test_fit_sidecar_records_the_seed_and_the_weights_file(tmp_path, capsys):
    weights = tmp_path / "q.gal"
    code, _, err = _cli(["weights", "build", datasets.path("us48_states"), "--id", "fips", "--kind", "queen",
                         "--out", weights], capsys)
    assert code == 0, err
    code, _, err = _cli(["fit", datasets.path("us_produc"), "--id", "fips", "--time", "year", "--y", "log(gsp)",
                         "--x", "log(emp)", "--model", "sar", "--fe", "twoway", "--weights", weights,
                         "--effects-draws", "50", "--seed", "3", "--json", tmp_path / "sar.json"], capsys)
    assert code == 0, err
    record = json.loads((tmp_path / "sar.json.run.json").read_text(encoding="utf-8"))
    assert record["command"] == "fit" and record["seed"] == 3
    assert {"role": "weights_file", "file": "q.gal", "sha256": sha256(weights)} in record["inputs"]
    built = json.loads((tmp_path / "q.gal.run.json").read_text(encoding="utf-8"))
    assert built["command"] == "weights build" and built["options"]["kind"] == "queen"


def test_user_strings_in_file_names_never_create_a_path(tmp_path, capsys):
    config = _config(tmp_path, '[weights."../../evil"]\nkind = "queen"\n[weights."a/b"]\nkind = "rook"\n')
    code, _, err = _cli(["run", config], capsys)
    assert code == 0, err
    names = sorted(os.listdir(tmp_path / "out"))
    assert "weights_.._.._evil.csv" in names and "weights_a_b.csv" in names
    assert sorted(os.listdir(tmp_path)) == ["a.toml", "out"]


def test_two_outputs_that_sanitise_to_one_name_are_an_error(tmp_path, capsys):
    config = _config(tmp_path, '[weights."a/b"]\nkind = "queen"\n[weights."a_b"]\nkind = "rook"\n')
    code, _, err = _cli(["run", config], capsys)
    assert code == 2 and "would both be written as 'weights_a_b.csv'" in err
    assert not (tmp_path / "out" / "weights_a_b.csv").exists() and os.listdir(tmp_path / "out") == []


@pytest.mark.parametrize(("target", "message"), [
    ("/proc/x.csv", "cannot write x.csv: its folder refuses new files"),
    ("missing/x.csv", "output directory missing does not exist; create it first"),
])
def test_out_into_an_unwritable_place_is_a_clean_exit_2(tmp_path, capsys, target, message):
    before = folder_snapshot(tmp_path)
    code, _, err = _cli(["moran", datasets.path("us_produc"), "--id", "fips", "--time", "year", "--variables",
                         "unemp", "--boundaries", datasets.path("us48_states"), "--permutations", "0",
                         "--out", target], capsys)
    assert code == 2 and message in err and err.startswith("error: ")
    assert folder_snapshot(tmp_path) == before


def test_run_into_an_unwritable_folder_is_a_clean_exit_2(tmp_path, capsys):
    code, _, err = _cli(["run", _config(tmp_path), "--out", "/proc/spatial-out"], capsys)
    assert code == 2 and "cannot create the output folder spatial-out" in err
