"""WSGI entry point (gunicorn serves ``lmsa_portal.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmsa_portal.settings.prod")

application = get_wsgi_application()
