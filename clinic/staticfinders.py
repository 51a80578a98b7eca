"""Serve single files out of installed packages as static files.

modeltranslation's language tabs need jQuery UI's script, which the
XStatic-jQuery.ui wheel ships. Exposing the wheel's whole folder would also collect
its theme CSS, whose image references the hashed-manifest storage cannot resolve, so
only the files listed here are found and collected.
"""

import importlib
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static path -> (package exposing BASE_DIR, file inside it)
VENDOR_FILES = {
    "vendor/jquery-ui/jquery-ui.min.js": ("xstatic.pkg.jquery_ui", "jquery-ui.min.js"),
}


def _source(static_path: str) -> Path:
    module_name, filename = VENDOR_FILES[static_path]
    return Path(importlib.import_module(module_name).BASE_DIR) / filename


class VendorFileFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path not in VENDOR_FILES:
            return [] if find_all else None
        found = str(_source(path))
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for static_path in VENDOR_FILES:
            source = _source(static_path)
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = str(Path(static_path).parent)
            yield source.name, storage
