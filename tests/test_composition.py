"""The composition rule of decision 0005: use cases are bound once; adapters pass only their own arguments."""

from __future__ import annotations

import inspect
import re
from importlib import import_module
from pathlib import Path

import pytest

from microcred import bootstrap
from microcred.settings import Settings

SRC = Path(__file__).resolve().parents[1] / "src" / "microcred"

# area module -> its bound class, as bootstrap exposes it
AREAS = {
    "auth": "Access",
    "catalogue": "Catalogue",
    "demo": "Demo",
    "enrolments": "Enrolments",
    "idempotency": "Idempotency",
    "imports": "Imports",
    "issuance": "Issuance",
    "learner_access": "LearnerAccess",
    "reports": "Reports",
    "recognition": "Recognition",
    "search": "Search",
    "stacking": "Stacking",
    "staff": "Staff",
    "trust": "Trust",
    "verification": "Verification",
    "wallet": "Wallet",
}
DEPENDENCY_PARAMETERS = {
    "uow", "keys", "settings", "clock", "mailer", "remote", "secret", "pepper", "key_encryption_secret"
}  # fmt: skip
BOUND_UNDER_ANOTHER_NAME = {("imports", "write_kind_template"): "write_template", ("demo", "load_demo"): "load"}
NOT_BOUND = {
    ("demo", "load_small_demo"),  # the tests' small fixture register, not an adapter's use case
    ("imports", "store_enrolments"),  # a step inside a unit of work, not a use case
    ("verification", "verify_documents"),  # stacking's verdicts on stored credentials, not an adapter's use case
}
ADAPTER_PACKAGES = ("api", "web", "cli")
FORBIDDEN_IN_ADAPTERS = re.compile(r"\.uow\b|\bkey_store\b|\.clock\b|get_secret_value\(\)|\bJobRunner\(")
ALLOWED = {("web", "app.py", "get_secret_value()")}  # the SessionMiddleware's key (decision 0005)


def _use_cases(area: str) -> list[str]:
    module = import_module(f"microcred.services.{area}")
    names = []
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or function.__module__ != module.__name__:
            continue
        if DEPENDENCY_PARAMETERS & set(inspect.signature(function).parameters):
            names.append(name)
    return names


@pytest.mark.parametrize("area", sorted(AREAS))
def test_every_use_case_that_needs_dependencies_has_a_bound_method(area: str) -> None:
    bound = getattr(import_module(f"microcred.services.{area}"), AREAS[area])
    missing = [
        name
        for name in _use_cases(area)
        if (area, name) not in NOT_BOUND and not hasattr(bound, BOUND_UNDER_ANOTHER_NAME.get((area, name), name))
    ]
    assert not missing, f"services/{area}.py: bind {missing} on {AREAS[area]} (decision 0005)"


def test_bound_methods_take_no_dependency_parameters() -> None:
    for area, class_name in AREAS.items():
        bound = getattr(import_module(f"microcred.services.{area}"), class_name)
        for name, method in inspect.getmembers(bound, inspect.isfunction):
            if name.startswith("_"):
                continue
            leaked = DEPENDENCY_PARAMETERS & set(inspect.signature(method).parameters)
            assert not leaked, f"{class_name}.{name} still asks its caller for {sorted(leaked)}"


def test_the_register_exposes_each_area_once(tmp_path: Path) -> None:
    register = bootstrap.build(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", outbox_dir=tmp_path))
    try:
        for area, class_name in AREAS.items():
            name = area if area == "learner_access" else class_name.lower()
            attribute = getattr(register, name)
            assert type(attribute).__name__ == class_name
            assert getattr(register, name) is attribute  # built once
        assert register.jobs is register.jobs
    finally:
        register.close()


def test_adapters_never_touch_the_unit_of_work_keys_secrets_or_clock() -> None:
    found = []
    for package in ADAPTER_PACKAGES:
        for path in sorted((SRC / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for match in FORBIDDEN_IN_ADAPTERS.finditer(line):
                    if (package, path.name, match.group()) not in ALLOWED:
                        found.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert not found, "adapters must call bound use cases (decision 0005):\n" + "\n".join(found)
