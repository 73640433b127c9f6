"""What we know, and what we assume, of the Lightfield API: the one place every side reads it.

``docs/lightfield-api.md`` is the contract in prose; each constant here is marked [D]
(documented, the doc names the source) or [A] (assumed: a choice the docs leave open). When
Lightfield documents the real answer, an [A] is a one-line change here and the sandbox, the
tap and the target follow. Where an [A] may be otherwise, what the connectors do when the API
answers the other way is decided in ``lightfield_api.adapt`` (each alternative is a variant of
the sandbox: ``lightfield-sandbox variants``).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any

from connector_core import iso_millis, path_segment

# --- transport ----------------------------------------------------------------------------

DEFAULT_API_URL = "https://api.lightfield.app"  # [D]
VERSION_HEADER = "Lightfield-Version"  # [D]
API_VERSION = "2026-03-01"  # [D] the version every example sends
KNOWN_VERSIONS = frozenset({API_VERSION})  # [A] another value: 400, param = the header
VERSION_REQUIRED = True  # [D] the OpenAPI says required; a request without it: 400
VERSION_HEADER_CODE = "version_header"  # [D] the code of that 400 ([A] of an unknown value too)
KEY_PREFIX = "sk_lf_"  # [D] what keys look like
IDEMPOTENCY_HEADER = "Idempotency-Key"  # [D] on every create and update
IDEMPOTENCY_KEY_MAX = 255  # [D] longer: 400
IDEMPOTENCY_TTL_S = 24 * 3600  # [D] keys expire after 24 hours
IDEMPOTENT_REPLAY_HEADER = "Idempotent-Replayed"  # [A] "true" on an answer replayed for a key
# [D] the same key with another payload "returns original cached response" (not an error).
IDEMPOTENCY_REUSE_REPLAYS = True
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})  # [A] worth a retry

# --- rate limits [D] 25 requests/s per organisation and category -------------------------

RATE_LIMIT_PER_S = 25  # [D] "early launch" numbers
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")  # [D]
RETRY_AFTER_HEADER = "Retry-After"  # [D] seconds, on a 429
READ, WRITE, SEARCH = "read", "write", "search"  # [D] the three categories

# --- lists --------------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 25  # [D]
MAX_PAGE_SIZE = 25  # [D] the current reference; an older guide said 100. Over it: 400 [A]
LIST_OBJECT = "list"  # [D] the envelope's "object"
LIST_KEYS = ("data", "object", "totalCount")  # [D] the list envelope's keys
NEWEST_FIRST = True  # [D SDK] list order: createdAt descending; [A] then id descending
FILTER_NEGATION = "-"  # [D] a leading "-" negates an operator
# [D SDK] the filter syntax: `$field=value` (the default operator) or `$field[operator]=value`.
FILTER_PARAM = re.compile(r"^(\$?[A-Za-z][A-Za-z0-9_]*)(?:\[(-?[A-Za-z]+)\])?$")
ORDERED_OPERATORS = ("greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual")  # [A]
FILTER_OPERATORS: dict[str, tuple[str, ...]] = {  # [D] which operators each value type takes
    "NUMBER": ("equal", *ORDERED_OPERATORS),
    "CURRENCY": ("equal", *ORDERED_OPERATORS),
    "DATETIME": ("equal", *ORDERED_OPERATORS),
    "TEXT": ("equal", "startsWith"),
    "FULL_NAME": ("equal", "startsWith"),
    "SOCIAL_HANDLE": ("equal", "startsWith"),
    "ADDRESS": ("equal", "startsWith"),
    "CHECKBOX": ("equal",),
    "SINGLE_SELECT": ("equal",),
    "EMAIL": ("contains",),
    "TELEPHONE": ("contains",),
    "URL": ("contains",),
    "MULTI_SELECT": (),
    "MARKDOWN": (),
    "HTML": (),
}

# --- records ------------------------------------------------------------------------------

VALUE_TYPES = tuple(FILTER_OPERATORS)  # [D]
SYSTEM_PREFIX = "$"  # [D] system field and relationship keys; custom ones are bare slugs
ENTITY_KEYS = ("id", "createdAt", "updatedAt", "externalId", "httpLink", "fields", "relationships")
RELATIONSHIP_OPERATIONS = ("add", "remove", "replace")  # [D] on update
# [D] a write body is `fields` and `relationships` only (OpenAPI: additionalProperties false);
# no `externalId`. The extra keys some creates take: `skipEnrichment` (accounts, contacts),
# `autoCreateRecords` (meetings, logged emails).
BODY_KEYS = ("fields", "relationships")
CREATE_EXTRA_KEYS = {
    "account": ("skipEnrichment",),
    "contact": ("skipEnrichment",),
    "meeting": ("autoCreateRecords",),
}
SKIP_ENRICHMENT = "skipEnrichment"  # [D] "Defaults to false"; metered; `true` for bulk loads
# [D] note relationships are HAS_MANY: an update takes `add` and `remove` only.
NOTE_RELATIONSHIP_OPERATIONS = ("add", "remove")
# [D] a meeting update writes only these fields, and `$transcript` by `replace` of one file id.
MEETING_UPDATABLE_FIELDS = ("$privacySetting", "$attendeeEmails")
MEETING_TRANSCRIPT = "$transcript"
MEETING_DELETE_TRASHED_404 = True  # [D] deleting a meeting already trashed answers 404
WRAPPED_WRITES_ACCEPTED = True  # [A] a write may send {value, valueType} as well as the value
SELECT_WRITES_BY = ("id", "label")  # [D] a select option is named by its id or its label
SELECT_READS_AS = "label"  # [A] a select field reads back as its option's label
ALL_KEYS_PRESENT = True  # [A] every defined field and relationship is in a record (null, [])
CREATE_STATUS = 200  # [D] a create answers 200 with the record (the OpenAPI lists no 201)
DELETE_RETURNS_RECORD = True  # [A] DELETE answers 200 with the record (trashed: the same)
DELETED_RECORDS_READABLE = False  # [A] a trashed record: 404 on retrieve, update and lists
# [D] lists take `status`: "active" (default) or "trashed"; listing trashed records and
# `POST .../{id}/restore` need the type's `restore` scope.
LIST_STATUSES = ("active", "trashed")
TRASHED = "trashed"
RESTORE_SCOPE = "restore"
# [A] moving a record to the trash (or back) sets its `updatedAt`: what tells a reader when a
# trashed record was trashed (the docs name no trash time).
TRASH_SETS_UPDATED_AT = True
# [A] timestamps read back in UTC with milliseconds and `Z` (`2026-03-01T10:30:00.000Z`): in
# that form strings compare as moments (``format_timestamp``, ``reformat_timestamp``).
_API_FORM = len("2026-03-01T10:30:00.000Z")
#: The scope prefix of custom objects (`custom_objects:update|delete` [D S30]; read, create and
#: restore [A]).
CUSTOM_OBJECTS_SCOPE = "custom_objects"
INVERSE_WRITES_TOUCH_UPDATED_AT = False  # [A] linking B to A changes A's relationships only
HTTP_LINK_BASE = "https://app.lightfield.invalid"  # [A] the sandbox's web-app links (unused)
ADDRESS_KEYS = (  # [D]
    "city",
    "country",
    "latitude",
    "longitude",
    "postalCode",
    "state",
    "street",
    "street2",
)
FULL_NAME_KEYS = ("firstName", "lastName")  # [D]
# Relationships no client may write: managed from the other side, or set by the API [D S14,
# S24, S25]. The definitions do not say it of relationships (they do of fields: ``readOnly``).
READ_ONLY_RELATIONSHIPS = {
    "account": ("$opportunity", "$task", "$note"),
    "contact": ("$note",),
    "opportunity": ("$task", "$note"),
    "task": ("$createdBy",),
    "note": ("$createdBy",),
    "meeting": ("$createdBy",),
}
CREATED_BY = "$createdBy"  # [D] the caller, on every type that has it
# [D] (docs/lightfield-api.md "Per type") what a create must carry.
REQUIRED_ON_CREATE = {
    "account": ("$name",),
    "opportunity": ("$name", "$stage"),
    "task": ("$title", "$status"),
    "note": ("$title",),
    "meeting": ("$title", "$startDate", "$endDate"),
}
REQUIRED_RELATIONSHIPS = {"opportunity": ("$account",), "task": ("$assignedTo",)}  # [D]
# [A] Both sides writable, kept in step by the API: the side the copy carries first (the
# other side's ids are written when already in the copy, never waited for: each side would
# wait for the other to be written first).
WRITTEN_FROM_OTHER_SIDE = {("account", "$contact"): ("contact", "$account")}

# The built-in collections: path segment -> objectType. [D] the paths; [A] the singular names
# (documented for meeting and list members only).
COLLECTIONS = {
    "accounts": "account",
    "contacts": "contact",
    "opportunities": "opportunity",
    "tasks": "task",
    "notes": "note",
    "meetings": "meeting",
}
WITH_DEFINITIONS = ("accounts", "contacts", "opportunities", "tasks", "notes", "meetings")  # [D]
DELETABLE = ("accounts", "contacts", "opportunities", "notes", "meetings", "tasks")  # [D SDK]
LIST_MEMBER_COLLECTIONS = ("accounts", "contacts", "opportunities")  # [D]
LIST_RELATIONSHIP = {
    "account": "$accounts",
    "contact": "$contacts",
    "opportunity": "$opportunities",
}
ID_PREFIXES = {  # [A] but "fil_" [D]
    "account": "acc_",
    "contact": "con_",
    "opportunity": "opp_",
    "task": "tsk_",
    "note": "not_",
    "meeting": "mtg_",
    "list": "lst_",
    "member": "mem_",
    "file": "fil_",
    "custom": "obj_",
    "email": "eml_",
    "user": "usr_",
}

# --- files --------------------------------------------------------------------------------

FILE_STATUSES = ("PENDING", "COMPLETED", "CANCELLED", "EXPIRED")  # [D]
FILE_MAX_BYTES = 536_870_912  # [D] 512 MB
FILENAME_MAX = 255  # [D]
FILE_PURPOSES = (  # [D]
    "meeting_transcript",
    "knowledge_user",
    "knowledge_workspace",
    "email_attachment",
)
UPLOAD_TTL_S = 3600  # [A] how long a PENDING file waits for its bytes (then EXPIRED)
DOWNLOAD_URL_TTL_S = 900  # [A]

# --- errors -------------------------------------------------------------------------------

ERROR_TYPES = {  # [D] up to 429; [A] the rest (the status phrase in snake case)
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    415: "unsupported_media_type",
    422: "unprocessable_content",
    429: "too_many_requests",
}
IDEMPOTENCY_CONFLICT = "idempotency_conflict"  # [D] 409: same key while the first still runs
UNKNOWN_FIELD = "unknown_field"  # [D] a code on 400
INVALID_VALUE = "invalid_value"  # [A] a code on 400: a value of the wrong type
REQUIRED = "required"  # [A] a code on 422: a required field or relationship is missing
READ_ONLY = "read_only"  # [A] a code on 400
INVALID_FILTER = "invalid_filter"  # [A] a code on 400
INVALID_RELATIONSHIP = "invalid_relationship"  # [A] a code on 400: an id that is not there


def error_type(status: int) -> str:
    """The ``type`` of an error answer with this status."""
    if status in ERROR_TYPES:
        return ERROR_TYPES[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "error"
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")


def error_body(
    status: int, message: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """``{"error": {type, message, code?, param?}}`` [D]."""
    inner: dict[str, Any] = {"type": error_type(status), "message": message}
    if code:
        inner["code"] = code
    if param:
        inner["param"] = param
    return {"error": inner}


def envelope(data: list[Any], total: int) -> dict[str, Any]:
    """The list envelope [D]."""
    return {"data": data, "object": LIST_OBJECT, "totalCount": total}


# --- paths [D] unless marked ----------------------------------------------------------------


def collection_path(collection: str, record_id: str | None = None) -> str:
    return f"/v1/{path_segment(collection)}" + (f"/{path_segment(record_id)}" if record_id else "")


def definitions_path(collection: str) -> str:
    return f"/v1/{path_segment(collection)}/definitions"


def objects_path() -> str:
    return "/v1/objects"


def object_records_path(slug: str) -> str:
    """The list of a custom object's records: no ``/values`` [D]."""
    return f"/v1/objects/{path_segment(slug)}"


