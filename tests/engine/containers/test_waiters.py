"""Wait conditions as futures."""

from __future__ import annotations

from sandbox.engine.containers.waiters import Waiters, done, wait_result


def test_exit_and_removal_complete_the_right_futures() -> None:
    w = Waiters()
    exit_fut, removed_fut = w.next_exit(), w.removal()
    cancelled = w.next_exit()
    cancelled.cancel()
    w.exited(wait_result(3))
    assert exit_fut.result(0) == {"StatusCode": 3, "Error": None} and not removed_fut.done()
    later = w.next_exit()
    w.removed(wait_result(3, "boom"))
    assert removed_fut.result(0) == later.result(0) == {"StatusCode": 3, "Error": {"Message": "boom"}}
    assert done(wait_result(0)).result(0)["StatusCode"] == 0
