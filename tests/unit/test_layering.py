"""The import rules of DESIGN.md, held by a test rather than a document."""

from __future__ import annotations

import ast
from pathlib import Path

import storefront

PACKAGE = Path(storefront.__file__).parent
WEB_ONLY = (
    "starlette",
    "jinja2",
    "itsdangerous",
    "storefront.pages",
    "storefront.session",
    "storefront.htmx",
    "storefront.templating",
    "storefront.security",
    "storefront.app",
)


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_never_imports_the_web_layer():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(n for n in imports(path) if n.startswith(WEB_ONLY))
        for path in (PACKAGE / "domain").glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_settings_reads_the_environment():
    readers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "os.environ" in path.read_text() or "getenv" in path.read_text()
    ]
    assert readers == ["settings.py"]


def test_templates_never_touch_the_database():
    for template in PACKAGE.rglob("*.html"):
        text = template.read_text()
        assert ".all()" not in text and ".filter(" not in text and "await" not in text, template


QUERY_METHODS = {"all", "filter", "exclude", "get", "get_or_none", "exists", "create", "annotate", "raw"}


def test_pages_build_no_queries():
    """Routes call domain functions with plain values; a query on a model (Order.filter(...)) lives there."""
    from storefront.domain import models

    model_names = {name for name, value in vars(models).items() if isinstance(value, type)}
    offenders = []
    for path in (PACKAGE / "pages").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in QUERY_METHODS
                and isinstance(node.value, ast.Name)
                and node.value.id in model_names
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value.id}.{node.attr}")
    assert offenders == []
