"""Lightfield tap class: settings and discovery."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th
from singer_sdk.exceptions import FatalAPIError
from typing_extensions import override

from connector_core import (
    DISTRIBUTION,
    OneLineStopTap,
    client_options,
    concurrency_property,
    file_hosts_property,
    max_concurrency,
    request_properties,
    setting_error,
    stream_name,
    user_agent_property,
)
from connector_core.tap import Runtime
from lightfield_api import contract
from lightfield_api.errors import LightfieldError, LightfieldHTTPError
from lightfield_api.http import DEFAULT_REQUESTS_PER_SECOND, LightfieldClient
from tap_lightfield import schemas, streams, trash
from tap_lightfield.client import LightfieldStream, LightfieldStreamError

if TYPE_CHECKING:
    from singer_sdk.streams import Stream

FIXED_STREAMS: tuple[type[LightfieldStream], ...] = (
    streams.EmailsStream,
    streams.ListsStream,
    streams.ListMembersStream,
    streams.MembersStream,
    streams.FilesStream,
)


class TapLightfield(OneLineStopTap):
    """Singer tap for the Lightfield CRM API."""

    name = "tap-lightfield"
    package_name = DISTRIBUTION  # the distribution it is installed from: --version reads it
    dynamic_catalog = True  # fields and custom object types come from the definitions
    # The API's failures a run ends on as things are (no API at api_url, an HTTP error): one
    # ERROR line on the command line, no traceback.
    known_failures = (LightfieldError, LightfieldStreamError, FatalAPIError)

    config_jsonschema = th.PropertiesList(
        th.Property(
            "api_url",
            th.URIType,
            default=contract.DEFAULT_API_URL,
            title="API URL",
            description="Base URL of the Lightfield API.",
        ),
        th.Property(
            "api_key",
            th.StringType,
            required=True,
            secret=True,
            title="API key",
            description="A Lightfield API key (sk_lf_...); its workspace is the one read.",
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            description="Emit records created or updated after this moment (first run only).",
        ),
        th.Property(
            "object_types",
            th.ArrayType(th.StringType),
            description="Custom object types (slugs, e.g. project) to sync; default all.",
        ),
        th.Property(
            "index_lag_seconds",
            th.NumberType(minimum=0),
            default=60,
            description=(
                "How far the list index may lag behind writes: the bookmark stays this far "
                "behind the run's start, so a write the index had not shown yet is read next "
                "run (records changed in that window are emitted again)."
            ),
        ),
        th.Property(
            "page_size",
            th.IntegerType(minimum=2, maximum=contract.MAX_PAGE_SIZE),
            default=contract.MAX_PAGE_SIZE,
            description="Records per request (2..25; pages overlap by one record).",
        ),
        th.Property(
            "files_content",
            th.StringType,
            default="none",
            allowed_values=["none", "inline"],
            description=(
                "File bytes: none (metadata only) or inline (a COMPLETED file's bytes as "
                "content_base64 with their sha256, up to max_inline_bytes)."
            ),
        ),
        th.Property(
            "email_bodies",
            th.BooleanType,
            default=False,
            description=(
                "Emails: also fetch each email's $body (list items have none): one more "
                "request per email emitted."
            ),
        ),
        th.Property(
            "max_inline_bytes",
            th.IntegerType(minimum=1),
            default=streams.DEFAULT_MAX_INLINE_BYTES,
            description="Largest file sent inline; bigger ones come without content_base64.",
        ),
        file_hosts_property(),
        concurrency_property("Requests (pages of a list)"),
        *request_properties(
            DEFAULT_REQUESTS_PER_SECOND, "default 24, within Lightfield's 25 a second"
        ),
        user_agent_property("tap-lightfield"),
    ).to_dict()

    @cached_property
    def runtime(self) -> Runtime:
        """The one client (one session, one pace) and worker pool of this run."""
        config = self.config
        concurrency = max_concurrency(config)
        client = LightfieldClient(
            api_url=config.get("api_url") or contract.DEFAULT_API_URL,
            api_key=config["api_key"],
            user_agent=config.get("user_agent"),
            **client_options(config, concurrency=concurrency),
        )
        return Runtime(client, concurrency, thread_name_prefix="lightfield")

    @override
    def discover_streams(self) -> list[Stream]:
        """The streams, from definitions asked for all at once (on the run's pool): each is a
        round trip, and one after the other they would leave the rate budget idle."""
        pool = self.runtime.pool
        paths = [contract.definitions_path(c) for c in contract.WITH_DEFINITIONS]
        asked = [pool.submit(self._get, path) for path in paths]
        types = pool.submit(self._object_types)
        discovered: list[Stream] = [cls(self, self.runtime) for cls in FIXED_STREAMS]
        for collection, answer in zip(contract.WITH_DEFINITIONS, asked, strict=True):
            trashed = collection if collection in trash.WITH_TRASH else None
            discovered.append(self._defined(collection, collection, answer.result(), trash=trashed))
        taken = {stream.name for stream in discovered}
        slugs = types.result()
        custom = [pool.submit(self._get, contract.object_definitions_path(s)) for s in slugs]
        for slug, answer in zip(slugs, custom, strict=True):
            # A slug is the API's: as a stream name it must be safe as a file or table name.
            safe = stream_name(slug)
            name = safe if safe not in taken else f"object_{safe}"
            path = contract.object_records_path(slug)
            discovered.append(self._defined(name, slug, answer.result(), path))
            taken.add(name)
        return discovered

    def _defined(
        self,
        name: str,
        what: str,
        definitions: Any,
        path: str | None = None,
        *,
        trash: str | None = None,
    ) -> streams.DefinedStream:
        if not isinstance(definitions, dict):
            msg = f"definitions of {what}: not an object"
            raise LightfieldError(msg)
        return streams.DefinedStream(
            self,
            self.runtime,
            name=name,
            path=path or contract.collection_path(what),
            properties=schemas.entity_properties(definitions),
            trash=trash,
        )

    def _object_types(self) -> list[str]:
        """The custom object types to sync (``object_types``, else all) [D S30]."""
        body = self._get(contract.objects_path())
        known = [str(item["objectType"]) for item in body.get("data") or []]
        wanted = self.config.get("object_types")
        if not wanted:
            return known
        unknown = sorted(set(wanted) - set(known))
        if unknown:
            msg = f"object_types: unknown custom object type(s) {unknown}; known: {known}"
            raise setting_error(msg)
        return [slug for slug in known if slug in set(wanted)]

    def _get(self, path: str) -> Any:
        """A discovery call; a refused key fails here, first, as a settings error."""
        try:
            return self.runtime.client.get_json(path)
        except LightfieldHTTPError as exc:
            if exc.status in (401, 403):
                raise setting_error(f"api_key: refused: {exc}") from None
            raise


if __name__ == "__main__":
    TapLightfield.cli()
