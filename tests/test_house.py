"""The house's rules, read from the source (docs/ARCHITECTURE.md): imports point down the layers,
no two modules import each other round a circle, and no product module imports the sample
generator at module level. Pure: ``ast`` over the files, nothing imported or run."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.house import circles, imports, upward

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
