"""The simulated instance's REST endpoints, independent of the HTTP transport.

:meth:`Instance.handle` takes a parsed request and returns a :class:`Response`. Order of
evaluation mirrors what sits in front of a real instance: faults first (a hibernating instance
or an SSO proxy answers before the platform authenticates anyone), then authentication, then
the endpoint. Writes (PATCH/PUT of a record, the Attachment API) are :mod:`writes`'s; a POST or
DELETE on the Table API is refused with the platform's ACL error.
"""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import parse_qs

from snow_preflight.simulator import responses as r
from snow_preflight.simulator.acl import Persona, persona_for
from snow_preflight.simulator.auth import Authenticator, Identity
from snow_preflight.simulator.faults import FaultBook
from snow_preflight.simulator.query import Condition, Context, Query, compile_query, now_utc, parse, sort_rows
from snow_preflight.simulator.render import Renderer
from snow_preflight.simulator.request import Request, bounded_int, link_header
from snow_preflight.simulator.responses import Response
from snow_preflight.simulator.scenarios import Scenario
from snow_preflight.simulator.store import Row, Store
from snow_preflight.simulator.writes import ATTACHMENT_FILE, Caller, Writes

_TABLE = re.compile(r"^/api/now/(?:(v1|v2)/)?table/([^/]+)(?:/([^/]+))?/?$")
_STATS = re.compile(r"^/api/now/(?:(v1)/)?stats/([^/]+)/?$")
_ATTACHMENT = re.compile(r"^/api/now/(?:v1/)?attachment/([0-9A-Za-z]+)/file/?$")
_CURRENT_USER = "/api/now/ui/user/current_user"
_OAUTH = "/oauth_token.do"
DEFAULT_LIMIT = 10000


