"""sympy expression -> text in the function language (readable and re-parseable)."""

from __future__ import annotations

import numpy as np
import sympy

import gdplayground.core.expression.activations as activations

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
    activations.sigmoid: "sigmoid",
    activations.softplus: "softplus",
    activations.relu: "relu",
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
    if base.is_Integer and abs(int(base)) > 10**300 and expr.is_number:
        # sympy may write a small constant such as (1/24)^0.001 as a root of an integer
        # of hundreds of digits: the parser refuses numbers that large, so print its value
        return _float_text(sympy.Float(expr.evalf(17), 17))
    if exponent.is_Rational and exponent.is_negative:
        return _print_product(expr)
    if exponent == sympy.S.Half:
        return f"sqrt({_print(base)[0]})", _ATOM
    return f"{_wrap(_print(base), _ATOM)}^{_wrap(_print(exponent), _ATOM)}", _POW


def _print_call(expr: sympy.Function) -> tuple[str, int]:
    name = SYMPY_FUNCTION_NAMES.get(type(expr), type(expr).__name__)
    arguments = ", ".join(_print(argument)[0] for argument in expr.args)
    return f"{name}({arguments})", _ATOM
