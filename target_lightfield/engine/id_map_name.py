"""Which id map a run uses: named by workspace (``workspace_name``), never by the key.

Lightfield names no workspace to its API keys' holders: the key implies the workspace, and
``GET /v1/auth/validate`` answers only ``{active, scopes, subjectType, tokenType}`` [D S34];
the official client has no other identity endpoint. So the operator names the workspace
(``workspace_name``, default ``default``): the id map is
``.target-lightfield/id-map-<workspace_name>.sqlite`` (or ``id_map_path``) and its rows are
that name's. A rotated key finds the same map: nothing is written again, no create conflicts.

Before, the map (file and rows) was named by a hash of the API URL and key. Such a map is
found by the key in use and carried over: the file renamed to the new name, its rows retagged.

A name is the operator's word, so it is checked: the map keeps the ids of the workspace's
members (read-only, never created by the target [D], so they stay while records come and go),
and a run whose workspace has none of them stops (``check_workspace``) instead of taking
another workspace's map and skipping every record as written already.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th

from connector_core import safe_files, setting_error
from connector_core.target import marks, replace_marks, retag
from lightfield_api import contract
from lightfield_api.errors import LightfieldError

if TYPE_CHECKING:
    from target_lightfield.engine.members import MemberDirectory

SETTING = "workspace_name"
DEFAULT = "default"
DEFAULT_DIR = Path(".target-lightfield")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_SIDECARS = ("", "-wal", "-shm")


def workspace_property() -> th.Property[Any]:
    return th.Property(
        SETTING,
        th.StringType(pattern=f"^{_NAME.pattern}$"),
        default=DEFAULT,
        description=(
            "A name for the workspace written to (letters, digits, . _ -): it names the id map "
            "(.target-lightfield/id-map-<workspace_name>.sqlite) and owns its rows, so a "
            "rotated api_key keeps its id map. Give each workspace its own name when one "
            "directory writes to several (a run whose workspace has none of the members the id "
            "map saw stops)"
        ),
    )


def workspace_name(config: Mapping[str, Any]) -> str:
    name = config.get(SETTING) or DEFAULT
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        msg = (
            f"{SETTING}: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
        raise setting_error(msg)
    return name


def legacy_tag(config: Mapping[str, Any]) -> str:
    """What the id map was named by before ``workspace_name``: a hash of URL and key."""
    text = f"{config.get('api_url') or contract.DEFAULT_API_URL}\n{config['api_key']}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def id_map_path(config: Mapping[str, Any], *, dry_run: bool) -> Path:
    """The id map's file; the key's old one renamed to it first (a dry run only reads it)."""
    explicit = config.get("id_map_path")
    if explicit:
        return Path(explicit)
    safe_files.default_dir(DEFAULT_DIR, "id_map_path")  # not followed if a link: refused
    path = DEFAULT_DIR / f"id-map-{workspace_name(config)}.sqlite"
    old = DEFAULT_DIR / f"id-map-{legacy_tag(config)}.sqlite"
    if not os.path.lexists(old):
        return path
    if os.path.lexists(path):
        msg = (
            f"{SETTING}: both {path} and {old} (this api_key's id map, named before "
            f"{SETTING}) exist; set {SETTING} to this workspace's own name, or remove one"
        )
        raise setting_error(msg)
    if dry_run:
        return old
    for suffix in _SIDECARS:  # the file, and its WAL if a run was killed
        if os.path.lexists(f"{old}{suffix}"):
            os.rename(f"{old}{suffix}", f"{path}{suffix}")
    return path


def carry_over(path: Path, config: Mapping[str, Any], logger: logging.Logger) -> None:
    """The rows tagged with the key's old hash become ``workspace_name``'s."""
    moved = retag(path, legacy_tag(config), workspace_name(config))
    if moved:
        logger.info(
            "id map: %d ids of this api_key's id map carried over to %s %r",
            moved,
            SETTING,
            workspace_name(config),
        )


def check_workspace(
    path: Path, name: str, members: MemberDirectory, logger: logging.Logger
) -> None:
    """Stop if the id map was used with another workspace: none of the members it saw then
    are this workspace's. A key that cannot read members (no members:read) is not checked."""
    try:
        current = set(members.by_email().values())
    except LightfieldError as exc:
        logger.info("id map: the workspace's members cannot be read (%s): not checked", exc)
        return
    if not current:
        return
    seen = marks(path, name)
    if seen and not seen & current:
        msg = (
            f"{SETTING}: the id map {path} was used with another workspace (none of its "
            f"members are this one's): give each workspace its own {SETTING}"
        )
        raise setting_error(msg)
    replace_marks(path, name, current)
