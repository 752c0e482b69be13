"""DESIGN.md "layers point one way", read from the source with ast (no import is executed).

Every import statement counts, wherever it sits: at the top, inside a function (a lazy import is still a
dependency) or under `if TYPE_CHECKING:` (a type is still a dependency of the layer that names it).
The rules: no import cycle between keyprobe's modules; keys/ imports nothing from tui/; nothing outside
tui/console/ imports Textual; and the layers (keys, core, commands, console, the CLI entry) point one way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("keys", "tui")
PLUGIN = "tui.pytest_plugin"  # the pytest plugin: a front end like the commands, beside them
CONSOLE = "tui.console"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imported_names(path: Path, module: str, modules: dict[str, Path]) -> Iterator[str]:
    """Every module an import statement in `path` names: `import a.b` -> a.b; `from a import b` -> a.b when
    that is a module, else a (b is a name defined in a); relative imports made absolute."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base


def import_graph(modules: dict[str, Path]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(edges between keyprobe's own modules, every top-level package each module imports)."""
    edges: dict[str, set[str]] = {name: set() for name in modules}
    external: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported in imported_names(path, name, modules):
            if imported in modules:
                if imported != name:
                    edges[name].add(imported)
            else:
                external[name].add(imported)  # a third-party or standard module, or a name that is no module
    return edges, external


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    return import_graph(source_modules())


def test_the_graph_is_read():
    edges, external = graph()
    # A few edges that exist, so a reader that sees nothing cannot pass the rules below.
    assert "keys.secret" in edges["keys.signing"]
    assert "tui.transport.wire" in edges["tui.export"]
    assert "keys.headers" in edges["tui.venues"]
    assert any(name.startswith("textual") for name in external["tui.console.app"])
    assert "httpx" in external["keys.venue_signer"]


def test_the_payload_rule_imports_without_httpx():
    """keys.signing (the payload rule, sign, Credentials) is read by decode and the diagnosis: httpx stays
    in keys.venue_signer, so `keyprobe decode` starts without it."""
    edges, external = graph()
    assert "httpx" not in external["keys.signing"]
    assert "keys.venue_signer" not in edges["keys.signing"]


def test_no_import_cycles():
    found = cycles(graph()[0])
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_keys_imports_nothing_from_tui():
    edges, external = graph()
    upward = sorted(f"{m} -> {t}" for m, targets in edges.items() if m.split(".")[0] == "keys"
                    for t in targets if t.split(".")[0] == "tui")
    upward += sorted(f"{m} -> {t}" for m, names in external.items() if m.split(".")[0] == "keys"
                     for t in names if t.split(".")[0] == "tui")
    assert upward == [], "keys/ reaches up into tui/: " + ", ".join(upward)


def test_only_the_console_imports_textual():
    _, external = graph()
    offenders = sorted(
        f"{m} -> {t}" for m, names in external.items()
        if not (m == CONSOLE or m.startswith(CONSOLE + "."))
        for t in names if t == "textual" or t.startswith("textual.")
    )
    assert offenders == [], "Textual outside tui/console/: " + ", ".join(offenders)


# keys/ at the bottom, then the headless core, the commands, the console; the CLI entry picks one on top.
ENTRY = ("tui.cli", "tui.__main__")


def layer(module: str) -> int:
    if module.split(".")[0] == "keys":
        return 0
    if module in ENTRY:
        return 4
    if module == PLUGIN or module.startswith(PLUGIN + "."):
        return 2
    for depth, package in ((3, CONSOLE), (2, "tui.commands")):
        if module == package or module.startswith(package + "."):
            return depth
    return 1


def test_layers_point_one_way():
    edges, _ = graph()
    upward = sorted(f"{m} -> {t}" for m, targets in edges.items() for t in targets if layer(t) > layer(m))
    assert upward == [], "an import points up a layer: " + ", ".join(upward)


# The core's own packages, lowest first: each imports only packages before it (and the shared modules
# beside them: exchange, venues, endpoints, signing_context, paths). The send path knows nothing of what
# its answers mean, the diagnosis nothing of where records are kept, and only the probe climbs them all.
CORE_PACKAGES = ("catalog", "output", "transport", "records", "diagnosis", "clock", "probe")


def core_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "tui" and parts[1] in CORE_PACKAGES else None


def core_package_imports_pointing_up(edges: dict[str, set[str]]) -> list[str]:
    rank = {name: i for i, name in enumerate(CORE_PACKAGES)}
    return sorted(f"{m} -> {t}" for m, targets in edges.items() if core_package(m)
                  for t in targets if core_package(t) and rank[core_package(t)] > rank[core_package(m)])


def test_the_core_packages_point_one_way():
    edges, _ = graph()
    assert "tui.transport.wire" in edges["tui.probe.ladder"] and "tui.catalog" in edges["tui.diagnosis.diagnose"]
    upward = core_package_imports_pointing_up(edges)
    assert upward == [], "a core package imports one above it: " + ", ".join(upward)


def test_the_core_package_rule_sees_a_planted_upward_import():
    planted = {"tui.transport.wire": {"tui.diagnosis.diagnose"}, "tui.diagnosis.diagnose": {"tui.transport.wire"}}
    assert core_package_imports_pointing_up(planted) == ["tui.transport.wire -> tui.diagnosis.diagnose"]


def test_the_pytest_plugin_imports_keyprobe_only_lazily_and_nothing_above_the_core():
    """Its top module is loaded by every pytest run where keyprobe is installed: it may import pytest and the
    standard library, nothing of keyprobe's (the fixture's module does, when a test asks for it)."""
    edges, external = graph()
    assert "tui.pytest_plugin.emulator" in edges[PLUGIN]  # the one lazy import, inside the fixture
    tree = ast.parse((ROOT / "tui" / "pytest_plugin" / "__init__.py").read_text(encoding="utf-8"))
    top = {alias.name.split(".")[0] for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
           for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
    assert top <= {"__future__", "pytest"}, top
    assert not any(t.startswith(("tui.console", "tui.commands", "tui.cli")) for m in edges if m.startswith(PLUGIN) for t in edges[m])


def test_cycle_finder_finds_a_planted_cycle():
    planted = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(planted) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
