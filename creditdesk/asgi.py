import os

from django.core.asgi import get_asgi_application

# A server is production unless told otherwise (see settings.py).
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditdesk.settings")

application = get_asgi_application()
