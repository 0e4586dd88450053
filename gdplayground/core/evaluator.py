"""Exact derivatives and fast evaluation of a parsed function, without sympy at run time.

``sympy.diff`` and ``sympy.lambdify`` cost 10-250 ms per function (assumption
queries, printing, common-subexpression search): most of the time between a
user typing a function and the paths appearing.  Here the function as the
user wrote it (or a sympy expression) is copied once into a small graph in
which every distinct subexpression exists once (so sharing is found for free),
differentiated there with the textbook rules (exact, symbolic), and evaluated
by a short list of numpy calls.  No source code is generated or executed.

Anything outside the input language raises :class:`Unsupported`; the caller
then falls back to sympy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import sympy

import gdplayground.core.expression.activations as act
from gdplayground.core.expression import SYMPY_FUNCTION_NAMES


class Unsupported(Exception):
    """The expression holds something this module does not know how to handle."""


_UFUNCS: dict[str, Callable[..., np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "exp": np.exp,
    "log": np.log,
    "abs": np.abs,
    "sign": np.sign,
    "cbrt": np.cbrt,
    "sigmoid": act.sigmoid_values,
    "softplus": act.softplus_values,
    "relu": act.relu_values,
    # not in the language: softplus's derivatives (torch's, with its threshold)
    "softplus'": act.softplus_slope,
    "softplus''": act.softplus_curvature,
}

_LN2, _LN10 = float(np.log(2.0)), float(np.log(10.0))

# Node kinds.  A node is a tuple: ("c", value), ("var", name), ("add", ids),
# ("mul", ids), ("pow", base, exponent) or ("fn", name, arg); ids index Graph.nodes.
Node = tuple


class Graph:
    """Expressions in some variables (x and y unless told) where each distinct
    subexpression is stored once.

    The constructors fold constants and drop neutral terms (0 in sums, 1 in
    products), which keeps derivatives small without any search.  The
    variables are the first nodes, in order.
    """

    def __init__(self, variables: Sequence[str] = ("x", "y")) -> None:
        self.nodes: list[Node] = []
        self._ids: dict[tuple, int] = {}
        self._derivatives: dict[tuple[int, str], int] = {}
        self.variables = tuple(variables)
        self._variable_ids = {name: self._intern(("var", name)) for name in self.variables}
        self._bindings: dict[str, int] = {}
        self.zero = self.const(0.0)
        self.one = self.const(1.0)

    def variable(self, name: str) -> int:
        """The node of the variable ``name``."""
        return self._variable_ids[name]

    # ------------------------------------------------------------- constructors
    def _intern(self, node: Node, key: tuple | None = None) -> int:
        key = node if key is None else key
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self.nodes)
            self.nodes.append(node)
        return found

    def const(self, value: float) -> int:
        """The constant ``value`` (a float64)."""
        value = float(value)
        return self._intern(("c", value), ("c", value.hex()))

    def children(self, node: int) -> tuple[int, ...]:
        """The ids ``node`` is made of (all below it)."""
        return _children(self.nodes[node])

    def value_of(self, node: int) -> float | None:
        """The value of a constant node, None for anything else."""
        n = self.nodes[node]
        return n[1] if n[0] == "c" else None

    def _gather(self, kind: str, items: tuple[int, ...]) -> tuple[list[int], list[float]]:
        """``items`` with nested ``kind`` nodes flattened: the other nodes, and the
        constants' values, each in order."""
        flat: list[int] = []
        constants: list[float] = []
        for item in items:
            n = self.nodes[item]
            for t in n[1] if n[0] == kind else (item,):
                value = self.value_of(t)
                if value is None:
                    flat.append(t)
                else:
                    constants.append(value)
        return flat, constants

    def add(self, *terms: int) -> int:
        """The sum of ``terms`` (flattened, constants folded, zeros dropped)."""
        flat, constants = self._gather("add", terms)
        total = np.float64(0.0)
        for value in constants:
            total = total + np.float64(value)
        if total != 0 or np.isnan(total):
            flat.append(self.const(total))
        if not flat:
            return self.zero
        if len(flat) == 1:
            return flat[0]
        return self._intern(("add", tuple(flat)))

    def mul(self, *factors: int) -> int:
        """The product of ``factors`` (flattened, constants folded, ones dropped; 0 wins)."""
        flat, constants = self._gather("mul", factors)
        product = np.float64(1.0)
        for value in constants:
            product = product * np.float64(value)
        if product == 0:  # as sympy does: 0 * anything = 0
            return self.zero
        if product != 1:
            flat.insert(0, self.const(product))
        if not flat:
            return self.one
        if len(flat) == 1:
            return flat[0]
        return self._intern(("mul", tuple(flat)))

    def pow(self, base: int, exponent: int) -> int:
        """``base ** exponent``."""
        e = self.value_of(exponent)
        if e == 0:
            return self.one
        if e == 1:
            return base
        b = self.value_of(base)
        if b is not None and e is not None:
            return self.const(np.power(np.float64(b), np.float64(e)))
        return self._intern(("pow", base, exponent))

    def fn(self, name: str, arg: int) -> int:
        """``name(arg)`` for one of the supported functions."""
        a = self.value_of(arg)
        if a is not None:
            return self.const(_UFUNCS[name](np.float64(a)))
        return self._intern(("fn", name, arg))

    # ---------------------------------------------------------- from sympy
    def from_sympy(self, expr: sympy.Basic) -> int:
        """Copy a sympy expression in the graph's variables into it (raises Unsupported)."""
        memo: dict[sympy.Basic, int] = {}

        def convert(e: sympy.Basic) -> int:
            found = memo.get(e)
            if found is not None:
                return found
            if e.is_Symbol:
                if e.name not in self._variable_ids or e.is_real is not True:
                    raise Unsupported(f"symbol {e.name}")
                node = self._variable_ids[e.name]
            elif e.is_number and (value := _exact_value(e)) is not None:
                # a constant (1.05^1.05)^0.26 that sympy holds as powers of huge
                # integers: its value, exactly, rather than overflowing float steps
                node = self.const(value)
            elif isinstance(e, sympy.Number | sympy.NumberSymbol):
                try:
                    node = self.const(float(e))
                except (TypeError, OverflowError) as exc:
                    raise Unsupported(str(e)) from exc
            elif e.is_Add:
                node = self.add(*map(convert, e.args))
            elif e.is_Mul:
                node = self.mul(*map(convert, e.args))
            elif e.is_Pow:
                node = self.pow(convert(e.base), convert(e.exp))
            elif type(e) in SYMPY_FUNCTION_NAMES and len(e.args) == 1:
                node = self.fn(SYMPY_FUNCTION_NAMES[type(e)], convert(e.args[0]))
            else:
                raise Unsupported(type(e).__name__)
            memo[e] = node
            return node

        with np.errstate(all="ignore"):
            return convert(expr)

    def from_written(self, tree: tuple, bindings: Mapping[str, int] | None = None) -> int:
        """Copy a function as written (:class:`~gdplayground.core.expression.ParsedFunction`)
        into the graph: evaluated as the user wrote it, so it is undefined exactly
        where what they wrote is (``sqrt(x)^2`` has no value for x < 0).

        A variable named in ``bindings`` stands for that node (a loss's ``m`` for
        the model); any other must be one of the graph's variables.
        """
        self._bindings = dict(bindings or {})
        with np.errstate(all="ignore"):
            return self._written(tree)

    def _written(self, tree: tuple) -> int:
        kind = tree[0]
        if kind == "c":
            return self.const(tree[1])
        if kind == "var":
            name = tree[1]
            if name in self._bindings:
                return self._bindings[name]
            if name not in self._variable_ids:
                raise Unsupported(f"variable {name}")
            return self._variable_ids[name]
        if kind == "neg":
            return self.mul(self.const(-1.0), self._written(tree[1]))
        if kind == "sum":
            return self.add(
                *(
                    self._written(w) if op == "+" else self.mul(self.const(-1.0), self._written(w))
                    for op, w in tree[1]
                )
            )
        if kind == "product":
            return self.mul(
                *(
                    self._written(w) if op == "*" else self.pow(self._written(w), self.const(-1.0))
                    for op, w in tree[1]
                )
            )
        if kind == "power":
            base, exponent = tree[1], tree[2]
            if base == ("c", float(np.e)):  # e^u, as sympy writes it: exp(u)
                return self.fn("exp", self._written(exponent))
            return self.pow(self._written(base), self._written(exponent))
        if kind == "call":
            name, arg = tree[1], self._written(tree[2])
            if name == "sqrt":
                return self.pow(arg, self.const(0.5))
            if name == "ln":
                return self.fn("log", arg)
            if name in ("log2", "log10"):
                scale = 1.0 / (_LN2 if name == "log2" else _LN10)
                return self.mul(self.fn("log", arg), self.const(scale))
            if name in _UFUNCS:
                return self.fn(name, arg)
        raise Unsupported(repr(kind))

    # ---------------------------------------------------------- derivatives
    def diff(self, node: int, var: str) -> int:
        """The exact derivative of ``node`` with respect to the variable named ``var``.

        Worked out for every node below ``node`` first, children before parents
        (a node's id is always above its children's), so that no recursion is
        needed however deep the expression and its derivatives get.
        """
        memo = self._derivatives
        found = memo.get((node, var))
        if found is not None:
            return found
        with np.errstate(all="ignore"):
            for k in self._below(node, var):
                memo[(k, var)] = self._diff(k, var)
        return memo[(node, var)]

    def _below(self, node: int, var: str) -> list[int]:
        """``node`` and the nodes under it without a derivative yet, in ascending order."""
        seen = {node}
        stack = [node]
        while stack:
            n = self.nodes[stack.pop()]
            for child in _children(n):
                if child not in seen and (child, var) not in self._derivatives:
                    seen.add(child)
                    stack.append(child)
        return sorted(seen)

    def _diff(self, node: int, var: str) -> int:
        """The derivative of ``node``, its children's being known."""
        d = self._derivatives
        n = self.nodes[node]
        kind = n[0]
        if kind == "c":
            return self.zero
        if kind == "var":
            return self.one if n[1] == var else self.zero
        if kind == "add":
            return self.add(*[d[(t, var)] for t in n[1]])
        if kind == "mul":
            # the product rule along the product's heads (a1 ... ak) a(k+1): heads are
            # shared, so n factors give O(n) nodes per derivative, where the textbook
            # sum of n products of n factors gives O(n^2) (and O(n^3) for the Hessian:
            # 9 s for x/x/.../x with 150 x's)
            factors = n[1]
            head, d_head = factors[0], d[(factors[0], var)]
            for factor in factors[1:]:
                d_head = self.add(self.mul(d_head, factor), self.mul(head, d[(factor, var)]))
                head = self.mul(head, factor)
                d.setdefault((head, var), d_head)
            return d_head
        if kind == "pow":
            base, exponent = n[1], n[2]
            db = d[(base, var)]
            e = self.value_of(exponent)
            if e is not None:  # c * b^(c-1) * b'
                if db == self.zero:
                    return self.zero
                return self.mul(exponent, self.pow(base, self.const(e - 1.0)), db)
            # b^e * (e' log b + e b' / b)
            de = d[(exponent, var)]
            terms = []
            if de != self.zero:
                terms.append(self.mul(de, self.fn("log", base)))
            if db != self.zero:
                terms.append(self.mul(exponent, db, self.pow(base, self.const(-1.0))))
            return self.mul(node, self.add(*terms))
        # a function of one argument: f'(u) * u'
        name, arg = n[1], n[2]
        du = d[(arg, var)]
        if du == self.zero or name == "sign":  # sign is flat almost everywhere
            return self.zero
        return self.mul(self._outer_derivative(name, node, arg), du)

    def _outer_derivative(self, name: str, node: int, u: int) -> int:
        """d name(u) / du, as a node."""
        minus_one = self.const(-1.0)
        if name == "sin":
            return self.fn("cos", u)
        if name == "cos":
            return self.mul(minus_one, self.fn("sin", u))
        if name == "tan":
            return self.add(self.one, self.pow(node, self.const(2.0)))
        if name in ("asin", "acos"):
            root = self.pow(
                self.add(self.one, self.mul(minus_one, self.pow(u, self.const(2.0)))),
                self.const(-0.5),
            )
            return root if name == "asin" else self.mul(minus_one, root)
        if name == "atan":
            return self.pow(self.add(self.one, self.pow(u, self.const(2.0))), minus_one)
        if name == "sinh":
            return self.fn("cosh", u)
        if name == "cosh":
            return self.fn("sinh", u)
        if name == "tanh":
            return self.add(self.one, self.mul(minus_one, self.pow(node, self.const(2.0))))
        if name == "exp":
            return node
        if name == "log":
            return self.pow(u, minus_one)
        if name == "abs":
            return self.fn("sign", u)
        if name == "cbrt":  # 1 / (3 cbrt(u)^2)
            return self.mul(self.const(1.0 / 3.0), self.pow(node, self.const(-2.0)))
        if name == "sigmoid":  # (1 - s) s, as torch's sigmoid_backward
            return self.mul(self.add(self.one, self.mul(minus_one, node)), node)
        if name == "relu":  # 1 where u > 0, else 0 (0 at 0, as torch): relu(sign(u))
            return self.fn("relu", self.fn("sign", u))
        if name == "softplus":
            return self.fn("softplus'", u)
        if name == "softplus'":
            return self.fn("softplus''", u)
        if name == "softplus''":  # (1 - s) s (1 - 2 s) below the threshold, 0 above
            s = self.fn("sigmoid", u)
            return self.mul(node, self.add(self.one, self.mul(self.const(-2.0), s)))
        raise Unsupported(name)


