import errno

import pytest

from sandbox.errors import SyscallError
from sandbox.linux.fake import RecordingSyscalls


def test_records_calls_in_order() -> None:
    sys = RecordingSyscalls()
    sys.unshare(0x20000)
    sys.mount("proc", "/proc", "proc", 0, None)
    assert sys.names() == ["unshare", "mount"]
    assert sys.of("mount") == [("proc", "/proc", "proc", 0, None)]


def test_injected_failure_names_call_path_and_errno() -> None:
    sys = RecordingSyscalls(fail={"pivot_root": errno.EINVAL})
    with pytest.raises(SyscallError) as e:
        sys.pivot_root("/new", "/new")
    assert e.value.call == "pivot_root" and e.value.errno == errno.EINVAL
    assert "/new" in str(e.value) and "EINVAL" in str(e.value)
