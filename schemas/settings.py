"""One typed settings object, read once from ``SOHOA_*`` environment variables by the entry point.

Secrets are never values here, only paths to files holding them (``*_FILE``). An unknown
``SOHOA_*`` variable is an error, so a typo cannot silently fall back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.document import AGENCY_CODE_PATTERN
from schemas.errors import ConfigurationError
from schemas.signing import SigningSettings

ENV_PREFIX = "SOHOA_"
MAX_JOBS = 64  # OCR processes; SOHOA_JOBS=100000 spawned processes until 18 GB


class OcrSettings(BaseModel):
    """What the OCR stage needs, and nothing else."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    languages: str = Field(
        "vie", description="Tesseract language string (vie alone: vie+eng drops diacritics)"
    )
    timeout_s: float = Field(180.0, gt=0, description="per page; a timeout is retryable")
    raster_dpi: int = Field(300, ge=72, le=600, description="resolution for rasterising PDF pages")
    read_dpi: int = Field(
        200, ge=72, le=1200, description="pages scanned finer are read (not stored) at this dpi"
    )
    detect_orientation: bool = Field(True, description="turn 90/180/270° pages upright")
    read_inverted: bool = Field(
        False,
        description="also try each line as light text on dark (Tesseract's default; about 5%"
        " slower on our test pages, which have none)",
    )
    deskew: bool = Field(True, description="straighten skewed scans (±10°)")
    threads: int = Field(
        1,
        ge=1,
        le=64,
        description="OpenMP threads of one Tesseract run (its OMP_THREAD_LIMIT); 1: pages run"
        " side by side, one per core",
    )
    set_apart: bool = Field(
        True,
        description="find seals, signatures, received stamps and scanner marks, and keep"
        " the words read there out of the text",
    )


