"""ServiceNow's own Python client (pysnc) reads the simulator over HTTPS as it reads an instance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pysnc
import pytest
import trustme

from snow_preflight.servicenow.client import ServiceNowClient
from snow_preflight.servicenow.connection import ConnectionSettings
from snow_preflight.simulator import Simulator, TlsFiles


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A CA made at test time with trustme, and a server certificate for 127.0.0.1 signed by it."""
    directory = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    files = TlsFiles(ca=directory / "ca.pem", cert=directory / "cert.pem", key=directory / "key.pem")
    ca.cert_pem.write_to_path(str(files.ca))
    server.cert_chain_pems[0].write_to_path(str(files.cert))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(files.cert), append=True)
    server.private_key_pem.write_to_path(str(files.key))
    return files


@pytest.fixture(autouse=True)
def _no_env_ca_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests lets REQUESTS_CA_BUNDLE override a session's verify= (psf/requests#3829); pysnc sets
    only the session's, so the environment's bundle must not be there to trust our test CA."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


def client(sim: Simulator, ca: Path) -> object:
    creds = sim.credentials
    return pysnc.ServiceNowClient(sim.url, (creds["username"], creds["password"]), verify=str(ca))


def ours(sim: Simulator, ca: Path) -> ServiceNowClient:
    creds = sim.credentials
    return ServiceNowClient(
        ConnectionSettings(
            base_url=sim.url, username=creds["username"], password=creds["password"], ca_bundle=ca
        )
    )


@pytest.fixture(scope="module")
def healthy(tls_files: TlsFiles) -> Iterator[Simulator]:
    with Simulator("healthy", tls=tls_files) as sim:
        yield sim


def test_dot_walked_query_with_display_values(healthy: Simulator, tls_files: TlsFiles) -> None:
    """pysnc finds the Rundeck - API methods by a dot-walked query, with MID names and display values."""
    gr = client(healthy, tls_files.ca).GlideRecord("sys_rest_message_fn")  # type: ignore[attr-defined]
    gr.add_encoded_query("rest_message.name=Rundeck - API")
    gr.fields = ["function_name", "http_method", "use_mid_server", "use_mid_server.name"]
    gr.order_by("function_name")
    gr.query()
    seen = []
    while gr.next():
        seen.append(
            (
                gr.get_value("function_name"),
                gr.get_value("http_method"),
                gr.get_display_value("use_mid_server"),
                gr.get_value("use_mid_server.name"),
                len(gr.get_value("use_mid_server")),
            )
        )
    assert seen == [
        ("GET - Projects", "GET", "prod-mid-server", "prod-mid-server", 32),
        ("GET - Webhooks", "GET", "prod-mid-server", "prod-mid-server", 32),
        ("POST - Run Webhook", "POST", "prod-mid-server", "prod-mid-server", 32),
    ]


def test_get_by_sys_id(healthy: Simulator, tls_files: TlsFiles) -> None:
    """pysnc's get(sys_id) reads one record through /table/{t}/{sys_id}."""
    gr = client(healthy, tls_files.ca).GlideRecord("sys_user")  # type: ignore[attr-defined]
    assert gr.get("6816f79cc0a8016401c5a33be04be441")
    assert gr.get_value("user_name") == "admin"


def test_paging_across_many_pages(tls_files: TlsFiles) -> None:
    """With a small batch size pysnc pages through all 800 MID Servers of the large scenario."""
    with Simulator("large", tls=tls_files) as sim:
        gr = client(sim, tls_files.ca).GlideRecord("ecc_agent", batch_size=97)  # type: ignore[attr-defined]
        gr.fields = ["name", "status"]
        gr.query()
        names = []
        while gr.next():
            names.append(gr.get_value("name"))
        pages = [r for r in sim.requests if r.path == "/api/now/table/ecc_agent"]
    assert len(names) == 800
    assert len(set(names)) == 800
    assert len(gr) == 800
    assert len(pages) == 9
    assert {r.query["sysparm_limit"] for r in pages} == {"97"}


def test_our_client_gets_the_rows_and_shapes_pysnc_gets(healthy: Simulator, tls_files: TlsFiles) -> None:
    """Same dot-walked query, display values on: pysnc's records and our client's rows carry the same values."""
    fields = ["sys_id", "function_name", "http_method", "use_mid_server", "use_mid_server.name"]
    gr = client(healthy, tls_files.ca).GlideRecord("sys_rest_message_fn")  # type: ignore[attr-defined]
    gr.add_encoded_query("rest_message.name=Rundeck - API")
    gr.fields = fields
    gr.display_value = "all"
    gr.order_by("sys_id")
    gr.query()
    theirs = []
    while gr.next():
        theirs.append({f: (gr.get_value(f), gr.get_display_value(f)) for f in fields})
    with ours(healthy, tls_files.ca) as mine:
        read = mine.table(
            "sys_rest_message_fn", query="rest_message.name=Rundeck - API", fields=fields, display_value="all"
        )
    rows = [{f: (row[f]["value"], row[f]["display_value"]) for f in fields} for row in read.rows]
    assert len(rows) == 3
    assert rows == theirs
    assert read.total == 3
    assert read.hidden == 0


def test_our_client_pages_like_pysnc(tls_files: TlsFiles) -> None:
    """Across many short pages, our client and pysnc both see all 800 MID Servers, in the same order."""
    with Simulator("large", tls=tls_files) as sim:
        gr = client(sim, tls_files.ca).GlideRecord("ecc_agent", batch_size=97)  # type: ignore[attr-defined]
        gr.fields = ["sys_id", "name", "status"]
        gr.order_by("sys_id")
        gr.query()
        theirs = []
        while gr.next():
            theirs.append((gr.get_value("sys_id"), gr.get_value("name"), gr.get_value("status")))
        with ours(sim, tls_files.ca) as mine:
            read = mine.table("ecc_agent", fields=["sys_id", "name", "status"], page_size=97)
    mine_rows = [(r["sys_id"], r["name"], r["status"]) for r in read.rows]
    assert len(mine_rows) == 800
    assert read.pages == 9
    assert mine_rows == theirs
