"""One typed settings object, read once from ``SOHOA_*`` environment variables by the entry point.

Secrets are never values here, only paths to files holding them (``*_FILE``). An unknown
``SOHOA_*`` variable is an error, so a typo cannot silently fall back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.errors import ConfigurationError

ENV_PREFIX = "SOHOA_"


class OcrSettings(BaseModel):
    """What the OCR stage needs, and nothing else."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    languages: str = Field("vie+eng", description="Tesseract language string")
    timeout_s: float = Field(180.0, gt=0, description="per page; a timeout is retryable")
    raster_dpi: int = Field(300, ge=72, le=600, description="resolution for rasterising PDF pages")
    detect_orientation: bool = Field(True, description="turn 90/180/270° pages upright")
    deskew: bool = Field(True, description="straighten skewed scans (±10°)")


class InputLimits(BaseModel):
    """Guards against hostile or accidental giant inputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(256 * 1024 * 1024, gt=0, description="largest input file accepted")
    max_pixels: int = Field(80_000_000, gt=0, description="largest page accepted, in pixels")
    max_pages: int = Field(2000, gt=0, description="most pages in one input file")


class Settings(BaseModel):
    """Everything a sohoa process can be told. Built once; passed down; frozen.

    ``SOHOA_DATA=/srv/sohoa`` sets ``data``; nested fields use ``__``: ``SOHOA_OCR__TIMEOUT_S=60``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    data: Path = Field(Path("sohoa-data"), description="embedded store, warehouse and dev keys")
    store_url: str | None = Field(None, description="object store; default file://<data>/objects")
    warehouse_url: str | None = Field(None, description="default sqlite:///<data>/warehouse.sqlite")
    agency: str = Field("000.00.00.H00", description="agency code used when a manifest names none")
    jobs: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="OCR processes"
    )
    ocr: OcrSettings = OcrSettings()
    limits: InputLimits = InputLimits()
    signing_pkcs12: Path | None = Field(None, description="agency PKCS#12; none: a dev key")
    signing_password_file: Path | None = Field(
        None, description="file holding the PKCS#12 password"
    )
    trust_pem: Path | None = Field(None, description="trust anchors for verify; default: our CA")

    @property
    def resolved_store_url(self) -> str:
        return self.store_url or f"file://{(self.data / 'objects').resolve()}"

    @property
    def resolved_warehouse_url(self) -> str:
        return self.warehouse_url or f"sqlite:///{(self.data / 'warehouse.sqlite').resolve()}"

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