def object_definitions_path(slug: str) -> str:
    return f"/v1/objects/{path_segment(slug)}/definitions"


def object_values_path(slug: str, record_id: str | None = None) -> str:
    return f"/v1/objects/{path_segment(slug)}/values" + (
        f"/{path_segment(record_id)}" if record_id else ""
    )


def list_members_path(list_id: str, collection: str) -> str:
    return f"/v1/lists/{path_segment(list_id)}/{path_segment(collection)}"


def file_path(file_id: str | None = None, action: str | None = None) -> str:
    """``/v1/files``, ``/v1/files/{id}`` and its ``complete``, ``cancel`` and ``url``."""
    path = "/v1/files" + (f"/{path_segment(file_id)}" if file_id else "")
    return path + (f"/{action}" if action else "")


VALIDATE_PATH = "/v1/auth/validate"  # [D]
MEMBERS = "members"  # [D] read only
EMAILS = "emails"  # [D] list, retrieve, log, delete and restore (logged emails only)
EMAIL_LOG_PATH = "/v1/emails/log"  # [D] 409 when an email with the Message-ID exists
EMAIL_BODY = "$body"  # [D] left out of list items; retrieve has it
EMAIL_MESSAGE_ID = "Message-ID"  # [D] the header that identifies a logged email


def restore_path(collection: str, record_id: str) -> str:
    """``POST /v1/{collection}/{id}/restore`` [D]."""
    return f"{collection_path(collection, record_id)}/restore"


_SEARCH_PATHS = re.compile(  # [D] the list methods; [A] /v1/objects itself is a read
    r"^(?:/v1/(?:accounts|contacts|opportunities|tasks|notes|meetings|lists|members|files|emails)"
    r"|/v1/lists/[^/]+/(?:accounts|contacts|opportunities)"
    r"|/v1/objects/(?!.*/)[^/]+)/?$"
)


def rate_category(method: str, path: str) -> str:
    """Which budget a request counts against [D]: writes, searches (lists), reads."""
    if method.upper() not in ("GET", "HEAD"):
        return WRITE
    return SEARCH if _SEARCH_PATHS.match(path) else READ


def format_timestamp(moment: datetime) -> str:
    """A moment in the API's timestamp form [A] (``2026-03-01T10:30:00.000Z``)."""
    return iso_millis(moment)


def reformat_timestamp(value: str) -> str:
    """Timestamp text in any ISO-8601 form, rewritten in the API's form (it usually is already);
    text with no offset is UTC."""
    if len(value) == _API_FORM and value[19] == "." and value.endswith("Z"):
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return format_timestamp(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
