"""write_reports: three redacted files, written atomically, touching nothing else in the directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_samples import sample_run

from snow_preflight.redaction import MASK, Redactor
from snow_preflight.reports import writer
from snow_preflight.reports.json_report import load_report
from snow_preflight.reports.model import EvidenceItem, RunReport
from snow_preflight.reports.writer import FILENAMES, write_reports

SECRET = "p&ss<w0rd>\"'"


def run_with_secret() -> RunReport:
    """A run where the instance echoed the password in an evidence value and a message."""
    run = sample_run()
    first = run.results[0]
    first.evidence.append(EvidenceItem(label="Echoed header", value=f"Basic {SECRET}"))
    first.message = f"The instance echoed {SECRET} back."
    return run


def test_writes_the_three_reports_into_a_new_directory(tmp_path: Path) -> None:
    """The three files are written, under a directory created on the way, and their paths returned by kind."""
    target = tmp_path / "deep" / "reports"
    paths = write_reports(sample_run(), target, Redactor())
    assert paths == {kind: target / name for kind, name in FILENAMES.items()}
    assert sorted(p.name for p in target.iterdir()) == ["junit.xml", "report.html", "report.json"]
    assert load_report(paths["json"].read_text(encoding="utf-8")) == sample_run()


def test_secret_is_masked_in_every_file_even_when_escaped(tmp_path: Path) -> None:
    """A known secret appears in no file, neither raw nor in its HTML, XML or JSON escaped form."""
    paths = write_reports(run_with_secret(), tmp_path, Redactor([SECRET]))
    for path in paths.values():
        text = path.read_text(encoding="utf-8")
        assert MASK in text
        assert "w0rd" not in text, path.name


def test_secret_matching_a_structural_value_is_still_masked(tmp_path: Path) -> None:
    """A secret that equals part of a date still leaves no trace and does not stop the reports."""
    paths = write_reports(sample_run(), tmp_path, Redactor(["2024-05-01"]))
    for path in paths.values():
        assert "2024-05-01" not in path.read_text(encoding="utf-8"), path.name


def test_other_files_are_left_alone(tmp_path: Path) -> None:
    """Files of other names in the directory are neither changed nor deleted, and no temp file remains."""
    keep = tmp_path / "notes.txt"
    keep.write_text("mine", encoding="utf-8")
    (tmp_path / "old").mkdir()
    write_reports(sample_run(), tmp_path, Redactor())
    assert keep.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "junit.xml",
        "notes.txt",
        "old",
        "report.html",
        "report.json",
    ]


def test_rendering_failure_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When one renderer fails, no file is written or replaced: old reports stay as they were."""
    for name in FILENAMES.values():
        (tmp_path / name).write_text("old", encoding="utf-8")

    def broken(run: RunReport) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr("snow_preflight.reports.junit.render_junit", broken)
    with pytest.raises(RuntimeError, match="renderer bug"):
        write_reports(sample_run(), tmp_path, Redactor())
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == dict.fromkeys(
        FILENAMES.values(), "old"
    )


def test_interrupted_write_keeps_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the final rename fails, the old file is intact and the temporary file is removed."""
    (tmp_path / "report.json").write_text("old", encoding="utf-8")

    def refuse(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_reports(sample_run(), tmp_path, Redactor())
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == "old"


def test_existing_reports_are_replaced(tmp_path: Path) -> None:
    """A second run replaces the reports of the first."""
    for name in FILENAMES.values():
        (tmp_path / name).write_text("old", encoding="utf-8")
    write_reports(sample_run(), tmp_path, Redactor())
    assert all((tmp_path / name).read_text(encoding="utf-8") != "old" for name in FILENAMES.values())


def test_reports_are_readable_by_others(tmp_path: Path) -> None:
    """The reports are written with mode 0644, for the CI agent or mailer that picks them up."""
    paths = write_reports(sample_run(), tmp_path, Redactor())
    assert {p.stat().st_mode & 0o777 for p in paths.values()} == {0o644}
