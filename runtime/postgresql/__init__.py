"""Django's PostgreSQL backend with the connection attempts of ``runtime.health``
(``DATABASES["default"]["ENGINE"] = "runtime.postgresql"``)."""
