"""gdplayground: type a function f(x, y) and race optimizers on linked views."""

__version__ = "0.1.0"

#: The command's name, as its messages begin.
PROG = "gdplayground"
