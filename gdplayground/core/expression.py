"""Text -> validated syntax tree -> sympy expression, and back to text.

The user's text is never handed to Python's or sympy's own parsers: a small
tokenizer and recursive-descent parser build a syntax tree, limits keep hostile
input cheap to refuse, and our own code converts the tree to sympy objects.
While converting, every node is also evaluated with numpy at a fixed set of
sample points, so that huge constants, undefined constants (``log(0)``) and
functions with no real value anywhere (``sqrt(-x^2 - 1)``) are refused with a
message that names the culprit and its column.
"""

from __future__ import annotations

import difflib
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import sympy

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "MAX_TEXT_LENGTH",
    "MAX_TOKENS",
    "FUNCTION_NAMES",
    "X",
    "Y",
    "ExpressionError",
    "expression_to_text",
    "parse_expression",
]

X = sympy.Symbol("x", real=True)
Y = sympy.Symbol("y", real=True)

MAX_TEXT_LENGTH = 2000  # characters
MAX_TOKENS = 1000  # numbers, names, operators and brackets
MAX_NODES = 500  # numbers, names and operations in the syntax tree
MAX_DEPTH = 60  # nesting of brackets, functions, signs and powers
MAX_EXPONENT = 1000  # largest |exponent| of a constant power
MAX_MAGNITUDE = 1e300  # largest |value| of a constant
MAX_RATIONAL_BITS = 12_000  # exact fractions stay well below Python's int-to-str limit
MAX_ROOT_BITS = 1_100  # largest number (in bits) sympy may take a fractional power of
ROOT_BITS_BUDGET = 4_000  # total bits of such roots in one expression (they cost time)


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


# --------------------------------------------------------------------------- vocabulary

_ATOMS = ("pi", "x", "y", "e")  # longest first, for splitting "pix" into pi*x

_SYMPY_ATOMS: dict[str, sympy.Expr] = {"x": X, "y": Y, "pi": sympy.pi, "e": sympy.E}


def _log_base(base: int) -> Callable[[sympy.Expr], sympy.Expr]:
    def log_base(arg: sympy.Expr) -> sympy.Expr:
        return sympy.log(arg, base)

    return log_base


def _cbrt(arg: sympy.Expr) -> sympy.Expr:
    """Real cube root: cbrt(-8) = -2 (sympy's principal root would be complex)."""
    return sympy.sign(arg) * sympy.Pow(sympy.Abs(arg), sympy.Rational(1, 3))


_FUNCTIONS: dict[str, tuple[Callable[[sympy.Expr], sympy.Expr], Callable[..., np.ndarray]]] = {
    "sin": (sympy.sin, np.sin),
    "cos": (sympy.cos, np.cos),
    "tan": (sympy.tan, np.tan),
    "asin": (sympy.asin, np.arcsin),
    "acos": (sympy.acos, np.arccos),
    "atan": (sympy.atan, np.arctan),
    "sinh": (sympy.sinh, np.sinh),
    "cosh": (sympy.cosh, np.cosh),
    "tanh": (sympy.tanh, np.tanh),
    "exp": (sympy.exp, np.exp),
    "log": (sympy.log, np.log),
    "ln": (sympy.log, np.log),
    "log2": (_log_base(2), np.log2),
    "log10": (_log_base(10), np.log10),
    "sqrt": (sympy.sqrt, np.sqrt),
    "cbrt": (_cbrt, np.cbrt),
    "abs": (sympy.Abs, np.abs),
    "sign": (sympy.sign, np.sign),
}
FUNCTION_NAMES: tuple[str, ...] = tuple(_FUNCTIONS)

_DOMAIN_HINTS = {
    "log": "log needs a positive argument",
    "ln": "ln needs a positive argument",
    "log2": "log2 needs a positive argument",
    "log10": "log10 needs a positive argument",
    "sqrt": "sqrt needs an argument that is not negative",
    "asin": "asin needs an argument between -1 and 1",
    "acos": "acos needs an argument between -1 and 1",
    "tan": "tan is undefined at odd multiples of pi/2",
}

# ------------------------------------------------------------------------------ tokens

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
    "=": "type only the formula, e.g. x^2 + y^2 (no 'f =' and no '=')",
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


def _tokenize(text: str) -> list[_Token]:
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
            token = _lex_symbol(text, i)
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


def _lex_symbol(text: str, i: int) -> _Token:
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
    raise ExpressionError(_bad_character_message(ch), i + 1)


def _abbreviate(text: str, limit: int = 40) -> str:
    """``text`` with runs of whitespace collapsed, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bad_character_message(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    if ch in "\n\r":
        return "line breaks are not allowed: write the function on one line"
    if unicodedata.category(ch).startswith(("C", "Z")):  # control, format, odd spaces
        described = f"character {code}"
        name = unicodedata.name(ch, "")
        if name:
            described += f" ({name.lower()})"
        return f"{described} is not allowed"
    shown = f"'{ch}'" if ch.isascii() else f"'{ch}' ({code})"
    message = f"character {shown} is not allowed"
    hint = _CHAR_HINTS.get(ch)
    return f"{message}: {hint}" if hint else message


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class _Node:
    """One node of the syntax tree; ``start``/``end`` index the user's text."""

    kind: str  # "num" | "name" | "neg" | "sum" | "product" | "power" | "call"
    start: int
    end: int
    children: tuple[_Node, ...] = ()
    ops: tuple[str, ...] = ()  # per child: "+"/"-" in a sum, "*"/"/" in a product
    name: str = ""  # variable, constant or function name
    number: Fraction | None = None


