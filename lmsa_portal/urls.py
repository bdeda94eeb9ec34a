"""Top-level URL map; each initiative's pages live in its own app namespace."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from lmsa_portal import reports, views
from lmsa_portal.attention import needs_attention
from members import views as members_views

# The admin login goes through allauth: its rate limits and MFA apply to staff.
admin.site.login = secure_admin_login(admin.site.login)


def _index_with_attention(index):
    """The admin index with the "Needs attention" tiles above the app list."""

    def view(request, extra_context=None):
        tiles = needs_attention(user=request.user)
        context = {
            "attention_visible": bool(tiles),  # the user may act on some of it
            "attention_tiles": [tile for tile in tiles if tile.count],
            **(extra_context or {}),
        }
        return index(request, extra_context=context)

    return view


admin.site.index = _index_with_attention(admin.site.index)
admin.site.site_header = _("LMSA Member Portal administration")
admin.site.site_title = _("LMSA Portal admin")
admin.site.index_title = _("Curate members, mentors, programs, sessions and mailings")

urlpatterns = [
    path("", views.home, name="home"),
    path("plus/", views.plus_network, name="plus-network"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", members_views.set_language, name="set-language"),
    path("accounts/", include("allauth.urls")),
    path("members/", include("members.urls")),
    path("mentors/", include("mentors.urls")),
    path("residency-hub/", include("residency_hub.urls")),
    path("ama/", include("ama.urls")),
    path("listserv/", include("listserv.urls")),
    path(
        "admin/reports/", admin.site.admin_view(reports.reports), name="admin-reports"
    ),
    path("admin/", admin.site.urls),
]

handler404 = "lmsa_portal.views.page_not_found"
handler500 = "lmsa_portal.views.server_error"

# Trivial views that `make bench` measures every page against (off unless asked for).
if settings.BENCHMARK_BASELINE_VIEWS:
    urlpatterns += [
        path("_baseline/anonymous/", views.baseline_anonymous),
        path("_baseline/member/", views.baseline_member),
    ]

if settings.DEBUG:
    urlpatterns += [
        path("404/", views.page_not_found, {"exception": None}),
        path("500/", views.server_error),
    ]
