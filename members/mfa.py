"""Staff second factor: TOTP secrets encrypted at rest, and the admin gate."""

import base64
import hashlib
import time

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def _fernet() -> Fernet:
    # MFA_ENCRYPTION_KEY may be set separately so the secret key can rotate
    # without locking staff out; by default it is derived from SECRET_KEY.
    material = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    key = hashlib.sha256(f"lmsa-mfa:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter with TOTP secrets and recovery seeds Fernet-encrypted."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return _fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            # Secrets stored before encryption was switched on.
            return encrypted_text


def staff_has_mfa(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()


class StaffSecurityMiddleware:
    """Staff must have TOTP before any admin page, and their sessions end after
    ``STAFF_SESSION_IDLE_SECONDS`` of inactivity."""

    SESSION_KEY = "staff_last_seen"
    # Noted at most once a minute: a session write (a database UPDATE) on every
    # staff request cost more than many admin pages. The idle limit is kept to
    # within this much.
    SEEN_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            response = self._check_idle(request)
            if response is not None:
                return response
            response = self._check_mfa(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check_idle(self, request):
        idle_limit = settings.STAFF_SESSION_IDLE_SECONDS
        now = int(time.time())
        last_seen = request.session.get(self.SESSION_KEY)
        if last_seen is not None and now - last_seen > idle_limit:
            logout(request)
            messages.info(
                request, _("You were signed out after a period of inactivity.")
            )
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if last_seen is None or now - last_seen >= self.SEEN_EVERY_SECONDS:
            request.session[self.SESSION_KEY] = now
        return None

    def _check_mfa(self, request):
        if not settings.MFA_REQUIRED_FOR_STAFF:
            return None
        admin_prefix = reverse("admin:index")
        if not request.path.startswith(admin_prefix):
            return None
        if staff_has_mfa(request.user):
            return None
        messages.warning(
            request,
            _(
                "Staff accounts need two-factor authentication before using the admin. "
                "Set up an authenticator app now."
            ),
        )
        return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
