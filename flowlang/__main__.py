"""`python -m flowlang` is `flowc`."""

from __future__ import annotations

import sys

from flowlang.cli import main

sys.exit(main())
