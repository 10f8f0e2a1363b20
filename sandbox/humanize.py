"""go-units' HumanDuration: the words ``docker ps`` and ``docker images`` use for ages.

Shared by the engine (the Status column it sends) and our CLI (CREATED columns), so the two
can never drift apart.
"""

from __future__ import annotations


def human_duration(seconds: float) -> str:
    """``Less than a second``, ``3 seconds``, ``About a minute``, ``2 hours``, ``3 weeks`` …"""
    secs = int(seconds)
    if secs < 1:
        return "Less than a second"
    if secs == 1:
        return "1 second"
    if secs < 60:
        return f"{secs} seconds"
    minutes = secs // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    # Go's math.Round rounds half away from zero; Python's round() would round half to even.
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"
