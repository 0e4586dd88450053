"""One hyperparameter's rules: its default, its allowed values, and the message when broken.

Every setting of an optimizer, of its learning-rate schedule and of its
gradient clipping is a :class:`Hyperparameter`, so the command line, session
files and the window all ask the same object whether a value is allowed.
Values are numbers (``kind`` float, int or bool) or, for a choice such as
``schedule``, text; numbers may also arrive as text (``"0.1"``) from the
command line.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

#: A hyperparameter's value: a number, or the text of a choice.
Value = float | str


class OptimizerError(ValueError):
    """A bad optimizer name or hyperparameter; the message says what to write instead."""


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: its default and the range of values that make sense.

    ``kind`` is ``"float"``, ``"int"`` (a whole number, kept as a float),
    ``"bool"`` (0 or 1) or ``"choice"`` (one of ``choices``, kept as text).
    """

    name: str
    default: Value
    low: float = 0.0
    high: float = 1.0
    low_inclusive: bool = True
    high_inclusive: bool = True
    kind: str = "float"
    log_scale: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()

    def check(self, value: object, optimizer: str, key: str | None = None) -> Value:
        """Return ``value`` as a float (or, for a choice, its text) if allowed, else
        raise OptimizerError.  ``key`` is the name the user wrote, when it differs
        from ``name`` (a prefixed schedule key)."""
        shown = key or self.name
        if self.kind == "choice":
            return self._check_choice(value, optimizer, shown)
        try:
            v = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise OptimizerError(f"{optimizer}: {shown} must be a number, not {value!r}") from None
        if self.kind == "bool":
            if v not in (0.0, 1.0):
                raise OptimizerError(f"{optimizer}: {shown} is a switch: write 0 or 1")
            return v
        if not math.isfinite(v):
            raise OptimizerError(f"{optimizer}: {shown} must be a finite number, not {value}")
        too_low = v < self.low or (v == self.low and not self.low_inclusive)
        too_high = v > self.high or (v == self.high and not self.high_inclusive)
        if too_low or too_high:
            raise OptimizerError(
                f"{optimizer}: {shown}={v:g} is out of range: {self.range_text(shown)}"
            )
        if self.kind == "int" and not v.is_integer():
            raise OptimizerError(f"{optimizer}: {shown} must be a whole number, not {v:g}")
        return v

    def _check_choice(self, value: object, optimizer: str, shown: str) -> str:
        text = value.strip().lower() if isinstance(value, str) else None
        if text in self.choices:
            return text  # type: ignore[return-value]
        close = difflib.get_close_matches(text or str(value), self.choices, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise OptimizerError(
            f"{optimizer}: {shown}={value} is not a choice: write one of "
            f"{', '.join(self.choices)}{hint}"
        )

    def range_text(self, shown: str | None = None) -> str:
        """The allowed range, e.g. ``0 < lr <= 100``, or the choices."""
        if self.kind == "choice":
            return f"{shown or self.name} is one of {', '.join(self.choices)}"
        lo = "<=" if self.low_inclusive else "<"
        hi = "<=" if self.high_inclusive else "<"
        whole = " (a whole number)" if self.kind == "int" else ""
        return f"{self.low:g} {lo} {shown or self.name} {hi} {self.high:g}{whole}"
