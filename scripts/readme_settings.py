"""Write each plugin's `--about --format=markdown` settings table into its guide.

The README links each plugin's guide in docs/ (docs/tap-lexful.md, docs/target-lexful.md,
docs/lightfield.md), where the table sits between `<!-- PLUGIN settings -->` markers.
`python scripts/readme_settings.py` rewrites the tables; `--check` fails when they are stale
(the test suite runs that, so the pages never drift from what the plugins print).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
ENUM_NAME = re.compile(r"\bTargetLoadMethods\.([A-Z_]+)\b")
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
    # The SDK prints a str Enum default with format(): its value on Python 3.10, its name from
    # 3.11 on (TargetLoadMethods.APPEND_ONLY). The value is what a user sets.
    return ENUM_NAME.sub(lambda m: m.group(1).lower().replace("_", "-"), "\n".join(lines))


def render(pages: dict[Path, str]) -> dict[Path, str]:
    """Every page with each plugin's table rewritten; each table is in exactly one page."""
    wanted = dict(pages)
    for plugin in PLUGINS:
        begin, end = f"<!-- {plugin} settings -->", f"<!-- /{plugin} settings -->"
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
        block = f"{begin}\n{settings_table(plugin)}\n{end}"
        found = 0
        for page, text in wanted.items():
            wanted[page], count = pattern.subn(lambda _m, block=block: block, text)
            found += count
        if found != 1:
            msg = f"README.md and docs/*.md need one {begin} ... {end} block in all (found {found})"
            raise SystemExit(msg)
    return wanted


def main() -> int:
    current = {page: page.read_text() for page in PAGES}
    wanted = render(current)
    stale = [page.relative_to(ROOT) for page in PAGES if wanted[page] != current[page]]
    if "--check" in sys.argv:
        if stale:
            names = ", ".join(map(str, stale))
            print(f"settings tables in {names} differ from --about: run scripts/readme_settings.py")
            return 1
        return 0
    for page in stale:
        (ROOT / page).write_text(wanted[ROOT / page])
    return 0


if __name__ == "__main__":
    sys.exit(main())
