"""Find where a loss is a polynomial in the parameters, with data-only coefficients.

The mean of ``sum_ij c_ij(x) w^i b^j`` over the examples is ``sum_ij mean(c_ij)
w^i b^j``: a handful of numbers (the data's moments) give the loss, its gradient
and Hessian anywhere, whatever the number of examples.  Squared error of a model
linear in w and b is such a loss: ``(w*x + b - y)^2`` has the coefficients x^2,
2x, 1, -2xy, -2y and y^2.  The decision is made on the function as written, so
it is polynomial exactly where it is defined: ``sqrt(w)^2`` is not.
"""

from __future__ import annotations

from gdplayground.core.evaluator import Graph

#: Polynomials of higher total degree in (w, b) are evaluated example by example.
MAX_DEGREE = 4

Terms = dict[tuple[int, int], int]  # (power of w, power of b) -> coefficient node


def polynomial_terms(
    graph: Graph, root: int, parameters: tuple[str, str] = ("w", "b")
) -> Terms | None:
    """``root`` as ``{(i, j): coefficient node}`` with ``root = sum c_ij w^i b^j``,
    every coefficient free of the parameters; None when it is not such a polynomial
    (or of total degree above MAX_DEGREE)."""
    w, b = (graph.variable(p) for p in parameters)
    below = _nodes_below(graph, root)
    depends: dict[int, bool] = {}
    terms: dict[int, Terms | None] = {}
    for node in below:  # children first: a node's id is above its children's
        n = graph.nodes[node]
        depends[node] = node in (w, b) or any(depends[c] for c in graph.children(node))
        if not depends[node]:
            terms[node] = {(0, 0): node}
        elif node == w:
            terms[node] = {(1, 0): graph.one}
        elif node == b:
            terms[node] = {(0, 1): graph.one}
        else:
            terms[node] = _combine(graph, n, terms)
    return terms[root]


def _nodes_below(graph: Graph, root: int) -> list[int]:
    seen = {root}
    stack = [root]
    while stack:
        for child in graph.children(stack.pop()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return sorted(seen)


def _combine(graph: Graph, n: tuple, terms: dict[int, Terms | None]) -> Terms | None:
    kind = n[0]
    if kind == "add":
        total: Terms | None = {}
        for child in n[1]:
            total = _add(graph, total, terms[child])
        return total
    if kind == "mul":
        product: Terms | None = {(0, 0): graph.one}
        for child in n[1]:
            product = _multiply(graph, product, terms[child])
        return product
    if kind == "pow":
        e = graph.value_of(n[2])
        if e is None or e != int(e) or not 0 <= e <= MAX_DEGREE:
            return None
        power: Terms | None = {(0, 0): graph.one}
        for _ in range(int(e)):
            power = _multiply(graph, power, terms[n[1]])
        return power
    return None  # a function of the parameters (exp(w), abs(m - y), ...)


def _add(graph: Graph, a: Terms | None, b: Terms | None) -> Terms | None:
    if a is None or b is None:
        return None
    out = dict(a)
    for key, c in b.items():
        out[key] = graph.add(out[key], c) if key in out else c
    return out


def _multiply(graph: Graph, a: Terms | None, b: Terms | None) -> Terms | None:
    if a is None or b is None:
        return None
    out: Terms = {}
    for (i1, j1), c1 in a.items():
        for (i2, j2), c2 in b.items():
            key = (i1 + i2, j1 + j2)
            if sum(key) > MAX_DEGREE:
                return None
            c = graph.mul(c1, c2)
            out[key] = graph.add(out[key], c) if key in out else c
    return out
