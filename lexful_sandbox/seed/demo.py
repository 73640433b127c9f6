"""The demo seed: a believable account of an IT service provider, for demos and tests.

Everything is drawn from the ``rng`` passed in (``--seed-random``), and stamped by a seeded
clock in the past, so two runs with the same seed hold the same records.
"""

from __future__ import annotations

import random
from typing import Any

from lexful_sandbox.common.util import format_ms, seeded_id, slugify
from lexful_sandbox.resources import asset_types, organizations
from lexful_sandbox.resources.assets import derive_name, new_asset
from lexful_sandbox.resources.files import object_key, put_bytes
from lexful_sandbox.resources.system_types import CONTACT_METHODS, CONTACT_TYPES
from lexful_sandbox.resources.validation import check_value
from lexful_sandbox.seed import data as seed_data
from lexful_sandbox.storage.store import Account, Store

DEMO_START_MS = 1_705_309_200_000  # 2024-01-15T09:00:00Z
HOUR_MS = 3_600_000
# A row of the related table: account, asset, related asset, description, created_at, seq.
Link = tuple[str, str, str, str, str, int]


class Clock:
    """Strictly increasing seeded timestamps, and a UUIDv7 for each."""

    def __init__(self, rng: random.Random, start_ms: int) -> None:
        self.rng = rng
        self.ms = start_ms

    def tick(self, low_ms: int = 60_000, high_ms: int = 6 * HOUR_MS) -> tuple[str, str]:
        self.ms += self.rng.randint(low_ms, high_ms)
        return seeded_id(self.rng, self.ms), format_ms(self.ms)

    def later(self, high_ms: int = 30 * 24 * HOUR_MS) -> str:
        return format_ms(self.ms + self.rng.randint(1, high_ms))


def _stamp(doc: dict[str, Any], clock: Clock) -> dict[str, Any]:
    doc["id"], doc["created_at"] = clock.tick()
    doc["updated_at"] = doc["created_at"]
    return doc


