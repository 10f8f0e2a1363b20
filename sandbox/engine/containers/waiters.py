"""Who waits for a container's next exit or its removal (``POST /containers/{id}/wait``).

A wait is a ``concurrent.futures.Future`` registered at once and completed later by the
exit watcher or by removal, so the HTTP layer can register before it answers the request
headers (``docker run`` sends ``start`` only after it has them) and then await the result
from asyncio with ``asyncio.wrap_future``. The caller holds the container's lock.
"""

from __future__ import annotations

from concurrent.futures import Future, InvalidStateError
from typing import Any

WaitResult = dict[str, Any]


def wait_result(exit_code: int, error: str = "") -> WaitResult:
    return {"StatusCode": exit_code, "Error": {"Message": error} if error else None}


class Waiters:
    def __init__(self) -> None:
        self._exit: list[Future[WaitResult]] = []
        self._removed: list[Future[WaitResult]] = []

    def next_exit(self) -> Future[WaitResult]:
        return self._add(self._exit)

    def removal(self) -> Future[WaitResult]:
        return self._add(self._removed)

    @staticmethod
    def _add(bucket: list[Future[WaitResult]]) -> Future[WaitResult]:
        # A client that went away cancels its future; drop those as new ones come.
        bucket[:] = [f for f in bucket if not f.cancelled()]
        fut: Future[WaitResult] = Future()
        bucket.append(fut)
        return fut

    def exited(self, result: WaitResult) -> None:
        self._complete(self._exit, result)

    def removed(self, result: WaitResult) -> None:
        self._complete(self._exit, result)
        self._complete(self._removed, result)

    @staticmethod
    def _complete(bucket: list[Future[WaitResult]], result: WaitResult) -> None:
        pending, bucket[:] = list(bucket), []
        for fut in pending:
            try:
                fut.set_result(dict(result))
            except InvalidStateError:
                pass  # cancelled meanwhile: its client went away


def done(result: WaitResult) -> Future[WaitResult]:
    fut: Future[WaitResult] = Future()
    fut.set_result(result)
    return fut
