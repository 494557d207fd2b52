"""S3/MinIO bucket notifications: which of our objects an event names.

    keys_in_event(event, roles, single_bucket=False) -> our keys (``<role>/<key>``)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus


def keys_in_event(
    event: Mapping[str, Any], roles: Mapping[str, str], *, single_bucket: bool = False
) -> list[str]:
    """Our keys of the objects an S3/MinIO event names (keys arrive URL-encoded).

    ``roles`` maps a bucket name to the role it holds; records of other buckets are ignored.
    With ``single_bucket`` the object key already starts with the role.
    """
    found = []
    for record in event.get("Records") or ():
        if not str(record.get("eventName", "")).startswith(("s3:ObjectCreated:", "ObjectCreated:")):
            continue
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name")
        name = (s3.get("object") or {}).get("key")
        if bucket not in roles or not name:
            continue
        name = unquote_plus(name)
        found.append(name if single_bucket else f"{roles[bucket]}/{name}")
    return found