class Demo:
    """Builds the demo records in memory, then writes them in one transaction."""

    def __init__(self, store: Store, account: Account, rng: random.Random) -> None:
        self.store, self.account, self.rng = store, account, rng
        self.user = account.user_id
        self.clock = Clock(rng, DEMO_START_MS)
        self.types: dict[str, dict[str, Any]] = {}
        self.orgs: list[dict[str, Any]] = []
        self.assets: dict[str, list[dict[str, Any]]] = {}
        self.files: list[dict[str, Any]] = []

    # --- definitions -------------------------------------------------------------------

    def define_types(self) -> None:
        acc = self.account.id
        organizations.create_type(
            self.store, acc, self.user, {"name": "prospect", "description": "Not yet a client"}
        )
        asset_types.create(self.store, acc, self.user, seed_data.network_device_type())
        contact = asset_types.by_name(self.store, acc, "system.contact")
        extended = contact["properties"] + seed_data.CONTACT_EXTENSIONS
        asset_types.update(self.store, acc, self.user, contact["id"], {"properties": extended})
        for name in ("system.contact", "system.location", "system.configuration", "network_device"):
            self.types[name] = asset_types.by_name(self.store, acc, name)
            self.assets[name] = []

    def users(self) -> list[dict[str, Any]]:
        docs = []
        for first, last, role in seed_data.USERS:
            doc = _stamp(
                {
                    "account_id": self.account.id,
                    "email": f"{first}.{last}@demo-msp.example".lower(),
                    "role": role,
                    "first_name": first,
                    "last_name": last,
                    "account_scopes": [self.account.id],
                    "organization_scopes": "*" if role == "admin" else [],
                    "external_ids": {"psa": f"U-{self.rng.randint(1000, 9999)}"},
                    "created_by": self.user,
                    "updated_by": self.user,
                    "deleted_at": None,
                },
                self.clock,
            )
            docs.append(doc)
        docs[-1]["deleted_at"] = docs[-1]["updated_at"] = self.clock.later()
        return docs

    # --- organizations -----------------------------------------------------------------

    def organization(self, name: str, kind: str, parent: str | None = None) -> dict[str, Any]:
        doc = organizations.new_organization(
            self.store,
            self.account.id,
            self.user,
            {
                "name": name,
                "slug": slugify(name),
                "type": kind,
                "status": self.rng.choice(["active"] * 5 + ["onboarding"]),
                "description": f"{name} ({kind})",
                "website_url": f"https://www.{slugify(name).replace('-', '')}.example",
                "parent_id": parent,
                "asset_management": "enabled" if kind == "client" else "disabled",
            },
        )
        self.orgs.append(_stamp(doc, self.clock))
        return doc

    def organizations(self) -> None:
        primary = self.organization("Demo MSP", "internal")
        primary["is_primary"] = True
        clients = [self.organization(n, "client") for n in seed_data.CLIENTS]
        for branch in seed_data.BRANCHES:
            parent = self.rng.choice(clients[:6])
            self.organization(f"{parent['name']} - {branch}", "client", parent["id"])
        for name in seed_data.VENDORS:
            self.organization(name, "vendor")
        for name in seed_data.PARTNERS:
            self.organization(name, "partner")
        for name in seed_data.PROSPECTS:
            self.organization(name, "prospect")
        gone = self.orgs[-1]  # a prospect that never signed: soft deleted, without assets
        gone["deleted_at"] = gone["updated_at"] = self.clock.later()

    # --- assets ------------------------------------------------------------------------

    def asset(
        self,
        type_name: str,
        org: dict[str, Any],
        values: dict[str, Any],
        refs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        asset_type = self.types[type_name]
        asset_id, now = self.clock.tick(60_000, 24 * HOUR_MS)  # ~600 assets over ~10 months
        doc = new_asset(asset_type, org, self.user, asset_id, now)
        definitions = {p["name"]: p for p in asset_type["properties"]}
        for key, value in values.items():
            doc[key] = check_value(definitions[key], value, key)
        doc["references"].update(refs or {})
        doc["name"] = derive_name(asset_type, doc)
        if self.rng.random() < 0.3:
            doc["updated_at"] = self.clock.later()
        self.assets[type_name].append(doc)
        return doc

    def location(self, org: dict[str, Any], n: int) -> dict[str, Any]:
        city, state, country = self.rng.choice(seed_data.CITIES)
        return self.asset(
            "system.location",
            org,
            {
                "name": seed_data.SITE_NAMES[n % len(seed_data.SITE_NAMES)],
                "address_line_1": f"{n + 1}{self.rng.randint(0, 99)} {seed_data.STREETS[n]}",
                "city": city,
                "state": state,
                "postal_code": f"{self.rng.randint(10000, 99999)}",
                "country": country,
                "phone": f"+1-555-{self.rng.randint(100, 999)}-{self.rng.randint(1000, 9999)}",
                "is_primary": n == 0,
            },
        )

    def contact(self, org: dict[str, Any], locations: list[dict[str, Any]]) -> dict[str, Any]:
        first, last = self.rng.choice(seed_data.FIRST_NAMES), self.rng.choice(seed_data.LAST_NAMES)
        email = f"{first}.{last}@{org['slug']}.example".lower().replace("'", "")
        methods = [{"type": "Email", "value": email}]
        if self.rng.random() < 0.6:
            number = f"+1-555-{self.rng.randint(100, 999)}-{self.rng.randint(1000, 9999)}"
            methods.append({"type": self.rng.choice(["Phone", "Mobile"]), "value": number})
        values = {
            "first_name": first,
            "last_name": last,
            "title": self.rng.choice(seed_data.TITLES),
            "important": self.rng.random() < 0.3,
            "contact_type": self.rng.choice(CONTACT_TYPES),
            "contact_methods": methods,
            "preferred_contact_method": self.rng.choice([*CONTACT_METHODS[:3], "Email"]),
            "notes": f"<p>Prefers {methods[0]['type'].lower()} before noon.</p>",
        }
        if self.rng.random() < 0.3:
            values["ext_linkedin_url"] = f"https://linkedin.example/in/{first}{last}".lower()
            month, day = self.rng.randint(1, 9), self.rng.randint(10, 19)
            values["ext_birthday"] = f"19{self.rng.randint(60, 99)}-0{month}-{day}"
        refs = {"location": self.rng.choice(locations)["id"]} if locations else {}
        return self.asset("system.contact", org, values, refs)

    def configuration(
        self, org: dict[str, Any], locations: list[dict[str, Any]], n: int
    ) -> dict[str, Any]:
        kind = self.rng.choice(list(seed_data.CONFIG_KINDS))
        maker = self.rng.choice(list(seed_data.MANUFACTURERS))
        year = self.rng.randint(2019, 2024)
        values = {
            "name": f"{org['slug'][:10]}-{seed_data.CONFIG_KINDS[kind]}-{n:02d}",
            "configuration_type": kind,
            "hostname": f"{seed_data.CONFIG_KINDS[kind]}{n:02d}.{org['slug']}.local",
            "serial_number": f"SN{self.rng.getrandbits(40):010X}",
            "ip_address": f"10.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{n + 10}",
            "manufacturer": maker,
            "model": self.rng.choice(seed_data.MANUFACTURERS[maker]),
            "install_date": f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
            "warranty_expires_at": f"{year + 3}-{self.rng.randint(1, 12):02d}-01T00:00:00Z",
            "admin_password": "hunter2",
        }
        refs = {"location": self.rng.choice(locations)["id"]} if locations else {}
        return self.asset("system.configuration", org, values, refs)

    def network_device(
        self,
        org: dict[str, Any],
        locations: list[dict[str, Any]],
        n: int,
        peers: list[dict[str, Any]],
    ) -> dict[str, Any]:
        role = self.rng.choice(seed_data.DEVICE_ROLES)
        ports = self.rng.choice([8, 16, 24, 48])
        values = {
            "name": f"{org['slug'][:10]}-{role.lower().replace(' ', '')}-{n}",
            "device_role": role,
            "port_count": ports,
            "throughput_gbps": self.rng.choice([1, 2.5, 10, 40]),
            "managed": self.rng.random() < 0.8,
            "vlans": [f"VLAN{v}" for v in sorted(self.rng.sample(range(1, 200), 3))],
            "interfaces": [
                {"name": f"eth{i}", "ip_address": f"192.168.{n}.{i + 1}", "speed_mbps": 1000}
                for i in range(self.rng.randint(1, 3))
            ],
            "notes": "<p>Managed by the network team.</p>",
            "snmp_community": "public-ro",
            "mfa_seed": "JBSWY3DPEHPK3PXP",
            "purchase_date": f"{self.rng.randint(2018, 2024)}-0{self.rng.randint(1, 9)}-15",
            "last_seen_at": f"2025-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}T08:30:00Z",
        }
        refs: dict[str, Any] = {"connected_devices": [p["id"] for p in peers[:2]]}
        if locations:
            refs["location"] = locations[0]["id"]
        return self.asset("network_device", org, values, refs)

    def org_assets(self, org: dict[str, Any]) -> None:
        locations = [self.location(org, n) for n in range(self.rng.randint(1, 3))]
        for _ in range(self.rng.randint(8, 14)):
            self.contact(org, locations)
        configs = [self.configuration(org, locations, n) for n in range(self.rng.randint(5, 10))]
        devices: list[dict[str, Any]] = []
        for n in range(self.rng.randint(0, 4)):
            devices.append(self.network_device(org, locations, n, devices + configs[:1]))

    # --- links, files, deletions -------------------------------------------------------

    def links(self) -> list[Link]:
        contacts = self.assets["system.contact"]
        configs = self.assets["system.configuration"]
        rows: list[Link] = []
        seen: set[tuple[str, str]] = set()
        for seq in range(1, 41):
            contact = self.rng.choice(contacts)
            same_org = [c for c in configs if c["organization_id"] == contact["organization_id"]]
            target = self.rng.choice(same_org or configs)
            if (contact["id"], target["id"]) in seen:
                continue
            seen.add((contact["id"], target["id"]))
            description = self.rng.choice(["Primary contact", "Uses this device", "Approver"])
            rows.append(
                (self.account.id, contact["id"], target["id"], description, self.clock.later(), seq)
            )
        return rows

    def file(
        self,
        asset: dict[str, Any],
        name: str,
        ext: str,
        mime: str,
        data: bytes | None,
        prop: str | None,
    ) -> None:
        file_id, now = self.clock.tick(1_000, 60_000)
        self.files.append(
            {
                "id": file_id,
                "organization_id": asset["organization_id"],
                "asset_id": asset["id"],
                "name": name,
                "original_name": f"{name}{ext}",
                "file_extension": ext,
                "mime_type": mime,
                "size": len(data) if data is not None else 1024,
                "is_public": False,
                "property_name": prop,
                "upload_status": "completed" if data is not None else "pending",
                "created_at": now,
                "updated_at": now,
                "created_by": self.user,
                "updated_by": self.user,
                "deleted_at": None,
            }
        )
        if data is not None:
            put_bytes(self.store, object_key(self.account.id, file_id), data)
            if prop:
                asset[prop] = file_id

    def add_files(self) -> None:
        for asset in self.rng.sample(self.assets["system.configuration"], 6):
            text = f"hostname {asset['hostname']}\ninterface eth0\n ip {asset['ip_address']}\n"
            name = f"{asset['name']}-backup"
            self.file(asset, name, ".cfg", "text/plain", text.encode(), "config_backup")
        for asset in self.rng.sample(self.assets["system.contact"], 4):
            card = f"BEGIN:VCARD\nFN:{asset['name']}\nTITLE:{asset['title']}\nEND:VCARD\n"
            self.file(asset, "contact-card", ".vcf", "text/vcard", card.encode(), None)
        device = self.assets["network_device"][0]
        self.file(device, "firmware", ".bin", "application/octet-stream", None, None)

    def delete_some(self) -> None:
        for type_name in ("system.contact", "system.configuration"):
            for asset in self.rng.sample(self.assets[type_name], 4):
                if any(f["asset_id"] == asset["id"] for f in self.files):
                    continue
                asset["deleted_at"] = asset["updated_at"] = self.clock.later()

    def run(self) -> None:
        with self.store.tx():
            self.define_types()
            users = self.users()
            self.organizations()
            for org in self.orgs:
                if org["type"] != "prospect" and not org["deleted_at"]:
                    self.org_assets(org)
            links = self.links()
            self.add_files()
            self.delete_some()
            self.write(users, links)

    def write(self, users: list[dict[str, Any]], links: list[Link]) -> None:
        acc = self.account.id
        self.store.insert_many("users", acc, users)
        self.store.insert_many("organizations", acc, self.orgs)
        for docs in self.assets.values():
            self.store.insert_many("assets", acc, docs)
        self.store.insert_many("files", acc, self.files)
        self.store.conn.executemany(
            "INSERT INTO related (account_id, asset_id, related_id, description, created_at, seq)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            links,
        )


def seed_demo(store: Store, account: Account, rng: random.Random) -> None:
    """~25 organizations, ~600 assets over four types, links, files, users, some deletions."""
    Demo(store, account, rng).run()
