"""numpy's floating-point warnings never reach the terminal.

The computations deal with nan and inf themselves (and say what happened in
their own words: "f overflows float64 ..."), mostly under ``np.errstate``
where they arise; this filter is the net under third-party code (pyqtgraph
scaling an image of huge values) and anything missed.  The command line,
the window and the run worker install it at start.
"""

from __future__ import annotations

import warnings

#: The messages of numpy's floating-point RuntimeWarnings.
FLOAT_WARNINGS = r"(overflow|underflow|invalid value|divide by zero) encountered"


def silence_float_warnings() -> None:
    """Ignore numpy's floating-point RuntimeWarnings in this process (other warnings stay)."""
    warnings.filterwarnings("ignore", message=FLOAT_WARNINGS, category=RuntimeWarning)
