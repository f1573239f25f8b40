"""The ``spatial`` command line.

Exit codes: 0 ok; 1 internal error (a bug: please report it); 2 bad input (every
``SpatialPanelError``, ``WeightsError`` and usage error); 3 numerical failure. Errors are one
line on stderr saying what, where and how to fix; ``--debug`` shows the traceback.

Every command that writes files declares them (each is checked by ``spatial._fs.check_output``
before any work) and, on success, gets a provenance record ``<out>.run.json`` beside each output
(inputs with checksums, options, seed, versions; the format of ``run.json``). SIGTERM removes
temporary files like an interrupt and exits 143.

Subcommands live in their own modules and are imported only when run, so ``spatial --help``
starts fast.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
import warnings
from importlib import import_module
from typing import get_args

import click

from spatial.choices import CsvEncoding, Language

__all__ = ["main", "cli"]

# name -> (module, attribute, one-line help shown by `spatial --help`)
_COMMANDS = {
    "datasets": ("spatial.cli.core", "datasets_cmd", "List the bundled datasets."),
    "demo": ("spatial.cli.core", "demo_cmd", "Run the analysis on the bundled US states panel."),
    "run": ("spatial.cli.core", "run_cmd", "Run the analysis described by a TOML config file."),
    "config": ("spatial.cli.core", "config_cmd", "Write a complete, commented config file to start from."),
    "check": ("spatial.cli.core", "check_cmd", "Validate a panel table (and boundaries) and summarise it."),
    "reshape": ("spatial.cli.core", "reshape_cmd", "Turn a wide table (one column per period) into long form."),
    "moran": ("spatial.cli.esda", "moran_cmd", "Global Moran's I / Geary's C / Getis-Ord G by period."),
    "lisa": ("spatial.cli.esda", "lisa_cmd", "Local Moran (LISA) clusters by period, with transitions."),
    "hotspots": ("spatial.cli.esda", "hotspots_cmd", "Getis-Ord Gi* hot and cold spots by period."),
    "zonal": ("spatial.cli.raster", "zonal_cmd", "Zonal statistics of a raster (stack) per polygon, as a table."),
    "index": ("spatial.cli.index", "index_cmd", "Indices: composite, coupling, inequality, DEA/GML, Markov, gravity."),
    "map": ("spatial.cli.maps", "map_cmd", "One map (interactive HTML, or PNG/SVG for papers) of a column."),
    "report": ("spatial.cli.maps", "report_cmd", "Run the analysis of a TOML config file and write the HTML report."),
    "weights": ("spatial.cli.weights", "weights_cmd", "Build, inspect and convert spatial weights."),
    "fit": ("spatial.cli.fit", "fit_cmd", "Estimate a spatial regression (OLS/SLX/SAR/SEM/SDM/SDEM/SAC) with effects."),
    "select": ("spatial.cli.fit", "select_cmd", "Model selection for a spatial panel: LM, LR, Wald and Hausman tests."),
    "bayes": ("spatial.cli.bayes", "bayes_cmd", "Posterior model probabilities of OLS/SLX/SAR/SDM/SEM/SDEM (LeSage 2014)."),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        module, attribute, _ = _COMMANDS[name]
        return _recorded(getattr(import_module(module), attribute))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class _State:
    debug = False
    quiet = False
    surface = None  # spatial.hints.Surface of the command being run
    lang: str | None = None  # the global --lang (commands with their own --lang receive it directly)
    command: str | None = None  # e.g. "weights build", set when a command's callback starts
    params: dict = {}
    warnings: list[str] = []
    partial: list[str] = []  # outputs written with --partial while some variables or periods failed


STATE = _State()

# Commands that describe their outputs in run.json instead of sidecars.
_RUN_COMMANDS = ("run", "report", "demo")


def _recorded(command: click.Command) -> click.Command:
    """Make ``command`` (and its subcommands) note its name and options in :data:`STATE` when run."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _recorded(sub)
    if command.callback is None or getattr(command.callback, "_records", False):
        return command
    callback = command.callback

    @functools.wraps(callback)
    def noted(*args, **kwargs):
        STATE.command = click.get_current_context().command_path.removeprefix("spatial").strip()
        STATE.params = dict(kwargs)
        files = STATE.params.get("weights_file")
        if isinstance(files, tuple) and len(files) <= 1:  # a repeatable --weights given once: recorded as before
            STATE.params["weights_file"] = files[0] if files else None
        return callback(*args, **kwargs)

    noted._records = True
    command.callback = noted
    return command


