"""Bytes on the wire: status lines, header blocks, chunk framing."""

from __future__ import annotations

from email.utils import formatdate
from http import HTTPStatus

UPGRADE_101 = ("HTTP/1.1 101 UPGRADED\r\nContent-Type: {media}\r\nConnection: Upgrade\r\n"
               "Upgrade: tcp\r\n\r\n")
"""Exactly what dockerd sends before a hijacked stream; the clients compare the line."""

_NO_BODY = (204, 304)


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def head_bytes(status: int, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason(status)}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines.append(f"Date: {formatdate(usegmt=True)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def allows_body(status: int) -> bool:
    return status not in _NO_BODY and status >= 200


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


LAST_CHUNK = b"0\r\n\r\n"
