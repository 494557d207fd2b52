"""Trust material given to the verifier, read strictly: a certificate or CRL that does not
parse is a configuration error before any file is verified.

    load_certificates(blobs) -> [Certificate]     PEM (one or more per blob) or DER
    load_crls(blobs) -> [CertificateList]          PEM or DER
"""

from __future__ import annotations

from collections.abc import Iterable

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data

from schemas.errors import ConfigurationError


def load_certificates(blobs: Iterable[bytes]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or more per blob) or DER blobs; ConfigurationError on junk."""
    certs: list[asn1_x509.Certificate] = []
    for index, blob in enumerate(blobs):
        try:
            loaded = list(load_certs_from_pemder_data(blob))
            for cert in loaded:
                _ = cert.subject  # force parsing now, not during validation
        except Exception as exc:  # asn1crypto raises ValueError, TypeError, ...
            raise ConfigurationError(
                "certificate #%d cannot be read: %s" % (index + 1, exc)
            ) from exc
        if not loaded:
            raise ConfigurationError("certificate #%d: no certificate found" % (index + 1))
        certs.extend(loaded)
    return certs


def load_crls(blobs: Iterable[bytes]) -> list[asn1_crl.CertificateList]:
    """CRLs from DER or PEM blobs (an operator's downloads); ConfigurationError on junk."""
    crls = []
    for index, blob in enumerate(blobs):
        try:
            ders = (
                [der for _t, _h, der in pem.unarmor(blob, multiple=True)]
                if pem.detect(blob)
                else [blob]
            )
            for der in ders:
                crl = asn1_crl.CertificateList.load(der)
                _ = crl["tbs_cert_list"]["next_update"].native  # parse now
                crls.append(crl)
        except Exception as exc:
            raise ConfigurationError("CRL #%d cannot be read: %s" % (index + 1, exc)) from exc
    return crls
