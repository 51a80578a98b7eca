"""Libraries' admin pages in the admin's language where they write English: the
background tasks' results (django-tasks-db names its computed columns in English
literals), the user's password page (Django's help text there) and a group's
delete page (its permissions' link rows)."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, User
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from publication.history import UnlistedLinkRowsMixin

admin.site.unregister(DBTaskResult)
# The library's columns whose names are not translated, and what shows them here.
RENAMED = {"id": "result_id", "task_name": "name"}


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = tuple(
        RENAMED.get(field, field) for field in DBTaskResultAdmin.list_display
    )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [RENAMED.get(field, field) for field in fields]

    @admin.display(description=_("ID"), ordering="id")
    def result_id(self, obj):
        return obj.id

    @admin.display(description=_("task name"))
    def name(self, obj):
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django (5.2) joins this help text in the language of start-up, with its
    # warning in English: the same, translated when shown.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist">'
        '<li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


admin.site.unregister(User)


@admin.register(User)
class EditorAdmin(UserAdmin):
    change_password_form = PasswordChangeForm


# A group's delete page without the rows of its permissions' link table, which
# Django names in English only ("Group-permission relationship: …").
admin.site.unregister(Group)


@admin.register(Group)
class ClinicGroupAdmin(UnlistedLinkRowsMixin, GroupAdmin):
    pass
