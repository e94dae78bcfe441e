import os

from django.core.wsgi import get_wsgi_application

from opsloop.core.chunked import with_chunked_bodies
from opsloop.core.runtime import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsloop.settings")
django_application = get_wsgi_application()

# Event ingestion is answered in front of Django's middleware (ingest_views.py says why
# and what it keeps); every other request goes to Django as before.
from opsloop.events.ingest_views import with_fast_path  # noqa: E402 (needs Django set up)

# Outermost: a chunked body (no Content-Length) is read within the limits for both
# (core/chunked.py).
application = with_chunked_bodies(with_fast_path(django_application))
freeze_startup_objects()
