import sys

from seom_desktop.cli import main

sys.exit(main())
