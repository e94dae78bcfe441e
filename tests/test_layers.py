"""The seams between apps, beside what `lint-imports` checks (pyproject.toml's
[tool.importlinter]: apps depend downward only, and inside an app pages and API sit over
tasks over actions over queries over models)."""

from __future__ import annotations

import ast
from pathlib import Path

OPSLOOP = Path(__file__).resolve().parent.parent / "opsloop"


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def imports_of_private_parts() -> list[str]:
    """Every import, in an app, of another app's private module or private name."""
    found = []
    for path in sorted(OPSLOOP.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(OPSLOOP)
        own_app = relative.parts[0] if len(relative.parts) > 1 else None
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [(node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [(alias.name, "") for alias in node.names]
            else:
                continue
            for module, name in targets:
                parts = module.split(".")
                if parts[0] != "opsloop" or len(parts) < 2 or parts[1] == own_app:
                    continue
                if any(_private(p) for p in parts[1:]) or _private(name):
                    found.append(f"{relative}:{node.lineno} imports {module} {name}".strip())
    return found


def test_no_app_imports_another_apps_private_modules_or_names():
    assert imports_of_private_parts() == []


def test_the_check_sees_a_private_import(tmp_path, monkeypatch):
    app = tmp_path / "goals"
    app.mkdir()
    (app / "x.py").write_text("from opsloop.events.store._rows import row\n")
    (app / "y.py").write_text("from opsloop.work.queries import _visible\n")
    (app / "z.py").write_text("from opsloop.goals._own import fine\n")
    monkeypatch.setitem(globals(), "OPSLOOP", tmp_path)
    assert imports_of_private_parts() == [
        "goals/x.py:1 imports opsloop.events.store._rows row",
        "goals/y.py:1 imports opsloop.work.queries _visible",
    ]


# Methods that read or write through the ORM; a page or an API handler calls queries and
# actions for them instead (CONVENTIONS.md: views stay thin).
ORM_METHODS = {
    "filter", "exclude", "order_by", "values_list", "aggregate", "annotate",
    "select_related", "prefetch_related", "save", "bulk_create", "bulk_update",
    "get_or_create", "update_or_create",
}  # fmt: skip


def orm_use_in_views_and_handlers() -> list[str]:
    """Every use of the ORM in a page view or an API handler module."""
    found = []
    for path in sorted(OPSLOOP.rglob("*.py")):
        if not (path.stem in ("views", "api") or path.stem.endswith(("_views", "_api"))):
            continue
        relative = path.relative_to(OPSLOOP)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and (
                node.attr == "objects"
                or (node.attr in ORM_METHODS and isinstance(getattr(node, "ctx", None), ast.Load))
            ):
                found.append((str(relative), node.lineno, node.attr))
    return [f"{path}:{line} .{attr}" for path, line, attr in sorted(found)]


def test_views_and_api_handlers_read_through_queries_and_write_through_actions():
    assert orm_use_in_views_and_handlers() == []


def test_the_check_sees_the_orm_in_a_view(tmp_path, monkeypatch):
    app = tmp_path / "goals"
    app.mkdir()
    (app / "views.py").write_text(
        "def page(request):\n"
        "    kpis = Kpi.objects.all()\n"
        "    kpi.save()\n"
        "    return list(queries.list_kpis().order_by('name'))\n"
    )
    (app / "queries.py").write_text("def list_kpis():\n    return Kpi.objects.all()\n")
    monkeypatch.setitem(globals(), "OPSLOOP", tmp_path)
    assert orm_use_in_views_and_handlers() == [
        "goals/views.py:2 .objects",
        "goals/views.py:3 .save",
        "goals/views.py:4 .order_by",
    ]
