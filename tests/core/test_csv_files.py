"""Your own data: a CSV file is read exactly, and every bad file gets one clear line."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from gdplayground.core.data.csv_files import (
    MAX_CSV_BYTES,
    parse_csv,
    read_csv,
    read_saved_csv,
    write_csv,
)
from gdplayground.core.data.dataset import MAX_ROWS, DataError
from gdplayground.core.data.generators import generate


def read(text: str | bytes, tmp_path: Path, name: str = "data.csv") -> tuple:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    data = read_csv(path)
    return data.columns, data.values.tolist()


def message(text: str | bytes, tmp_path: Path) -> str:
    with pytest.raises(DataError) as info:
        read(text, tmp_path)
    return str(info.value)


def test_a_header_then_numbers(tmp_path: Path) -> None:
    columns, values = read("x,y\n1,2\n-3.5,4e-2\n", tmp_path)
    assert columns == ("x", "y")
    assert values == [[1.0, -3.5], [2.0, 0.04]]


@pytest.mark.parametrize(
    "text",
    [
        "x,y\r\n1,2\r\n3,4\r\n",  # Windows line ends
        "\ufeffx,y\n1,2\n3,4",  # a byte-order mark, no last line end
        'x,y\n"1","2"\n3,"4"\n',  # quoted numbers
        " x , y \n 1 , 2 \n\n3,4\n\n",  # spaces around cells, blank lines
        "x,y\n1.0,2E0\n+3,.4e1\n",  # other spellings of the same numbers
        '"x","y"\n1,2\n3,4\n',  # quoted names
        "x,y\r1,2\r3,4\r",  # old Mac line ends
    ],
)
def test_spellings_a_spreadsheet_may_write(text: str, tmp_path: Path) -> None:
    assert read(text, tmp_path) == (("x", "y"), [[1.0, 3.0], [2.0, 4.0]])


def test_numbers_are_read_exactly_and_written_back_exactly(tmp_path: Path) -> None:
    data = generate("line", 500, 1.0, 3)
    write_csv(data, tmp_path / "line.csv")
    again = read_csv(tmp_path / "line.csv")
    assert again.columns == data.columns
    np.testing.assert_array_equal(again.values, data.values)
    assert again.source.path == str(tmp_path / "line.csv")
    assert len(again.source.sha256) == 64
    assert (tmp_path / "line.csv").read_text().startswith("x,y\n")


def test_a_file_that_changed_has_another_checksum(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,2\n")
    first = read_csv(path).source.sha256
    path.write_text("x,y\n1,3\n")
    assert read_csv(path).source.sha256 != first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x,y\n1,2\n3,abc\n", "data.csv: row 3, column 2 (y): 'abc' is not a number"),
        ('x,y\n1,2\n3,"abc"\n', "row 3, column 2 (y): 'abc' is not a number"),
        ("x,y,z\n1,2,3\n4,5,nan\n", "row 3, column 3 (z): nan is not a finite number"),
        ("x,y,unused\n1,2,3\n4,5,-inf\n", "row 3, column 3 (unused): -inf is not a finite"),
        ("x,y\n1,2\n\n3,1e999\n", "row 4, column 2 (y): 1e999 is too large"),
        ("x,y\n1,\n", "row 2, column 2 (y): the cell is empty"),
        ('x,y\n"1,5",2\n', "row 2, column 1 (x): '1,5' uses a comma: write the decimal point"),
        ("x,y\n1_000,2\n", "row 2, column 1 (x): '1_000' is not a number"),
        ("x,y\n1,2\n3\n", "row 3: 1 value, but the header names 2 columns (x, y)"),
        ("x,y\n1,2,3\n", "row 2: 3 values, but the header names 2 columns"),
        ("1,2\n3,4\n", "row 1: the first row must name the columns"),
        ("x,x\n1,2\n", "row 1, column 2: 'x' names columns 1 and 2"),
        ("x,,y\n1,2,3\n", "row 1, column 2: the header leaves this column unnamed"),
        ("x,2y\n1,2\n", "row 1, column 2: '2y' is not a name: a name is a letter followed"),
        ("x,y z\n1,2\n", "row 1, column 2: 'y z' is not a name"),
        ("x,w\n1,2\n", "row 1, column 2: 'w' is the weight in a fit"),
        ("b,y\n1,2\n", "row 1, column 1: 'b' is the bias in a fit"),
        ("x,m\n1,2\n", "row 1, column 2: 'm' is the model's output in a fit"),
        ("x,pi\n1,2\n", "row 1, column 2: 'pi' cannot name a column: pi is a constant"),
        ("e,y\n1,2\n", "row 1, column 1: 'e' cannot name a column: e is a constant"),
        ("x,sin\n1,2\n", "row 1, column 2: 'sin' cannot name a column: sin is a function"),
        ("x,relu\n1,2\n", "relu is a function"),
        (",".join(f"c{i}" for i in range(9)) + "\n" + ",".join("1" * 9) + "\n", "at most 8"),
        ("", "data.csv is empty"),
        ("\n \r\n\t\n", "data.csv is empty"),
        ("x,y\n", "data.csv has a header but no rows of numbers"),
        (b"x,y\n1,2\n3,\xff\n", "row 3, column 2: byte 0xFF is not UTF-8 text"),
        (b"x,\xe9\n1,2\n", "row 1, column 2: byte 0xE9 is not UTF-8"),  # latin-1
    ],
)
def test_every_bad_file_gets_one_line_naming_row_and_column(
    text: str | bytes, expected: str, tmp_path: Path
) -> None:
    said = message(text, tmp_path)
    assert expected in said
    assert "\n" not in said


def test_a_bad_cell_anywhere_in_a_large_file_is_found(tmp_path: Path) -> None:
    rows = [f"{i},{2 * i}" for i in range(50_000)]
    rows[41_234] = "1.5,oops"
    said = message("x,y\n" + "\n".join(rows) + "\n", tmp_path)
    assert said.startswith("data.csv: row 41236, column 2 (y): 'oops' is not a number")


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    text = "x\n" + "1\n" * (MAX_ROWS + 1)
    assert f"{MAX_ROWS + 1:,} rows of numbers: at most {MAX_ROWS:,}" in message(text, tmp_path)


def test_too_large_a_file_is_refused_before_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:
        fh.truncate(MAX_CSV_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(DataError, match="too big for a CSV file"):
        read_csv(path)


def test_folders_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="a folder"):
        read_csv(tmp_path)
    with pytest.raises(DataError, match="cannot read"):
        read_csv(tmp_path / "missing.csv")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="FIFO"):
        read_csv(fifo)


def test_parse_csv_takes_bytes_and_names_them() -> None:
    columns, values = parse_csv(b"a1,a_2\n1,2\n", "upload")
    assert columns == ("a1", "a_2") and values.shape == (2, 1)
    with pytest.raises(DataError, match="^upload: row 2"):
        parse_csv(b"a1,a_2\n1,x\n", "upload")


def test_a_saved_file_must_still_be_the_same(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,2\n")
    checksum = read_csv(path).source.sha256
    assert read_saved_csv(path, checksum).values.tolist() == [[1.0], [2.0]]
    path.write_text("x,y\n1,2.5\n")
    with pytest.raises(DataError, match="d.csv has changed since the session was saved"):
        read_saved_csv(path, checksum)
