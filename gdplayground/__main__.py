"""Allow ``python -m gdplayground``."""

import sys

from gdplayground.cli import main

if __name__ == "__main__":
    sys.exit(main())
