import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

django_application = get_wsgi_application()

from api.fastpath import CachedApiApplication  # noqa: E402 (needs the apps loaded)

# Repeated anonymous API reads are answered before Django's handler when this process
# already sent the same answer under the current content version (see fastpath.py).
application = CachedApiApplication(django_application)

# Everything loaded so far (Django, the apps, the URL conf) lives as long as the
# process: keep it out of the collector's passes, which otherwise walk it again and
# again while requests allocate (and, with --preload, touch pages forks share).
gc.collect()
gc.freeze()
