"""The one list of the API's public types, as Wagtail's API router is the one list of
its endpoints.

Each app registers its types in ``AppConfig.ready()``; the API root, the locales'
published counts, the sitemap feed, the OpenAPI schema, the cache tags and the tests
read them from here, so adding a type is one registration. Reading the registry
before the apps are ready is an error rather than a silently shorter list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from publication import changes


@dataclass(frozen=True)
class PublicType:
    # The sitemap's ``type`` ("cause_type"); None for a type outside the sitemap.
    name: str | None
    # The key in the locales' counts ("cause_types") and, unless ``endpoint`` says
    # otherwise, in the root's endpoints.
    key: str
    model: type[models.Model]
    # URL names: the list (or the single object's) route and the detail route.
    list_route: str
    detail_route: str | None = None
    endpoint: str | None = None
    # From published versions (publication.published.Published): the rows of the
    # objects visible in a locale (identity columns: pk, updated_at, each locale's
    # slug and flag), in pk order; by default each object's versions' addresses.
    version_rows: Callable[[object, str], list[dict]] | None = None

    @property
    def endpoint_key(self) -> str:
        return self.endpoint or self.key

    @property
    def tag(self) -> str:
        """The cache tag of the type (``causetype``); objects add ``-<pk>``."""
        return self.model._meta.model_name

    def published_rows(self, published, code: str) -> list[dict]:
        """The identity rows of the objects visible in ``code``, from versions
        (their addresses: the snapshots are not read)."""
        if self.version_rows:
            return self.version_rows(published, code)
        return published.identity_rows(self.model, code)

    def published_count(self, published, code: str) -> int:
        """How many objects are visible in ``code``, from versions (one aggregate
        counts every type)."""
        if self.version_rows:
            return len(self.version_rows(published, code))
        return published.count(self.model, code)


REGISTRY: dict[str, PublicType] = {}


def register(public_type: PublicType) -> None:
    if public_type.key in REGISTRY:
        raise ValueError(f"{public_type.key} is registered already")
    REGISTRY[public_type.key] = public_type
    if public_type.name and public_type.detail_route and not public_type.version_rows:
        # Its objects' addresses: what a change announces and old slugs redirect.
        changes.register_address_type(
            changes.AddressType(
                public_type.name, public_type.model, public_type.detail_route
            )
        )


def public_types() -> tuple[PublicType, ...]:
    """Every public type, in the order the apps registered them."""
    apps.check_apps_ready()
    return tuple(REGISTRY.values())


def sitemap_types() -> tuple[PublicType, ...]:
    return tuple(kind for kind in public_types() if kind.name)


def by_name(name: str) -> PublicType:
    return next(kind for kind in sitemap_types() if kind.name == name)
