"""The catalogue: the real checklist's metadata is valid, and invalid metadata is refused."""

from __future__ import annotations

import pytest

from snow_preflight.errors import CatalogueError
from snow_preflight.judge.catalogue import check, fill, validate
from snow_preflight.judge.loading import AREAS, load_catalogue
from snow_preflight.judge.views import ITEM_KINDS
from snow_preflight.severity import Severity

# The ids are a contract that users' CI configurations depend on: changing one is a breaking change.
CONTRACT_IDS = {
    "instance_reachable",
    "login_authenticated",
    "app_installed",
    "login_has_role",
    "integration_user_has_role",
    "mid_server_up",
    "mid_server_release_matches",
    "mid_server_no_open_issues",
    "rest_message_present",
    "rest_method_uses_mid",
    "rest_methods_share_mid",
    "rest_documented_methods_present",
    "rest_probe_traffic_healthy",
}


def test_the_checklist_metadata_is_valid_and_keeps_its_ids() -> None:
    """Every check in checks/ validates, and the ids of the contract are all there."""
    specs = load_catalogue(item_kinds=ITEM_KINDS, entry_points=False).specs
    assert set(specs) >= CONTRACT_IDS
    assert all(spec.area in AREAS for spec in specs.values())


def test_vague_title_is_refused() -> None:
    """A title that begins with 'Ensure' is refused: titles state the good state."""

    @check(title="Ensure the thing", severity=Severity.LOW, remediation=("x",), requires=())
    def check_vague() -> None:
        """A check with a vague title."""

    with pytest.raises(CatalogueError, match="good state"):
        validate([check_vague], ITEM_KINDS)


def test_unknown_requirement_is_refused() -> None:
    """A check that requires an id nobody declares is refused."""

    @check(title="A thing is so", severity=Severity.LOW, remediation=("x",), requires=("nope",))
    def check_needy() -> None:
        """A check requiring an unknown id."""

    with pytest.raises(CatalogueError, match="unknown check 'nope'"):
        validate([check_needy], ITEM_KINDS)


def test_missing_remediation_is_refused() -> None:
    """A check without remediation steps is refused."""

    @check(title="A thing is so", severity=Severity.LOW, remediation=(), requires=())
    def check_bare() -> None:
        """A check with no remediation."""

    with pytest.raises(CatalogueError, match="remediation"):
        validate([check_bare], ITEM_KINDS)


def test_fill_leaves_unknown_placeholders() -> None:
    """Remediation placeholders without a value stay visible rather than crashing the report."""
    assert fill(["Open {mid} then {other}"], {"mid": "mid-01"}) == ["Open mid-01 then {other}"]
