"""WSGI entry point for production servers (gunicorn noaber.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "noaber.settings")
application = get_wsgi_application()

# Refuse to serve with an identity provider reached over plain HTTP (decision 0021).
from noaber.accounts.checks import refuse_insecure_providers  # noqa: E402

refuse_insecure_providers()
