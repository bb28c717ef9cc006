"""``python -m snow_preflight``: the same as the ``snow-preflight`` command."""

import sys

from snow_preflight.cli import main

sys.exit(main())
