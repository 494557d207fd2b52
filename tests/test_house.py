"""The house's rules, read from the source (docs/ARCHITECTURE.md): imports point down the layers,
no two modules import each other round a circle, no product module imports the sample generator
at module level, and files and functions keep their size (400 and 60 lines) unless the file's
top says why. Pure: ``ast`` over the files, nothing imported or run."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.house import (
    FILE_LIMIT,
    FUNCTION_LIMIT,
    circles,
    functions,
    has_reason,
    imports,
    modules,
    status_literals,
    upward,
)

REPO = Path(__file__).resolve().parents[1]


def test_imports_point_down_the_layers() -> None:
    bad = [f"{i.source}:{i.line} imports {i.target}" for i in upward(imports(REPO))]
    assert bad == [], "against docs/ARCHITECTURE.md's layers:\n" + "\n".join(bad)


def test_no_import_circle() -> None:
    assert circles(imports(REPO)) == []


def test_the_generator_is_outside_the_product() -> None:
    found = imports(REPO)
    assert any(i.target.startswith("samplegen") for i in found), "samplegen is used somewhere"
    top = [i for i in found if i.target.startswith("samplegen") and i.top_level]
    assert {i.source.split(".")[0] for i in top} <= {"samplegen"}


def oversized(root: Path) -> list[str]:
    """Files over FILE_LIMIT lines and functions over FUNCTION_LIMIT, unless the file's top
    says why (a line starting ``# house:``)."""
    found = []
    for path in modules(root).values():
        if has_reason(path):
            continue
        name = path.relative_to(root)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > FILE_LIMIT:
            found.append(f"{name}: {lines} lines")
        found += [f"{name}:{f}: {n} lines" for n, f in functions(path) if n > FUNCTION_LIMIT]
    return found


def test_files_and_functions_keep_their_size() -> None:
    over = oversized(REPO)
    assert over == [], (
        f"over {FILE_LIMIT} lines a file or {FUNCTION_LIMIT} a function, with no '# house: why' "
        "line at the file's top (docs/ARCHITECTURE.md):\n" + "\n".join(over)
    )


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_the_rules_see_what_they_are_for(tmp_path: Path) -> None:
    """Each rule fails on a small house that breaks it: an upward import, a circle made of a
    module-level and a function-level import, the generator at module level; and passes on
    what is allowed (a typing-only import, the generator inside a function)."""
    root = _tree(
        tmp_path,
        {
            "schemas/__init__.py": "",
            "pipeline/__init__.py": "",
            "pipeline/up.py": "from workers.a import x\n",
            "pipeline/gen.py": "from samplegen.s import g\n",
            "pipeline/fine.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from pipeline.up import x
                def f():
                    from samplegen.s import g
            """,
            "storage/__init__.py": "",
            "storage/objects.py": "def f():\n    from storage.s3 import S3\n",
            "storage/s3.py": "from storage.objects import f\n",
            "workers/__init__.py": "",
            "workers/a.py": "x = 1\n",
            "samplegen/__init__.py": "",
            "samplegen/s.py": "from pipeline import up\n",
        },
    )
    found = imports(root)
    assert sorted((i.source, i.target) for i in upward(found)) == [
        ("pipeline.gen", "samplegen.s"),
        ("pipeline.up", "workers.a"),
    ]
    assert circles(found) == [["storage.objects", "storage.s3"]]


def test_the_size_rule_sees_a_long_function_and_hears_a_reason(tmp_path: Path) -> None:
    body = "".join(f"    x{n} = {n}\n" for n in range(FUNCTION_LIMIT))
    root = _tree(tmp_path, {"pipeline/long.py": f"def long():\n{body}"})
    assert oversized(root) == [f"pipeline/long.py:long: {FUNCTION_LIMIT + 1} lines"]
    _tree(tmp_path, {"pipeline/long.py": f"# house: a table\ndef long():\n{body}"})
    assert oversized(root) == []


def test_storage_and_workers_name_statuses_by_their_enum() -> None:
    found = status_literals(REPO) + status_literals(REPO, "workers")
    assert found == [], "use schemas/states.py's DossierStatus/DocumentStatus:\n" + "\n".join(
        found
    )


def test_the_status_rule_sees_a_typo_waiting_to_happen(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "storage/a.py": """
                q = t.c.status == "digitised"
                r = t.c.status.in_(("digitised", DocumentStatus.REUSED))
                u = t.update().values(status="failed", label="reused")
                ok = t.c.status == DocumentStatus.DIGITISED
                RUNNING = (None, "received", DossierStatus.PROCESSING)
                ROLES = ("clerk", "admin")
            """,
            "storage/migrations/v1.py": "KNOWN = x in ('failed',)\n",
        },
    )
    assert status_literals(root) == [
        "storage/a.py:2 'digitised'",
        "storage/a.py:3 'digitised'",
        "storage/a.py:4 'failed'",
        "storage/a.py:6 'received'",
    ]
