"""Entry script of the frozen app: does what pip's ``gdplayground`` script does.

It calls the ``gdplayground`` console-script entry point named in the package's
metadata (pyproject.toml), so moving the command line never needs a change
here. It lives outside the package so PyInstaller does not put
``gdplayground/`` on the module path (its ``io`` would shadow the standard
library's).
"""

import multiprocessing
import sys
from importlib.metadata import entry_points

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a worker process of the frozen app runs and stops here
    (script,) = entry_points(group="console_scripts", name="gdplayground")
    sys.exit(script.load()())
