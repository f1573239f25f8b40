"""Safe file output: never over an input, never over an existing file unless asked, always atomic."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from spatial.errors import OutputError
from spatial.hints import hint

PathLike = str | os.PathLike[str]


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
    if out.exists() and not overwrite:
        raise OutputError(
            f"{display_path(out)} already exists; pass {hint('overwrite', True)} to replace it"
        )
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"output directory {display_path(parent)} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"output directory {display_path(parent)} is not writable")
    _temporary_file(out).unlink()  # os.access trusts permission bits; /proc or a read-only mount refuse later
    return out


def _temporary_file(target: Path) -> Path:
    """Create the hidden ``.part`` file beside ``target``; a folder that refuses it is an OutputError."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
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
        os.chmod(tmp, _default_mode())  # mkstemp creates 0600; outputs get the usual permissions
        os.replace(tmp, target)
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
