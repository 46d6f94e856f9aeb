"""The frozen program's entry point: the same `seom-desktop` command line."""

import sys

from seom_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
