"""Regenerate the screenshots of the demo report kept in docs/ (for the README).

Run from the repository root: ``.venv/bin/python docs/screenshots.py`` (needs Debian's chromium;
the network is blocked while the page loads, as in the browser tests).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from spatial.config import load_config
from spatial.datasets import data_dir
from spatial.pipeline import run

DOCS = Path(__file__).resolve().parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run(load_config(data_dir() / "demo" / "us_produc.toml"), output=Path(folder), echo=lambda text: None)
        report = Path(folder) / "report.html"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
            page.goto(report.as_uri())
            page.wait_for_timeout(500)
            page.screenshot(path=DOCS / "demo-report.png")
            page.locator("figure.map-block").first.screenshot(path=DOCS / "demo-map.png")
            browser.close()


if __name__ == "__main__":
    main()
