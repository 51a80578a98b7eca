"""The production URLconf plus the benchmark's ceiling (tools/bench_settings.py)."""

from django.urls import path

from clinic.urls import *  # noqa: F403
from clinic.urls import urlpatterns
from tools.bench_views import constant_bytes

urlpatterns = [*urlpatterns, path("bench/constant/", constant_bytes)]
