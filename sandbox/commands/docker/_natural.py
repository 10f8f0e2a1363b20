"""docker's list order: ``sortorder.NaturalLess`` on names, so "web9" comes before "web10"."""

from __future__ import annotations

import re


def natural_key(text: str) -> list[object]:
    # re.split with a group alternates text and digits, so two keys compare part by part
    # with the same types at each position.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
