"""The README tells the truth: its settings tables are what the plugins' --about prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_settings_tables_match_about() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_settings.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme
    assert "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def _relative_links(page: Path) -> list[str]:
    targets = re.findall(r"\]\(([^)\s]+)\)", page.read_text())
    return [t for t in targets if not re.match(r"[a-z]+:", t)]


def test_the_readme_is_a_front_door_and_every_guide_is_one_link_away() -> None:
    readme = ROOT / "README.md"
    assert len(readme.read_text().splitlines()) < 300
    linked = {(ROOT / t.split("#", 1)[0]).resolve() for t in _relative_links(readme)}
    guides = {p.resolve() for p in (ROOT / "docs").glob("*.md")}
    assert guides - linked == set()


def test_every_relative_link_of_the_readme_and_the_guides_resolves() -> None:
    broken = []
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in _relative_links(page):
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and file.suffix == ".md":
                headings = re.findall(r"(?m)^#+ (.+)$", file.read_text())
                slugs = {
                    re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings
                }
                if anchor not in slugs:
                    broken.append(f"{page.name}: {target}")
    assert broken == []
