"""Text -> tokens: numbers (exact), names, operators and brackets, with their columns."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from gdplayground.core.expression.vocabulary import XY, Names

MAX_TEXT_LENGTH = 2000  # characters
MAX_TOKENS = 1000  # numbers, names, operators and brackets


class ExpressionError(ValueError):
    """A function the user typed could not be accepted.

    ``message`` says what is wrong and what to write instead; ``column`` is the
    1-based column in the user's text it is about, or None.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message = message
        self.column = column
        super().__init__(message if column is None else f"column {column}: {message}")

    def __reduce__(self) -> tuple[type[ExpressionError], tuple[str, int | None]]:
        return (type(self), (self.message, self.column))


_WHITESPACE = frozenset(" \t\u00a0")
_OPERATORS = {
    "+": "+",
    "-": "-",
    "*": "*",
    "/": "/",
    "^": "^",
    "\u00d7": "*",  # ×
    "\u00b7": "*",  # ·
    "\u22c5": "*",  # ⋅
    "\u2212": "-",  # − (minus sign)
    "\u2013": "-",  # – (en dash)
    "\u00f7": "/",  # ÷
}
_SUPERSCRIPTS = {ch: digit for digit, ch in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
_CHAR_HINTS = {
    "[": "use ( and ) for brackets",
    "]": "use ( and ) for brackets",
    "{": "use ( and ) for brackets",
    "}": "use ( and ) for brackets",
    "|": "use abs(...) for an absolute value",
    "!": "factorials are not supported",
    ".": "a '.' must be part of a number, like 0.5",
    "√": "use sqrt(...) for a square root",
    "∛": "use cbrt(...) for a cube root",
}


@dataclass(frozen=True)
class _Token:
    kind: str  # "num" | "name" | "op" | "(" | ")" | "," | "sup" | "end"
    text: str  # as the user wrote it
    start: int  # 0-based index into the user's text
    end: int
    value: str = ""  # operator ("+-*/^") or name ("pi" for π)
    number: Fraction | None = None  # numbers and superscript exponents

    @property
    def column(self) -> int:
        return self.start + 1

    @property
    def shown(self) -> str:
        """The token as it should appear in a suggestion."""
        return self.value if self.kind == "name" else self.text


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_name_start(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ch == "_"


def _is_name_char(ch: str) -> bool:
    return _is_name_start(ch) or _is_digit(ch)


def _tokenize(text: str, names: Names = XY) -> list[_Token]:
    """Split ``text`` into tokens; unknown characters are errors naming their column."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
            continue
        if _is_digit(ch) or (ch == "." and i + 1 < n and _is_digit(text[i + 1])):
            token = _lex_number(text, i)
        elif _is_name_start(ch):
            token = _lex_name(text, i)
        elif ch in _SUPERSCRIPTS:
            token = _lex_superscript(text, i)
        else:
            token = _lex_symbol(text, i, names)
        tokens.append(token)
        if len(tokens) > MAX_TOKENS:
            raise ExpressionError(
                f"too long: at most {MAX_TOKENS} numbers, names and symbols", token.column
            )
        i = token.end
    tokens.append(_Token("end", "", n, n))
    return tokens


def _lex_digits(text: str, i: int) -> int:
    while i < len(text) and _is_digit(text[i]):
        i += 1
    return i


def _lex_number(text: str, start: int) -> _Token:
    i = _lex_digits(text, start)
    int_digits, frac_digits = text[start:i], ""
    if i < len(text) and text[i] == ".":
        j = _lex_digits(text, i + 1)
        frac_digits, i = text[i + 1 : j], j
    exponent = 0
    if i < len(text) and text[i] in "eE":
        j = i + 2 if i + 1 < len(text) and text[i + 1] in "+-" else i + 1
        if j < len(text) and _is_digit(text[j]):
            k = _lex_digits(text, j)
            exponent, i = int(text[i + 1 : k]), k
    if i < len(text) and text[i] == ".":
        raise ExpressionError("a number can have only one '.'", i + 1)
    literal = text[start:i]
    value = _literal_value(int_digits + frac_digits, exponent - len(frac_digits), literal, start)
    return _Token("num", literal, start, i, number=value)


def _literal_value(digits: str, exponent10: int, literal: str, start: int) -> Fraction:
    """Exact value of digits * 10**exponent10, refusing sizes outside [1e-300, 1e300]."""
    literal = _abbreviate(literal)
    significant = digits.lstrip("0")
    if not significant:
        return Fraction(0)
    magnitude = len(significant) - 1 + exponent10  # floor(log10(value))
    if magnitude > 300:
        raise ExpressionError(
            f"number {literal} is too large: numbers must be at most 1e300", start + 1
        )
    if magnitude < -300:
        raise ExpressionError(
            f"number {literal} is too close to 0: write 0, or use at least 1e-300", start + 1
        )
    value = Fraction(int(significant)) * Fraction(10) ** exponent10
    if value > 10**300:
        raise ExpressionError(
            f"number {literal} is too large: numbers must be at most 1e300", start + 1
        )
    return value


def _lex_name(text: str, start: int) -> _Token:
    i = start
    while i < len(text) and _is_name_char(text[i]):
        i += 1
    return _Token("name", text[start:i], start, i, value=text[start:i])


def _lex_superscript(text: str, start: int) -> _Token:
    i = start
    while i < len(text) and text[i] in _SUPERSCRIPTS:
        i += 1
    digits = "".join(str(_SUPERSCRIPTS[ch]) for ch in text[start:i])
    return _Token("sup", text[start:i], start, i, number=Fraction(int(digits)))


def _lex_symbol(text: str, i: int, names: Names) -> _Token:
    ch = text[i]
    if ch == "*" and text[i + 1 : i + 2] == "*":
        return _Token("op", "**", i, i + 2, value="^")
    if ch == "/" and text[i + 1 : i + 2] == "/":
        raise ExpressionError("'//' is not an operator: use / to divide", i + 1)
    if ch in _OPERATORS:
        return _Token("op", ch, i, i + 1, value=_OPERATORS[ch])
    if ch in "(),":
        return _Token(ch, ch, i, i + 1)
    if ch == "\u03c0":  # π
        return _Token("name", ch, i, i + 1, value="pi")
    raise ExpressionError(_bad_character_message(ch, names), i + 1)


def _abbreviate(text: str, limit: int = 40) -> str:
    """``text`` with runs of whitespace collapsed, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bad_character_message(ch: str, names: Names) -> str:
    code = f"U+{ord(ch):04X}"
    if ch in "\n\r":
        return f"line breaks are not allowed: write the {names.noun} on one line"
    if unicodedata.category(ch).startswith(("C", "Z")):  # control, format, odd spaces
        described = f"character {code}"
        name = unicodedata.name(ch, "")
        if name:
            described += f" ({name.lower()})"
        return f"{described} is not allowed"
    shown = f"'{ch}'" if ch.isascii() else f"'{ch}' ({code})"
    message = f"character {shown} is not allowed"
    hint = _CHAR_HINTS.get(ch)
    if ch == "=":
        hint = f"type only the formula, e.g. {names.example} (no '{names.symbol} =' and no '=')"
    return f"{message}: {hint}" if hint else message
