"""Names in URL paths, for the few endpoints without a typed client method yet."""

from urllib.parse import quote


def quote_name(name: str) -> str:
    return quote(name, safe="/:@")
