"""The signing key of a sohoa process, opened from settings, and the development PKI."""
