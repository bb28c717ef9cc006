"""The writing client: the read-only client's reads, plus exactly the writes fix and attach make.

There is no generic write: :meth:`WritingClient.set_mid_server` PATCHes one field of one HTTP method,
:meth:`WritingClient.add_work_note` one journal field of one change request, and
:meth:`WritingClient.attach_file` one file to one change request. Each is one exchange-log line naming the
method, the table and sys_id, and the field or file written (never a value of a secret).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from snow_preflight.errors import ConfigError, UnexpectedResponseError
from snow_preflight.servicenow.answer import Target
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.servicenow.exchange import ExchangeLog
from snow_preflight.servicenow.writing import WritingTransport

METHOD_TABLE = "sys_rest_message_fn"
MID_FIELD = "use_mid_server"
CHANGE_TABLE = "change_request"
ATTACHMENT_PATH = "/api/now/attachment/file"
_SYS_ID = re.compile(r"^[0-9a-f]{32}$")
_FILE_NAME = re.compile(r"^[\w.-]+$")


def _sys_id(value: str, what: str) -> str:
    if not _SYS_ID.match(value):
        raise ConfigError(f"{what} {value!r} is not a sys_id (32 hexadecimal characters).")
    return value


class WritingClient(ServiceNowClient):
    """A :class:`ServiceNowClient` whose transport can also send the writes of fix and attach."""

    def __init__(self, conn: ConnectionSettings, log: ExchangeLog | None = None) -> None:
        super().__init__(conn, log)
        # The read-only client builds a GET-only transport; this one replaces it (unused: no request was
        # sent) with the writing transport, so reads and writes share one session, login and exchange log.
        self._transport.close()
        self._writer = WritingTransport(conn, self.log)
        self._transport = self._writer

    def __enter__(self) -> WritingClient:
        return self

    def set_mid_server(self, method_sys_id: str, mid_sys_id: str, fields: Iterable[str]) -> dict[str, Any]:
        """PATCH ``{"use_mid_server": mid_sys_id}`` (``""`` clears it) on one HTTP method; the record back."""
        _sys_id(method_sys_id, "HTTP method")
        if mid_sys_id:
            _sys_id(mid_sys_id, "MID Server")
        return self._patch(METHOD_TABLE, method_sys_id, {MID_FIELD: mid_sys_id}, fields)

    def add_work_note(self, change_sys_id: str, text: str) -> dict[str, Any]:
        """PATCH ``{"work_notes": text}`` on one change request (journal fields read back empty)."""
        _sys_id(change_sys_id, "Change request")
        return self._patch(CHANGE_TABLE, change_sys_id, {"work_notes": text}, ("sys_id", "number"))

    def attach_file(
        self, change_sys_id: str, file_name: str, content: bytes, content_type: str
    ) -> dict[str, Any]:
        """POST one file to a change request through the Attachment API; the sys_attachment record back."""
        _sys_id(change_sys_id, "Change request")
        if not _FILE_NAME.match(file_name):
            raise ConfigError(f"attachment name {file_name!r} must be letters, digits, '.', '_' or '-'.")
        params = {"table_name": CHANGE_TABLE, "table_sys_id": change_sys_id, "file_name": file_name}
        reply = self._writer.write(
            "POST",
            Target(ATTACHMENT_PATH, table=CHANGE_TABLE, sys_id=change_sys_id),
            content,
            content_type,
            params,
            source=f"attach: {file_name}",
        )
        return self._one(reply.result, ATTACHMENT_PATH)

    def _patch(
        self, table: str, sys_id: str, values: dict[str, str], fields: Iterable[str]
    ) -> dict[str, Any]:
        path = f"/api/now/table/{table}/{sys_id}"
        wanted = tuple(fields)
        params = {"sysparm_exclude_reference_link": "true"}
        if wanted:
            params["sysparm_fields"] = ",".join(wanted)
        reply = self._writer.write(
            "PATCH",
            Target(path, table=table, sys_id=sys_id),
            json.dumps(values).encode(),
            "application/json",
            params,
            source=f"{'fix' if table == METHOD_TABLE else 'attach'}: {', '.join(values)}",
        )
        return self._one(reply.result, path)

    @staticmethod
    def _one(result: Any, path: str) -> dict[str, Any]:
        if not isinstance(result, dict):
            raise UnexpectedResponseError(
                f"{path} answered a 'result' that is not one record: check the URL."
            )
        return result
