"""Authentication backends that load the member's access-rule inputs with the user.

Every signed-in request loads its user once (``AuthenticationMiddleware``); these
backends fetch the membership and "is the login address verified" in that same
query, so ``members.access.member_state`` needs no query of its own on the
members-only pages.
"""

from allauth.account import auth_backends
from django.contrib.auth import backends

from members.user_loading import load_user


class MemberLoadingMixin:
    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(MemberLoadingMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(MemberLoadingMixin, auth_backends.AuthenticationBackend):
    pass
