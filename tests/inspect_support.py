"""`keyprobe inspect FILE` run in process on a text written to a temporary file: (exit code, stdout, stderr)."""

from __future__ import annotations

from tui.cli import main


def inspect_file(tmp_path, capsys, text: str, *args: str, name: str = "input.txt") -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_text(text)
    code = main(["inspect", str(path), *args])
    out = capsys.readouterr()
    return code, out.out, out.err
