"""The write engine's settings, read once from the target's config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_core import safe_files
from connector_core.target import FileSources
from lexful_api.settings import DEFAULT_MAX_CONCURRENCY, max_concurrency

DEFAULT_DIR = Path(".target-lexful")
DEFAULT_REJECTS_PATH = DEFAULT_DIR / "rejects.jsonl"


def default_id_map_path(account_id: str) -> Path:
    return DEFAULT_DIR / f"id-map-{account_id}.sqlite"


@dataclass
class EngineSettings:
    """What the engine writes where, and how: one field a setting of the target."""

    account_id: str
    id_map_path: Path
    rejects_path: Path = DEFAULT_REJECTS_PATH
    stream_asset_types: dict[str, str] = field(default_factory=dict)
    match_on: dict[str, list[str]] = field(default_factory=dict)
    create_asset_types: bool = False
    fail_on_reject: bool = False
    dry_run: bool = False
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    file_sources: FileSources = field(default_factory=FileSources)
    extra_fields: str = "drop"
    create_users: bool = False
    transfer_ownership_to: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EngineSettings:
        """The settings of a validated config; a bad files_root or host is a config error."""
        account = config["account_id"]
        for setting in ("id_map_path", "rejects_path"):
            if not config.get(setting):  # the default directory: refused if a symlink
                safe_files.default_dir(DEFAULT_DIR, setting)
        return cls(
            account_id=account,
            id_map_path=Path(config.get("id_map_path") or default_id_map_path(account)),
            rejects_path=Path(config.get("rejects_path") or DEFAULT_REJECTS_PATH),
            stream_asset_types=dict(config.get("stream_asset_types") or {}),
            match_on={k: list(v) for k, v in (config.get("match_on") or {}).items()},
            create_asset_types=bool(config.get("create_asset_types")),
            fail_on_reject=config.get("on_record_error", "reject") == "fail",
            dry_run=bool(config.get("dry_run")),
            max_concurrency=max_concurrency(config),
            file_sources=FileSources.from_config(config),
            extra_fields=str(config.get("extra_fields") or "drop"),
            create_users=bool(config.get("create_users")),
            transfer_ownership_to=config.get("transfer_ownership_to") or None,
        )
