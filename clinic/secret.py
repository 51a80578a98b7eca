"""A per-installation secret key for the embedded default.

Production sets ``SECRET_KEY``; a laptop running ``make run`` should not have to.
The key is generated once with ``secrets`` and kept outside version control.
"""

import secrets
from pathlib import Path


def local_secret_key(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key
