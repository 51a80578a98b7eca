"""Django's PostgreSQL backend with the connection attempts of ``clinic.health``
(``DATABASES["default"]["ENGINE"] = "clinic.postgresql"``)."""
