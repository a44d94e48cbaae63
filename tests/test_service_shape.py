"""The four service packages have one shape: the same modules, meaning the same thing.

See CONTRIBUTING.md. A fifth kind of module is a decision taken here, not a drift.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared.handlers import Consumes
from shared.service import SERVICE_MODULES, definition_of

SERVICES = Path(__file__).resolve().parents[1] / "services"

# Each name is a module `name.py` or, once it outgrows one file, a package `name/`.
SHAPE = frozenset({
    "__init__",
    "app",          # the ServiceDefinition, nothing else
    "config",       # settings (environment, the service's prefix) and NAME
    "models",       # tables
    "schemas",      # API request and response models
    "domain",       # pure rules, no I/O
    "repository",   # every load for a write (locked, version checked), page and visibility query
    "service",      # use cases: load, apply a rule, flush, stage events
    "api",          # thin routes: parse, call one use case, present
    "presenters",   # rows => responses
    "access",       # who may act on what
    "events",       # what it publishes (SOURCE and the facts)
    "handlers",     # what it consumes (CONSUMES, typed by event type)
    "migrations",   # Alembic
})
SPLITTABLE = frozenset({"schemas", "domain", "repository", "service", "api", "presenters"})


def _entries(package: Path) -> dict[str, Path]:
    found = {}
    for path in package.iterdir():
        if path.name.startswith((".", "__pycache__")) or path.suffix not in (".py", ""):
            continue
        if path.is_dir() and not (path / "__init__.py").exists() and path.name != "migrations":
            continue
        found[path.stem if path.is_file() else path.name] = path
    return found


@pytest.mark.parametrize("name", sorted(SERVICE_MODULES))
def test_each_service_package_has_exactly_the_shared_module_set(name: str) -> None:
    entries = _entries(SERVICES / name)
    assert set(entries) == SHAPE, (
        f"services/{name}: missing {sorted(SHAPE - set(entries))}, "
        f"not in the shape {sorted(set(entries) - SHAPE)}")
    packages = {key for key, path in entries.items() if path.is_dir()} - {"migrations"}
    assert packages <= SPLITTABLE, f"services/{name}: {sorted(packages - SPLITTABLE)} are packages"


def test_the_service_packages_are_exactly_the_four_services() -> None:
    on_disk = {p.name for p in SERVICES.iterdir() if (p / "__init__.py").exists()}
    assert on_disk == set(SERVICE_MODULES)


@pytest.mark.parametrize("name", sorted(SERVICE_MODULES))
def test_app_module_declares_only_the_definition(name: str) -> None:
    tree = ast.parse((SERVICES / name / "app.py").read_text(encoding="utf-8"))
    defined = {target.id for node in tree.body if isinstance(node, ast.Assign)
               for target in node.targets if isinstance(target, ast.Name)}
    functions = [node.name for node in tree.body
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    assert defined == {"DEFINITION", "__all__"} and not functions


@pytest.mark.parametrize("name", sorted(SERVICE_MODULES))
def test_only_the_repository_checks_versions_and_takes_locks(name: str) -> None:
    """If-Match is checked on a locked row in one place, never on an earlier unlocked read."""
    offenders = []
    for path in (SERVICES / name).rglob("*.py"):
        relative = path.relative_to(SERVICES / name)
        if relative.parts[0] in ("repository.py", "repository", "migrations"):
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("check_version", "with_for_update", "load_for_update"):
            if needle in text:
                offenders.append(f"{relative}: {needle}")
    assert not offenders, offenders


@pytest.mark.parametrize("name", sorted(SERVICE_MODULES))
def test_handlers_are_registered_by_catalog_type(name: str) -> None:
    consumes = definition_of(name).consumes
    if consumes is None:
        return
    assert isinstance(consumes, Consumes)
    from shared.events import CATALOG

    for event_type, handler in consumes.handlers.items():
        assert event_type in CATALOG, f"{name} handles {event_type}, which the catalog lacks"
        assert callable(handler)
    assert consumes.subscriptions == tuple(sorted({CATALOG[t].topic for t in consumes.handlers}))


def test_a_handler_for_a_model_outside_the_catalog_fails_at_registration() -> None:
    from shared.events import EventData, UnknownEventType

    class Misspelt(EventData):
        pass

    with pytest.raises(UnknownEventType):
        Consumes().event(Misspelt)


def test_a_type_cannot_have_two_handlers() -> None:
    from shared.contracts.projects import ProjectCompleted

    consumes = Consumes()

    @consumes.event(ProjectCompleted)
    async def first(session: object, data: ProjectCompleted, event: object) -> None:
        return None

    with pytest.raises(ValueError, match="already registered"):
        consumes.event(ProjectCompleted)(first)