class _Parser:
    """Recursive descent over the token list; depth and size are limited as it goes.

    Grammar (implicit products bind like ``*``)::

        sum     := term (("+" | "-") term)*
        term    := ("+" | "-") term | unary (("*" | "/") unary | <implicit> unary)*
        unary   := ("+" | "-") unary | power       # a sign after * / ^: 2*-3, 2^-1
        power   := postfix ("^" unary)?          # right-associative via unary
        postfix := primary superscript*
        primary := number | name | function "(" sum ")" | "(" sum ")"
    """

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.nodes = 0

    def parse(self) -> _Node:
        if self._peek().kind == "end":
            raise ExpressionError("empty function: type something like x^2 + y^2")
        node = self._sum()
        token = self._peek()
        if token.kind != "end":
            raise self._stray(token)
        return node

    # -- token helpers

    def _peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def _previous(self) -> _Token | None:
        return self.tokens[self.pos - 1] if self.pos > 0 else None

    def _advance(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _is_op(self, token: _Token, ops: str) -> bool:
        return token.kind == "op" and token.value in ops

    def _make(self, kind: str, start: int, end: int, **fields: object) -> _Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(
                f"too complex: at most {MAX_NODES} numbers, names and operations", start + 1
            )
        return _Node(kind, start, end, **fields)  # type: ignore[arg-type]

    # -- grammar

    def _sum(self) -> _Node:
        children, ops = [self._term()], ["+"]
        while self._is_op(self._peek(), "+-"):
            ops.append(self._advance().value)
            children.append(self._term())
        if len(children) == 1:
            return children[0]
        return self._make(
            "sum", children[0].start, children[-1].end, children=tuple(children), ops=tuple(ops)
        )

    def _term(self) -> _Node:
        token = self._peek()
        if self._is_op(token, "+-"):  # a leading sign covers the whole product: -a*b = -(a*b)
            self._enter(token)
            self._advance()
            operand = self._term()
            self.depth -= 1
            if token.value == "+":
                return operand
            return self._make("neg", token.start, operand.end, children=(operand,))
        children, ops = [self._unary()], ["*"]
        while True:
            token = self._peek()
            if self._is_op(token, "*/"):
                ops.append(self._advance().value)
            elif token.kind in ("num", "name", "("):
                self._check_implicit(token)
                ops.append("*")
            else:
                break
            children.append(self._unary())
        if len(children) == 1:
            return children[0]
        return self._make(
            "product", children[0].start, children[-1].end, children=tuple(children), ops=tuple(ops)
        )

    def _unary(self) -> _Node:
        token = self._peek()
        self._enter(token)
        if self._is_op(token, "+-"):
            self._advance()
            operand = self._unary()
            if token.value == "-":
                operand = self._make("neg", token.start, operand.end, children=(operand,))
        else:
            operand = self._power()
        self.depth -= 1
        return operand

    def _enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"nested too deeply: at most {MAX_DEPTH} levels of brackets, functions, "
                "signs and powers",
                token.column,
            )

    def _power(self) -> _Node:
        base = self._postfix()
        if not self._is_op(self._peek(), "^"):
            return base
        self._advance()
        exponent = self._unary()
        return self._make("power", base.start, exponent.end, children=(base, exponent))

    def _postfix(self) -> _Node:
        node = self._primary()
        while self._peek().kind == "sup":
            token = self._advance()
            exponent = self._make("num", token.start, token.end, number=token.number)
            node = self._make("power", node.start, token.end, children=(node, exponent))
        return node

    def _primary(self) -> _Node:
        token = self._peek()
        if token.kind == "num":
            self._advance()
            return self._make("num", token.start, token.end, number=token.number)
        if token.kind == "name":
            return self._name(token)
        if token.kind == "(":
            self._advance()
            inner = self._sum()
            close = self._expect_close(token)
            return replace(inner, start=token.start, end=close.end)
        raise self._missing_value(token)

    def _name(self, token: _Token) -> _Node:
        name, following = token.value, self._peek(1)
        if name in _FUNCTIONS:
            return self._call(token)
        if name in _SYMPY_ATOMS:
            if following.kind == "(":
                raise ExpressionError(
                    f"'{name}' is not a function: write {name}*(...) to multiply", following.column
                )
            self._advance()
            return self._make("name", token.start, token.end, name=name)
        raise ExpressionError(
            _unknown_name_message(token.text, following.kind == "("), token.column
        )

    def _call(self, token: _Token) -> _Node:
        name = token.value
        if self._peek(1).kind != "(":
            raise ExpressionError(_bare_function_message(name, self._peek(1)), token.column)
        self._advance()
        open_token = self._advance()
        if self._peek().kind == ")":
            raise ExpressionError(f"{name} needs one argument, e.g. {name}(x)", self._peek().column)
        argument = self._sum()
        if self._peek().kind == ",":
            raise self._comma_error(self._peek(), name)
        close = self._expect_close(open_token)
        return self._make("call", token.start, close.end, children=(argument,), name=name)

    def _expect_close(self, open_token: _Token) -> _Token:
        token = self._peek()
        if token.kind == ")":
            return self._advance()
        if token.kind == ",":
            raise self._comma_error(token, None)
        raise ExpressionError(
            f"missing ')' to close '(' at column {open_token.column}", token.column
        )

    # -- errors

    def _check_implicit(self, token: _Token) -> None:
        """Allow ``2x``, ``2(x)``, ``(x)(y)``, ``(x)2``, ``x²y``; refuse ``x y`` and ``2 3``."""
        previous = self._previous()
        assert previous is not None
        if previous.kind == "num" and token.kind in ("name", "("):
            return
        if previous.kind in (")", "sup"):
            return
        right = token.shown + ("(...)" if token.value in _FUNCTIONS else "")
        raise ExpressionError(
            f"missing '*' between {previous.shown} and {token.shown}: "
            f"write {previous.shown}*{right}",
            token.column,
        )

    def _missing_value(self, token: _Token) -> ExpressionError:
        previous = self._previous()
        if token.kind == ")" and previous is not None and previous.kind == "(":
            return ExpressionError("empty brackets: put a value inside ( )", previous.column)
        if previous is None:
            if token.kind in ("op", "sup"):
                return ExpressionError(f"'{token.text}' needs a value before it", token.column)
            return self._stray(token)
        if token.kind == "sup":
            return ExpressionError(f"'{token.text}' needs a value before it", token.column)
        return ExpressionError(f"expected a value after '{previous.text}'", token.column)

    def _stray(self, token: _Token) -> ExpressionError:
        if token.kind == ",":
            return self._comma_error(token, None)
        return ExpressionError(f"unexpected '{token.text}' — check your parentheses", token.column)

    def _comma_error(self, token: _Token, function: str | None) -> ExpressionError:
        before, after = (
            self.text[token.start - 1 : token.start],
            self.text[token.end : token.end + 1],
        )
        if _is_digit(before) and _is_digit(after):
            return ExpressionError("use a dot for decimals, e.g. 0.5 (not 0,5)", token.column)
        if function is not None:
            return ExpressionError(f"{function} takes exactly one argument", token.column)
        return ExpressionError("unexpected ',': functions take exactly one argument", token.column)


