"""django-admin-sortable2 (written for 2.3): a hook after the changelist's drag and
drop has written the new order.

The drag and drop writes with ``bulk_update`` and ``QuerySet.update`` (no save), in
``_update_order`` (a drop on the list) and ``_move_item`` (the "move to page"
actions); the library has no setting, signal or public method around either. They
are wrapped here, and nowhere else."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminMixin as BaseSortableAdminMixin
from django.db import transaction

WRITTEN_FOR = "2.3"


class SortableAdminMixin(BaseSortableAdminMixin):
    """adminsortable2's changelist sorting, each reorder in one transaction that
    ends with ``order_changed(pks)`` (the primary keys of the objects moved)."""

    def order_changed(self, pks: list) -> None:
        """Called inside the reorder's transaction; override."""

    def _update_order(self, updated_items, extra_model_filters):
        with transaction.atomic():
            result = super()._update_order(updated_items, extra_model_filters)
            self.order_changed([item[0] for item in updated_items])
        return result

    def _move_item(self, startorder, endorder, extra_model_filters):
        with transaction.atomic():
            moved = super()._move_item(startorder, endorder, extra_model_filters)
            if isinstance(moved, dict):
                self.order_changed(list(moved))
        return moved
