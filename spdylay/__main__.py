"""``python -m spdylay get|serve ...``: the command line tools."""

import sys

from ._cli import main

sys.exit(main())
