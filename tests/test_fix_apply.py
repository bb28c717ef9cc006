"""``snow-preflight fix --apply`` and ``--undo FILE --apply``: exactly the planned writes, proved afterwards,
refused when stale or denied, and undone record for record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from fix_support import ADMIN, METHODS, Ran, command, fresh, load, methods, mid_id, without_audit, writes

from snow_preflight.simulator import Simulator


def _fix(sim: Simulator, tmp_path: Path, *args: str, **kw: object) -> Ran:
    return command(sim, tmp_path / "out", "fix", *args, **kw)  # type: ignore[arg-type]


def _undo_file(tmp_path: Path) -> Path:
    [path] = (tmp_path / "out").glob("fix-undo-*.json")
    return path


def test_apply_patches_only_use_mid_server_on_the_methods_that_need_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On typical, --apply sends one PATCH, to GET - Projects, with use_mid_server as its only field, and
    shows it on the console; nothing else on the instance changes."""
    with fresh("typical") as sim:
        before = methods(sim)
        ran = _fix(
            sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch
        )
        after = methods(sim)
        patches = writes(sim)
        target = mid_id(sim, "prod-mid-server")
    projects = next(key for key, row in before.items() if row["function_name"] == "GET - Projects")
    assert [(r.method, r.path, r.fields, r.status) for r in patches] == [
        ("PATCH", f"{METHODS}/{projects}", ("use_mid_server",), 200)
    ]
    assert (
        f"PATCH sys_rest_message_fn/{projects} (GET - Projects) use_mid_server: (empty) -> prod-mid-server"
        in ran.out
    )
    assert after[projects]["use_mid_server"] == target
    expected = {key: dict(row) for key, row in before.items()}
    expected[projects]["use_mid_server"] = target
    assert without_audit(after) == without_audit(expected)
    assert after[projects]["sys_mod_count"] == "1"
    assert after[projects]["sys_updated_by"] == "svc_preflight"


