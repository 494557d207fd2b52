"""Each adapter owns its third party: read from the product's own source (its import
statements and attribute uses), the rules the import graph between layers cannot see.

- redis, and its errors, only in storage/ (storage/queue.py, storage/page_board.py);
- pyHanko's validation set-up (pyhanko_certvalidator: validation contexts, fetchers; the
  time-stamping client) only in pipeline/ (pipeline/signatures/online.py);
- pypdf, the PDF reader and writer, only in pipeline/ (the job never opens a PDF itself);
- pipeline/ and storage/ read no environment: settings come in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PRODUCT = ("schemas", "pipeline", "storage", "workers")


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def _importers(prefixes: tuple[str, ...], outside: str) -> list[str]:
    return [
        str(path.relative_to(REPO))
        for path in _modules(*PRODUCT)
        if not path.relative_to(REPO).parts[0] == outside
        and any(name == p or name.startswith(p + ".") for name in _imports(path) for p in prefixes)
    ]


def test_redis_only_in_storage() -> None:
    assert _importers(("redis",), outside="storage") == []


def test_pyhanko_validation_set_up_only_in_pipeline() -> None:
    prefixes = ("pyhanko_certvalidator", "pyhanko.sign.timestamps")
    assert _importers(prefixes, outside="pipeline") == []


def test_pypdf_only_in_pipeline() -> None:
    assert _importers(("pypdf",), outside="pipeline") == []


def _environment_reads(paths: list[Path]) -> list[str]:
    reads = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                reads.append(f"{path.name}:{node.lineno}")
    return reads


@pytest.mark.parametrize("folder", ["pipeline", "storage"])
def test_no_environment_read_in(folder: str) -> None:
    assert _environment_reads(_modules(folder)) == []


def test_the_rules_see_what_they_look_for(tmp_path: Path) -> None:
    """The scanners themselves: an import and an environment read are found."""
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom redis.exceptions import RedisError\nx = os.getenv('A')\n")
    assert "redis.exceptions" in _imports(sample)
    assert _environment_reads([sample]) == ["sample.py:3"]
