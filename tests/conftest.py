"""Shared fixtures: small panels, shuffled rows, string ids, and a snapshot of a folder's files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = REPO.parent / "shared" / "reference"


def folder_snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256, to prove that nothing was written or changed."""
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def snapshot():
    return folder_snapshot


@pytest.fixture(scope="session")
def produc() -> pd.DataFrame:
    from spatial import datasets

    return datasets.load("us_produc")


@pytest.fixture(scope="session")
def us_states():
    from spatial import datasets

    return datasets.load("us48_states")


@pytest.fixture(autouse=True)
def _quiet_cwd(tmp_path, monkeypatch):
    """Run every test from an empty folder, so stray outputs never land in the repository."""
    monkeypatch.chdir(tmp_path)