def _bare_function_message(name: str, following: _Token) -> str:
    if following.kind == "sup" or (following.kind == "op" and following.value == "^"):
        return f"write the power after the argument: {name}(x)^2, not {name}^2(x)"
    if following.kind in ("name", "num") and following.value not in _FUNCTIONS:
        return f"{name} needs brackets: write {name}({following.shown})"
    return f"{name} needs brackets around its argument, e.g. {name}(x)"


# ---------------------------------------------------------------------------- name hints


def _split_atoms(name: str) -> list[str] | None:
    """Split ``name`` into x, y, pi, e and digit runs (``"xy2"`` -> x, y, 2), if possible."""
    if not name:
        return []
    if _is_digit(name[0]):
        end = _lex_digits(name, 0)
        rest = _split_atoms(name[end:])
        return None if rest is None else [name[:end], *rest]
    for atom in _ATOMS:
        if name.startswith(atom):
            rest = _split_atoms(name[len(atom) :])
            if rest is not None:
                return [atom, *rest]
    return None


def _product_text(parts: list[str]) -> str:
    return "*".join(parts)


def _unknown_name_message(name: str, called: bool) -> str:
    lower = name.lower()
    if lower != name and (lower in _FUNCTIONS or lower in _SYMPY_ATOMS):
        kind = "function" if called else "name"
        return f"unknown {kind} '{name}' — did you mean {lower}? (names are lower case)"
    hint = _split_hint(name, called) if len(name) <= 12 else None
    if hint:
        return f"'{name}' is not a {'function' if called else 'name'}: {hint}"
    if called:
        close = difflib.get_close_matches(lower, FUNCTION_NAMES, n=1, cutoff=0.6)
        if close:
            return f"unknown function '{name}' — did you mean {close[0]}?"
        return f"unknown function '{name}': the functions are {', '.join(FUNCTION_NAMES)}"
    return f"unknown name '{name}': use x, y, pi, e"


def _split_hint(name: str, called: bool) -> str | None:
    """Suggest ``x*y`` for ``xy``, ``sin(x)`` for ``sinx``, ``x*sin(...)`` for ``xsin(``."""
    functions = sorted(_FUNCTIONS, key=len, reverse=True)
    if called:
        for function in functions:
            atoms = _split_atoms(name[: -len(function)]) if name.endswith(function) else None
            if atoms:
                return f"write {_product_text([*atoms, function])}(...)"
        return None
    atoms = _split_atoms(name)
    if atoms and len(atoms) == 2 and _is_digit(atoms[1][0]):
        base, digits = atoms
        return f"write {base}^{digits} for a power or {base}*{digits} to multiply"
    if atoms and len(atoms) > 1:
        return f"write {_product_text(atoms)} to multiply"
    for function in functions:
        rest = _split_atoms(name[len(function) :]) if name.startswith(function) else None
        if rest:
            return f"write {function}({_product_text(rest)})"
    return None


# ------------------------------------------------------------------- sample points


def _sample_points() -> tuple[np.ndarray, np.ndarray]:
    """A fixed spread of points: a wide grid through 0, a fine grid near 0, a few odd points."""
    wide = np.linspace(-10.0, 10.0, 21) * 0.9731  # through 0, otherwise not whole numbers
    near = np.linspace(-0.9, 0.9, 7)
    odd = np.array([[0.3, -0.2], [1e-3, 2e-3], [-0.5, 0.25], [0.1, 0.7], [2.5, -3.7]])
    parts_x, parts_y = [], []
    for grid in (wide, near):
        gx, gy = np.meshgrid(grid, grid)
        parts_x.append(gx.ravel())
        parts_y.append(gy.ravel())
    xs = np.concatenate([*parts_x, odd[:, 0]])
    ys = np.concatenate([*parts_y, odd[:, 1]])
    xs.setflags(write=False)
    ys.setflags(write=False)
    return xs, ys


