"""What the Lightfield connectors do when an assumption of ``contract`` turns out otherwise.

``contract`` states each [A] of ``docs/lightfield-api.md`` one way; the sandbox plays each
plausible alternative as a variant (``lightfield-sandbox variants``). These are the decisions
the tap, the target and the probe take from what the API answered, in one place:

- the error body, with the ``error`` wrapper or without (``error_object``): both are read;
- the page cap, 25 or another (``more_after``): a list goes on while ``totalCount`` says so,
  so a smaller page than asked is followed, never taken for the end;
- the rate limit, 25 a second or fewer (``paced_rate``): the pace drops under the bucket the
  API advertises in ``X-RateLimit-Limit``, whatever ``max_requests_per_second`` says;
- a list index that lags writes (``index_lag_covered``): the tap's bookmark stays
  ``index_lag_seconds`` behind, the target remembers what it created (``match_on``);
- unset fields left out of a record (``fill_defined``): read as null, as every defined field
  is present [A contract.ALL_KEYS_PRESENT];
- moving a record to the trash that leaves its ``updatedAt`` (``trash_stamp_missing``): the
  tap then emits every trashed record each run;
- list filters the API ignores (``filter_ignored``): ``match_on`` cannot work, and the
  target stops at once naming the setting (``errors.ContractMismatch``).
"""

from __future__ import annotations

from typing import Any

from lightfield_api import contract

#: [D] the key of the error body's wrapper; [A] the rate-limit page shows a 429 without it.
ERROR_WRAPPER = "error"
#: The share of the advertised bucket a client paces at when it must slow down: under the
#: refill, so that latency jitter bunching requests up never empties the bucket.
PACE_SHARE = 0.9


def error_object(body: Any) -> dict[str, Any] | None:
    """The ``{type, message, code?, param?}`` of an error answer, wrapped or not."""
    if not isinstance(body, dict):
        return None
    inner = body.get(ERROR_WRAPPER)
    if isinstance(inner, dict):
        return inner
    if isinstance(body.get("message"), str) and ("type" in body or "code" in body):
        return body  # the shape without the wrapper
    return None


def is_wrapped(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get(ERROR_WRAPPER), dict)


def more_after(count: int, asked: int, offset: int, total: int | None) -> bool:
    """Whether a list has records after a page of ``count`` at ``offset`` (``asked`` asked).

    With ``totalCount`` [D] the total decides: a page smaller than asked (a lower cap than
    ``contract.MAX_PAGE_SIZE``) is not the end. Without it, a short page is [D S4]."""
    if count == 0:
        return False
    if total is not None:
        return offset + count < total
    return count >= asked


def page_cap_seen(asked: int, count: int, offset: int, total: int | None) -> int | None:
    """The page cap an answer shows: fewer records than asked while more exist."""
    if total is not None and count < asked and offset + count < total:
        return count
    return None


def paced_rate(configured: float | None, advertised: int | None) -> float | None:
    """The pace to keep once the API advertised its bucket (``X-RateLimit-Limit``): the
    configured one while it is under the bucket, else ``PACE_SHARE`` of it. None: no change."""
    if advertised is None or advertised <= 0:
        return None
    if configured is not None and configured < advertised:
        return None
    return round(advertised * PACE_SHARE, 3)


def advertised_limit(headers: Any) -> int | None:
    """``X-RateLimit-Limit`` of an answer [D], as an integer; None when absent or odd."""
    value = headers.get(contract.RATE_LIMIT_HEADERS[0]) if headers is not None else None
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def index_lag_covered(observed_s: float, configured_s: float) -> bool:
    """Whether ``index_lag_seconds`` covers a lag seen: the bookmark stays behind it."""
    return configured_s >= observed_s


def fill_defined(
    values: dict[str, Any], defined: list[str], *, many: bool = False
) -> dict[str, Any]:
    """Every defined field (relationship: ``many``), null (``[]``) where the API left it out."""
    missing = [key for key in defined if key not in values]
    if not missing:
        return values
    return {**values, **{key: [] if many else None for key in missing}}


#: The value types whose filter answer ``filter_ignored`` can judge by text: each value the
#: filter matched contains the text sent. Not numbers, dates or selects (compared otherwise).
FILTER_CHECKED_TYPES = frozenset({"TEXT", "FULL_NAME", "SOCIAL_HANDLE", "ADDRESS", "EMAIL", "URL"})


def filter_ignored(probe: str, stored: list[Any]) -> bool:
    """Whether a filtered list answer holds a value the filter ``probe`` cannot have matched
    (no part of it contains the probe's text): the API ignored the filter [A: the filter
    syntax is the SDK's; no other is documented]."""
    wanted = probe.casefold()
    return any(not any(wanted in text for text in _texts(value)) for value in stored)


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        parts = [_texts(v) for v in value.values()]
        return [" ".join(t for p in parts for t in p).casefold()] + [t for p in parts for t in p]
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(value, float) and value.is_integer():
        return [str(int(value)), str(value)]
    return [str(value).casefold()]


def trash_stamp_missing(item: dict[str, Any]) -> bool:
    """A trashed record whose ``updatedAt`` is null: moving it to the trash did not set it
    [A contract.TRASH_SETS_UPDATED_AT is false], so its time in the trash is unknown."""
    return item.get("updatedAt") is None
