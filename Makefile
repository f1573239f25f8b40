# Two commands for a new user: `make demo` and `make test`. Both create .venv if missing and
# install the pinned dependencies from constraints.txt (a fresh machine gets the tested set).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lock bench clean system-deps screenshots

demo: system-deps $(STAMP)
	$(BIN)/spatial demo --overwrite

test: system-deps $(STAMP)
	$(BIN)/python -m pytest

install: $(STAMP)

# System packages pip cannot provide: a CJK font (Debian fonts-noto-cjk, SIL OFL) so that figures
# render Chinese labels, and Chromium for the browser tests of the maps and the report (Playwright
# drives Debian's chromium; `playwright install` is never used). Installs only what is missing and
# only as root with apt-get; otherwise prints what to install (figures then warn, browser tests skip).
system-deps:
	@missing=""; \
	if ! fc-list :lang=zh family 2>/dev/null | grep -q . && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then missing="fonts-noto-cjk"; fi; \
	if ! command -v chromium >/dev/null 2>&1; then missing="$$missing chromium"; fi; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	  echo "note: missing system packages:$$missing; as root run: apt-get install$$missing"; \
	else \
	  echo "installing system packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $$missing >/dev/null) || echo "note: could not install$$missing; figures warn and browser tests skip"; \
	fi

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed; run make PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# Refresh the pins after changing dependencies in pyproject.toml (needs the package registry).
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install --quiet --upgrade pip
	.lockenv/bin/python -m pip install --quiet '.[test]'
	.lockenv/bin/python -m pip freeze --exclude-editable | grep -v '^spatial-panel' > constraints.txt
	rm -rf .lockenv

# Screenshots of the demo report, the Chinese provincial study and each figure kind, shown in
# docs/gallery.md (docs/screenshots.py; several minutes; not part of `make test`).
screenshots: system-deps $(STAMP)
	$(BIN)/python docs/screenshots.py

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist .pytest_cache