def _exact_value(e: sympy.Basic) -> float | None:
    """The finite real value of a constant expression, or None."""
    try:
        value = float(e)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if np.isfinite(value) else None


def _children(n: Node) -> tuple[int, ...]:
    """The ids a node is made of."""
    kind = n[0]
    if kind in ("add", "mul"):
        return n[1]
    if kind == "pow":
        return (n[1], n[2])
    if kind == "fn":
        return (n[2],)
    return ()


# ------------------------------------------------------------------ evaluation


def _reciprocal(a: np.ndarray) -> np.ndarray:
    return np.divide(1.0, a)


def _reciprocal_sqrt(a: np.ndarray) -> np.ndarray:
    return np.divide(1.0, np.sqrt(a))


#: Constant exponents with a cheaper (and as exact) numpy function than power.
_POWERS: dict[float, Callable[[np.ndarray], np.ndarray]] = {
    2.0: np.square,
    0.5: np.sqrt,
    -1.0: _reciprocal,
    -0.5: _reciprocal_sqrt,
}


class Program:
    """Evaluates some nodes of a graph on arrays: one numpy call per operation.

    The first registers hold the graph's variables (x and y), then come the
    constants, then as many registers for results as are needed at once.
    Each shared subexpression is computed once, and a result is written over
    one that is no longer needed, so a large input does not pile up
    temporaries.  Results are numpy arrays (or numpy scalars, or an input or
    a constant themselves: a constant is a read-only 0-d array, which numpy
    takes faster than a scalar).
    """

    def __init__(self, graph: Graph, outputs: Sequence[int]) -> None:
        self._graph = graph
        arity = len(graph.variables)
        self._registers = {graph.variable(v): i for i, v in enumerate(graph.variables)}
        self._initial: list[np.ndarray | None] = [None] * arity
        self._code: list[tuple[Callable, int, int, int]] = []
        for node in outputs:
            self._register_below(node)
        outs = tuple(self._register(node) for node in outputs)
        self._initial, self._steps, self.outputs = _reusing_registers(
            self._initial, self._code, outs
        )
        self._arity = arity
        del self._graph, self._registers, self._code  # only the instructions are kept

    @property
    def size(self) -> int:
        """Number of numpy calls per evaluation."""
        return len(self._steps)

    def __call__(self, *inputs: np.ndarray) -> list:
        """The outputs at ``inputs``, one array (or number) per variable, in order."""
        r = self._initial.copy()
        r[: self._arity] = inputs
        for fn, a, b, out in self._steps:
            r[out] = fn(r[a]) if b < 0 else fn(r[a], r[b])
        return [r[i] for i in self.outputs]

    # ------------------------------------------------------------- lowering
    def _emit(self, fn: Callable, a: int, b: int = -1) -> int:
        out = len(self._initial)
        self._initial.append(None)
        self._code.append((fn, a, b, out))
        return out

    def _register_below(self, node: int) -> None:
        """Register what ``node`` is computed from, operands first, without recursion
        (a Hessian's graph can be deeper than Python's recursion limit)."""
        stack = [(node, False)]
        while stack:
            current, expanded = stack.pop()
            if current in self._registers:
                continue
            if expanded:
                self._register(current)
                continue
            stack.append((current, True))
            stack.extend((o, False) for o in self._operands(current) if o not in self._registers)

    def _plan(self, node: int) -> list[tuple[Callable, int, int]]:
        """The numpy calls computing ``node``: (fn, a, b) with a and b node ids,
        :data:`_PREVIOUS` (the result of the call before) or -1 (no operand).
        Sums run left to right as written, ``a + -1*u`` as ``a - u`` and
        ``a * u^-1`` as ``a / u``."""
        g = self._graph
        n = g.nodes[node]
        kind = n[0]
        if kind == "add":
            first, *rest = n[1]
            return _fold(g, [], first, rest, (np.add, np.subtract), _negated)
        if kind == "mul":
            first, *rest = n[1]
            plan = []
            if g.value_of(first) == -1.0:
                plan.append((np.negative, rest.pop(0), -1))
            return _fold(g, plan, first, rest, (np.multiply, np.divide), _reciprocal_of)
        if kind == "pow":
            special = _POWERS.get(g.value_of(n[2]))  # type: ignore[arg-type]
            return [(special, n[1], -1)] if special else [(np.power, n[1], n[2])]
        return [(_UFUNCS[n[1]], n[2], -1)]  # a function of one argument

    def _operands(self, node: int) -> list[int]:
        """The nodes :meth:`_register` reads to compute ``node``."""
        if self._graph.nodes[node][0] in ("c", "var"):
            return []
        return [o for _, a, b in self._plan(node) for o in (a, b) if o >= 0]

    def _register(self, node: int) -> int:
        """The register holding ``node``, emitting the calls computing it (its
        operands must have registers: see :meth:`_register_below`)."""
        found = self._registers.get(node)
        if found is not None:
            return found
        n = self._graph.nodes[node]
        if n[0] == "c":
            reg = len(self._initial)
            self._initial.append(_constant(n[1]))
        else:
            reg = -1
            for fn, a, b in self._plan(node):
                left = reg if a == _PREVIOUS else self._registers[a]
                reg = self._emit(fn, left, self._registers[b] if b >= 0 else -1)
        self._registers[node] = reg
        return reg


