"""Evidence a PDF carries for its signatures: the DSS (certificates, OCSP responses, CRLs) and
the times its timestamp tokens claim. Read-only; never raises on a damaged file.

    read_embedded(reader) -> Embedded
    has_revinfo_for(cert, embedded) -> bool
    gen_time(timestamp_signed_data) / signature_timestamp_time(emb) -> datetime | None
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter


@dataclass(frozen=True)
class Embedded:
    """Validation data the file carries in its Document Security Store."""

    certs: tuple[asn1_x509.Certificate, ...] = ()
    ocsps: tuple[asn1_ocsp.OCSPResponse, ...] = ()
    crls: tuple[asn1_crl.CertificateList, ...] = ()
    first_dss_revision: int | None = None
    notes: tuple[str, ...] = ()


def read_embedded(reader: PdfFileReader) -> Embedded:
    """The certificates, OCSP responses and CRLs of the DSS; never raises."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return Embedded()
    except Exception as exc:  # a damaged DSS: validate without it, and say so
        return Embedded(notes=("the file's validation data (DSS) is damaged: %s" % exc,))
    try:
        certs = tuple(dss.load_certs())
        ocsps = tuple(_dss_ocsps(dss))
        crls = tuple(_dss_crls(dss))
    except Exception as exc:
        return Embedded(notes=("the file's validation data (DSS) is damaged: %s" % exc,))
    first = None
    for revision in range(reader.xrefs.total_revisions):
        try:
            if "/DSS" in reader.get_historical_root(revision):
                first = revision
                break
        except Exception:
            continue
    return Embedded(certs=certs, ocsps=ocsps, crls=crls, first_dss_revision=first)


def plain_name(value: object) -> str | None:
    """A PDF name or an enum member as plain text: ``/ETSI.CAdES.detached`` -> ``ETSI...``."""
    if value is None:
        return None
    return str(getattr(value, "name", value)).lstrip("/")


def _dss_ocsps(dss: DocumentSecurityStore) -> list[asn1_ocsp.OCSPResponse]:
    return [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]


def _dss_crls(dss: DocumentSecurityStore) -> list[asn1_crl.CertificateList]:
    return [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]


def gen_time(signed_data: Any) -> dt.datetime | None:
    """The time a timestamp token claims (TSTInfo genTime), unverified; None if unreadable."""
    try:
        return signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:
        return None


def signature_timestamp_time(emb: EmbeddedPdfSignature) -> dt.datetime | None:
    try:
        token = next(extract_tst_data_iter(emb.signer_info, signed=False))
    except Exception:
        return None
    return gen_time(token)


def has_revinfo_for(cert: asn1_x509.Certificate, embedded: Embedded) -> bool:
    serial = cert.serial_number
    for response in embedded.ocsps:
        try:
            basic = response["response_bytes"]["response"].parsed
            for single in basic["tbs_response_data"]["responses"]:
                if single["cert_id"]["serial_number"].native == serial:
                    return True
        except Exception:
            continue
    issuer = cert.issuer
    return any(crl["tbs_cert_list"]["issuer"] == issuer for crl in embedded.crls)
