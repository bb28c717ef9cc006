"""Writes are contained: only snow_preflight.fix reaches the writing path, and run, demo and replay send
nothing but reads (GET, plus the OAuth token POST) over a whole run."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from fix_support import LOGIN

from snow_preflight.cli import main
from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.servicenow.transport import Transport
from snow_preflight.simulator import RequestRecord, Simulator, server

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "snow_preflight"
WRITING = ("snow_preflight.servicenow.writing", "snow_preflight.fix.client")
WRITERS = {"WritingTransport", "WritingClient"}


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def problems(source: str, module: str) -> list[str]:
    """Why *module* (its text *source*) breaks the containment of writes; [] when it does not.

    Outside snow_preflight.fix (and the writing module itself): no import of the writing path, no mention
    of a writing class; and only the command line may import snow_preflight.fix, through its two entry
    modules (the arguments and the commands).
    """
    if _under(module, "snow_preflight.fix") or module == WRITING[0]:
        return []
    found = []
    package = module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Name | ast.Attribute):
            word = node.id if isinstance(node, ast.Name) else node.attr
            if word in WRITERS:
                found.append(f"{module}:{node.lineno} names {word}")
        for name in names:
            if any(_under(name, writing) for writing in WRITING) or name.rpartition(".")[2] in WRITERS:
                found.append(f"{module}:{node.lineno} imports {name}")
            elif _under(name, "snow_preflight.fix") and not (
                module == "snow_preflight.cli"
                and any(_under(name, f"snow_preflight.fix.{entry}") for entry in ("arguments", "commands"))
            ):
                found.append(
                    f"{module}:{node.lineno} imports {name}: only the command line may, by its entries"
                )
    return sorted(set(found))


def modules() -> list[tuple[str, Path]]:
    found = []
    for directory, _, files in os.walk(PACKAGE, followlinks=True):  # checks/ and reports/ are links
        relative = Path(directory).relative_to(PACKAGE.parent)
        if "__pycache__" in relative.parts:
            continue
        for file in files:
            if file.endswith(".py"):
                stem = file.removesuffix(".py")
                parts = [*relative.parts, *([] if stem == "__init__" else [stem])]
                found.append((".".join(parts), Path(directory) / file))
    return found


def test_only_the_fix_package_reaches_the_writing_path() -> None:
    """No module outside snow_preflight.fix imports or names the writing transport or client, and only the
    command line imports snow_preflight.fix (its arguments and commands)."""
    scanned = modules()
    names = {name for name, _ in scanned}
    assert {"snow_preflight.run", "snow_preflight.checks.rest", "snow_preflight.fix.client"} <= names
    found = [
        problem for name, path in scanned for problem in problems(path.read_text(encoding="utf-8"), name)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("snow_preflight.run", "from snow_preflight.servicenow.writing import WritingTransport\n"),
        ("snow_preflight.plugin", "def f():\n    from snow_preflight.fix.client import WritingClient\n"),
        ("snow_preflight.checks.rest", "import snow_preflight.servicenow.writing\n"),
        ("snow_preflight.servicenow.client", "from .writing import WritingTransport\n"),
        ("snow_preflight.snapshot", "from snow_preflight.servicenow import writing\n"),
        ("snow_preflight.run", "import snow_preflight.servicenow.transport as t\nt.WritingTransport\n"),
        ("snow_preflight.cli", "from snow_preflight.fix.client import WritingClient\n"),
        ("snow_preflight.run", "from snow_preflight.fix.commands import fix\n"),
    ],
)
def test_a_way_around_the_rule_is_caught(module: str, source: str) -> None:
    """An import of the writing path, a writing class reached by attribute, or fix imported by anything but
    the command line's entries, is reported."""
    assert problems(source, module)


def test_the_read_only_client_cannot_write() -> None:
    """The client that run builds has the plain GET-only transport, which has no method that sends a write."""
    conn = ConnectionSettings(base_url="http://127.0.0.1:9", username=LOGIN[0], password=LOGIN[1])
    with ServiceNowClient(conn) as client:
        assert type(client._transport) is Transport
    senders = {name for name in dir(Transport) if not name.startswith("__")}
    assert not senders & {"write", "patch", "put", "post", "delete", "request", "send"}


def _only_reads(records: list[RequestRecord]) -> None:
    assert records, "no request reached the simulator"
    assert writes_of(records) == []
    assert {r.method for r in records} <= {"GET", "POST"}


def writes_of(records: list[RequestRecord]) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in records if r.method != "GET" and r.path != "/oauth_token.do"]


@pytest.mark.parametrize("login", ["basic", "oauth"])
def test_run_sends_only_reads(
    login: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a whole `run` (bundle included), the simulator's log holds only GETs, and under OAuth the token
    POST to /oauth_token.do."""
    for name in [key for key in os.environ if key.startswith("SN_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    with Simulator("typical") as sim:
        creds = sim.credentials
        monkeypatch.setenv("SN_PASSWORD", creds["password"])
        extra = ["--client-id", creds["client_id"]] if login == "oauth" else []
        if login == "oauth":
            monkeypatch.setenv("SN_CLIENT_SECRET", creds["client_secret"])
        code = main(
            [
                "run",
                "--instance",
                sim.url,
                "--username",
                creds["username"],
                "--no-prompt",
                *extra,
                "--report-dir",
                str(tmp_path / "out"),
                "--bundle",
            ]
        )
        records = sim.requests
    assert code == 1
    _only_reads(records)
    tokens = [r for r in records if r.method == "POST"]
    assert [r.path for r in tokens] == (["/oauth_token.do"] if login == "oauth" else [])


def test_demo_sends_only_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a whole `demo` (bundle included), its simulator's log holds only GETs."""
    seen: list[list[RequestRecord]] = []
    stop = Simulator.stop

    def keep_log(self: Simulator) -> None:  # the demo's own simulator: its log, read as it stops
        seen.append(self.requests)
        stop(self)

    monkeypatch.setattr(server.Simulator, "stop", keep_log)
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--report-dir", str(tmp_path / "demo"), "--bundle"]) == 1
    assert len(seen) == 1
    _only_reads(seen[0])
    assert not [r for r in seen[0] if r.method == "POST"]


def test_replay_sends_no_request_at_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`replay` of a bundle sends nothing to the instance the bundle was read from, which is still up."""
    for name in [key for key in os.environ if key.startswith("SN_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    with Simulator("typical") as sim:
        monkeypatch.setenv("SN_PASSWORD", LOGIN[1])
        base = [
            "--instance",
            sim.url,
            "--username",
            LOGIN[0],
            "--no-prompt",
            "--report-dir",
            str(tmp_path / "out"),
        ]
        assert main(["run", *base, "--bundle"]) == 1
        [bundle] = (tmp_path / "out").glob("snow-preflight-bundle-*.zip")
        sim.clear_requests()
        assert main(["replay", str(bundle), "--report-dir", str(tmp_path / "replay")]) == 1
        assert sim.requests == []
