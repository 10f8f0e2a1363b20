"""Importing Killercoda scenarios (index.json + Markdown + verify.sh) as lessons."""

from .convert import ImportReport, import_scenario
from .scenario import Scenario, read_scenario

__all__ = ["ImportReport", "Scenario", "import_scenario", "read_scenario"]