_SAMPLE_X, _SAMPLE_Y = _sample_points()
_SAMPLE_VALUES = {"x": _SAMPLE_X, "y": _SAMPLE_Y, "pi": np.float64(np.pi), "e": np.float64(np.e)}

# ---------------------------------------------------------------------------- builder

_BAD_VALUES = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


@dataclass(frozen=True)
class _Built:
    """A node converted to sympy, with its values at the sample points."""

    expr: sympy.Expr
    values: np.ndarray  # 0-d for constants
    constant: bool  # no x or y in the node (as written, or after sympy's evaluation)
    # the deepest node inside with no finite sample value, and the part of the
    # sample points where that is because a value overflowed float64
    undefined: tuple[_Node, float] | None = None
    # sample points where the value is not finite because it overflowed (here or
    # below), as opposed to being undefined (a pole, a root of a negative number)
    overflowed: np.ndarray | bool = False
    # the node as written (see Written), before sympy's automatic simplification
    written: tuple = ()


def _is_bad(expr: sympy.Basic) -> str | None:
    """'undefined' / 'not real' if ``expr`` or its first two levels are zoo, nan or imaginary."""
    for level1 in (expr, *expr.args):
        for item in (level1, *level1.args):
            if item in _BAD_VALUES:
                return "undefined"
            if item is sympy.I or _negative_root(item):
                return "not a real number"
    return None


def _negative_root(expr: sympy.Basic) -> bool:
    """A fractional power of a negative number, such as the (-1)^(13/50) sympy
    makes of (-(x^2))^0.26: not a real number."""
    return bool(
        expr.is_Pow
        and expr.base.is_Number
        and expr.base.is_negative
        and expr.exp.is_Number
        and not expr.exp.is_integer
    )


def _rational_bits(expr: sympy.Basic, depth: int = 3) -> int:
    """Largest numerator/denominator size (bits) of rationals in products and powers."""
    if expr.is_Rational:
        return max(int(expr.p).bit_length(), int(expr.q).bit_length())
    if depth == 0 or not (expr.is_Mul or expr.is_Pow):
        return 0
    return max((_rational_bits(arg, depth - 1) for arg in expr.args), default=0)


#: Functions whose value can overflow float64 at a finite argument (log(0) = -inf is a pole).
_OVERFLOWING_FUNCTIONS = frozenset({"exp", "sinh", "cosh"})


def _overflowed_below(children: tuple[_Built, ...]) -> np.ndarray | bool:
    """Sample points where some child's value overflowed."""
    found: np.ndarray | bool = False
    for child in children:
        found = found | child.overflowed
    return found


def _overflows(node: _Node, built: _Built, children: tuple[_Built, ...]) -> np.ndarray | bool:
    """Sample points where this node's own operation, on finite values, went beyond
    float64 (rather than hitting a pole such as 1/0 or log(0), or having no real value)."""
    inputs_finite: np.ndarray | bool = True
    for child in children:
        inputs_finite = inputs_finite & np.isfinite(child.values)
    infinite = np.isinf(built.values)
    if node.kind in ("neg", "sum"):
        return inputs_finite
    if node.kind == "product":  # 1e200*1e200*0 is nan: still an overflow; x/0 is a pole
        poles: np.ndarray | bool = False
        for op, child in zip(node.ops, children, strict=True):
            if op == "/":
                poles = poles | (child.values == 0)
        return inputs_finite & ~poles
    if node.kind == "power":
        return inputs_finite & infinite & (children[0].values != 0)
    if node.kind == "call":
        return inputs_finite & infinite & (node.name in _OVERFLOWING_FUNCTIONS)
    return False


def _first_value(values: np.ndarray) -> float:
    return float(values) if values.ndim == 0 else float(values.flat[0])


