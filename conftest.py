"""Repository-level pytest configuration.

The shipped catalog's data directories hold YAML, not tests; keep pytest's collection out of them
and out of local virtual environments.
"""

from __future__ import annotations

collect_ignore = ["checks", "components", "mixins", "validators", ".venv", "benchmarks"]
