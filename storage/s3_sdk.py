"""The three things sohoa asks of the ``minio`` SDK outside its public API, in one place.

minio 7.2's public calls cannot send ``If-None-Match: *`` with a PUT (``put_object`` turns
every header it does not know into ``x-amz-meta-*`` user metadata), cannot read MinIO's
notification stream without re-requesting forever when the answer is not JSON
(``listen_bucket_notification``'s EventIterable), and do not say which endpoint a client
talks to. So these three reach into the SDK; ``PRIVATE_CALLS`` names what they rely on, and
tests/test_private_apis.py fails when an installed minio no longer has it (pyproject.toml
caps minio below the next minor release that has not been tried).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minio import Minio

# method -> the parameters it is called with here, by name and in this order
PRIVATE_CALLS: Mapping[str, tuple[str, ...]] = {
    "_put_object": ("bucket_name", "object_name", "data", "headers"),
    "_execute": ("method", "bucket_name", "object_name", "body", "headers", "query_params",
                 "preload_content"),
}


def put_if_absent(client: Minio, bucket: str, name: str, data: bytes) -> None:
    """One PUT the server refuses (S3Error ``PreconditionFailed``) when the object exists."""
    headers = {"Content-Type": "application/octet-stream", "If-None-Match": "*"}
    client._put_object(bucket, name, data, headers)  # noqa: SLF001


def listen(client: Minio, bucket: str, query: Mapping[str, Any]) -> Any:
    """MinIO's ListenBucketNotification answer, unread (an urllib3 response to stream)."""
    return client._execute(  # noqa: SLF001
        "GET", bucket, query_params=dict(query), preload_content=False
    )


def endpoint(client: Minio) -> str:
    """The host the client talks to."""
    return str(client._base_url.host)  # noqa: SLF001
