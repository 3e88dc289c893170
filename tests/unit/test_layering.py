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
        for path in (PACKAGE / "domain").rglob("*.py")
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


def imported_modules(path: Path) -> set[str]:
    """Like `imports`, with `from storefront.domain import x` counted as storefront.domain.x."""
    names = imports(path)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_money_vat_and_shop_time_build_on_no_business_module():
    """Pricing, promotions, shipping, orders and the pages use them; they use only the data models and each
    other (VAT rounds as money does, and takes the shop's day for a rate that changes)."""
    allowed = ("storefront.domain.models", "storefront.domain.money", "storefront.domain.shop_time")
    found = {
        name: sorted(
            n
            for n in imported_modules(PACKAGE / "domain" / name)
            if n.startswith("storefront") and not n.startswith(allowed)
        )
        for name in ("money.py", "vat.py", "shop_time.py")
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_pricing_applies_promotions_and_promotions_never_import_pricing():
    assert "storefront.domain.offers.promotions" in imported_modules(PACKAGE / "domain" / "basket" / "pricing.py")
    assert not any("pricing" in n for n in imported_modules(PACKAGE / "domain" / "offers" / "promotions.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every storefront module -> the storefront modules it imports, at the top or inside a function."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:  # `from package import module` imports the module
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else node.module)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def test_no_module_imports_in_a_circle_not_even_inside_a_function():
    graph, circles = import_graph(), []
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles, "\n".join(circles)


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
