"""Tokens -> syntax tree, by recursive descent with limits on size and depth; and
the messages for names the language does not know."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from fractions import Fraction

from gdplayground.core.expression.tokens import (
    ExpressionError,
    _is_digit,
    _lex_digits,
    _Token,
)
from gdplayground.core.expression.vocabulary import _FUNCTIONS, FUNCTION_NAMES, XY, Names

MAX_NODES = 500  # numbers, names and operations in the syntax tree
MAX_DEPTH = 60  # nesting of brackets, functions, signs and powers


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

    def __init__(self, text: str, tokens: list[_Token], names: Names = XY) -> None:
        self.text = text
        self.tokens = tokens
        self.names = names
        self.pos = 0
        self.depth = 0
        self.nodes = 0

    def parse(self) -> _Node:
        if self._peek().kind == "end":
            raise ExpressionError(
                f"empty {self.names.noun}: type something like {self.names.example}"
            )
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
        if name in self.names.symbols:
            if following.kind == "(":
                raise ExpressionError(
                    f"'{name}' is not a function: write {name}*(...) to multiply", following.column
                )
            self._advance()
            return self._make("name", token.start, token.end, name=name)
        raise ExpressionError(
            _unknown_name_message(token.text, following.kind == "(", self.names), token.column
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


def _split_atoms(name: str, names: Names) -> list[str] | None:
    """Split ``name`` into known names and digit runs (``"xy2"`` -> x, y, 2), if possible."""
    if not name:
        return []
    if _is_digit(name[0]):
        end = _lex_digits(name, 0)
        rest = _split_atoms(name[end:], names)
        return None if rest is None else [name[:end], *rest]
    for atom in names.atoms:
        if name.startswith(atom):
            rest = _split_atoms(name[len(atom) :], names)
            if rest is not None:
                return [atom, *rest]
    return None


def _product_text(parts: list[str]) -> str:
    return "*".join(parts)


def _unknown_name_message(name: str, called: bool, names: Names) -> str:
    lower = name.lower()
    same = next((k for k in (*_FUNCTIONS, *names.symbols) if k.lower() == lower), None)
    if same is not None and same != name:
        kind = "function" if called else "name"
        case = "lower case" if all(k.islower() for k in names.symbols) else "case-sensitive"
        return f"unknown {kind} '{name}' — did you mean {same}? (names are {case})"
    hint = _split_hint(name, called, names) if len(name) <= 12 else None
    if hint:
        return f"'{name}' is not a {'function' if called else 'name'}: {hint}"
    if called:
        close = difflib.get_close_matches(lower, FUNCTION_NAMES, n=1, cutoff=0.6)
        if close:
            return f"unknown function '{name}' — did you mean {close[0]}?"
        return f"unknown function '{name}': the functions are {', '.join(FUNCTION_NAMES)}"
    return f"unknown name '{name}': use {names.listed}"


def _split_hint(name: str, called: bool, names: Names) -> str | None:
    """Suggest ``x*y`` for ``xy``, ``sin(x)`` for ``sinx``, ``x*sin(...)`` for ``xsin(``."""
    functions = sorted(_FUNCTIONS, key=len, reverse=True)
    if called:
        for function in functions:
            head = name[: -len(function)]
            atoms = _split_atoms(head, names) if name.endswith(function) else None
            if atoms:
                return f"write {_product_text([*atoms, function])}(...)"
        return None
    atoms = _split_atoms(name, names)
    if atoms and len(atoms) == 2 and _is_digit(atoms[1][0]):
        base, digits = atoms
        return f"write {base}^{digits} for a power or {base}*{digits} to multiply"
    if atoms and len(atoms) > 1:
        return f"write {_product_text(atoms)} to multiply"
    for function in functions:
        rest = _split_atoms(name[len(function) :], names) if name.startswith(function) else None
        if rest:
            return f"write {function}({_product_text(rest)})"
    return None
