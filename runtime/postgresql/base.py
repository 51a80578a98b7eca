"""Django's PostgreSQL backend, subclassed as Django documents ("Subclassing the
built-in database backends"): a connection attempt under a public request's
deadline is spaced out while connecting fails and not started once the deadline has
passed (``runtime.health.connecting``)."""

from __future__ import annotations

from django.db.backends.postgresql import base

from runtime import health


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        with health.connecting(self.Database.OperationalError):
            return super().get_new_connection(conn_params)
