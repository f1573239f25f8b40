"""``python -m spatial`` is the ``spatial`` command."""

import sys

from spatial.cli import main

sys.exit(main())