class _Builder:
    """Converts a checked syntax tree to sympy, refusing what cannot be a real function."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.root_bits = ROOT_BITS_BUDGET

    def build(self, node: _Node) -> _Built:
        children = tuple(self.build(child) for child in node.children)
        built = getattr(self, f"_build_{node.kind}")(node, children)
        built = self._check_result(node, built, children)
        if built.values.ndim > 0:
            finite = np.isfinite(built.values)
            overflowed = ~finite & (_overflowed_below(children) | _overflows(node, built, children))
            built = replace(built, overflowed=overflowed)
            if not finite.any():
                inner = next((child.undefined for child in children if child.undefined), None)
                built = replace(built, undefined=inner or (node, float(overflowed.mean())))
            elif not finite.all():
                # a pole (1/0 = inf) is not a value: stop later steps turning it into
                # a finite one (inf^-0.5 = 0) that would hide "undefined everywhere"
                built = replace(built, values=np.where(finite, built.values, np.nan))
        return replace(built, written=_written(node, built, children))

    # -- one method per node kind

    def _build_num(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        value = node.number
        assert value is not None
        expr = sympy.Rational(value.numerator, value.denominator)
        return _Built(expr, np.asarray(float(value)), True)

    def _build_name(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        values = np.asarray(_SAMPLE_VALUES[node.name])
        return _Built(_SYMPY_ATOMS[node.name], values, node.name in ("pi", "e"))

    def _build_neg(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        (operand,) = children
        return _Built(-operand.expr, -operand.values, operand.constant)

    def _build_sum(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        terms, values = [], np.asarray(0.0)
        for op, child in zip(node.ops, children, strict=True):
            terms.append(child.expr if op == "+" else -child.expr)
            values = values + child.values if op == "+" else values - child.values
        return self._combine(sympy.Add(*terms), values, children)

    def _build_product(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        factors, values = [], np.asarray(1.0)
        for op, child_node, child in zip(node.ops, node.children, children, strict=True):
            if op == "*":
                factors.append(child.expr)
                values = values * child.values
                continue
            if child.expr.is_zero is True:
                shown = self._shown(child_node)
                detail = "" if shown == "0" else f": {shown} is 0"
                raise ExpressionError(f"division by zero{detail}", child_node.start + 1)
            factors.append(sympy.Pow(child.expr, -1))
            values = values / child.values
        built = self._combine(sympy.Mul(*factors), values, children)
        self._check_exponents(node, built.expr)
        return built

    def _build_power(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        base, exponent = children
        values = np.power(base.values, exponent.values)
        if exponent.constant:
            self._check_power_size(node, base, exponent, values)
        elif base.constant:
            self._check_variable_power(node, base)
        if not exponent.expr.is_integer:
            self._charge_root(node, base.expr)
        expr = sympy.Pow(base.expr, exponent.expr)
        self._check_exponents(node, expr)
        return _Built(expr, values, bool(base.constant and exponent.constant or expr.is_Number))

    def _build_call(self, node: _Node, children: tuple[_Built, ...]) -> _Built:
        (argument,) = children
        to_sympy, to_numpy = _FUNCTIONS[node.name]
        if node.name in ("sqrt", "cbrt"):
            self._charge_root(node, argument.expr)
        expr = to_sympy(argument.expr)
        return _Built(expr, to_numpy(argument.values), bool(argument.constant or expr.is_Number))

    def _combine(
        self, expr: sympy.Expr, values: np.ndarray, children: tuple[_Built, ...]
    ) -> _Built:
        constant = all(child.constant for child in children) or expr.is_Number
        return _Built(expr, values, bool(constant))

    # -- checks before sympy does expensive work

    def _check_power_size(
        self, node: _Node, base: _Built, exponent: _Built, values: np.ndarray
    ) -> None:
        power = _first_value(exponent.values)
        base_node, exponent_node = node.children
        if not np.isfinite(power) or abs(power) > MAX_EXPONENT:
            raise ExpressionError(
                f"exponent {self._shown(exponent_node)} is too large: "
                f"use exponents between -{MAX_EXPONENT} and {MAX_EXPONENT}",
                exponent_node.start + 1,
            )
        if base.constant:
            result, base_value = _first_value(values), _first_value(base.values)
            if base_value != 0 and (np.isinf(result) or abs(result) > MAX_MAGNITUDE):
                raise self._too_large(node)
        if _rational_bits(base.expr) * abs(power) > MAX_RATIONAL_BITS:
            raise ExpressionError(
                f"{self._shown(node)} has too many digits to compute exactly: "
                "use fewer decimals or a smaller power",
                node.start + 1,
            )

    def _check_variable_power(self, node: _Node, base: _Built) -> None:
        """Refuse (-2)^x (real only at whole x) and 0^x (0 or undefined, with no gradient)."""
        if base.expr.is_zero is False and _first_value(base.values) < 0:
            raise ExpressionError(
                f"{self._shown(node)} is not a real number: a negative number to a power "
                "is real only for whole-number powers",
                node.start + 1,
            )
        if base.expr.is_zero:
            raise ExpressionError(
                f"{self._shown(node)} is 0 where it is defined (and undefined elsewhere): "
                "write 0 instead",
                node.start + 1,
            )

    def _charge_root(self, node: _Node, base: sympy.Expr) -> None:
        """Fractional powers of big exact numbers make sympy factorise them: bound that work."""
        bits = _rational_bits(base)
        if bits <= 64:
            return
        self.root_bits -= bits
        if bits > MAX_ROOT_BITS or self.root_bits < 0:
            raise ExpressionError(
                f"{self._shown(node)}: roots of such large numbers are too costly to compute "
                "exactly — use smaller numbers",
                node.start + 1,
            )

    def _check_exponents(self, node: _Node, expr: sympy.Expr) -> None:
        """Refuse x^(huge) also when sympy folds powers together: (x^900)^900, x^900*x^900."""
        for item in (expr, *expr.args) if expr.is_Mul else (expr,):
            power = item.exp if item.is_Pow else None
            if power is not None and power.is_Number and abs(power) > MAX_EXPONENT:
                raise ExpressionError(
                    f"{self._shown(node)} has a power above {MAX_EXPONENT}: "
                    f"use exponents between -{MAX_EXPONENT} and {MAX_EXPONENT}",
                    node.start + 1,
                )

    # -- checks after each node

    def _check_result(self, node: _Node, built: _Built, children: tuple[_Built, ...]) -> _Built:
        problem = _is_bad(built.expr)
        if problem:
            raise self._domain_error(node, problem, children)
        if _rational_bits(built.expr, depth=1) > MAX_RATIONAL_BITS:
            raise ExpressionError(
                f"{self._shown(node)} has too many digits to compute exactly: "
                "use fewer decimals or a smaller power",
                node.start + 1,
            )
        return self._check_constant(node, built, children) if built.constant else built

    def _check_constant(self, node: _Node, built: _Built, children: tuple[_Built, ...]) -> _Built:
        value = _first_value(built.values)
        if np.isfinite(value) and abs(value) <= MAX_MAGNITUDE:
            return built
        # Floats may fail where exact maths does not (log(exp(-1000)), sqrt(2 - sqrt(2)^2)):
        # ask sympy for the value of this (bounded, already checked) constant.
        try:
            exact = complex(sympy.N(built.expr, 20))
        except (TypeError, ValueError, ArithmeticError):
            raise self._domain_error(node, "undefined", children) from None
        if not np.isfinite(exact.real) or not np.isfinite(exact.imag):
            raise self._too_large(node)
        if abs(exact.imag) > 1e-12 * max(1.0, abs(exact.real)):
            raise self._domain_error(node, "not a real number", children)
        if abs(exact.real) > MAX_MAGNITUDE:
            raise self._too_large(node)
        return replace(built, values=np.asarray(exact.real))

    # -- messages

    def _shown(self, node: _Node) -> str:
        return _abbreviate(self.text[node.start : node.end])

    def _too_large(self, node: _Node) -> ExpressionError:
        return ExpressionError(
            f"{self._shown(node)} is too large: values must stay below 1e300", node.start + 1
        )

    def _domain_error(
        self, node: _Node, problem: str, children: tuple[_Built, ...]
    ) -> ExpressionError:
        message = f"{self._shown(node)} is {problem}"
        hint = None
        if node.kind == "call":
            hint = _DOMAIN_HINTS.get(node.name)
        elif node.kind == "power":
            hint = _power_hint(children[0])
        return ExpressionError(f"{message}: {hint}" if hint else message, node.start + 1)


def _written(node: _Node, built: _Built, children: tuple[_Built, ...]) -> tuple:
    """``node`` as written: nested tuples with constants (as written) folded exactly.

    ("c", value) | ("x",) | ("y",) | ("neg", w) | ("sum", ((op, w), ...)) |
    ("product", ((op, w), ...)) | ("power", base, exponent) | ("call", name, w)
    """
    variable = node.kind == "name" and node.name in ("x", "y")
    if not variable and all(child.written[0] == "c" for child in children):
        try:
            return ("c", float(built.expr))
        except (TypeError, ValueError, OverflowError):
            return ("c", _first_value(built.values))
    if variable:
        return (node.name,)
    if node.kind in ("sum", "product"):
        return (node.kind, _fold_constants(node, children))
    parts = tuple(child.written for child in children)
    if node.kind == "call":
        return ("call", node.name, parts[0])
    return (node.kind, *parts)  # neg, power


def _fold_constants(node: _Node, children: tuple[_Built, ...]) -> tuple:
    """The (op, written) terms of a sum or product, its constants combined exactly
    first (``0.1*3*x`` is ``0.3*x``, as numbers are kept exact everywhere else)."""
    as_written = tuple((op, child.written) for op, child in zip(node.ops, children, strict=True))
    constants = [
        (op, child.expr)
        for op, child in zip(node.ops, children, strict=True)
        if child.written[0] == "c"
    ]
    if len(constants) < 2:
        return as_written
    if node.kind == "sum":
        exact = sympy.Add(*(e if op == "+" else -e for op, e in constants))
    else:
        exact = sympy.Mul(*(e if op == "*" else 1 / e for op, e in constants))
    try:
        value = float(exact)
    except (TypeError, ValueError, OverflowError):
        return as_written
    first = "+" if node.kind == "sum" else "*"
    return ((first, ("c", value)), *(term for term in as_written if term[1][0] != "c"))


@dataclass(frozen=True)
class ParsedFunction:
    """A parsed function: sympy's expression (simplified: for text and derivatives
    to show) and the function as written (for evaluation: sympy's simplification
    can widen where it is defined, ``sqrt(x)^2`` becoming ``x``)."""

    expr: sympy.Expr
    written: tuple


def _power_hint(base: _Built) -> str | None:
    if base.expr.is_zero:
        return "0 to a negative power has no value"
    if _first_value(base.values) < 0:
        return "a negative number to a fractional power is not real (use cbrt for cube roots)"
    return None


# ------------------------------------------------------------------------------ public


def parse_expression(text: str) -> sympy.Expr:
    """Turn the user's text into a sympy expression in ``X`` and ``Y``.

    Only ever raises :class:`ExpressionError`, whose message says what is wrong
    and what to write instead. Hostile input (huge, deeply nested, enormous
    numbers) is refused cheaply, before sympy does any expensive work.
    """
    return parse_function(text).expr


#: How many recently parsed functions are remembered (see :func:`parse_function`).
RECENT_PARSES = 16
_recent: OrderedDict[str, ParsedFunction] = OrderedDict()
_recent_lock = threading.Lock()


def parse_function(text: str) -> ParsedFunction:
    """:func:`parse_expression`, keeping the function as written too.

    The last few results are remembered: the window checks the text as it is
    typed, then computes with it in another thread, and building the sympy
    expression twice would cost up to ~15 ms on the way to the picture.
    """
    if not isinstance(text, str):
        raise ExpressionError("the function must be given as text")
    with _recent_lock:
        known = _recent.get(text)
        if known is not None:
            _recent.move_to_end(text)
            return known
    try:
        parsed = _parse(text)
    except ExpressionError:
        raise
    except Exception as error:  # a bug or a sympy limit: still a message, never a traceback
        raise ExpressionError(
            f"could not process this function ({type(error).__name__}): try a simpler form"
        ) from error
    with _recent_lock:
        _recent[text] = parsed
        while len(_recent) > RECENT_PARSES:
            _recent.popitem(last=False)
    return parsed


def _parse(text: str) -> ParsedFunction:
    if len(text) > MAX_TEXT_LENGTH:
        raise ExpressionError(
            f"too long: at most {MAX_TEXT_LENGTH} characters (this has {len(text)})"
        )
    tree = _Parser(text, _tokenize(text)).parse()
    builder = _Builder(text)
    with np.errstate(all="ignore"):
        built = builder.build(tree)
    if built.expr.has(sympy.I, *_BAD_VALUES):
        raise ExpressionError(f"{builder._shown(tree)} is not a real number")
    if built.undefined is not None:
        culprit, overflowing = built.undefined
        raise ExpressionError(
            _nowhere_finite(builder._shown(culprit), overflowing), culprit.start + 1
        )
    return ParsedFunction(built.expr, built.written)


def _nowhere_finite(shown: str, overflowing: float) -> str:
    """Why ``shown`` has no finite value at any sample point: it overflows float64
    (at the part ``overflowing`` of them), or it has no real value."""
    if overflowing >= 1:
        return (
            f"f overflows float64 everywhere: {shown} is beyond ±1.8e308 at every test "
            "point; rescale it (smaller constants, powers or exp arguments)"
        )
    if overflowing > 0:
        return (
            f"f is nowhere finite: {shown} overflows float64 (beyond ±1.8e308) at "
            f"{overflowing:.0%} of the test points and has no real value at the others; "
            "rescale it"
        )
    return f"f is undefined everywhere: {shown} has no real value at any point"


# ----------------------------------------------------------------------------- printer

_ADD, _NEG, _MUL, _POW, _ATOM = 1, 2, 3, 4, 5  # precedence of printed text
_MAX_STR_BITS = 13_000  # Python's default int -> str limit is 4300 digits (14284 bits)

#: The sympy function classes the language produces, by their name in the language.
SYMPY_FUNCTION_NAMES: dict[type, str] = {
    sympy.sin: "sin",
    sympy.cos: "cos",
    sympy.tan: "tan",
    sympy.asin: "asin",
    sympy.acos: "acos",
    sympy.atan: "atan",
    sympy.sinh: "sinh",
    sympy.cosh: "cosh",
    sympy.tanh: "tanh",
    sympy.exp: "exp",
    sympy.log: "log",
    sympy.Abs: "abs",
    sympy.sign: "sign",
}


def expression_to_text(expr: sympy.Expr) -> str:
    """Print ``expr`` in the function language, readable and re-parseable.

    ``parse_expression(expression_to_text(e)) == e`` for every ``e`` that
    ``parse_expression`` returns (when the text stays within the limits; the
    one exception is sympy re-factoring roots of numbers such as 10^(7/9),
    which keeps the value). Derivatives of such expressions print back to the
    same function, almost always to the same expression. What the language
    cannot say (``DiracDelta`` from differentiating ``sign``, ``re``/``im``
    from ``abs`` of a non-real-looking argument, sympy Floats) is printed
    readably with sympy's names or as a decimal, and may not parse back exactly.
    """
    if isinstance(expr, (int, float)):
        expr = sympy.Integer(expr) if isinstance(expr, int) else sympy.Float(expr)
    return _print(expr)[0]


def _wrap(printed: tuple[str, int], below: int) -> str:
    text, precedence = printed
    return f"({text})" if precedence < below else text


def _print(expr: sympy.Basic) -> tuple[str, int]:
    """Text and precedence of ``expr``."""
    if expr.is_Symbol:
        return expr.name, _ATOM
    if expr is sympy.pi:
        return "pi", _ATOM
    if expr is sympy.E:
        return "e", _ATOM
    if expr.is_Integer:
        return _integer_text(int(expr))
    if expr.is_Rational:
        return _rational_text(int(expr.p), int(expr.q))
    if expr.is_Float:
        return _float_text(expr)
    if expr.is_Add:
        return _print_add(expr)
    if expr.is_Mul:
        return _print_product(expr)
    if expr.is_Pow:
        return _print_pow(expr)
    if expr.is_Function:
        return _print_call(expr)
    return str(expr).replace("**", "^"), _ATOM


def _signed(text: str, negative: bool) -> tuple[str, int]:
    return ("-" + text, _NEG) if negative else (text, _ATOM)


def _integer_text(value: int) -> tuple[str, int]:
    magnitude = abs(value)
    if magnitude.bit_length() > _MAX_STR_BITS:  # Python refuses str() of such ints
        return _signed(f"{float(sympy.Float(magnitude, 17))!r}", value < 0)
    digits = str(magnitude)
    stripped = digits.rstrip("0")
    if len(digits) > 15 and len(digits) - len(stripped) >= 3:
        return _signed(_scientific(stripped, len(digits) - 1), value < 0)
    return _signed(digits, value < 0)


def _scientific(significant: str, exponent: int) -> str:
    mantissa = significant[0] + ("." + significant[1:] if len(significant) > 1 else "")
    return f"{mantissa}e{exponent}"


def _decimal_text(p: int, q: int) -> str | None:
    """Exact decimal text for p/q > 0 when q = 2^a 5^b with b > 0 (a typed decimal), else None."""
    twos = fives = 0
    rest = q
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1 or fives == 0 or p.bit_length() + q.bit_length() > _MAX_STR_BITS:
        return None
    places = max(twos, fives)
    digits = str(p * (10**places // q))
    if places > 8:
        return _scientific(digits.rstrip("0"), len(digits) - 1 - places)
    digits = digits.rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}"


def _rational_text(p: int, q: int) -> tuple[str, int]:
    if q == 1:
        return _integer_text(p)
    decimal = _decimal_text(abs(p), q)
    if decimal is not None:
        return _signed(decimal, p < 0)
    text = f"{_integer_text(abs(p))[0]}/{_integer_text(q)[0]}"
    return ("-" + text, _NEG) if p < 0 else (text, _MUL)


def _float_text(expr: sympy.Float) -> tuple[str, int]:
    value = float(expr)
    if not np.isfinite(value):
        return str(expr), _ATOM
    return _signed(repr(abs(value)), value < 0)


def _print_add(expr: sympy.Add) -> tuple[str, int]:
    pieces: list[str] = []
    for term in expr.as_ordered_terms():
        negative = bool(term.as_coeff_Mul()[0].is_negative)
        if not pieces:
            pieces.append(_print(term)[0])
        elif negative:
            pieces.append(" - " + _wrap(_print(-term), _MUL))
        else:
            pieces.append(" + " + _print(term)[0])
    return "".join(pieces), _ADD


def _print_product(expr: sympy.Expr) -> tuple[str, int]:
    """Products and negative powers: ``-2*x*y/(3*z)``."""
    coefficient, rest = expr.as_coeff_Mul()
    if coefficient.is_negative:
        return "-" + _wrap(_print(-expr), _MUL), _NEG
    numerator: list[tuple[str, int]] = []
    denominator: list[tuple[str, int]] = []
    divisor = _coefficient_parts(coefficient, numerator)
    factors = list(rest.as_ordered_factors()) if rest.is_Mul else ([] if rest == 1 else [rest])
    for item in _merge_special_factors(factors):
        if isinstance(item, tuple):
            numerator.append(item)
        elif item.is_Pow and item.exp.is_Rational and item.exp.is_negative:
            positive = -item.exp
            denominator.append(
                _print(item.base if positive == 1 else _unevaluated_pow(item.base, positive))
            )
        else:
            numerator.append(_print(item))
    top = "*".join(_wrap(part, _MUL) for part in numerator) or "1"
    if divisor is not None and len(denominator) == 1 and denominator[0][1] == _ADD:
        # "1/(3*(x + y))" would parse back as 1/(3*x + 3*y): keep the Add whole.
        return f"{top}/({denominator[0][0]})/{_integer_text(divisor)[0]}", _MUL
    if divisor is not None:
        denominator.insert(0, _integer_text(divisor))
    if not denominator:
        return (top, numerator[0][1]) if len(numerator) == 1 else (top, _MUL)
    if len(denominator) == 1:
        return f"{top}/{_wrap(denominator[0], _POW)}", _MUL
    return f"{top}/({'*'.join(_wrap(part, _MUL) for part in denominator)})", _MUL


def _unevaluated_pow(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    return sympy.Pow(base, exponent, evaluate=False)


def _coefficient_parts(coefficient: sympy.Number, numerator: list[tuple[str, int]]) -> int | None:
    """Put a positive coefficient's text into ``numerator``; return its divisor if any."""
    if coefficient == 1:
        return None
    if coefficient.is_Rational and not coefficient.is_Integer:
        p, q = int(coefficient.p), int(coefficient.q)
        decimal = _decimal_text(p, q)
        if decimal is not None:
            numerator.append((decimal, _ATOM))
            return None
        if p != 1:
            numerator.append(_integer_text(p))
        return q
    numerator.append(_print(coefficient))
    return None