def _constant(value: float) -> np.ndarray:
    """A constant register: a read-only 0-d float64 array."""
    c = np.array(value, dtype=np.float64)
    c.flags.writeable = False
    return c


#: In a plan, the operand that is the result of the call before.
_PREVIOUS = -2


def _reusing_registers(
    initial: list[np.ndarray | None],
    code: list[tuple[Callable, int, int, int]],
    outputs: tuple[int, ...],
) -> tuple[list[np.ndarray | None], tuple[tuple[Callable, int, int, int], ...], tuple[int, ...]]:
    """Renumber the registers so that results share them: (initial, code, outputs).

    ``code`` writes every result to a register of its own (None in ``initial``).
    In the renumbered program x, y and the constants come first, and each
    result is written to a register whose value has been read for the last
    time (by this very instruction, at the latest), so that evaluating needs
    no bookkeeping to let temporaries go.  Outputs are never written over.
    """
    computed = {out for *_, out in code}
    last_read: dict[int, int] = {}
    for k, (_, a, b, _) in enumerate(code):
        last_read[a] = k
        last_read[b] = k
    rename: dict[int, int] = {}
    registers: list[np.ndarray | None] = []
    for reg, value in enumerate(initial):
        if reg not in computed:  # x, y or a constant
            rename[reg] = len(registers)
            registers.append(value)
    free: list[int] = []
    renamed = []
    for k, (fn, a, b, out) in enumerate(code):
        for reg in (a,) if a == b else (a, b):
            if reg in computed and reg not in outputs and last_read[reg] == k:
                free.append(rename[reg])
        if free:
            rename[out] = free.pop()
        else:
            rename[out] = len(registers)
            registers.append(None)
        renamed.append((fn, rename[a], rename[b] if b >= 0 else -1, rename[out]))
    return registers, tuple(renamed), tuple(rename[reg] for reg in outputs)


