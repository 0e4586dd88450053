"""Exploring a landscape: basin maps, learning-rate sweeps and stationary points.

numpy only (never Qt): the window and the command line call the same functions.
"""
