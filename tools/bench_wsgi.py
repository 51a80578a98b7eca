"""``clinic.wsgi`` without its fast path (api/fastpath.py): what ``python -m
tools.bench --no-fastpath`` serves, to measure what the fast path pays."""

from clinic.wsgi import django_application as application  # noqa: F401
