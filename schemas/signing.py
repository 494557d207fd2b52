"""Signing settings: the PAdES level, per-agency overrides, the TSA, a PKCS#11 token.

Read as ``Settings.signing`` from ``SOHOA_SIGNING__*`` variables, e.g.::

    SOHOA_SIGNING__PROFILE=B-LT
    SOHOA_SIGNING__TSA_URL=http://tsa.example.vn/tsa
    SOHOA_SIGNING__AGENCIES='{"000.17.22.H56": {"profile": "B-LTA", "visible": true,
                              "agency_name": "UBND tỉnh Đồng Nai"}}'

The key itself stays in ``Settings.signing_pkcs12`` (a PKCS#12 file) unless a PKCS#11 module is
set here, which then wins. Secrets are never values here, only files holding them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.states import Ordered


class SigningLevel(Ordered):
    """PAdES baseline levels (ETSI EN 319 142-1), weakest first and ordered so: the level a
    profile asks for and the level a verified signature reaches."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def needs_tsa(self) -> bool:
        return self is not SigningLevel.B_B

    @property
    def needs_revocation_data(self) -> bool:
        return self in (SigningLevel.B_LT, SigningLevel.B_LTA)


class AgencySigning(BaseModel):
    """What one agency changes from the defaults; unset fields inherit them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    profile: SigningLevel | None = None
    visible: bool | None = None
    agency_name: str | None = Field(None, max_length=200)
    copy_form: str | None = Field(None, max_length=40)


class AgencySigningPolicy(BaseModel):
    """The signing policy in force for one agency, every field resolved."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    profile: SigningLevel
    visible: bool
    agency_name: str
    copy_form: str


class SigningSettings(BaseModel):
    """How sohoa signs its results."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    profile: SigningLevel = Field(
        SigningLevel.B_B, description="PAdES level: B-B, B-T, B-LT or B-LTA"
    )
    agencies: dict[str, AgencySigning] = Field(
        default_factory=dict, description="per agency code (JSON in the environment)"
    )
    tsa_url: str | None = Field(None, description="RFC 3161 time-stamping service for B-T and up")
    tsa_timeout_s: float = Field(10.0, gt=0, le=300, description="a TSA that is slower fails")
    fetch_timeout_s: float = Field(10.0, gt=0, le=300, description="OCSP/CRL requests")
    check_revocation: bool = Field(
        True, description="refuse a revoked signer (when its certificate names OCSP or CRLs)"
    )
    visible: bool = Field(False, description="Decree 30/2020 copy stamp, top right of page 1")
    agency_name: str | None = Field(None, max_length=200, description="default: agency code")
    copy_form: str = Field("Sao y", max_length=40, description="Sao y, Sao lục or Trích sao")
    font: Path = Field(
        Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
        description="TrueType font with Vietnamese glyphs (metric-compatible Times New Roman)",
    )
    expiry_warning_days: int = Field(30, ge=0, description="`sohoa keys` warns this far ahead")
    pkcs11_module: Path | None = Field(None, description="PKCS#11 library; set: key on a token")
    pkcs11_token_label: str | None = None
    pkcs11_pin_file: Path | None = Field(None, description="file holding the user PIN")
    pkcs11_key_label: str | None = None
    pkcs11_cert_label: str | None = Field(None, description="default: the key label")

    @field_validator("agencies", mode="before")
    @classmethod
    def _agencies_from_json(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError("agencies must be a JSON object: %s" % exc.msg) from exc
        if isinstance(value, dict):
            return {str(k).upper(): v for k, v in value.items()}
        return value

    def for_agency(self, agency: str) -> AgencySigningPolicy:
        """The policy for ``agency`` (a code such as ``000.17.22.H56``)."""
        override = self.agencies.get(agency.upper(), AgencySigning())
        return AgencySigningPolicy(
            profile=override.profile or self.profile,
            visible=self.visible if override.visible is None else override.visible,
            agency_name=override.agency_name or self.agency_name or agency,
            copy_form=override.copy_form or self.copy_form,
        )


class SignatureSpec(BaseModel):
    """What one signature says about itself: its field, why and where it was made, when it
    claims to be made. Its level, timestamp, revocation sources and look are the signing
    profile's (``pipeline.signatures.signing.SigningProfile``); its key is the signer's.

    ``sign_pdf(pdf, signer, profile=..., spec=SignatureSpec(reason=..., ...))``
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    field_name: str = Field(
        "Signature1", min_length=1, max_length=100, description="the signature field, on page 1"
    )
    reason: str | None = Field(None, max_length=300, description="/Reason: why it was signed")
    location: str | None = Field(None, max_length=300, description="/Location: where")
    signing_time: dt.datetime | None = Field(
        None,
        description="the claimed signing time (/M and the copy stamp), timezone-aware, and the "
        "moment the certificate is checked at; None: now",
    )

    @field_validator("signing_time")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("signing_time must carry its timezone")
        return value
