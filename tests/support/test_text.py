"""Reading files as text never raises on what real repositories hold."""

from __future__ import annotations

import os
from pathlib import Path

from pytest_prove.support.text import read_text


def test_utf8_text_is_read_and_a_bom_dropped(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbfx = 1\r\ny = 2\n")
    assert read_text(tmp_path, "a.py").text == "x = 1\r\ny = 2\n"


def test_each_unreadable_kind_is_named(tmp_path: Path) -> None:
    (tmp_path / "bin").write_bytes(b"PK\x03\x04\0\0")
    (tmp_path / "latin").write_bytes("café".encode("latin-1"))
    (tmp_path / "big").write_bytes(b"x" * 11)
    (tmp_path / "dir").mkdir()
    os.symlink("/etc/hostname", tmp_path / "escape")
    os.symlink("loop", tmp_path / "loop")
    os.symlink("/etc", tmp_path / "etc-link")
    (tmp_path / "inner").mkdir()
    os.symlink("inner", tmp_path / "inner-link")
    (tmp_path / "inner" / "ok.txt").write_text("ok")
    assert read_text(tmp_path, "bin").skipped == "binary"
    assert read_text(tmp_path, "latin").skipped == "not-utf-8"
    assert read_text(tmp_path, "big", max_bytes=10).skipped == "too-large"
    assert read_text(tmp_path, "big", max_bytes=11).text == "x" * 11
    assert read_text(tmp_path, "gone").skipped == "missing"
    assert read_text(tmp_path, "dir").skipped == "missing"
    assert read_text(tmp_path, "escape").skipped == "outside"
    assert read_text(tmp_path, "loop").skipped in ("missing", "outside")
    assert read_text(tmp_path, "etc-link/hostname").skipped == "outside"
    assert read_text(tmp_path, "inner-link/ok.txt").text == "ok"
