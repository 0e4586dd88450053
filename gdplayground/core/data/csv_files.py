"""Read a data set from a CSV file, and write one.

A CSV file here is a header row of column names, then rows of numbers, one per
column: UTF-8 (a byte-order mark is fine), any line endings, numbers such as
``-1.5``, ``2e-3`` or ``"3.25"`` (quoted), blank lines ignored.  Anything else
gets one message naming the row (the file's line: the header is row 1), the
column and what to write instead.  Well-formed files are parsed by numpy's C
reader; only a file it refuses is read again cell by cell, to say where.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import warnings
from pathlib import Path

import numpy as np

from gdplayground.core.data.dataset import (
    MAX_COLUMNS,
    MAX_ROWS,
    DataError,
    DataSet,
    FileSource,
    column_name_problem,
)
from gdplayground.io.files import InputError, atomic_write_text, read_regular_file

#: The largest CSV file read (a million rows of eight long numbers fit).
MAX_CSV_BYTES = 256 * 1024 * 1024

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)\Z", re.IGNORECASE)
#: Bytes a well-formed body of numbers is made of (numpy's reader takes it from there).
_NUMERIC_BYTES = b'0123456789+-.eE," \t\r\n'


def read_csv(path: str | os.PathLike[str]) -> DataSet:
    """The data set in the CSV file ``path``; raises :class:`DataError` with one line."""
    try:
        raw = read_regular_file(path, MAX_CSV_BYTES, what="CSV file")
    except InputError as exc:
        raise DataError(str(exc)) from None
    columns, values = parse_csv(raw, Path(path).name)
    source = FileSource(str(path), hashlib.sha256(raw).hexdigest(), len(raw))
    return DataSet(columns, values, source)


def read_saved_csv(path: str | os.PathLike[str], sha256: str) -> DataSet:
    """The CSV file a session refers to, if it still has the contents it had when
    the session was saved (its SHA-256); else a DataError saying it changed."""
    data = read_csv(path)
    if data.source.sha256 != sha256:  # type: ignore[union-attr]
        raise DataError(
            f"{Path(path).name} has changed since the session was saved: "
            "open the file again to fit its new contents"
        )
    return data


def parse_csv(raw: bytes, label: str = "the file") -> tuple[tuple[str, ...], np.ndarray]:
    """Column names and values (one row per column) of CSV bytes; ``label``
    names the file in messages."""
    text = _text(raw, label)
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise DataError(f"{label} is empty: write a header row of column names, then numbers")
    columns = _header(lines[first], first + 1, label)
    body = lines[first + 1 :]
    while body and not body[-1]:  # the file's last line end
        body.pop()
    rows = sum(1 for line in body if line.strip()) if len(body) > MAX_ROWS else len(body)
    if rows > MAX_ROWS:
        raise DataError(f"{label} has {rows:,} rows of numbers: at most {MAX_ROWS:,} can be used")
    values = _fast_values(body, _body_is_numeric(raw, first), len(columns))
    if values is None:
        values = _careful_values(body, first + 2, columns, label)
    if values.shape[0] == 0:
        raise DataError(f"{label} has a header but no rows of numbers below it")
    _check_finite(values, body, first + 2, columns, label)
    return columns, np.ascontiguousarray(values.T)


def csv_text(data: DataSet) -> str:
    """``data`` as CSV text that :func:`parse_csv` reads back exactly."""
    rows = (",".join(map(repr, row)) for row in data.values.T.tolist())
    return ",".join(data.columns) + "\n" + "".join(row + "\n" for row in rows)


def write_csv(data: DataSet, path: str | os.PathLike[str]) -> None:
    """Write ``data`` to ``path`` as CSV, atomically (raises OutputError)."""
    atomic_write_text(path, csv_text(data))


# ------------------------------------------------------------------------ pieces


def _where(label: str, row: int, column: int | None = None, name: str | None = None) -> str:
    place = f"{label}: row {row}"
    if column is not None:
        place += f", column {column}" + (f" ({name})" if name else "")
    return place


def _text(raw: bytes, label: str) -> str:
    """The file as text with "\\n" line ends."""
    if not raw or raw.isspace():
        raise DataError(f"{label} is empty: write a header row of column names, then numbers")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1
        column = raw.count(b",", raw.rfind(b"\n", 0, exc.start) + 1, exc.start) + 1
        byte = raw[exc.start]
        raise DataError(
            f"{_where(label, row, column)}: byte 0x{byte:02X} is not UTF-8 text: "
            "save the file as UTF-8 CSV"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _cells(line: str) -> list[str]:
    return next(csv.reader([line]), [])


def _header(line: str, row: int, label: str) -> tuple[str, ...]:
    names = [cell.strip() for cell in _cells(line)]
    if all(_NUMBER.match(name) for name in names):
        raise DataError(
            f"{_where(label, row)}: the first row must name the columns (e.g. x,y), "
            "not hold numbers: add a header row"
        )
    if len(names) > MAX_COLUMNS:
        raise DataError(
            f"{_where(label, row)}: {len(names)} columns: at most {MAX_COLUMNS} can be used"
        )
    seen: dict[str, int] = {}
    for j, name in enumerate(names, 1):
        if not name:
            raise DataError(f"{_where(label, row, j)}: the header leaves this column unnamed")
        problem = column_name_problem(name)
        if problem:
            raise DataError(f"{_where(label, row, j)}: {problem}")
        if name in seen:
            raise DataError(
                f"{_where(label, row, j)}: '{name}' names columns {seen[name]} and {j}: "
                "give each column its own name"
            )
        seen[name] = j
    return tuple(names)


def _body_is_numeric(raw: bytes, header: int) -> bool:
    """Whether the bytes after line ``header`` (0-based) are all digits, signs,
    points, exponents, commas, quotes and white space (without copying them)."""
    end = -1
    for _ in range(header + 1):
        end = raw.find(b"\n", end + 1)
        if end < 0:
            return b"\r" not in raw  # one line, or old Mac line ends: look carefully
    return raw.translate(None, _NUMERIC_BYTES) == raw[: end + 1].translate(None, _NUMERIC_BYTES)


def _fast_values(body: list[str], numeric: bool, count: int) -> np.ndarray | None:
    """The numbers, by numpy's C reader, or None if it is not sure (then read carefully)."""
    if not numeric:
        return None  # letters or other characters: a mistake to point out, or nan and inf
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": said better later
            values = np.loadtxt(
                body, delimiter=",", quotechar='"', comments=None, dtype=np.float64, ndmin=2
            )
    except ValueError:
        return None
    if values.shape[0] and values.shape[1] != count:
        return None
    return values.reshape(-1, count)


