"""Allow ``python -m gdplayground``."""

import sys

from gdplayground.cli import main

if __name__ == "__main__":
    # a frozen build (PyInstaller) must let the run worker process start itself
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(main())
