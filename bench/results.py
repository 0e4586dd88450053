"""One metric's result, the printed table and the JSON file."""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Baseline:
    """What the metric is compared with, measured in the same run."""

    name: str
    value: float
    unit: str


@dataclass
class Metric:
    """One row of the results: a value, its target and, if any, a baseline and ratio.

    ``value`` is None when the metric could not be measured (``note`` says why);
    ``met`` is None when there is nothing to judge.  ``rows`` are extra lines
    for the table (label, value, baseline, ratio); ``details`` go to the JSON.
    """

    name: str
    unit: str
    target: str
    value: float | None = None
    met: bool | None = None
    baseline: Baseline | None = None
    ratio: float | None = None
    ratio_meaning: str = ""
    ratio_kind: str = ""  # "speed" (higher is better) or "time" (lower is better)
    details: dict[str, Any] = field(default_factory=dict)
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    note: str = ""

    @property
    def available(self) -> bool:
        """Whether a value was measured."""
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: name, value, unit, target, and baseline and ratio where they apply."""
        data: dict[str, Any] = {
            "name": self.name,
            "value": _round(self.value),
            "unit": self.unit,
            "target": self.target,
            "met": self.met,
            "available": self.available,
        }
        if self.baseline is not None:
            data["baseline"] = {
                "name": self.baseline.name,
                "value": _round(self.baseline.value),
                "unit": self.baseline.unit,
            }
            data["ratio"] = _round(self.ratio)
            data["ratio_kind"] = self.ratio_kind
            data["ratio_meaning"] = self.ratio_meaning
        if self.note:
            data["note"] = self.note
        data["details"] = _plain(self.details)
        return data


def metric_from_dict(data: dict[str, Any]) -> Metric:
    """Rebuild a metric sent as JSON by a child process (see ``Metric.to_dict``)."""
    base = data.get("baseline")
    return Metric(
        name=data["name"],
        unit=data["unit"],
        target=data["target"],
        value=data["value"],
        met=data["met"],
        baseline=Baseline(base["name"], base["value"], base["unit"]) if base else None,
        ratio=data.get("ratio"),
        ratio_meaning=data.get("ratio_meaning", ""),
        ratio_kind=data.get("ratio_kind", ""),
        details=data.get("details", {}),
        rows=[tuple(row) for row in data.get("rows", [])],
        note=data.get("note", ""),
    )


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


def _plain(value: Any) -> Any:
    """Numbers rounded, numpy scalars made plain, for a readable JSON file."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _round(float(value))
    return value


def fmt(value: float | None, unit: str = "") -> str:
    """A number with about three significant digits and its unit."""
    if value is None or not np.isfinite(value):
        return "n/a"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def fmt_ratio(ratio: float | None) -> str:
    """A ratio as ``1.83×``."""
    return "" if ratio is None or not np.isfinite(ratio) else f"{ratio:.3g}×"


def _mark(metric: Metric) -> str:
    if metric.met is None:
        return "–"
    return "✓" if metric.met else "✗"


def table(metrics: list[Metric]) -> str:
    """The results as a plain-text table, one line per metric plus its detail rows."""
    header = ("metric", "value", "baseline", "ratio", "target", "")
    lines: list[tuple[str, ...]] = [header]
    for m in metrics:
        baseline = fmt(m.baseline.value, m.baseline.unit) if m.baseline else ""
        ratio = f"{m.ratio_kind} {fmt_ratio(m.ratio)}".strip() if m.ratio is not None else ""
        lines.append((m.name, fmt(m.value, m.unit), baseline, ratio, m.target, _mark(m)))
        for label, value, base, ratio in m.rows:
            lines.append((f"  {label}", value, base, ratio, "", ""))
        if m.note:
            lines.append((f"  note: {m.note}", "", "", "", "", ""))
    widths = [
        max(len(row[i]) for row in lines if not row[0].startswith("  note:")) for i in range(5)
    ]
    out = []
    for row in lines:
        if row[0].startswith("  note:"):
            out.append(row[0])
            continue
        cells = [row[i].ljust(widths[i]) for i in range(5)]
        out.append(("  ".join(cells) + "  " + row[5]).rstrip())
        if row is header:
            out.append("-" * (sum(widths) + 2 * 5 + 1))
    return "\n".join(out)


def machine() -> dict[str, Any]:
    """Where the numbers were measured."""
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
    }


def write_json(
    path: Path, metrics: list[Metric], quick: bool, load_average: tuple[float, ...] | None = None
) -> None:
    """Write ``bench-results.json``: the machine, its load, and one entry per metric."""
    data = {
        "quick": quick,
        "load_average": list(load_average) if load_average else None,
        "machine": machine(),
        "metrics": [m.to_dict() for m in metrics],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
