"""A non-editable install (a built wheel) finds its bundled data from an unrelated folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(out), str(REPO)],
        check=True, capture_output=True, text=True,
    )
    (built,) = out.glob("spatial_panel-*.whl")
    return built


@pytest.mark.slow
def test_wheel_carries_the_data_and_all_packages(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "spatial/_data/datasets.toml" in names
    assert "spatial/_data/us/produc.csv" in names
    assert any(n.startswith("weights/") for n in names) and any(n.startswith("maps/") for n in names)
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_installed_package_runs_demo_from_an_unrelated_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import spatial, spatial.datasets as d; print(spatial.__file__); print(d.data_dir())"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    )
    module_file, data_dir = probe.stdout.split()
    assert module_file.startswith(str(target)) and data_dir.startswith(str(target))
    demo = subprocess.run([sys.executable, "-m", "spatial", "demo"], cwd=elsewhere, env=env, capture_output=True,
                          text=True, check=False)
    assert demo.returncode == 0, demo.stderr
    assert "48 units x 17 periods" in demo.stdout
