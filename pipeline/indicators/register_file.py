"""Parsing the one-stop shop's register (CSV or JSON) into validated entries.

Bad rows never stop good ones: each is returned with its line (CSV: the physical line of the
row; JSON: the item's index + 1) and a reason naming the field.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from schemas.errors import UnsupportedInput
from schemas.register import RegisterEntry

_EMPTY = {"", None}
_BOOL = {
    "1": True,
    "true": True,
    "yes": True,
    "có": True,
    "0": False,
    "false": False,
    "no": False,
    "không": False,
}


@dataclass(frozen=True)
class RegisterRow:
    line: int
    entry: BaseModel  # RegisterEntry, AgencyEntry or TargetEntry


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


def parse_register(
    data: bytes, name: str, model: type[BaseModel] = RegisterEntry
) -> tuple[list[RegisterRow], list[RejectedRow]]:
    """Entries and rejections, in file order. JSON when the name ends in .json, else CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedInput(f"not UTF-8 text: {exc}", subject=name) from exc
    if name.lower().endswith(".json"):
        return _rows(_json_items(text, name), model)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    items: list[tuple[int, object]] = []
    try:
        for record in reader:
            if None in record:  # more cells than header names
                items.append((reader.line_num, {"__extra__": record[None]}))
                continue
            items.append(
                (
                    reader.line_num,
                    {k.strip(): _csv_value(v) for k, v in record.items() if k and v not in _EMPTY},
                )
            )
    except csv.Error as exc:  # the rest of the file cannot be split into rows
        good, bad = _rows(items, model)
        return good, [*bad, RejectedRow(reader.line_num, f"CSV syntax, reading stopped: {exc}")]
    return _rows(items, model)


def _csv_value(value: str) -> object:
    value = value.strip()
    return _BOOL.get(value.lower(), value)


def _json_items(text: str, name: str) -> list[tuple[int, object]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnsupportedInput(f"not valid JSON: {exc}", subject=name) from exc
    if not isinstance(document, list):
        raise UnsupportedInput("a JSON register is a list of objects", subject=name)
    return list(enumerate(document, start=1))


def _rows(
    items: list[tuple[int, object]], model: type[BaseModel]
) -> tuple[list[RegisterRow], list[RejectedRow]]:
    good, bad = [], []
    for line, item in items:
        if isinstance(item, dict) and "__extra__" in item:
            bad.append(RejectedRow(line, "more cells than the header has columns"))
            continue
        try:
            good.append(RegisterRow(line, model.model_validate(item)))
        except ValidationError as exc:
            reason = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()
            )
            bad.append(RejectedRow(line, reason))
    return good, bad
