"""Create the demo admin account of the embedded default, and say how to log in.

Only for the embedded SQLite default: with DATABASE_URL set (a real deployment) it
does nothing, so no predictable account ever reaches production. The password is
random, made once, and kept in var/ (ignored by git) so that every ``make run``
can print it again.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Create the demo superuser for the embedded SQLite default and print its login."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would happen."
        )

    def handle(self, *args, dry_run=False, **options):
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
            self.stdout.write("Not the embedded default database: no demo admin made.")
            return
        secret_file = settings.BASE_DIR / "var" / "demo_admin_password"
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=USERNAME).first()
            if user is None:
                if dry_run:
                    self.stdout.write(f"would create the demo admin '{USERNAME}'")
                    return
                password = secrets.token_urlsafe(12)
                User.objects.create_superuser(USERNAME, "", password)
                secret_file.parent.mkdir(parents=True, exist_ok=True)
                secret_file.write_text(password)
                secret_file.chmod(0o600)
        base = f"http://127.0.0.1:{settings.PORT}"
        password = secret_file.read_text().strip() if secret_file.exists() else ""
        if password and user_has_password(password):
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo admin: log in at {base}/{settings.ADMIN_URL} as "
                    f"'{USERNAME}' with password '{password}'"
                )
            )
        else:
            self.stdout.write(
                f"Demo admin '{USERNAME}' exists; its password was changed "
                f"(reset it with: manage.py changepassword {USERNAME})."
            )


def user_has_password(password: str) -> bool:
    user = get_user_model().objects.filter(username=USERNAME).first()
    return user is not None and user.check_password(password)
