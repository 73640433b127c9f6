"""New accounts and what every account starts with."""

from __future__ import annotations

import random
import secrets
from typing import Any

from lexful_sandbox.common.util import format_ms, next_id_and_time, seeded_id
from lexful_sandbox.resources import asset_types, organizations
from lexful_sandbox.resources.system_types import ORGANIZATION_TYPES, system_asset_types
from lexful_sandbox.resources.validation import check_properties, check_references
from lexful_sandbox.storage.store import Account, Store


def credentials(account: Account, api_url: str) -> dict[str, str | None]:
    """The first line of ``serve``; the secret None when it is not known any more (a restart
    on ``--db`` without ``--seed-random``: the store keeps only its hash)."""
    return {
        "api_url": api_url,
        "account_id": account.id,
        "api_key_id": account.key_id,
        "api_key_secret": account.key_secret or None,
    }


def make_account(rng: random.Random | None) -> Account:
    if rng is None:
        return Account(
            id=next_id_and_time()[0],
            key_id="lxk_" + secrets.token_hex(8),
            key_secret="lxs_" + secrets.token_hex(24),
            user_id=next_id_and_time()[0],
        )
    ms = 1_700_000_000_000 + rng.randrange(10**9)
    return Account(
        id=seeded_id(rng, ms),
        key_id="lxk_" + rng.randbytes(8).hex(),
        key_secret="lxs_" + rng.randbytes(24).hex(),
        user_id=seeded_id(rng, ms, 1),
    )


def admin_user(account: Account) -> dict[str, Any]:
    # Stamped at its id's moment (UUIDv7: the first 48 bits are ms): ids follow created_at,
    # as on every other record, also for a seeded account whose id is of a chosen moment.
    now = format_ms(int(account.user_id.replace("-", "")[:12], 16))
    return {
        "id": account.user_id,
        "account_id": account.id,
        "email": "admin@example.com",
        "role": "admin",
        "first_name": "Account",
        "last_name": "Admin",
        "account_scopes": [account.id],
        "organization_scopes": "*",
        "external_ids": {},
        "created_at": now,
        "updated_at": now,
        "created_by": account.user_id,
        "updated_by": account.user_id,
        "deleted_at": None,
    }


def create_account(store: Store, rng: random.Random | None = None) -> Account:
    """A new isolated account with its key, admin user, org types and system asset types."""
    account = make_account(rng)
    with store.tx():
        store.add_account(account, next_id_and_time()[1])
        store.insert("users", account.id, admin_user(account))
        for name, description in ORGANIZATION_TYPES.items():
            doc = organizations.new_type(account.user_id, name, description, system=True)
            store.insert("organization_types", account.id, doc)
        for definition in system_asset_types():
            body = {
                **definition,
                "properties": check_properties(definition["properties"], "properties", ()),
                "references": check_references(definition["references"], "references"),
            }
            doc = asset_types.new_type(account.user_id, body, system=True, account_id=account.id)
            store.insert("asset_types", account.id, doc)
    return account
