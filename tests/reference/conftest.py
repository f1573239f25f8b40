"""The scripts beside the fixtures (make_fixture.py, make_reference.py, ...) produce reference values
with tools that are not dependencies (R, linearmodels, spreg); they are not tests and several share
a file name, which pytest's doctest collection cannot import side by side. Their README.md files are
still collected (--doctest-glob)."""

collect_ignore_glob = ["*/*.py"]
