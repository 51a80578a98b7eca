"""The only modules that reach past a library's public API, one per library, each
for a need the library offers no public way to meet. Each names the version it was
written for; ``tests/test_adapters.py`` fails on another one, and README's "Upgrade
notes" say what to check. ``tests/test_public_apis.py`` keeps such uses out of every
other module."""
