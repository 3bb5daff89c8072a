"""Rules about where code lives, checked on the source itself.

- The API speaks through the apps' services, querysets and error words,
  never through their page views (a page view is free to change its words).
- The project package only wires (settings, URLs); no app imports it.
- No user-facing text is translated when a module is imported: at that
  moment the active language is the server's, so a Spanish reader would see
  the English text for the life of the process. Module-level text must use
  gettext_lazy; eager gettext belongs inside functions.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR).resolve()
EAGER = {"gettext", "ngettext", "pgettext", "npgettext", "ugettext"}


def _our_apps():
    return sorted(Path(config.path).resolve() for config in apps.get_app_configs() if Path(config.path).parent == BASE)


def _sources(*folders):
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(), filename=str(path))


def _imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_the_api_never_imports_a_page_view_module():
    others = {path.name for path in _our_apps()} - {"api"}
    found = []
    for path, tree in _sources(BASE / "api"):
        for module, names in _imported_modules(tree):
            parts = module.split(".")
            if parts[0] in others and (any(p.startswith("views") for p in parts[1:]) or "views" in names):
                found.append(f"{path.relative_to(BASE)}: {module}")
    assert found == []


def test_no_app_imports_the_project_package():
    found = []
    for path, tree in _sources(*_our_apps()):
        for module, _names in _imported_modules(tree):
            if module == "project" or module.startswith("project."):
                found.append(f"{path.relative_to(BASE)}: {module}")
    assert found == []


def _eager_names(tree):
    """Local names bound to django.utils.translation's eager functions."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in EAGER}
    return names


def eager_calls_at_import(tree):
    """(line, name) of each eager gettext call that runs when the module is
    imported: in the module body or a class body, outside any function."""
    eager = _eager_names(tree)
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if (
                not inside
                and isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id in eager
            ):
                found.append((child.lineno, child.func.id))
            visit(child, inside)

    visit(tree, False)
    return found


def test_no_user_facing_text_is_translated_at_import_time():
    found = [
        f"{path.relative_to(BASE)}:{line} {name}()"
        for path, tree in _sources(*_our_apps())
        for line, name in eager_calls_at_import(tree)
    ]
    assert found == [], "use gettext_lazy for text defined at module or class level"


def test_the_import_time_check_finds_an_eager_call():
    tree = ast.parse(
        "from django.utils.translation import gettext as _\n"
        "WORDS = {'a': _('Hello')}\n"
        "class Form:\n    label = _('Name')\n"
        "def view():\n    return _('Fine here')\n"
    )

    assert eager_calls_at_import(tree) == [(2, "_"), (4, "_")]
