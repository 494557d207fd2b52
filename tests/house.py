"""The house's figures, read from the source with ``ast`` (no import runs): which module imports
which, upward imports across the layers, import circles, and the sizes of files and functions.

    python -m tests.house [ROOT]      prints the figures (docs/ARCHITECTURE.md; issue #16)

Layers, imports only point down: schemas <- pipeline, storage <- workers (pipeline and storage
never import each other). ``samplegen`` (the sample-document generator) may use schemas and
pipeline; a product module may import it only inside a function (``sohoa samples``, ``sohoa
eval``), never at module level.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# what each package may import besides itself (docs/ARCHITECTURE.md)
ALLOWED = {
    "schemas": set(),
    "pipeline": {"schemas"},
    "storage": {"schemas"},
    "workers": {"schemas", "pipeline", "storage"},
    "samplegen": {"schemas", "pipeline"},
}
PRODUCT = ("schemas", "pipeline", "storage", "workers")
TOOLS = ("samplegen",)  # shipped, but outside the product's dependency path
PACKAGES = PRODUCT + TOOLS
FILE_LIMIT = 400
FUNCTION_LIMIT = 60


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (or package)
    line: int
    top_level: bool  # runs when the importing module is imported
    typing_only: bool  # under ``if TYPE_CHECKING:``


def modules(root: Path) -> dict[str, Path]:
    """Every module of our packages, by dotted name (``pkg/__init__.py`` is ``pkg``)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _targets(node: ast.AST, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level or not node.module:
        return []
    # ``from pkg import mod`` imports the module pkg.mod when there is one
    return [
        f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
        for a in node.names
    ]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(
    node: ast.AST, top_level: bool, typing_only: bool
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    """(import node, runs at module level, only for the type checker) under ``node``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, top_level, typing_only
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, False, typing_only)
        elif isinstance(child, ast.If) and _is_type_checking(child):
            for stmt in child.body:
                yield from _walk(ast.Module(body=[stmt], type_ignores=[]), False, True)
            for stmt in child.orelse:
                yield from _walk(ast.Module(body=[stmt], type_ignores=[]), top_level, typing_only)
        else:
            yield from _walk(child, top_level, typing_only)


def imports(root: Path) -> list[Import]:
    """Every import of one of our modules by another: whether it runs when the importing module
    is imported, and whether only the type checker sees it (``if TYPE_CHECKING:``)."""
    known = modules(root)
    found: list[Import] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, top_level, typing_only in _walk(tree, True, False):
            for target in _targets(node, known):
                if target.split(".")[0] in PACKAGES and target != name:
                    found.append(Import(name, target, node.lineno, top_level, typing_only))
    return found


def upward(found: list[Import]) -> list[Import]:
    """Imports against the layers (ALLOWED), and a product module importing the generator at
    module level. One entry per import statement."""
    bad: dict[tuple[str, str, int], Import] = {}
    for item in found:
        source, target = item.source.split(".")[0], item.target.split(".")[0]
        if source == target:
            continue
        if source in PRODUCT and target in TOOLS:
            if item.top_level:
                bad.setdefault((item.source, target, item.line), item)
        elif target not in ALLOWED[source]:
            bad.setdefault((item.source, target, item.line), item)
    return list(bad.values())


def circles(found: list[Import]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan), counting
    every import that runs (at module level or in a function), not the type checker's."""
    graph: dict[str, set[str]] = {}
    for item in found:
        if item.typing_only:
            continue
        graph.setdefault(item.source, set()).add(item.target)
        graph.setdefault(item.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def functions(path: Path) -> list[tuple[int, str]]:
    """(lines, name) of every function and method in a file, decorators included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append((node.end_lineno - first + 1, node.name))
    return found


def has_reason(path: Path) -> bool:
    """A file may pass a limit when its top says why, on a line starting ``# house:``."""
    head = path.read_text(encoding="utf-8").splitlines()[:3]
    return any(line.startswith("# house:") for line in head)


STATUS_WORDS = frozenset(
    ("received", "processing", "retrying", "digitised", "reused", "quarantined", "failed")
)  # schemas/states.py's DossierStatus and DocumentStatus, as the warehouse holds them


def status_literals(root: Path, folder: str = "storage") -> list[str]:
    """Where ``folder`` (its migrations apart: frozen history) spells a status as a plain
    string where the enum exists: compared (``== "digitised"``, ``in ("failed", ...)``,
    ``.in_((...))``), written (``status="failed"``) or kept as a tuple or set of them
    (``STILL_RUNNING = (None, "received", ...)``). A typo there is silently no status."""
    found: list[tuple[str, int, str]] = []
    for path in sorted((root / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                spots = [node.left, *node.comparators]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "in_":
                spots = list(node.args)
            elif isinstance(node, ast.keyword) and node.arg == "status":
                spots = [node.value]
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple | ast.Set):
                spots = [node.value]  # a set of statuses kept aside: STILL_RUNNING = (...)
            else:
                continue
            for spot in spots:
                items = spot.elts if isinstance(spot, ast.Tuple | ast.List | ast.Set) else [spot]
                found += [
                    (str(path.relative_to(root)), item.lineno, item.value)
                    for item in items
                    if isinstance(item, ast.Constant) and item.value in STATUS_WORDS
                ]
    return [f"{file}:{line} {word!r}" for file, line, word in sorted(found)]


def figures(root: Path) -> dict[str, object]:
    known = modules(root)
    found = imports(root)
    per_folder = Counter(str(p.parent.relative_to(root)) for p in known.values())
    sizes = sorted(((_lines(p), str(p.relative_to(root))) for p in known.values()), reverse=True)
    funcs = sorted(
        ((n, f"{p.relative_to(root)}:{name}") for p in known.values() for n, name in functions(p)),
        reverse=True,
    )
    reasons = {str(p.relative_to(root)) for p in known.values() if has_reason(p)}

    def said(item: tuple[int, str]) -> tuple[int, str] | tuple[int, str, str]:
        file = item[1].split(":")[0]
        return (*item, "(# house: reason given)") if file in reasons else item

    return {
        "files per folder": dict(sorted(per_folder.items())),
        "longest file": sizes[0],
        f"files over {FILE_LIMIT} lines": [said(s) for s in sizes if s[0] > FILE_LIMIT],
        "longest function": funcs[0],
        f"functions over {FUNCTION_LIMIT} lines": [
            said(f) for f in funcs if f[0] > FUNCTION_LIMIT
        ],
        "upward imports": [f"{i.source}:{i.line} -> {i.target}" for i in upward(found)],
        "circles": circles(found),
    }


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    for name, value in figures(root).items():
        if isinstance(value, dict):
            print(f"{name}:")
            for key, count in value.items():
                print(f"    {key:<28} {count}")
        elif isinstance(value, list):
            print(f"{name}: {len(value)}")
            for item in value:
                print(f"    {item}")
        else:
            print(f"{name}: {value}")


if __name__ == "__main__":
    main()
