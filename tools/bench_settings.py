"""Settings of the benchmark's servers: production's, plus the ceiling's view.

The ceiling (``/bench/constant/``, tools/bench_views.py) is routed only here, so the
production URLconf and settings know nothing of the benchmark."""

from clinic.settings import *  # noqa: F403
from clinic.settings import count, from_env

ROOT_URLCONF = "tools.bench_urls"
# How many constant bytes the ceiling answers (the size of the article's body).
BENCH_CONSTANT_BYTES = from_env("BENCH_CONSTANT_BYTES", count, default=0)
