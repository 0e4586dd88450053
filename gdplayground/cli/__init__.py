"""Command-line front end: ``gdplayground [FILE]``, ``gdplayground run``, ``gdplayground export``.

Every user mistake ends with exit status 2 and one line on stderr,
``gdplayground: error: ...``, saying what is wrong and what to write instead.
Nothing below this package imports it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from gdplayground.cli.parser import PROG, UsageError, build_parser, normalise_argv
from gdplayground.model.session import SessionError

__all__ = ["PROG", "UsageError", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gdplayground`` command; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if not args_list or not (args_list[0].startswith("-") or args_list[0] in ("run", "export")):
            return _open_window(args_list)
        args = build_parser().parse_args(normalise_argv(args_list))
        if args.command == "run":
            from gdplayground.cli.run import run_command

            return run_command(args)
        if args.command == "export":
            from gdplayground.cli.export import export_command

            status = export_command(args)
            if argv is None:  # the program itself, and the file is written: leave now
                _leave_without_teardown(status)
            return status
        build_parser().print_help()
        return 0
    except (UsageError, SessionError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug: still one line, never a traceback
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} (please report it)",
            file=sys.stderr,
        )
        return 1


def _leave_without_teardown(status: int) -> None:
    """Exit at once: tearing down Qt and the interpreter takes ~0.15 s and saves nothing."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _open_window(args: list[str]) -> int:
    if len(args) > 1:
        raise UsageError(
            f"unexpected arguments {' '.join(args[1:])!r}: "
            f"write {PROG} [FILE.gdp.json], or {PROG} run/export ..."
        )
    if args:
        from pathlib import Path

        if not Path(args[0]).is_file():
            raise UsageError(
                f"{args[0]!r} is not a file: write {PROG} FILE.gdp.json to open a saved session, "
                f"or {PROG} run FUNCTION to compute without a window"
            )
    from gdplayground.qt.app import run_app

    return run_app(args[0] if args else None)
