"""``python -m api.cli``: the same as ``candor`` (the security figures run an older
checkout this way)."""

from __future__ import annotations

import sys

from api.cli.parser import main

sys.exit(main())
