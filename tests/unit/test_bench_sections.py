"""docs/performance.md is written by several commands: each replaces only its own block, and a
regenerated file keeps the blocks of the others."""

from __future__ import annotations

from pathlib import Path

from bench import sections


def test_a_block_is_appended_then_replaced_in_place(tmp_path: Path) -> None:
    path = tmp_path / "performance.md"
    path.write_text("# Performance\n\nmeasured\n")
    sections.replace(path, "events", "first")
    sections.replace(path, "load", "load figures")
    sections.replace(path, "events", "second")
    assert path.read_text() == ("# Performance\n\nmeasured\n\n<!-- events:begin -->\nsecond\n<!-- events:end -->\n\n"
                                "<!-- load:begin -->\nload figures\n<!-- load:end -->\n")


def test_a_regenerated_file_keeps_the_blocks_it_does_not_write() -> None:
    old = "# Old\n\n" + sections.wrap("load", "L") + "\n" + sections.wrap("events", "E")
    assert sections.keep(old, "# New\n") == "# New\n\n" + sections.wrap("load", "L") + "\n" + sections.wrap("events", "E")
    assert sections.keep(old, "# New\n\n" + sections.wrap("load", "L2")) == (
        "# New\n\n" + sections.wrap("load", "L2") + "\n" + sections.wrap("events", "E"))
    assert sections.keep("# Old, no blocks\n", "# New\n") == "# New\n"
