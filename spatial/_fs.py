"""Safe file output: never over an input, never over an existing file unless asked, always atomic."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from spatial.errors import OutputError
from spatial.hints import hint

PathLike = str | os.PathLike[str]

# Temporary files are named ``.<name>.spatial-<pid>-<random>.part`` (also in weights/io.py and
# maps/_atomic.py, which import nothing of ours) and a run's staging folder
# ``.spatial-staging-<pid>-<random>``: the pid lets the next run in the folder remove what a killed
# process left behind (a live process's files are never touched).
_STALE = re.compile(r"^\..*\.spatial-(\d+)-[^/]*\.part$|^\.spatial-staging-(\d+)-[^/]*$")

# Outputs checked by :func:`check_output` while a command declares its plan (see :func:`recording`).
_PLAN: list[Path] | None = None


def display_path(path: PathLike) -> str:
    """A path as shown in messages and reports: relative to the working directory, else the basename.

    Examples
    --------
    >>> display_path("/somewhere/else/produc.csv")
    'produc.csv'
    """
    p = Path(path).expanduser()
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return p.name


def temp_prefix(name: str) -> str:
    """The prefix of a temporary file beside output ``name`` (see :func:`sweep_stale`)."""
    return f".{name}.spatial-{os.getpid()}-"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a process we may not signal still exists)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(folder: PathLike) -> list[str]:
    """Remove the temporary files and staging folders that dead processes left in ``folder``.

    Only names of our own scheme whose process no longer exists are removed; returns their names.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".out.csv.spatial-999999999-x1.part").write_text("half")
    >>> sweep_stale(d)
    ['.out.csv.spatial-999999999-x1.part']
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _STALE.match(entry.name)
        if not match or pid_alive(int(match.group(1) or match.group(2))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
    return sorted(removed)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*]')


def safe_name(text: object, *, limit: int = 120) -> str:
    """``text`` made usable as one part of a file name: no path separators, control characters,
    leading dots or characters that Windows refuses; letters of any script are kept.

    Examples
    --------
    >>> safe_name("../../etc/passwd")
    '__.._etc_passwd'
    >>> safe_name("东部 GDP")
    '东部 GDP'
    """
    clean = _UNSAFE.sub("_", unicodedata.normalize("NFC", str(text))).strip()
    clean = re.sub(r"^\.+", "_", clean)
    return clean[:limit] or "_"


@contextlib.contextmanager
def recording() -> Iterator[list[Path]]:
    """Collect every output checked by :func:`check_output` inside the block (a command's plan)."""
    global _PLAN
    previous, _PLAN = _PLAN, []
    try:
        yield _PLAN
    finally:
        _PLAN = previous


@contextlib.contextmanager
def not_recording() -> Iterator[None]:
    """Suspend :func:`recording` (a pipeline run describes its outputs in run.json instead)."""
    global _PLAN
    previous, _PLAN = _PLAN, None
    try:
        yield
    finally:
        _PLAN = previous


def sidecar_path(path: PathLike) -> Path:
    """The provenance record written beside an output of a command: ``<out>.run.json``."""
    path = Path(path)
    return path.with_name(path.name + ".run.json")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_output(path: PathLike, *, inputs: Iterable[PathLike] = (), overwrite: bool = False) -> Path:
    """Check, before any long computation, that ``path`` may be written.

    Refuses an output that is one of the inputs, an existing file unless ``overwrite``, and a
    directory that does not exist or is not writable.

    Raises
    ------
    OutputError
        Naming the path and the option that changes the behaviour.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_output(d / "summary.json").name
    'summary.json'
    """
    out = Path(path).expanduser()
    for source in inputs:
        src = Path(source).expanduser()
        if out.resolve() == src.resolve() or _same_file(out, src):
            raise OutputError(
                f"refusing to write {display_path(out)}: it is one of the inputs; choose another output path"
            )
    if out.is_dir():
        raise OutputError(f"output {display_path(out)} is a folder; give a file name")
    if out.exists() and not overwrite:
        raise OutputError(
            f"{display_path(out)} already exists; pass {hint('overwrite', True)} to replace it"
        )
    if _PLAN is not None and sidecar_path(out).exists() and not overwrite:
        raise OutputError(
            f"{display_path(sidecar_path(out))} (the record of an earlier output) already exists; "
            f"pass {hint('overwrite', True)} to replace it"
        )
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"output directory {display_path(parent)} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"output directory {display_path(parent)} is not writable")
    _temporary_file(out).unlink()  # os.access trusts permission bits; /proc or a read-only mount refuse later
    sweep_stale(parent)
    if _PLAN is not None and out not in _PLAN:
        _PLAN.append(out)
    return out


def _temporary_file(target: Path) -> Path:
    """Create the hidden ``.part`` file beside ``target``; a folder that refuses it is an OutputError."""
    try:
        fd, name = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputError(
            f"cannot write {display_path(target)}: its folder refuses new files "
            f"({exc.strerror or type(exc).__name__}); choose a writable output folder"
        ) from None
    os.close(fd)
    return Path(name)


def _default_mode() -> int:
    """0666 minus the process umask: the mode ``open()`` would give a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    On an error or an interrupt the temporary file is removed and any previous ``path`` is left
    untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    target = Path(path).expanduser()
    tmp = _temporary_file(target)
    try:
        yield tmp
        try:
            os.chmod(tmp, _default_mode())  # mkstemp creates 0600; outputs get the usual permissions
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"cannot write {display_path(target)} ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomic(path: PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def sha256(path: PathLike) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
