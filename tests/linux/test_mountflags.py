from sandbox.linux import mountflags as mf


def test_runc_default_proc_and_dev_options() -> None:
    opts = mf.parse_options(["nosuid", "strictatime", "mode=755", "size=65536k"])
    assert opts.flags == mf.MS_NOSUID | mf.MS_STRICTATIME
    assert opts.data == "mode=755,size=65536k"
    assert opts.propagation == 0


def test_clearing_words_undo_earlier_ones() -> None:
    assert mf.parse_options(["ro", "rw"]).flags == 0
    assert mf.parse_options(["nosuid", "suid"]).flags == 0


def test_propagation_is_kept_apart_from_flags() -> None:
    opts = mf.parse_options(["rbind", "rprivate"])
    assert opts.flags == mf.MS_BIND | mf.MS_REC
    assert opts.propagation == mf.MS_PRIVATE | mf.MS_REC


def test_describe_names_flags() -> None:
    assert mf.describe(mf.MS_BIND | mf.MS_REC) == "MS_BIND|MS_REC"
    assert mf.describe(0) == "0"
    assert "0x" in mf.describe(1 << 40)