def mark_partial(path) -> None:
    """Record that output ``path`` holds partial results (its sidecar then says ``"status": "partial"``)."""
    from pathlib import Path

    if Path(path).name not in STATE.partial:
        STATE.partial.append(Path(path).name)


def uses_weights(graph, name: str, since: int) -> None:
    """D2: warn when the command's weights fall apart into several components (once, unless the
    builder of the matrix already did since ``since``, the length of ``STATE.warnings`` before)."""
    from spatial.connectivity import COMPONENTS_PHRASE, note_components

    reported = any(COMPONENTS_PHRASE in w for w in STATE.warnings[since:])
    note_components(graph, name, {}, step=STATE.command or "", reported=reported)


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that every ``finally`` removes its temporary files."""


_TERMINATING = threading.Event()


def _terminate(signum, frame):
    _TERMINATING.set()  # a C extension interrupted while importing may turn the raise into its own ImportError
    raise _Terminated


@contextlib.contextmanager
def _sigterm_raises():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="spatial-panel", prog_name="spatial")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and results, no progress bars.")
@click.option("--lang", type=click.Choice(get_args(Language)),
              help="Language of tables, figures and reports (given to the subcommand when it has its own).")
@click.option("--csv-encoding", type=click.Choice(get_args(CsvEncoding)),
              help="Encoding of CSV outputs (default utf-8-sig: UTF-8 with BOM, opens correctly in Excel).")
def cli(debug: bool, quiet: bool, lang: str | None, csv_encoding: str | None) -> None:
    """Spatial econometrics for regional panels: weights, Moran/LISA, spatial panel models, maps.

    Start with `spatial demo`, then describe your own analysis in a TOML file and
    `spatial run analysis.toml`.
    """
    from spatial.csv_output import set_csv_encoding
    from spatial.progress import set_quiet

    STATE.debug, STATE.quiet, STATE.lang = debug, quiet, lang
    set_quiet(quiet)
    set_csv_encoding(csv_encoding)


def _user_error_types() -> tuple[type[BaseException], ...]:
    from spatial.errors import SpatialPanelError
    from weights.errors import WeightsError

    return (SpatialPanelError, WeightsError)


def _resolve(args: list[str]) -> tuple[list[str], click.Command, int]:
    """The subcommand path named by ``args`` (``["weights", "build"]``), its command, and the index of
    the argument after the path."""
    path: list[str] = []
    command: click.Command = cli
    end = 0
    for position, token in enumerate(args):
        if not isinstance(command, click.Group):
            break
        if token.startswith("-"):
            continue
        if token not in command.list_commands(click.Context(command)):
            break
        path.append(token)
        command = command.get_command(click.Context(command), token)
        end = position + 1
    return path, command, end


def _flags(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


def _surface(args: list[str]):
    """Where messages are shown: the config (run, report, demo) or the command being run, with its flags."""
    from spatial.hints import cli_surface

    path, command, _ = _resolve(args)
    return cli_surface(" ".join(path), _flags(command), config=bool(path) and path[0] in ("run", "report", "demo"))


_GLOBAL_FLAGS = ("-q", "--quiet", "--debug")
_GLOBAL_VALUES = ("--csv-encoding",)


def hoist_global_options(args: list[str]) -> list[str]:
    """``-q``, ``--quiet``, ``--debug``, ``--csv-encoding`` and ``--lang`` are accepted before or after
    the subcommand.

    They move in front of the subcommand; ``--lang`` goes to the subcommand when it has its own
    (``--lang`` or ``--language``). Everything after a ``--`` stays as it is.

    Examples
    --------
    >>> hoist_global_options(["datasets", "-q"])
    ['-q', 'datasets']
    >>> hoist_global_options(["--lang", "zh", "moran", "t.csv"])
    ['moran', '--language', 'zh', 't.csv']
    """
    cut = args.index("--") if "--" in args else len(args)
    head, tail = list(args[:cut]), list(args[cut:])
    front: list[str] = []
    rest: list[str] = []
    lang: str | None = None
    position = 0
    while position < len(head):
        token = head[position]
        if token in _GLOBAL_FLAGS:
            front.append(token)
        elif token in _GLOBAL_VALUES and position + 1 < len(head):
            front += [token, head[position + 1]]
            position += 1
        elif token.partition("=")[0] in _GLOBAL_VALUES:
            front.append(token)
        elif token == "--lang" and position + 1 < len(head):
            lang = head[position + 1]
            position += 1
        elif token.startswith("--lang="):
            lang = token.partition("=")[2]
        else:
            rest.append(token)
        position += 1
    if lang is not None:
        _, command, end = _resolve(rest)
        own = next((f for f in ("--lang", "--language") if command is not cli and f in _flags(command)), None)
        if own is not None:
            rest[end:end] = [own, lang]
        else:
            front += ["--lang", lang]
    return front + rest + tail


def _text(exc: BaseException) -> str:
    """The message of ``exc`` with its option hints spelled for the surface being run."""
    from spatial.hints import render

    raw = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    return render(raw, STATE.surface) if STATE.surface is not None else str(exc)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings reach a CLI user as one line, without the source location."""
    if str(message) not in STATE.warnings:
        STATE.warnings.append(str(message))
    if not STATE.quiet or not issubclass(category, UserWarning):
        shown = _text(message) if isinstance(message, Warning) else message
        click.echo(f"warning: {shown}", err=True)


