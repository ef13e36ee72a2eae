"""`python -m paintrack`: the same entry point as the installed `paintrack` command."""

import sys

from paintrack.cli import main

if __name__ == "__main__":
    sys.exit(main())
