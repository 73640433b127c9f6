"""Each partition's own Meltano run directory, so that shards can run at once on one machine.

Meltano 4.4.1 writes a tap's catalog, with the ``select`` rules applied, and the state it hands
the tap to fixed names in ``.meltano/run/<plugin>/`` (``tap.properties.json``, ``state.json``),
shared by every invocation of that plugin in the project (meltano/meltano#8763); and ``meltano
install`` empties that directory. Two shards of one project running at once could each start
their tap with the other's selection or state. So each partition runs with a system directory
of its own (``MELTANO_SYS_DIR_ROOT=<.meltano>/lexful-dagster/<account>.<shard>``) in which every
directory of the project's ``.meltano`` but ``run`` is a link (the installed plugins), and
``run`` is its own. The system database stays the project's: its default path follows
``MELTANO_SYS_DIR_ROOT``, so it is given by name unless something already names it.

On a cluster, where each run has a container or a machine of its own, the directory is simply
that run's.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import yaml

from lexful_dagster.config import MeltanoProject

SYS_DIR_ENV = "MELTANO_SYS_DIR_ROOT"
DATABASE_ENV = "MELTANO_DATABASE_URI"
OWN_DIR = "lexful-dagster"
_NOT_SHARED = frozenset({"run", OWN_DIR})


def isolated_env(project: MeltanoProject, name: str) -> dict[str, str]:
    """The environment that gives the run ``name`` a system directory of its own."""
    base = _sys_dir(project)
    own = base / OWN_DIR / name
    own.mkdir(parents=True, exist_ok=True)
    for entry in base.iterdir():
        if entry.is_dir() and entry.name not in _NOT_SHARED:
            _link(own / entry.name, entry)
    env = {SYS_DIR_ENV: str(own)}
    if not _database_named(project):
        env[DATABASE_ENV] = f"sqlite:///{base / 'meltano.db'}"
    return env


def _sys_dir(project: MeltanoProject) -> Path:
    named = project.env.get(SYS_DIR_ENV) or os.environ.get(SYS_DIR_ENV)
    return project.project_dir / named if named else project.project_dir / ".meltano"


def _link(link: Path, target: Path) -> None:
    if link.is_symlink() or link.exists():
        return
    with contextlib.suppress(FileExistsError):  # the same partition, started twice at once
        link.symlink_to(target, target_is_directory=True)


def _database_named(project: MeltanoProject) -> bool:
    if DATABASE_ENV in project.env or DATABASE_ENV in os.environ:
        return True
    try:
        document = yaml.safe_load((project.project_dir / "meltano.yml").read_text())
    except FileNotFoundError:
        return False
    return isinstance(document, dict) and "database_uri" in document
