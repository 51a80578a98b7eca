"""The ceiling of `make bench`: constant bytes through the same middleware stack as
the API (a plain Django view, no DRF, no database), routed by tools/bench_urls.py
only."""

from django.conf import settings
from django.http import HttpResponse

_BODY = b'{"constant":"' + b"x" * max(settings.BENCH_CONSTANT_BYTES - 15, 0) + b'"}'


def constant_bytes(request):
    return HttpResponse(_BODY, content_type="application/json; charset=utf-8")
