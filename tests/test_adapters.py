"""The adapters of ``runtime/adapters/`` against the library versions installed: each
was written for one version and reaches past its public API, so a new version fails
here first (README, "Upgrade notes")."""

from __future__ import annotations

import contextlib
import inspect

import adminsortable2
import django
import pytest
from adminsortable2.admin import SortableAdminMixin
from django.db import connection, transaction

from runtime.adapters import adminsortable2 as sortable_adapter
from runtime.adapters import django as django_adapter


def test_the_django_adapter_is_for_the_installed_django():
    assert django.VERSION[:2] == django_adapter.WRITTEN_FOR


@pytest.mark.django_db(transaction=True)
def test_a_queued_callback_is_seen_until_its_savepoint_rolls_back():
    def outer():
        pass

    def inner():
        pass

    with transaction.atomic():
        transaction.on_commit(outer)
        with contextlib.suppress(RuntimeError), transaction.atomic():
            transaction.on_commit(inner)
            assert django_adapter.on_commit_queued(connection, inner)
            raise RuntimeError("rolled back")
        assert django_adapter.on_commit_queued(connection, outer)
        assert not django_adapter.on_commit_queued(connection, inner)


def test_the_adminsortable2_adapter_is_for_the_installed_version():
    major_minor = ".".join(adminsortable2.__version__.split(".")[:2])

    assert major_minor == sortable_adapter.WRITTEN_FOR


@pytest.mark.parametrize(
    ("method", "parameters"),
    [
        ("_update_order", ["self", "updated_items", "extra_model_filters"]),
        ("_move_item", ["self", "startorder", "endorder", "extra_model_filters"]),
    ],
)
def test_the_wrapped_adminsortable2_methods_exist_as_written_for(method, parameters):
    signature = inspect.signature(getattr(SortableAdminMixin, method))

    assert list(signature.parameters) == parameters
