"""PAdES signing and the verification of any signed PDF."""