def test_after_apply_the_checklist_passes_every_method(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--apply re-runs the checklist into the usual reports: every rest_method_uses_mid[*] has passed, and
    the exit status is the checklist's (typical stays no-go for its stale MID Server heartbeat)."""
    with fresh("typical") as sim:
        ran = _fix(
            sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch
        )
    report = load(tmp_path / "out" / "report.json")
    uses_mid = {r["id"]: r["outcome"] for r in report["results"] if r["check"] == "rest_method_uses_mid"}
    assert len(uses_mid) == 3, uses_mid
    assert set(uses_mid.values()) == {"passed"}, uses_mid
    assert (tmp_path / "out" / "junit.xml").is_file()
    assert (tmp_path / "out" / "report.html").is_file()
    assert ran.code == (0 if report["run"]["verdict"] == "go" else 1)
    assert report["run"]["verdict"] == "no-go"


def test_the_undo_file_is_written_first_and_says_what_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The undo file is named for the instance and UTC time, is announced before the first PATCH, and holds
    the instance, login, and each method's value before and after, marked applied."""
    with fresh("typical") as sim:
        ran = _fix(
            sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch
        )
    path = _undo_file(tmp_path)
    assert path.name.startswith("fix-undo-127.0.0.1-")
    assert path.name.endswith("Z.json")
    assert ran.out.index("Undo file (written before any change)") < ran.out.index("PATCH sys_rest_message_fn")
    undo = load(path)
    assert undo["instance"] == sim.url
    assert undo["login"] == "svc_preflight"
    assert undo["written_at"]
    [entry] = undo["methods"]
    assert entry["name"] == "GET - Projects"
    assert entry["before"]["sys_id"] == ""
    assert entry["applied"] is True
    assert f"fix --undo {path} --apply" in ran.out


def test_undo_puts_the_instance_back_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--undo FILE shows the way back and writes nothing (exit 2); --undo FILE --apply restores the record:
    every field of every HTTP method equals what it was before the fix, the audit fields aside."""
    with fresh("typical") as sim:
        before = methods(sim)
        _fix(sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch)
        path = str(_undo_file(tmp_path))
        count = len(writes(sim))
        shown = _fix(sim, tmp_path, "--undo", path, capsys=capsys, monkeypatch=monkeypatch)
        assert shown.code == 2
        assert "~ GET - Projects" in shown.out
        assert "prod-mid-server -> (empty)" in shown.out
        assert len(writes(sim)) == count
        undone = _fix(sim, tmp_path, "--undo", path, "--apply", capsys=capsys, monkeypatch=monkeypatch)
        after = methods(sim)
        assert [r.fields for r in writes(sim)[count:]] == [("use_mid_server",)]
    assert without_audit(after) == without_audit(before)
    assert undone.code == 1  # the checklist afterwards: GET - Projects calls Rundeck directly again


def test_undo_leaves_alone_a_record_changed_since_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A method whose MID Server someone set to another value after the fix is not restored by undo."""
    with fresh("typical") as sim:
        _fix(sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch)
        [entry] = load(_undo_file(tmp_path))["methods"]
        other = mid_id(sim, "prod-mid-server-2")
        edit = requests.patch(
            f"{sim.url}{METHODS}/{entry['sys_id']}", json={"use_mid_server": other}, auth=ADMIN, timeout=10
        )
        assert edit.status_code == 200
        count = len(writes(sim))
        ran = _fix(
            sim,
            tmp_path,
            "--undo",
            str(_undo_file(tmp_path)),
            "--apply",
            capsys=capsys,
            monkeypatch=monkeypatch,
        )
        assert len(writes(sim)) == count
        assert methods(sim)[entry["sys_id"]]["use_mid_server"] == other
    assert ran.code == 0
    assert "not what the fix wrote: left alone" in ran.out


def test_a_login_without_write_rights_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 403 "ACL Exception Update Failed": one line on stderr naming the login and the fix, exit 1, the
    instance unchanged, and no undo file left behind."""
    with fresh("no_write_rights") as sim:
        before = methods(sim)
        ran = _fix(
            sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch
        )
        assert methods(sim) == before
        assert [r.status for r in writes(sim)] == [403]
    assert ran.code == 1
    [line] = ran.err.strip().splitlines()
    assert line.startswith(
        "snow-preflight fix: failed: nothing was changed: the instance denied the write with 403"
    )
    assert "ACL Exception Update Failed due to security constraints" in line
    assert "svc_preflight" in line
    assert "NOT changed" in ran.out
    assert not list((tmp_path / "out").glob("fix-undo-*.json"))
    result = load(tmp_path / "out" / "fix-result.json")
    assert result["stopped"]
    assert [o["changed"] for o in result["outcomes"]] == [False]


def test_a_record_changed_between_plan_and_apply_is_refused_and_the_others_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In changed_between_plan_and_apply, jane.doe edits GET - Webhooks after the plan read it: --apply
    refuses that method (sys_mod_count moved), reports it, applies GET - Projects, and exits 1."""
    with fresh("changed_between_plan_and_apply") as sim:
        ran = _fix(
            sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch
        )
        after = {row["function_name"]: row for row in methods(sim).values()}
        patched = [r.path for r in writes(sim)]
    assert ran.code == 1
    assert after["GET - Projects"]["use_mid_server"] == after["POST - Run Webhook"]["use_mid_server"]
    assert after["GET - Webhooks"]["use_mid_server"] == ""
    assert patched == [f"{METHODS}/{after['GET - Projects']['sys_id']}"]
    assert "GET - Webhooks (changed since the plan (sys_mod_count 0 -> 1" in ran.out
    assert "by jane.doe" in ran.out
    undo = load(_undo_file(tmp_path))
    assert {e["name"]: e["applied"] for e in undo["methods"]} == {
        "GET - Projects": True,
        "GET - Webhooks": False,
    }


def test_a_saved_plan_is_applied_and_refused_where_the_record_moved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan saved by `fix --mid` is the one --apply applies; a method an admin edited in between is refused
    as stale and left as the admin saved it."""
    with fresh("typical") as sim:
        _fix(sim, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
        [change] = load(tmp_path / "out" / "fix-plan.json")["changes"]
        sys_id = change["method"]["sys_id"]
        requests.patch(f"{sim.url}{METHODS}/{sys_id}", json={"content": "{}"}, auth=ADMIN, timeout=10)
        ran = _fix(
            sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch
        )
        assert [r.method for r in writes(sim)] == ["PATCH"]  # the admin's edit only
        assert methods(sim)[sys_id]["use_mid_server"] == ""
    assert "Applying the plan saved in" in ran.out
    assert "changed since the plan" in ran.out
    assert ran.code == 1
    assert "nothing was changed" in ran.err
    assert not (tmp_path / "out" / "fix-plan.json").exists()


def test_where_the_change_was_captured_is_said_or_could_not_be_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An admin login reads the customer update and names its update set; the pre-flight login, which may not
    read sys_update_xml, is told it could not be verified."""
    with fresh("typical") as sim:
        ran = _fix(
            sim,
            tmp_path,
            "--mid",
            "prod-mid-server",
            "--apply",
            capsys=capsys,
            monkeypatch=monkeypatch,
            login=ADMIN,
        )
    assert (
        "Captured: GET - Projects: captured in update set 'Default' (in progress) of application x_pd_process_autom"
        in ran.out
    )
    with fresh("typical") as sim:
        ran = _fix(
            sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch
        )
    assert "could not be verified: this login may not read sys_update_xml" in ran.out


def test_the_result_file_logs_every_write_and_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """fix-result.json's exchange log shows the PATCH with its table, sys_id and field; neither it, the undo
    file nor the console holds the password."""
    with fresh("typical") as sim:
        ran = _fix(
            sim, tmp_path, "--mid", "prod-mid-server", "--apply", capsys=capsys, monkeypatch=monkeypatch
        )
    result = load(tmp_path / "out" / "fix-result.json")
    [patch] = [x for x in result["exchanges"] if x["method"] != "GET"]
    assert patch["method"] == "PATCH"
    assert patch["path"].startswith(f"{METHODS}/")
    assert patch["status"] == 200
    assert patch["source"] == "fix: use_mid_server"
    texts = [ran.text, *(p.read_text() for p in (tmp_path / "out").glob("fix-*.json"))]
    assert not any("preflight-demo-pw" in text for text in texts)
    assert json.dumps(result["outcomes"][0]["after"]) == json.dumps(
        {"sys_id": result["outcomes"][0]["after"]["sys_id"], "name": "prod-mid-server"}
    )


def test_apply_over_oauth_sends_the_token_request_and_the_patch_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Logged in with the OAuth password grant, --apply's only non-GET requests are token POSTs and the one
    PATCH; neither the client secret nor the access token reaches the console or a file."""
    with fresh("typical") as sim:
        creds = sim.credentials
        ran = _fix(
            sim,
            tmp_path,
            "--client-id",
            creds["client_id"],
            "--mid",
            "prod-mid-server",
            "--apply",
            capsys=capsys,
            monkeypatch=monkeypatch,
            env={"SN_CLIENT_SECRET": creds["client_secret"]},
        )
        sent = [(r.method, r.path) for r in sim.requests if r.method != "GET"]
    assert ran.code == 1, ran.text  # the checklist afterwards: no-go for the stale heartbeat
    # The fix's token, its one PATCH, then the checklist's own token for the run afterwards.
    assert [method for method, _ in sent] == ["POST", "PATCH", "POST"]
    assert {path for method, path in sent if method == "POST"} == {"/oauth_token.do"}
    texts = [ran.text, *(p.read_text() for p in (tmp_path / "out").iterdir() if p.suffix == ".json")]
    assert not any(creds["client_secret"] in text for text in texts)
