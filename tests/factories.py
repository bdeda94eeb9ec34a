"""Test-only helpers. The factories themselves live in each app
(``members/factories.py``, ``mentors/factories.py``, ...), where the demo and the
scale seed use them too."""

from members.models import User


def make_totp(user: User) -> str:
    """Give ``user`` an activated TOTP authenticator; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