def _careful_values(
    body: list[str], first_row: int, columns: tuple[str, ...], label: str
) -> np.ndarray:
    """The numbers, cell by cell, or a DataError naming the first bad one."""
    rows: list[list[float]] = []
    for row, line in enumerate(body, first_row):
        if not line.strip():
            continue
        cells = _cells(line)
        if len(cells) != len(columns):
            raise DataError(
                f"{_where(label, row)}: {_count(len(cells), 'value')}, but the header names "
                f"{len(columns)} columns ({', '.join(columns)}): write one number per column"
            )
        rows.append(
            [
                _number(cell, row, j, name, label)
                for j, (cell, name) in enumerate(zip(cells, columns, strict=True), 1)
            ]
        )
    return np.array(rows, dtype=np.float64).reshape(-1, len(columns))


def _number(cell: str, row: int, column: int, name: str, label: str) -> float:
    shown = cell.strip()
    if _NUMBER.match(shown):
        return float(shown)
    where = _where(label, row, column, name)
    if not shown:
        raise DataError(f"{where}: the cell is empty: every cell needs a number")
    if _NON_FINITE.match(shown):
        raise DataError(f"{where}: {shown} is not a finite number: write a number")
    if re.fullmatch(r"[+-]?\d+,\d+", shown):
        raise DataError(f"{where}: '{shown}' uses a comma: write the decimal point as a dot")
    if len(shown) > 30:
        shown = shown[:27] + "..."
    raise DataError(f"{where}: '{shown}' is not a number: write numbers like 1.5, -2 or 3e-4")


def _check_finite(
    values: np.ndarray, body: list[str], first_row: int, columns: tuple[str, ...], label: str
) -> None:
    """Refuse numbers too large for float64 (they became infinite)."""
    finite = np.isfinite(values)
    if finite.all():
        return
    i, j = np.unravel_index(int(np.argmin(finite)), values.shape)
    rows = [row for row, line in enumerate(body, first_row) if line.strip()]
    cell = _cells(body[rows[i] - first_row])[j].strip()
    raise DataError(
        f"{_where(label, rows[i], j + 1, columns[j])}: {cell} is too large: "
        "numbers must be below 1.8e308"
    )
