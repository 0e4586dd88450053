"""Command-line front end: ``gdplayground [FILE]``, ``gdplayground run``, ``gdplayground export``.

Every user mistake ends with exit status 2 and one line on stderr,
``gdplayground: error: ...``, saying what is wrong and what to write instead;
SIGINT, SIGTERM and SIGHUP end ``run`` and ``export`` with 130, 143 and 129
and one line (see :mod:`gdplayground.cli.interrupts`).  This module imports
nothing heavy, so the signal handlers are in place before numpy, sympy or Qt
start loading.  Nothing below this package imports it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from gdplayground import PROG
from gdplayground.cli.interrupts import install_stop_handlers, phase

__all__ = ["PROG", "main"]
_COMMANDS = ("run", "export", "explain", "lessons")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gdplayground`` command; returns the exit status.

    As the program itself (``argv`` None), ``run`` and ``export`` leave with
    ``os._exit`` once done: tearing down Qt and the interpreter saves nothing
    and, after a failed write to stdout, would complain a second time.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = args_list[0] if args_list else None
    program = argv is None and command in _COMMANDS
    if program:
        install_stop_handlers()
        phase("started")
        from gdplayground.core.quiet import silence_float_warnings

        silence_float_warnings()
    status = _main(args_list)
    if program:
        _leave(status)
    return status


def _main(args_list: list[str]) -> int:
    from gdplayground.cli.parser import UsageError, build_parser, normalise_argv
    from gdplayground.model.session import SessionError

    try:
        if args_list and args_list[0] == "lessons":
            return _list_lessons(args_list[1:])
        if args_list and args_list[0] == "--lesson":
            return _open_lesson(args_list[1:])
        if not args_list or not (args_list[0].startswith("-") or args_list[0] in _COMMANDS):
            return _open_window(args_list)
        args = build_parser().parse_args(normalise_argv(args_list))
        if args.command == "run":
            from gdplayground.cli.run import run_command

            return run_command(args)
        if args.command == "explain":
            from gdplayground.cli.explain import explain_command

            return explain_command(args)
        if args.command == "export":
            from gdplayground.cli.export import export_command

            return export_command(args)
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
    except MemoryError:
        print(
            f"{PROG}: error: out of memory: ask for fewer steps, starts or optimizers",
            file=sys.stderr,
        )
        return 2
    except Exception as exc:  # a bug: still one line, never a traceback
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} (please report it)",
            file=sys.stderr,
        )
        return 1


def _leave(status: int) -> None:
    """Exit at once (see :func:`main`); output that cannot be flushed is dropped."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def _list_lessons(args: list[str]) -> int:
    """``gdplayground lessons``: the ready lessons, one a line (key, then title)."""
    from gdplayground.cli.parser import UsageError
    from gdplayground.model.lessons import list_lessons

    if args:
        raise UsageError(f"gdplayground lessons takes no arguments, not {' '.join(args)!r}")
    for lesson in list_lessons():
        print(f"{lesson.key:32} {lesson.title}")
    return 0


def _open_lesson(args: list[str]) -> int:
    """``gdplayground --lesson NAME``: the window with a ready lesson."""
    from gdplayground.cli.parser import UsageError
    from gdplayground.model.lessons import find_lesson

    if len(args) != 1:
        raise UsageError(f"write {PROG} --lesson NAME (see {PROG} lessons)")
    lesson = find_lesson(args[0])
    from gdplayground.qt.app import run_app

    return run_app(str(lesson.path))


def _open_window(args: list[str]) -> int:
    from gdplayground.cli.parser import UsageError

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
