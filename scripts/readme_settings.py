"""Write each plugin's `--about --format=markdown` settings table into README.md.

`python scripts/readme_settings.py` rewrites the tables; `--check` fails when they are stale
(the test suite runs that, so the README never drifts from what the plugins print).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PLUGINS = ("tap-lexful", "target-lexful", "tap-lightfield", "target-lightfield")


def settings_table(plugin: str) -> str:
    about = subprocess.run(
        [str(Path(sys.executable).parent / plugin), "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table = about.split("## Settings", 1)[1].split("\n## ", 1)[0].strip()
    lines = [line for line in table.splitlines() if line.startswith("|")]
    return "\n".join(lines)


def render(text: str) -> str:
    for plugin in PLUGINS:
        begin, end = f"<!-- {plugin} settings -->", f"<!-- /{plugin} settings -->"
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
        block = f"{begin}\n{settings_table(plugin)}\n{end}"
        text, count = pattern.subn(lambda _m, block=block: block, text)
        if count != 1:
            msg = f"README.md needs one {begin} ... {end} block"
            raise SystemExit(msg)
    return text


def main() -> int:
    current = README.read_text()
    wanted = render(current)
    if "--check" in sys.argv:
        if wanted != current:
            print("README.md settings tables differ from --about: run scripts/readme_settings.py")
            return 1
        return 0
    README.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
