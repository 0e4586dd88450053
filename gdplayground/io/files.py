"""Write files so that nothing is ever lost; read user files with a hard cap.

Every writer of the program (images, animations, trajectories, sessions)
writes through :func:`atomic_write`, :func:`atomic_output` or
:func:`atomic_write_bytes`: a temporary file in the target's folder, every
write checked, flushed and synced to the disk, then renamed over the target.
On any failure the temporary is removed and an existing target is left as it
was.  Temporaries are named ``.NAME.gdplayground-PID-XXXXXXXX.tmp``: a later
write into the same folder removes those whose process is gone (a ``kill -9``
leaves them).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from gdplayground.io.cleanup import forget_temporary, track_temporary

#: The temporaries this module makes, and the process that made each.
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.gdplayground-(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")
#: Longer target names are shortened in the temporary's name (file names stop at 255 bytes).
_MAX_NAME_IN_TEMPORARY = 180
_CHUNK = 1 << 20


class OutputError(OSError):
    """The output path cannot be written; the message says why, in one line."""


# ------------------------------------------------------------------ targets
def output_target(path: str | os.PathLike[str]) -> Path:
    """The file that writing ``path`` replaces: checked, with a symbolic link followed.

    Saving over a link writes through to the file it points to (as editors
    do) and keeps the link.  Refused with :class:`OutputError`: an empty
    name, a folder, a device, FIFO or socket, a folder that does not exist or
    cannot be written.
    """
    text = os.fspath(path)
    if not text:
        raise OutputError("no output file name given: write the name of the file to write")
    given = Path(text)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write {given}: {exc.strerror or exc}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(f"cannot write {given}: it is {_kind(mode)}; give the name of a file")
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {given}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {given}: no permission to write in {folder}")
    return target


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


# ------------------------------------------------------------------ temporaries
def temporary_name(target: Path, pid: int | None = None) -> Path:
    """A fresh temporary's path beside ``target``, naming the process that writes it."""
    name = target.name[:_MAX_NAME_IN_TEMPORARY]
    writer = os.getpid() if pid is None else pid
    return target.with_name(f".{name}.gdplayground-{writer}-{secrets.token_hex(4)}.tmp")


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove this module's temporaries in ``folder`` whose writing process is gone.

    Only names of our own pattern are looked at, and a temporary whose process
    is still running (another export writing into the same folder) is kept.
    Returns what was removed; never raises.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or int(match["pid"]) == os.getpid() or _running(int(match["pid"])):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (it may belong to someone else)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours to signal (or the platform cannot tell): keep it
        return True
    return True


class _Temporary:
    """A temporary file beside the target, registered for removal before it exists."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.given = os.fspath(path)
        self.target = output_target(path)
        remove_stale_temporaries(self.target.parent)
        self.path = temporary_name(self.target)
        track_temporary(self.path)
        try:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            forget_temporary(self.path)
            raise self.error(exc) from None

    def error(self, exc: OSError) -> OutputError:
        """One line saying why ``given`` could not be written."""
        if isinstance(exc, OutputError):
            return exc
        return OutputError(f"cannot write {self.given}: {exc.strerror or exc}")

    def reopen(self) -> None:
        """Open the temporary again, after another program wrote it by its name."""
        os.close(self.fd)
        self.fd = -1
        self.fd = os.open(self.path, os.O_RDWR)
        if os.fstat(self.fd).st_size == 0:
            raise OSError(errno.EIO, "nothing was written")

    def commit(self) -> None:
        """Sync the temporary and rename it over the target; the folder is synced too."""
        try:
            mode = os.stat(self.target).st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.fchmod(self.fd, mode) if hasattr(os, "fchmod") else os.chmod(self.path, mode)
        os.fsync(self.fd)
        fd, self.fd = self.fd, -1
        os.close(fd)
        os.replace(self.path, self.target)
        forget_temporary(self.path)
        _sync_folder(self.target.parent)

    def discard(self) -> None:
        """Close and remove the temporary (after a failure or an interruption)."""
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1
        try:
            os.unlink(self.path)
        except OSError:
            pass
        forget_temporary(self.path)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where folders can be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------ writing
def write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    """Write every byte of ``data`` to ``fd``; raise OSError if any write fails."""
    view = memoryview(data).cast("B")
    while view:
        written = os.write(fd, view[:_CHUNK])
        if written <= 0:
            raise OSError(errno.EIO, "the disk accepted no more bytes")
        view = view[written:]


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` to fill a temporary file beside ``path`` (by any means,
    e.g. another program), then sync it and rename it over ``path``.

    ``write`` must raise if it fails.  On any failure or interruption the
    temporary is removed and ``path`` is left as it was; OS problems come out
    as one-line :class:`OutputError`.
    """
    temporary = _Temporary(path)
    try:
        write(temporary.path)
        temporary.reopen()
        temporary.commit()
    except OSError as exc:
        temporary.discard()
        raise temporary.error(exc) from None
    except BaseException:
        temporary.discard()
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes | bytearray | memoryview) -> None:
    """Write ``data`` to ``path`` atomically, every write checked."""
    temporary = _Temporary(path)
    try:
        write_all(temporary.fd, data)
        temporary.commit()
    except OSError as exc:
        temporary.discard()
        raise temporary.error(exc) from None
    except BaseException:
        temporary.discard()
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_output(path: str | os.PathLike[str], text: bool = False) -> Iterator[IO[Any]]:
    """A file to stream ``path``'s content into; renamed into place when the block ends.

    ``text=True`` gives a UTF-8 text file (newlines as written), else a binary
    one.  Long outputs are written as they are made, never held whole in
    memory.  If the block raises, or a write fails, the temporary is removed
    and ``path`` is left as it was.
    """
    temporary = _Temporary(path)
    fd = os.dup(temporary.fd)
    stream: IO[Any] = (
        open(fd, "w", encoding="utf-8", newline="") if text else open(fd, "wb")  # noqa: SIM115
    )
    try:
        yield stream
        stream.flush()
        stream.close()
        temporary.commit()
    except OSError as exc:
        _close_quietly(stream)
        temporary.discard()
        raise temporary.error(exc) from None
    except BaseException:
        _close_quietly(stream)
        temporary.discard()
        raise


def _close_quietly(stream: IO[Any]) -> None:
    try:
        stream.close()
    except OSError:
        pass


# ------------------------------------------------------------------ reading
class InputError(OSError):
    """A file that cannot be read as asked; the message says why and what to do."""


def read_regular_file(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    Devices, FIFOs, sockets and folders are refused before anything is read (a
    FIFO is opened without blocking), and at most ``limit + 1`` bytes are ever
    read, whatever ``stat`` says: ``/dev/zero`` or a growing file cannot fill
    the memory.  Raises :class:`InputError` with a one-line message.
    """
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"cannot read {p}: it is {_kind(mode)}; give a {what}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError(f"{p.name} is larger than {limit:,} bytes: too big for a {what}")
    return b"".join(chunks)
