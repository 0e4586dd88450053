"""GUI-free computation: expressions, gradients, optimizers, trajectories.

Nothing in this package may import PySide6 or pyqtgraph.
"""
