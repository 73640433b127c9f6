"""The engine's settings, read once from the target's config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OMIT, REJECT = "omit", "reject"


@dataclass(frozen=True)
class EngineSettings:
    """``skip_enrichment``: sent on account and contact creates [D]; ``member_map``: source
    member email -> destination member email; ``unknown_members``: what a relationship to a
    member the workspace lacks does (``omit``: left out and counted; ``reject``: the record
    is rejected)."""

    dry_run: bool = False
    fail_on_reject: bool = False
    match_on: dict[str, list[str]] = field(default_factory=dict)
    skip_enrichment: bool = True
    member_map: dict[str, str] = field(default_factory=dict)
    unknown_members: str = OMIT
    extra_fields: str = "drop"  # a field the definitions lack: dropped (warned) or "reject"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EngineSettings:
        member_map = config.get("member_map") or {}
        return cls(
            dry_run=bool(config.get("dry_run")),
            fail_on_reject=config.get("on_record_error", "reject") == "fail",
            match_on={k: list(v) for k, v in (config.get("match_on") or {}).items()},
            skip_enrichment=bool(config.get("skip_enrichment", True)),
            member_map={str(k).lower(): str(v).lower() for k, v in member_map.items()},
            unknown_members=str(config.get("unknown_members") or OMIT),
            extra_fields=str(config.get("extra_fields") or "drop"),
        )