def _terminated() -> int:
    click.echo("terminated; no output was left half-written", err=True)
    return 143


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spatial`` command; returns the exit code."""
    from spatial._fs import recording
    from spatial._run import now, write_sidecars

    args = hoist_global_options(sys.argv[1:] if argv is None else list(argv))
    STATE.debug = "--debug" in args
    _TERMINATING.clear()
    STATE.command, STATE.params, STATE.warnings, STATE.partial = None, {}, [], []
    started = now()
    try:
        STATE.surface = _surface(args)
    except Exception:  # an unusable command line is click's to report
        STATE.surface = None
    try:
        with _sigterm_raises(), recording() as planned, warnings.catch_warnings():
            warnings.showwarning = _show_warning
            cli.main(args=args, prog_name="spatial", standalone_mode=False)
            if STATE.command and STATE.command.split()[0] not in _RUN_COMMANDS:
                write_sidecars(STATE.command, started, STATE.params, planned, STATE.warnings, STATE.partial)
    except _Terminated:
        return _terminated()
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("interrupted; no output was left half-written", err=True)
        return 130
    except Exception as exc:  # mapped to exit codes below; the traceback only with --debug
        from spatial.errors import NumericalError

        if _TERMINATING.is_set():  # SIGTERM arrived inside code that re-raised it as another error
            return _terminated()
        if STATE.debug:
            raise
        if isinstance(exc, NumericalError):
            click.echo(f"numerical error: {_text(exc)}", err=True)
            return 3
        if isinstance(exc, _user_error_types()):
            click.echo(f"error: {_text(exc)}", err=True)
            return 2
        click.echo(
            f"internal error ({type(exc).__name__}: {exc}); this is a bug: rerun with --debug and report it",
            err=True,
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
