"""Signed links for actions taken from an email, without a login.

Each purpose has its own salt, so a token made for one action never works for
another, and every token carries its creation time so it can expire.
"""

from django.core import signing
from django.utils.crypto import salted_hmac


def make_token(*, purpose: str, value: str | int | dict) -> str:
    """Sign ``value`` for ``purpose``; the token is URL-safe."""
    return signing.dumps(value, salt=f"lmsa:{purpose}", compress=True)


def read_token(*, purpose: str, token: str, max_age_seconds: int):
    """Return the signed value, or raise ``signing.BadSignature`` (``SignatureExpired``
    when it is authentic but too old)."""
    return signing.loads(token, salt=f"lmsa:{purpose}", max_age=max_age_seconds)


def address_fingerprint(email: str) -> str:
    """A keyed fingerprint of an email address: a link bound to an address carries
    this, never the address itself (a signed token is only base64, and links end
    up in server and proxy logs)."""
    return salted_hmac("lmsa:address", email.strip().lower()).hexdigest()[:20]
