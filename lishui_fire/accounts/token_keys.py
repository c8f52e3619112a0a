"""An API token's key and the digest stored in its place (the model and accounts.tokens use
these; no import of the models here, so that the model can use them without a circle)."""

from __future__ import annotations

import hashlib
import secrets


def new_key() -> str:
    return secrets.token_hex(20)


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