def _fold(
    g: Graph,
    plan: list[tuple[Callable, int, int]],
    first: int,
    rest: list[int],
    ops: tuple[Callable, Callable],
    inverse_of: Callable[[Graph, int], int | None],
) -> list[tuple[Callable, int, int]]:
    """``plan`` continued by folding ``rest`` into ``first`` left to right with
    ``ops[0]``, or with ``ops[1]`` and the operand's inverse where it has one
    (``a + -1*u`` as ``a - u``, ``a * u^-1`` as ``a / u``)."""
    op, inverse_op = ops
    for item in rest:
        u = inverse_of(g, item)
        left = first if not plan else _PREVIOUS
        plan.append((op, left, item) if u is None else (inverse_op, left, u))
    return plan


def _negated(graph: Graph, node: int) -> int | None:
    """``u`` when ``node`` is ``-1 * u`` (so that ``a + node`` can be ``a - u``)."""
    n = graph.nodes[node]
    if n[0] == "mul" and len(n[1]) == 2 and graph.value_of(n[1][0]) == -1.0:
        return n[1][1]
    return None


def _reciprocal_of(graph: Graph, node: int) -> int | None:
    """``u`` when ``node`` is ``u ** -1`` (so that ``a * node`` can be ``a / u``)."""
    n = graph.nodes[node]
    if n[0] == "pow" and graph.value_of(n[2]) == -1.0:
        return n[1]
    return None
