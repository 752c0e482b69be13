"""The pytest plugin as a bot developer gets it: a new virtualenv, `pip install` of this checkout (a real wheel,
not an editable install) and pytest, then the sample bot's tests and the shadowing bot's, run from copies
outside the checkout. Kept out of the suite: it downloads keyprobe's dependencies (a minute or so).

    .venv/bin/python tests/tools/plugin_fresh_venv.py [--keep]

Exit 0 when the sample bot's 8 tests pass and the shadowing bot gets the sentence (1 passed, 1 error, no
ImportError); prints what it ran.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SENTENCE = "keyprobe's emulator fixture cannot start: the module `keys` on sys.path is"


def step(what: str, argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})
    print(f"{what}: exit {done.returncode} in {time.monotonic() - started:.1f} s")
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the virtualenv and the copies (printed)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="keyprobe-plugin-"))
    try:
        env_dir = work / "venv"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = env_dir / "bin" / "python"
        installed = step("pip install keyprobe (this checkout) and pytest",
                         [str(python), "-m", "pip", "install", "--quiet", str(ROOT), "pytest"], work)
        if installed.returncode != 0:
            print(installed.stdout[-2000:], installed.stderr[-2000:])
            return 1
        ok = True
        for project, expect in (("sample_bot", "8 passed"), ("sample_bot_shadow", "1 passed, 1 error")):
            copy = work / project
            shutil.copytree(ROOT / "tests" / project, copy, ignore=shutil.ignore_patterns("__pycache__"))
            done = step(f"pytest in {project}", [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], copy)
            out = done.stdout + done.stderr
            good = expect in out and "ImportError" not in out
            if project == "sample_bot_shadow":
                good = good and SENTENCE in out
            print(f"  {'as expected' if good else 'NOT as expected'}: {out.strip().splitlines()[-1]}")
            if not good:
                print(out[-3000:])
            ok &= good
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
