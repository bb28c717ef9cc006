"""``snow-preflight fix --mid NAME``: the plan, read-only, saved as fix-plan.json; and each refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from fix_support import Ran, admin_get, command, fresh, load, methods, mid_id, writes

from snow_preflight.simulator import Simulator

SCENARIO = "typical"


def _fix(sim: Simulator, tmp_path: Path, *args: str, **kw: object) -> Ran:
    return command(sim, tmp_path / "out", "fix", *args, **kw)  # type: ignore[arg-type]


def test_the_plan_shows_each_method_and_changes_nothing(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On typical, the plan lists GET - Projects to change and the two others unchanged, exits 2 (changes
    pending), and the simulator's request log holds only reads."""
    before = methods(sim)
    sim.clear_requests()
    ran = _fix(sim, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
    assert ran.code == 2, ran.text
    assert "~ GET - Projects" in ran.out
    assert "(empty) -> prod-mid-server" in ran.out
    assert "= GET - Webhooks" in ran.out
    assert "= POST - Run Webhook" in ran.out
    assert "1 to change, 2 unchanged" in ran.out
    assert sim.requests
    assert writes(sim) == []
    assert {r.method for r in sim.requests} == {"GET"}
    assert methods(sim) == before


def test_the_plan_is_saved_with_what_apply_needs(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """fix-plan.json holds the instance, the target's sys_id, and per change the value before and after and
    the record's sys_mod_count and sys_updated_on as planned."""
    _fix(sim, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
    plan = load(tmp_path / "out" / "fix-plan.json")
    assert plan["instance"] == sim.url
    assert plan["login"] == "svc_preflight"
    assert plan["target"]["sys_id"] == mid_id(sim, "prod-mid-server")
    [change] = plan["changes"]
    assert change["method"]["name"] == "GET - Projects"
    assert change["before"] == {"sys_id": "", "name": ""}
    assert change["after"]["name"] == "prod-mid-server"
    assert change["method"]["sys_mod_count"] == "0"
    assert change["method"]["sys_updated_on"]
    assert sorted(skip["method"]["name"] for skip in plan["unchanged"]) == [
        "GET - Webhooks",
        "POST - Run Webhook",
    ]


def test_the_plan_says_app_upgrades_skip_a_changed_record(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan discloses that a changed app record is a customer update, which app upgrades skip."""
    ran = _fix(sim, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
    assert "customer update" in ran.out
    assert "Skipped Changes to Review" in ran.out


def test_a_stale_heartbeat_of_the_target_is_noted(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target that shows Up with an old heartbeat (typical: 45 minutes) is planned, with a note."""
    ran = _fix(sim, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
    assert "last heartbeat" in ran.out
    assert "45 min ago" in ran.out


def test_nothing_to_change_exits_0_and_leaves_no_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every method already uses the target, the command says so, exits 0 and removes an older plan."""
    with fresh("typical") as typical:
        _fix(typical, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
    assert (tmp_path / "out" / "fix-plan.json").is_file()
    with fresh("healthy") as healthy:
        ran = _fix(healthy, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
        assert writes(healthy) == []
    assert ran.code == 0, ran.text
    assert "0 to change, 3 unchanged" in ran.out
    assert "Nothing to change." in ran.out
    assert not (tmp_path / "out" / "fix-plan.json").exists()


@pytest.mark.parametrize(
    ("scenario", "args", "reason"),
    [
        ("mid_down", ("--mid", "prod-mid-server"), "MID Server 'prod-mid-server' is Down, not Up"),
        ("mid_not_validated", ("--mid", "prod-mid-server"), "is Up but not validated (validated=false)"),
        ("typical", ("--mid", "no-such-mid"), "no MID Server is named 'no-such-mid'"),
        ("mid_name_twice", ("--mid", "prod-mid-server"), "2 MID Server records are named 'prod-mid-server'"),
        ("method_read_only_policy", ("--mid", "prod-mid-server"), "protected by its application's policy"),
        ("method_row_hidden", ("--mid", "prod-mid-server-2"), "hidden from this login by an ACL"),
        ("field_masked_use_mid_server", ("--mid", "prod-mid-server"), "sys_rest_message_fn.use_mid_server"),
        ("rest_message_missing", ("--mid", "prod-mid-server"), "no REST message 'Rundeck - API'"),
    ],
)
def test_a_plan_that_cannot_be_made_safely_is_refused(
    scenario: str,
    args: tuple[str, ...],
    reason: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A target that is not one Up, validated MID Server, a protected or unseen method, a missing message:
    exit 4, one line on stderr with the reason, no plan file, and no write."""
    with fresh(scenario) as instance:
        ran = _fix(instance, tmp_path, *args, capsys=capsys, monkeypatch=monkeypatch)
        assert writes(instance) == []
    assert ran.code == 4, ran.text
    assert reason in ran.err
    assert len(ran.err.strip().splitlines()) == 1
    assert ran.err.startswith("snow-preflight fix: refused: ")
    assert not (tmp_path / "out" / "fix-plan.json").exists()


def test_a_name_held_twice_asks_for_the_sys_id_and_the_sys_id_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two records named prod-mid-server: the refusal lists both sys_ids; --mid-sys-id of the Up one plans."""
    with fresh("mid_name_twice") as instance:
        refused = _fix(instance, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
        rows = admin_get(instance, "/api/now/table/ecc_agent", sysparm_query="name=prod-mid-server")
        assert len(rows) == 2
        assert all(row["sys_id"] in refused.err for row in rows)
        assert "--mid-sys-id" in refused.err
        up = next(row["sys_id"] for row in rows if row["status"] == "Up")
        ran = _fix(instance, tmp_path, "--mid-sys-id", up, capsys=capsys, monkeypatch=monkeypatch)
    assert ran.code == 2, ran.text
    assert load(tmp_path / "out" / "fix-plan.json")["target"]["sys_id"] == up


def test_only_the_message_in_the_apps_scope_is_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of Rundeck - API in another scope (legacy app, global copy) is neither planned nor listed."""
    for scenario in ("legacy_app_beside_new", "global_copy_of_message"):
        with fresh(scenario) as instance:
            ran = _fix(instance, tmp_path, "--mid", "prod-mid-server", capsys=capsys, monkeypatch=monkeypatch)
            assert ran.code == 0, ran.text  # the app's own three methods already use prod-mid-server
            assert "0 to change, 3 unchanged" in ran.out


def test_the_target_must_be_named(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """fix without --mid, --mid-sys-id or --undo is a usage error (exit 4) naming the missing flag."""
    ran = _fix(sim, tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert ran.code == 4
    assert "--mid NAME" in ran.err
    assert "Traceback" not in ran.text