def _merge_special_factors(factors: list[sympy.Expr]) -> list[sympy.Expr | tuple[str, int]]:
    """Show sign(a)*abs(a)^(1/3) as cbrt(a) and log(a)/log(2) as log2(a)."""
    items: list[sympy.Expr | tuple[str, int]] = list(factors)
    for factor in factors:
        if isinstance(factor, sympy.sign):
            argument = factor.args[0]
            root = sympy.Pow(sympy.Abs(argument), sympy.Rational(1, 3))
            if root in items and factor in items:
                items[items.index(factor)] = (f"cbrt({_print(argument)[0]})", _ATOM)
                items.remove(root)
    for base in (2, 10):
        inverse = sympy.Pow(sympy.log(base), -1)
        logs = [f for f in items if isinstance(f, sympy.log) and f != sympy.log(base)]
        if inverse in items and len(logs) == 1:
            items[items.index(logs[0])] = (f"log{base}({_print(logs[0].args[0])[0]})", _ATOM)
            items.remove(inverse)
    return items


def _print_pow(expr: sympy.Pow) -> tuple[str, int]:
    base, exponent = expr.args
    if exponent.is_Rational and exponent.is_negative:
        return _print_product(expr)
    if exponent == sympy.S.Half:
        return f"sqrt({_print(base)[0]})", _ATOM
    return f"{_wrap(_print(base), _ATOM)}^{_wrap(_print(exponent), _ATOM)}", _POW


def _print_call(expr: sympy.Function) -> tuple[str, int]:
    name = SYMPY_FUNCTION_NAMES.get(type(expr), type(expr).__name__)
    arguments = ", ".join(_print(argument)[0] for argument in expr.args)
    return f"{name}({arguments})", _ATOM