class Instance:
    def __init__(self, scenario: Scenario, faults: FaultBook, expires_in: float | None = None) -> None:
        self.scenario = scenario
        self.store = Store(scenario.tables)
        self.writes = Writes(self.store, scenario.touches)
        self.faults = faults
        users = self.store.rows("sys_user")
        self._users: dict[str, Row] = {row["user_name"]: row for row in users}
        # Inactive or locked-out users get the same 401 as a wrong password.
        active = {
            name
            for name, row in self._users.items()
            if row["active"] == "true" and row["locked_out"] != "true"
        }
        settings_ttl = float(scenario.settings.get("oauth_expires_in", 1799))
        self.auth = Authenticator(scenario, active, expires_in if expires_in is not None else settings_ttl)
        admin_roles = {row["sys_id"] for row in self.store.rows("sys_user_role") if row["name"] == "admin"}
        self._admins = {
            row["user"] for row in self.store.rows("sys_user_has_role") if row["role"] in admin_roles
        }
        self._personas: dict[str, Persona] = {}
        self._lock = threading.Lock()
        self.wording = str(scenario.settings.get("auth_message", "current"))

    # -- entry point -------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        fault = self.faults.take(request.method, request.path)
        if fault is not None and fault.delay > 0:
            time.sleep(fault.delay)
        if fault is not None:
            canned = r.fault_answer(fault, request.path, self.wording)
            if canned is not None:
                canned.fault = fault.resolved_kind()
                return canned
        response = self._dispatch(request)
        if fault is not None:
            response.fault = fault.resolved_kind()
            if response.fault == "malformed" and response.body:
                response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    def _dispatch(self, request: Request) -> Response:
        method = request.method
        if method == "POST" and "x-http-method-override" in request.headers:
            method = request.headers["x-http-method-override"].upper()
        if request.path == _OAUTH:
            return self._oauth(request) if method == "POST" else r.error(405, "Method not Supported", None)
        identity = self.auth.identify(request.headers)
        if identity is None:
            return r.unauthenticated(self.wording)
        response = self._route(request, method, identity)
        response.user_name = identity.user_name
        return response

    def _route(self, request: Request, method: str, identity: Identity) -> Response:
        table_match = _TABLE.match(request.path)
        if table_match is not None:
            version, table, sys_id = table_match.groups()
            if method in ("PATCH", "PUT") and sys_id is not None:
                return self._update(request, identity, version, table, sys_id)
            if method not in ("GET", "HEAD"):
                return r.write_denied(method)
            return self._table(request, identity, version, table, sys_id)
        if request.path.rstrip("/") == ATTACHMENT_FILE and method == "POST":
            params = {k: v[0] for k, v in request.query.items()}
            content_type = request.headers.get("content-type", "")
            return self.writes.attach(
                self._caller(identity), params, content_type, request.body, request.base_url
            )
        attachment = _ATTACHMENT.match(request.path)
        if attachment is not None and method in ("GET", "HEAD"):
            return self.writes.file(self._caller(identity), attachment.group(1))
        stats_match = _STATS.match(request.path)
        if method not in ("GET", "HEAD"):
            return r.error(405, "Method not Supported", "Requested method is not supported by the resource")
        if stats_match is not None:
            return self._stats(request, identity, stats_match.group(2))
        if request.path.rstrip("/") == _CURRENT_USER:
            return self._current_user(identity)
        return r.error(400, "Requested URI does not represent any resource", None)

    # -- helpers -----------------------------------------------------------------------------

    def _context(self, identity: Identity) -> Context:
        user = self._users.get(identity.user_name)
        return Context(user["sys_id"] if user else "", identity.user_name, now_utc())

    def _persona(self, identity: Identity) -> Persona:
        with self._lock:
            persona = self._personas.get(identity.user_name)
            if persona is None:
                user = self._users.get(identity.user_name)
                is_admin = user is not None and user["sys_id"] in self._admins
                persona = persona_for(
                    identity.user_name, is_admin, self.scenario.acl, self.store, self._context(identity)
                )
                self._personas[identity.user_name] = persona
            return persona

    def _caller(self, identity: Identity) -> Caller:
        user = self._users.get(identity.user_name)
        sys_id = user["sys_id"] if user else ""
        return Caller(identity.user_name, sys_id, sys_id in self._admins, self._persona(identity))

    def _renderer(self, request: Request, persona: Persona, version: str | None) -> Renderer:
        prefix = f"/api/now/{version}/table" if version else "/api/now/table"
        return Renderer(
            self.store,
            persona,
            request.param("sysparm_display_value", "false").lower(),
            request.param("sysparm_exclude_reference_link", "false").lower() == "true",
            request.base_url + prefix,
        )

    def _query(self, request: Request, table: str) -> Query:
        query = parse(request.param("sysparm_query"), self.store, table)
        # Name-value filters (`&active=true`) AND into every branch of the encoded query.
        extra = [
            [Condition(name, "=", values[0])]
            for name, values in request.query.items()
            if not name.startswith("sysparm_") and self.store.field_type(table, name) is not None
        ]
        if extra:
            query.branches = [branch + extra for branch in query.branches] or [extra]
        return query

    # -- endpoints ---------------------------------------------------------------------------

    def _table(
        self, request: Request, identity: Identity, version: str | None, table: str, sys_id: str | None
    ) -> Response:
        if not self.store.has_table(table):
            return r.error(400, f"Invalid table {table}", None)
        persona = self._persona(identity)
        if not persona.can_read_table(table):
            return r.table_denied(table)
        renderer = self._renderer(request, persona, version)
        fields = renderer.fields_for(table, request.param("sysparm_fields"))
        if sys_id is not None:
            row = self.store.get(table, sys_id)
            if row is None or not persona.can_read_row(table, row):
                return r.not_found()
            response = r.json_response(200, {"result": renderer.row(table, row, fields)})
            self.writes.served(table, [row])
            return response
        query = self._query(request, table)
        predicate = compile_query(query, self.store, table, self._context(identity))
        matched = [row for row in self.store.rows(table) if predicate(row)]
        if query.order:
            matched = sort_rows(matched, query.order, self.store, table)
        limit = bounded_int(request.param("sysparm_limit"), DEFAULT_LIMIT, minimum=1)
        offset = bounded_int(request.param("sysparm_offset"), 0, minimum=0)
        # The limit cuts the page before row ACLs run, so a page can come back short or empty.
        page = [row for row in matched[offset : offset + limit] if persona.can_read_row(table, row)]
        if version == "v1" and not page:
            return r.not_found()
        headers: dict[str, str] = {}
        if request.param("sysparm_no_count").lower() != "true":
            headers["X-Total-Count"] = str(len(matched))  # ACL-blind, as measured (LH-124)
        if request.param("sysparm_suppress_pagination_header").lower() != "true":
            link = link_header(request, len(matched), offset, limit)
            if link:
                headers["Link"] = link
        result = [renderer.row(table, row, fields) for row in page]
        response = r.json_response(200, {"result": result}, headers)
        self.writes.served(table, page)
        return response

    def _update(
        self, request: Request, identity: Identity, version: str | None, table: str, sys_id: str
    ) -> Response:
        if not self.store.has_table(table):
            return r.error(400, f"Invalid table {table}", None)
        persona = self._persona(identity)
        if not persona.can_read_table(table):
            return r.write_denied(request.method)
        renderer = self._renderer(request, persona, version)
        fields = renderer.fields_for(table, request.param("sysparm_fields"))
        return self.writes.update(
            self._caller(identity),
            table,
            sys_id,
            request.body,
            lambda row: renderer.row(table, row, fields),
            by_display=request.param("sysparm_input_display_value").lower() == "true",
        )

    def _stats(self, request: Request, identity: Identity, table: str) -> Response:
        if not self.store.has_table(table):
            return r.error(400, f"Invalid table {table}", None)
        if not self._persona(identity).can_read_table(table):
            return r.table_denied(table)
        predicate = compile_query(self._query(request, table), self.store, table, self._context(identity))
        matched = [row for row in self.store.rows(table) if predicate(row)]
        counting = request.param("sysparm_count").lower() == "true"
        group_by = [g for g in request.param("sysparm_group_by").split(",") if g]
        group_by = [g for g in group_by if self.store.field_type(table, g) is not None]
        if not group_by:
            stats = {"count": str(len(matched))} if counting else {}
            return r.json_response(200, {"result": {"stats": stats}})
        groups: dict[tuple[str, ...], int] = {}
        for row in matched:
            key = tuple(self.store.value(table, row, g) for g in group_by)
            groups[key] = groups.get(key, 0) + 1
        result = [
            {
                "stats": {"count": str(count)} if counting else {},
                "groupby_fields": [{"field": g, "value": v} for g, v in zip(group_by, key, strict=True)],
            }
            for key, count in sorted(groups.items())
        ]
        return r.json_response(200, {"result": result})

    def _current_user(self, identity: Identity) -> Response:
        user = self._users.get(identity.user_name, {})
        return r.json_response(
            200,
            {
                "result": {
                    "user_sys_id": user.get("sys_id", ""),
                    "user_name": identity.user_name,
                    "name": user.get("name", ""),
                    "email": user.get("email", ""),
                    "user_display_name": user.get("name", ""),
                    "user_first_name": user.get("first_name", ""),
                    "user_last_name": user.get("last_name", ""),
                }
            },
        )

    def _oauth(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        answer = self.auth.token(form)
        if answer is None:
            return r.oauth_denied()
        body, user = answer
        response = r.json_response(200, body)
        response.user_name = user
        return response


__all__ = ["Instance", "Response"]
