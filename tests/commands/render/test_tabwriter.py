from sandbox.commands.render.tabwriter import TabWriter, tabulate


def test_docker_ps_layout() -> None:
    text = ("CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n"
            "f69ea4297988\tbusybox\t\"sleep 1000\"\tLess than a second ago\tUp Less than a second\t\tweb\n")
    assert tabulate(text).splitlines() == [
        "CONTAINER ID   IMAGE     COMMAND        CREATED                  STATUS                  PORTS     NAMES",
        'f69ea4297988   busybox   "sleep 1000"   Less than a second ago   Up Less than a second             web',
    ]


def test_minimum_width_and_padding() -> None:
    assert tabulate("a\tb\n") == "a" + " " * 9 + "b\n"
    assert TabWriter(minwidth=0, padding=1).format("ab\tc\nd\te\n") == "ab c\nd  e\n"


def test_last_cell_is_not_padded() -> None:
    assert tabulate("x\tlast\n").endswith("last\n")


def test_blocks_end_at_lines_without_the_column() -> None:
    # A line with no tab ends the block: the two tables align separately.
    out = TabWriter(minwidth=0, padding=1).format("a\tb\nlonger\tc\nbreak\nx\ty\n")
    assert out.splitlines() == ["a      b", "longer c", "break", "x y"]


def test_width_counts_characters() -> None:
    out = TabWriter(minwidth=0, padding=1).format("é\tx\nab\ty\n")
    assert out.splitlines() == ["é  x", "ab y"]


def test_empty_input() -> None:
    assert tabulate("") == ""