class InputLimits(BaseModel):
    """Guards against hostile or accidental giant inputs. Each is checked before the thing it
    bounds is read or parsed, and a file over one is quarantined with the reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(
        256 * 1024 * 1024, gt=0, description="largest input file accepted (from stat, unread)"
    )
    max_pixels: int = Field(
        80_000_000,
        gt=0,
        description="largest page accepted, in pixels; for a PDF page its area in points at"
        " the raster dpi (reading costs about 15 bytes of memory per pixel)",
    )
    max_pages: int = Field(2000, gt=0, description="most pages in one input file")
    min_page_px: int = Field(
        100, ge=1, description="a page narrower or shorter than this (pixels) is not a scan"
    )
    max_hex_string: int = Field(
        1_000_000,
        gt=0,
        description="longest hex string (a signature's /Contents) in a PDF, in hex digits,"
        " checked in the raw bytes before the PDF is parsed (parsing costs ~85 bytes each)",
    )
    max_manifest_bytes: int = Field(1024 * 1024, gt=0, description="largest manifest.json")
    max_manifest_depth: int = Field(16, gt=0, description="deepest nesting of manifest.json")
    max_manifest_entries: int = Field(
        1000, gt=0, description="most documents, and most file names, in one manifest.json"
    )


class S3Buckets(BaseModel):
    """One bucket per role when the store URL names none (``s3://host:port``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    intake: str = Field("sohoa-intake", description="what clerks drop; watched")
    originals: str = Field("sohoa-originals", description="immutable copies of every input")
    results: str = Field("sohoa-results", description="signed PDFs and sidecars")
    quarantine: str = Field("sohoa-quarantine", description="rejected input and why")


class S3Settings(BaseModel):
    """The S3 object store (MinIO in a deployment), used when ``store_url`` is ``s3://``.

    ``s3://host:port`` keeps each role in its own bucket (``buckets``); ``s3://host:port/name``
    keeps every role as a prefix of one bucket. Credentials are read from files.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_key_file: Path | None = Field(None, description="file holding the access key")
    secret_key_file: Path | None = Field(None, description="file holding the secret key")
    secure: bool = Field(False, description="HTTPS to the endpoint")
    region: str = Field("us-east-1", description="signing region (MinIO accepts us-east-1)")
    buckets: S3Buckets = S3Buckets()
    part_size_mb: int = Field(16, ge=5, le=5120, description="multipart above this size")
    connect_timeout_s: float = Field(5.0, gt=0)
    read_timeout_s: float = Field(60.0, gt=0)
    http_retries: int = Field(2, ge=0, le=10, description="in-call retries; then retryable")


class QueueSettings(BaseModel):
    """dramatiq on Redis: where messages go, how they are retried, how fast the dead return."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str | None = Field(None, description="redis://host:port/db; none: no queue (CLI only)")
    password_file: Path | None = Field(None, description="file holding the Redis password")
    namespace: str = Field("sohoa", description="prefix of every Redis key of the broker")
    name: str = Field("dossiers", description="the queue of digitisation messages")
    max_retries: int = Field(8, ge=0, description="retryable failures; then the dossier is failed")
    min_backoff_s: float = Field(10.0, gt=0, description="first retry delay; doubles each time")
    max_backoff_s: float = Field(900.0, gt=0, description="cap of the retry delay")
    time_limit_s: float = Field(1800.0, gt=0, description="one dossier, all its pages")
    page_helpers: int = Field(
        16, ge=0, description="other workers asked to help with one document's pages; 0: none"
    )
    heartbeat_timeout_s: float = Field(
        15.0, ge=5, description="silence after which a worker is dead and its messages return"
    )
    maintenance_probability: float = Field(
        1.0, gt=0, le=1, description="share of broker calls that look for dead workers"
    )


class WatchSettings(BaseModel):
    """The intake watcher."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stable_s: float = Field(30.0, ge=0, description="a lone file is ready once this still")
    list_interval_s: float = Field(30.0, gt=0, description="full listing, the safety net")
    reconcile_after_s: float = Field(
        600.0,
        gt=0,
        description="a unit sent whose dossier has not moved this long, with no message left "
        "in the queue (a Redis that lost its data), is sent again",
    )
    notifications: bool = Field(True, description="consume bucket notifications if offered")


class MetricsSettings(BaseModel):
    """Prometheus exposition of workers and watcher."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    port: int | None = Field(None, ge=1, le=65535, description="none: no metrics server")
    host: str = Field("127.0.0.1", description="address to listen on (0.0.0.0 in containers)")


class DeskSettings(BaseModel):
    """The web desk (``sohoa serve``): sessions and uploads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    session_key_file: Path | None = Field(
        None, description="file holding the session signing key; none: <data>/keys/desk.key"
    )
    session_max_age_s: int = Field(8 * 3600, gt=0, description="a login lasts this long")
    max_upload_files: int = Field(200, gt=0, description="most files in one upload")


class Settings(BaseModel):
    """Everything a sohoa process can be told. Built once; passed down; frozen.

    ``SOHOA_DATA=/srv/sohoa`` sets ``data``; nested fields use ``__``: ``SOHOA_OCR__TIMEOUT_S=60``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    data: Path = Field(Path("sohoa-data"), description="embedded store, warehouse and dev keys")
    store_url: str | None = Field(None, description="object store; default file://<data>/objects")
    warehouse_url: str | None = Field(None, description="default sqlite:///<data>/warehouse.sqlite")
    agency: str = Field(
        "000.00.00.H00",
        pattern=AGENCY_CODE_PATTERN,  # it names folders: ``a/b/c`` must not nest prefixes
        description="agency code used when a manifest names none",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = Field(
        None, description="of `sohoa worker` and `sohoa watch`; none: INFO"
    )
    duplicates: Literal["sign", "reuse"] = Field(
        "sign",
        description="the same input bytes in another dossier: sign a result of its own, or "
        "reuse the first dossier's signed result (the copy is recorded and linked either way)",
    )
    jobs: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, MAX_JOBS),
        ge=1,
        le=MAX_JOBS,
        description="OCR processes (each may take a few hundred MB)",
    )
    lang: Literal["vi", "en"] = Field("vi", description="language of what a clerk reads")
    ocr: OcrSettings = OcrSettings()
    desk: DeskSettings = DeskSettings()
    limits: InputLimits = InputLimits()
    signing_pkcs12: Path | None = Field(None, description="agency PKCS#12; none: a dev key")
    signing_password_file: Path | None = Field(
        None, description="file holding the PKCS#12 password"
    )
    trust_pem: Path | None = Field(None, description="trust anchors for verify; default: our CA")
    crl_dir: Path | None = Field(
        None,
        description="CRLs verify uses when a file carries no revocation data, and where "
        "sohoa trust refresh stores them; default <data>/crls",
    )
    trust_profile: Literal["vn"] | None = Field(
        None,
        description="certification authorities shipped with sohoa that verify trusts (vn: "
        "VGCA and Vietnam National Root CA, pinned SHA-256), with or instead of trust_pem",
    )
    warehouse_password_file: Path | None = Field(
        None, description="file holding the warehouse password (PostgreSQL)"
    )
    s3: S3Settings = S3Settings()
    queue: QueueSettings = QueueSettings()
    watch: WatchSettings = WatchSettings()
    metrics: MetricsSettings = MetricsSettings()
    signing: SigningSettings = SigningSettings()

    @property
    def resolved_store_url(self) -> str:
        return self.store_url or f"file://{(self.data / 'objects').resolve()}"

    @property
    def resolved_warehouse_url(self) -> str:
        return self.warehouse_url or f"sqlite:///{(self.data / 'warehouse.sqlite').resolve()}"

    @property
    def resolved_crl_dir(self) -> Path:
        return self.crl_dir or self.data / "crls"

    @property
    def keys_dir(self) -> Path:
        return self.data / "keys"


def _values_from_env(env: Mapping[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        path = key[len(ENV_PREFIX) :].lower().split("__")
        node = values
        for part in path[:-1]:
            node = node.setdefault(part, {})  # type: ignore[assignment]
            if not isinstance(node, dict):
                raise ConfigurationError(f"{key}: conflicts with another setting")
        node[path[-1]] = raw
    return values


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``); CLI flags come as ``overrides``.

    Raises ConfigurationError naming the variable on an unknown ``SOHOA_*`` key or a bad value.
    """
    values = _values_from_env(os.environ if environ is None else environ)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'__'.join(str(p).upper() for p in e['loc'])}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from exc
