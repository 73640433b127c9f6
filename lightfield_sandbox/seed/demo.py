"""``--seed demo``: members, accounts, contacts, opportunities, tasks, notes, meetings, lists
with members, custom ``project`` records and a few files, related to one another.

Written through the resources (the same rules as the API), so the seed is valid data.
"""

from __future__ import annotations

import hashlib
import random

from lightfield_sandbox.resources import emails, entities, files, lists
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import (
    ACCOUNT,
    CONTACT,
    MEETING,
    NOTE,
    OPPORTUNITY,
    PROJECT,
    STAGES,
    TASK,
    TASK_STATUSES,
)
from lightfield_sandbox.resources.workspaces import member
from lightfield_sandbox.storage.store import Key, Store

COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell")
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")


def _people(actor: Actor, rng: random.Random) -> list[str]:
    names = [("Sam Seller", "sam@example.com"), ("Riley Rep", "riley@example.com")]
    return [actor.member_id] + [member(actor, n, e, "MEMBER", rng)["id"] for n, e in names]


def _accounts(actor: Actor, rng: random.Random, owners: list[str]) -> list[str]:
    ids = []
    for name in COMPANIES:
        fields = {
            "$name": f"{name} Inc",
            "$website": [f"https://{name.lower()}.example"],
            "$industry": rng.choice(("Software", "Retail", "Finance")),
            "$employees": rng.randrange(5, 5000),
            "$headquarters": {"city": "Springfield", "country": "US"},
        }
        body = {"fields": fields, "relationships": {"$owner": rng.choice(owners)}}
        ids.append(entities.create(actor, ACCOUNT, body)["id"])
    return ids


def _contacts(actor: Actor, rng: random.Random, accounts: list[str]) -> list[str]:
    ids = []
    for first, last in zip(FIRST, LAST, strict=True):
        email = f"{first.lower()}.{last.lower()}@example.com"
        fields = {"$name": {"firstName": first, "lastName": last}, "$email": [email]}
        body = {"fields": fields, "relationships": {"$account": rng.choice(accounts)}}
        ids.append(entities.create(actor, CONTACT, body)["id"])
    return ids


def _deals(actor: Actor, rng: random.Random, accounts: list[str], owners: list[str]) -> list[str]:
    ids = []
    for i, account in enumerate(accounts[:6]):
        fields = {"$name": f"Deal {i + 1}", "$stage": rng.choice(STAGES), "$amount": 1000 * (i + 1)}
        body = {
            "fields": fields,
            "relationships": {"$account": account, "$owner": rng.choice(owners)},
        }
        ids.append(entities.create(actor, OPPORTUNITY, body)["id"])
    return ids


def _activity(
    actor: Actor, rng: random.Random, accounts: list[str], deals: list[str], owners: list[str]
) -> None:
    for i, deal in enumerate(deals):
        task = {"$title": f"Follow up {i + 1}", "$status": rng.choice(TASK_STATUSES)}
        rels = {"$assignedTo": rng.choice(owners), "$opportunity": deal, "$account": accounts[i]}
        entities.create(actor, TASK, {"fields": task, "relationships": rels})
        note = {"$title": f"Call notes {i + 1}", "$content": "# Notes\n- went well"}
        entities.create(
            actor,
            NOTE,
            {"fields": note, "relationships": {"$account": accounts[i], "$opportunity": deal}},
        )
    for i in range(3):
        fields = {
            "$title": f"Intro call {i + 1}",
            "$startDate": f"2024-0{i + 1}-10T15:00:00Z",
            "$endDate": f"2024-0{i + 1}-10T15:30:00Z",
            "$attendeeEmails": ["ada.lovelace@example.com"],
            "$privacySetting": "FULL" if i else "METADATA",
        }
        entities.create(
            actor,
            MEETING,
            {"fields": fields},
        )


def _files(actor: Actor) -> list[str]:
    ids = []
    for i in range(3):
        data = f"transcript {i}\n".encode() * (i + 1)
        doc = files.create(
            actor, {"filename": f"t{i}.txt", "mimeType": "text/plain", "sizeBytes": len(data)}
        )
        files.receive(actor, doc["id"], data)
        files.complete(actor, doc["id"], {"md5": hashlib.md5(data).hexdigest()})  # noqa: S324
        ids.append(doc["id"])
    return ids


def _emails(actor: Actor) -> None:
    """Emails logged from the members to contacts (one METADATA: its subject is redacted for
    the other members)."""
    senders = ("admin@example.com", "sam@example.com", "riley@example.com", "admin@example.com")
    for i, sender in enumerate(senders):
        to = f"{FIRST[i].lower()}.{LAST[i].lower()}@example.com"
        fields = {
            "$from": sender,
            "$to": [to],
            "$sentAt": f"2024-03-0{i + 1}T09:00:00Z",
            "$subject": f"Follow-up {i + 1}",
            "$body": {"html": f"<p>Hello {FIRST[i]}</p>"},
            "$privacySetting": "METADATA" if i == 3 else "FULL",
        }
        emails.log(actor, {"fields": fields, "headers": {"Message-ID": f"<demo-{i}@example.com>"}})


def seed_demo(store: Store, key: Key, rng: random.Random) -> None:
    actor = Actor(store, key.workspace_id, key.member_id)
    with store.tx():
        owners = _people(actor, rng)
        accounts = _accounts(actor, rng, owners)
        contacts = _contacts(actor, rng, accounts)
        deals = _deals(actor, rng, accounts, owners)
        _activity(actor, rng, accounts, deals, owners)
        transcripts = _files(actor)
        _emails(actor)
        meeting = {
            "$title": "Recorded demo",
            "$startDate": "2024-05-01T10:00:00Z",
            "$endDate": "2024-05-01T11:00:00Z",
        }
        entities.create(
            actor, MEETING, {"fields": meeting, "relationships": {"$transcript": transcripts[0]}}
        )
        lists.create(
            actor,
            {
                "fields": {"$name": "Key accounts", "$objectType": "account"},
                "relationships": {"$accounts": accounts[:3]},
            },
        )
        lists.create(
            actor,
            {
                "fields": {"$name": "Champions", "$objectType": "contact"},
                "relationships": {"$contacts": contacts[:4]},
            },
        )
        for i, account in enumerate(accounts[:3]):
            project = {"$name": f"Rollout {i + 1}", "budget": 5000 * (i + 1), "phase": "Discovery"}
            entities.create(
                actor,
                PROJECT,
                {"fields": project, "relationships": {"account": account, "lead": owners[0]}},
            )
