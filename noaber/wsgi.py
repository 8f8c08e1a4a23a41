"""WSGI entry point for production servers (gunicorn noaber.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "noaber.settings")
application = get_wsgi_application()
