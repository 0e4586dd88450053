"""A session's data choice -> the data set: generated, parsed from the session, or read."""

from __future__ import annotations

import hashlib

from gdplayground.core.data.csv_files import parse_csv, read_saved_csv
from gdplayground.core.data.dataset import DataSet, FileSource
from gdplayground.core.data.generators import generate
from gdplayground.model.session import BuiltinData, CsvData, DataChoice


def load_data(choice: DataChoice) -> DataSet:
    """The examples ``choice`` stands for; raises DataError (one line) for data that
    cannot be used, such as a file that changed since the session was saved."""
    if isinstance(choice, BuiltinData):
        return generate(choice.name, choice.n, choice.noise, choice.seed)
    if isinstance(choice, CsvData):
        raw = choice.text.encode("utf-8")
        columns, values = parse_csv(raw, choice.name or "the data")
        source = FileSource(choice.name or "data.csv", hashlib.sha256(raw).hexdigest(), len(raw))
        return DataSet(columns, values, source)
    return read_saved_csv(choice.path, choice.sha256)
