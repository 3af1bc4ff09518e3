"""Write docs/rules.md: `python -m l40_recipes._rules [path]`."""

from __future__ import annotations

import sys
from pathlib import Path

from . import render_markdown

target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules.md")
target.write_text(render_markdown(), encoding="utf-8")
