"""The layers hold: no lower layer imports a higher one, and every engine exception lives in errors.py.

Every module of the source tree is parsed (never imported) and each of its imports, wherever it stands (at
the top, inside a function, under ``TYPE_CHECKING``), is resolved to an absolute module name and held
against the rules below. ``checks/`` and ``reports/`` are reached through their links under
``src/snow_preflight``, so they are judged under the names they install as.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "snow_preflight"


@dataclass(frozen=True)
class Rule:
    """Modules under *layer* may not import any module under one of *forbidden* (except *allowed*)."""

    layer: str
    forbidden: tuple[str, ...]
    why: str
    allowed: tuple[str, ...] = ()


#: What a client (ServiceNow's, Rundeck's) may not import: it is usable without pytest and a run.
CLIENT_FORBIDDEN = (
    "pytest",
    "_pytest",
    "snow_preflight.settings",
    "snow_preflight.run",
    "snow_preflight.plugin",
    "snow_preflight.judge",
    "snow_preflight.options",
    "snow_preflight.snapshot",
    "snow_preflight.reads",
    "snow_preflight.config_file",
    "snow_preflight.validation",
    "snow_preflight.checks",
    "snow_preflight.cli",
    "snow_preflight.commands",
)
RULES = (
    Rule(
        "snow_preflight.servicenow",
        CLIENT_FORBIDDEN,
        "the client stack is usable without pytest and without a run's settings",
    ),
    Rule(
        "snow_preflight.simulator",
        ("snow_preflight",),
        "the simulator is a ServiceNow stand-in, not part of the engine it is used to test",
        allowed=("snow_preflight.simulator",),
    ),
    Rule(
        "snow_preflight.rundeck",
        CLIENT_FORBIDDEN,
        "the Rundeck client, like the ServiceNow one, is usable without pytest and without a run's settings",
    ),
    Rule(
        "snow_preflight.rundeck_stand_in",
        ("snow_preflight",),
        "the Rundeck stand-in plays Rundeck for the engine's tests; it is no part of the engine",
        allowed=("snow_preflight.rundeck_stand_in",),
    ),
    Rule(
        "snow_preflight.wave",
        (
            "pytest",
            "_pytest",
            "snow_preflight.judge",
            "snow_preflight.run",
            "snow_preflight.plugin",
            "snow_preflight.reports",
            "snow_preflight.checks",
        ),
        "the wave of reads goes out before the checklist, the run's model and pytest are loaded",
    ),
    Rule(
        "snow_preflight.values",
        ("pydantic", "snow_preflight.settings", "snow_preflight.options"),
        "settings are typed without pydantic (it loads after the first request), and the client's "
        "connection settings use these values too",
    ),
    Rule(
        "snow_preflight.checks",
        ("snow_preflight",),
        "a check module imports only the check API, snow_preflight.judge",
        allowed=("snow_preflight.judge",),
    ),
    Rule(
        "snow_preflight.reports",
        (
            "snow_preflight.plugin",
            "snow_preflight.run",
            "snow_preflight.cli",
            "snow_preflight.commands",
            "pytest",
            "_pytest",
        ),
        "renderers are pure functions of the result model; a run calls them, not the other way round",
    ),
)


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def imported_names(source: str, module: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in *source*, the module named *module*.

    ``from a import b`` yields ``a`` and ``a.b``: *b* may be a submodule (``from snow_preflight import
    run``), and for a plain name the extra entry names nothing that a rule could forbid wrongly.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:
                yield node.lineno, f"{target}.{alias.name}"


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """One line per import in *source* that breaks a rule for *module*."""
    found = []
    for rule in RULES:
        if not _under(module, rule.layer):
            continue
        for line, name in imported_names(source, module, is_package):
            if any(_under(name, allowed) for allowed in rule.allowed):
                continue
            if any(_under(name, forbidden) for forbidden in rule.forbidden):
                found.append(f"{module}:{line} imports {name}: {rule.why}")
    return sorted(set(found))


@dataclass(frozen=True)
class SourceModule:
    name: str
    path: Path
    is_package: bool


def source_modules() -> list[SourceModule]:
    """Every module of the package, following the links that map checks/ and reports/ into it."""
    found = []
    for directory, _, files in os.walk(PACKAGE, followlinks=True):
        relative = Path(directory).relative_to(SRC)
        if "__pycache__" in relative.parts:
            continue
        for file in sorted(f for f in files if f.endswith(".py")):
            package = ".".join(relative.parts)
            stem = file.removesuffix(".py")
            name = package if stem == "__init__" else f"{package}.{stem}"
            found.append(SourceModule(name, Path(directory) / file, stem == "__init__"))
    return found


MODULES = source_modules()


def test_every_layer_is_scanned() -> None:
    """The scan reaches every layer a rule names, so a rule can never pass over an empty set of files."""
    names = {module.name for module in MODULES}
    for rule in RULES:
        assert any(_under(name, rule.layer) for name in names), f"no module of {rule.layer} was found"
    assert "snow_preflight.checks.rest" in names
    assert "snow_preflight.rundeck_stand_in.server" in names
    assert "snow_preflight.reports.model" in names


def test_no_lower_layer_imports_a_higher_one() -> None:
    """No module imports a layer above it: client → pytest/settings/run/plugin/judge/options, simulator →
    engine, checks → anything but the check API, reports → plugin/run/cli."""
    found = [
        problem
        for module in MODULES
        for problem in violations(module.path.read_text(encoding="utf-8"), module.name, module.is_package)
    ]
    assert not found, "\n".join(found)


FORBIDDEN_EXAMPLES = [
    ("snow_preflight.servicenow.auth", "import pytest\n"),
    ("snow_preflight.servicenow.auth", "from _pytest.config import Config\n"),
    ("snow_preflight.servicenow.client", "from snow_preflight.settings import Settings\n"),
    ("snow_preflight.servicenow.client", "from ..run import Run\n"),
    ("snow_preflight.servicenow.client", "def f():\n    from snow_preflight.plugin import Handoff\n"),
    (
        "snow_preflight.servicenow.client",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from snow_preflight.judge import View\n",
    ),
    ("snow_preflight.servicenow.connection", "from snow_preflight import options\n"),
    ("snow_preflight.wave", "def collect():\n    from snow_preflight.judge.views import View\n"),
    ("snow_preflight.values", "from pydantic import SecretStr\n"),
    ("snow_preflight.simulator.api", "from snow_preflight.errors import InstanceError\n"),
    ("snow_preflight.simulator.api", "from .. import redaction\n"),
    ("snow_preflight.simulator.api", "import snow_preflight\n"),
    ("snow_preflight.simulator", "from snow_preflight.servicenow.client import ServiceNowClient\n"),
    ("snow_preflight.rundeck.client", "from snow_preflight.settings import Settings\n"),
    ("snow_preflight.rundeck.client", "import pytest\n"),
    ("snow_preflight.rundeck_stand_in.server", "from snow_preflight.rundeck.client import RundeckAnswer\n"),
    ("snow_preflight.checks.rest", "from snow_preflight.servicenow.client import ServiceNowClient\n"),
    ("snow_preflight.checks.rest", "import snow_preflight.servicenow.transport\n"),
    ("snow_preflight.checks.rest", "from snow_preflight.snapshot import Snapshot\n"),
    ("snow_preflight.reports.html", "from snow_preflight.plugin import PreflightPlugin\n"),
    ("snow_preflight.reports.writer", "from snow_preflight import run\n"),
    ("snow_preflight.reports.junit", "from ..cli import main\n"),
    ("snow_preflight.servicenow.client", "from snow_preflight.reads import Read\n"),
    ("snow_preflight.reports.html", "from snow_preflight.plugin.glue import PLUGIN_KEY\n"),
    ("snow_preflight.reports.writer", "from snow_preflight.run.starting import judge\n"),
]


@pytest.mark.parametrize(("module", "source"), FORBIDDEN_EXAMPLES)
def test_a_forbidden_import_is_caught(module: str, source: str) -> None:
    """An import that breaks a layer rule is reported, wherever in the module it stands."""
    assert violations(source, module, is_package=module == "snow_preflight.simulator")


ALLOWED_EXAMPLES = [
    ("snow_preflight.servicenow.client", "from snow_preflight.errors import ConfigError\n"),
    ("snow_preflight.servicenow.transport", "from snow_preflight import __version__\n"),
    ("snow_preflight.simulator.api", "from snow_preflight.simulator.store import Row\n"),
    ("snow_preflight.rundeck.client", "from snow_preflight.redaction import Redactor\n"),
    ("snow_preflight.rundeck_stand_in.server", "from .scenarios import RundeckState\n"),
    ("snow_preflight.simulator.api", "from . import responses\n"),
    ("snow_preflight.checks.rest", "from snow_preflight.judge import Evidence, Severity, View, check\n"),
    ("snow_preflight.reports.model", "from snow_preflight.servicenow.exchange import Exchange\n"),
    ("snow_preflight.plugin", "import pytest\nfrom snow_preflight.run import Run\n"),
]


@pytest.mark.parametrize(("module", "source"), ALLOWED_EXAMPLES)
def test_an_import_down_the_layers_is_allowed(module: str, source: str) -> None:
    """An import of the same or a lower layer is not reported."""
    assert violations(source, module) == []


# -- the exception tree ------------------------------------------------------------------------------

ERRORS = PACKAGE / "errors.py"
BUILTIN_EXCEPTIONS = {
    name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)
}


def _base_name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def exception_classes(sources: dict[str, str]) -> dict[str, list[str]]:
    """Exception classes defined in *sources* (module → text): class name → modules defining it.

    A class is an exception when a base is a built-in exception, ends in Error/Exception, or is itself an
    exception class found here (``class Withheld(CannotVerify)``).
    """
    classes: dict[str, tuple[str, set[str]]] = {}
    for module, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                bases = {_base_name(base) for base in node.bases}
                classes[f"{module}:{node.name}"] = (node.name, bases)
    known = set(BUILTIN_EXCEPTIONS)
    changed = True
    while changed:
        changed = False
        for name, bases in classes.values():
            if name not in known and any(b in known or b.endswith(("Error", "Exception")) for b in bases):
                known.add(name)
                changed = True
    found: dict[str, list[str]] = {}
    for key, (name, _) in classes.items():
        if name in known:
            found.setdefault(name, []).append(key.split(":")[0])
    return found


def _engine_sources() -> dict[str, str]:
    return {
        module.name: module.path.read_text(encoding="utf-8")
        for module in MODULES
        # The stand-ins (simulator, Rundeck) are no part of the engine: their exceptions are their own.
        if not _under(module.name, "snow_preflight.simulator")
        and not _under(module.name, "snow_preflight.rundeck_stand_in")
    }


def test_every_engine_exception_lives_in_errors_py() -> None:
    """Every exception class of the engine (the stand-ins have their own) is defined in errors.py."""
    elsewhere = {
        name: modules
        for name, modules in exception_classes(_engine_sources()).items()
        if modules != ["snow_preflight.errors"]
    }
    assert not elsewhere, f"exception classes outside snow_preflight/errors.py: {elsewhere}"


def test_an_exception_defined_elsewhere_is_found() -> None:
    """The scan finds exception classes by their bases, directly or through another exception class."""
    found = exception_classes(
        {
            "snow_preflight.judge.outcomes": "class Oops(RuntimeError): ...\nclass Deeper(Oops): ...\n",
            "snow_preflight.run": "class Plain:\n    pass\nclass Failing(PreflightError): ...\n",
        }
    )
    assert set(found) == {"Oops", "Deeper", "Failing"}


def tree_mismatch(errors_source: str) -> tuple[set[str], set[str]]:
    """(drawn but not defined, defined but not drawn) for the exception tree in a module's docstring."""
    tree = ast.parse(errors_source)
    docstring = ast.get_docstring(tree) or ""
    block = docstring.split("::", 1)[1] if "::" in docstring else ""
    # Each line of the drawing is indented and names one class, after the tree's box-drawing characters.
    drawn = set(re.findall(r"^ +[│├└─ ]*([A-Z]\w+)", block, flags=re.MULTILINE))
    defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    return drawn - defined, defined - drawn


def test_the_tree_in_errors_py_names_every_class_in_it() -> None:
    """The tree drawn in errors.py's docstring names each class errors.py defines, and no other."""
    extra, missing = tree_mismatch(ERRORS.read_text(encoding="utf-8"))
    assert not extra, f"drawn in errors.py's tree but not defined there: {sorted(extra)}"
    assert not missing, f"defined in errors.py but not drawn in its tree: {sorted(missing)}"


def test_a_class_missing_from_the_tree_is_caught() -> None:
    """A class errors.py defines but its tree does not draw (or the reverse) is reported."""
    source = (
        '"""Errors.\n\n::\n\n    RootError\n    └── GoneError    no longer defined\n"""\n'
        "class RootError(Exception): ...\nclass NewError(RootError): ...\n"
    )
    assert tree_mismatch(source) == ({"GoneError"}, {"NewError"})
