"""Evidence on the change request: report.html and report.json attached, and a work note with the verdict.

The Attachment API (``POST /api/now/attachment/file``, the file as the body, ``Content-Type`` mandatory)
needs write access to the change request, which a pre-flight login rarely has (research §2): ``attach``
takes its own login (``--attach-username``, ``SN_ATTACH_PASSWORD``). A change request that does not exist,
cannot be seen or cannot be written is one line naming the cause and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from snow_preflight import __version__
from snow_preflight.errors import FixRefusedError, InstanceError, WriteRefusedError
from snow_preflight.fix.client import CHANGE_TABLE, WritingClient
from snow_preflight.fix.model import FORMAT
from snow_preflight.reports.json_report import load_report
from snow_preflight.reports.model import RunReport, Verdict
from snow_preflight.servicenow.exchange import Exchange

#: What is attached, in this order, with the Content-Type the Attachment API requires.
FILES = (("report.html", "text/html; charset=utf-8"), ("report.json", "application/json"))
RESULT_FILE = "attach-result.json"
_SYS_ID = re.compile(r"^[0-9a-f]{32}$")
_NUMBER = re.compile(r"^[A-Za-z]{2,8}\d{3,12}$")
_HELP = (
    "attach as a login that may write change requests (itil): --attach-username USER with SN_ATTACH_PASSWORD"
)


class Attached(BaseModel):
    file_name: str
    sys_id: str
    size_bytes: str
    content_type: str


class AttachResult(BaseModel):
    kind: str = "snow-preflight attach"
    format: int = FORMAT
    tool_version: str = __version__
    instance: str
    login: str
    change: str
    change_sys_id: str
    attached: list[Attached] = Field(default_factory=list)
    work_note: str = ""
    exchanges: list[Exchange] = Field(default_factory=list)


@dataclass
class Evidence:
    """The report folder's files to attach, and the run they describe."""

    report: RunReport
    files: dict[str, bytes] = field(default_factory=dict)


def read_evidence(directory: Path) -> Evidence:
    """report.html and report.json of *directory*; FixRefusedError when either is missing or unreadable."""
    files: dict[str, bytes] = {}
    for name, _ in FILES:
        try:
            files[name] = (directory / name).read_bytes()
        except OSError:
            raise FixRefusedError(
                f"no {name} in {directory}: run 'snow-preflight run --report-dir {directory}' first, or point "
                "--report-dir at the folder of the run to attach."
            ) from None
    return Evidence(load_report(files["report.json"]), files)


def work_note(report: RunReport) -> str:
    """The note: verdict, instance, when, gate and counts, tool version."""
    info, counts = report.run, report.run.counts
    verdict = "GO" if info.verdict is Verdict.GO else "NO-GO"
    return (
        f"snow-preflight {verdict} for {info.instance} (run {info.started_at:%Y-%m-%d %H:%M:%S} UTC as "
        f"{info.login}, gate {info.gate.value}: {counts.passed} passed, {counts.failed} failed, {counts.error} "
        f"could not be verified, {counts.skipped} skipped). Judged by snow-preflight {info.tool_version}; "
        f"attached by snow-preflight {__version__}: report.html, report.json."
    )


def find_change(client: WritingClient, change: str) -> dict[str, Any]:
    """The change request named by number (CHG0030001) or sys_id; one line when it cannot be found."""
    by_id = bool(_SYS_ID.match(change))
    if not by_id and not _NUMBER.match(change):
        raise FixRefusedError(f"--change {change!r} is neither a change number (CHG0030001) nor a sys_id.")
    read = client.table(
        CHANGE_TABLE,
        query=f"sys_id={change}" if by_id else f"number={change}",
        fields=("sys_id", "number", "short_description"),
        source="attach: change request",
    )
    if len(read.rows) != 1:
        login = client.conn.username or "this login"
        raise InstanceError(
            f"change request {change} does not exist, or {login} may not see it: check the number, or {_HELP}."
        )
    return read.rows[0]


def attach_evidence(client: WritingClient, change: str, evidence: Evidence, say: Any) -> AttachResult:
    """Attach the files, then the work note; a refused write is one line naming the change and the fix."""
    client.authenticate()
    record = find_change(client, change)
    number, sys_id = str(record.get("number") or change), str(record.get("sys_id"))
    result = AttachResult(
        instance=client.conn.base_url,
        login=client.conn.username or "(token)",
        change=number,
        change_sys_id=sys_id,
        work_note=work_note(evidence.report),
    )
    try:
        for name, content_type in FILES:
            content = evidence.files[name]
            row = client.attach_file(sys_id, name, content, content_type)
            result.attached.append(
                Attached(
                    file_name=name,
                    sys_id=str(row.get("sys_id", "")),
                    size_bytes=str(row.get("size_bytes", len(content))),
                    content_type=content_type,
                )
            )
            say(
                f"  POST /api/now/attachment/file {CHANGE_TABLE}/{sys_id} ({number}) {name}, {len(content)} bytes: done"
            )
        client.add_work_note(sys_id, result.work_note)
        say(f"  PATCH {CHANGE_TABLE}/{sys_id} ({number}) work_notes: done")
    except WriteRefusedError as exc:
        done = ", ".join(a.file_name for a in result.attached) or "nothing"
        if exc.status == 403:
            cause = f"the login {result.login} may not write change request {number}"
        else:
            cause = f"the instance refused the write to change request {number} with {exc.status}"
        raise InstanceError(f"{cause}{exc.said}; {done} attached: {_HELP}.", status=exc.status) from None
    return result
