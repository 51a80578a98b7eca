# The two commands: `make run` and `make test`. Everything else is for operators.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PORT ?= 8000
# The address `make serve` listens on: loopback for `make run`; an app server behind
# nginx on another host needs `make serve BIND=0.0.0.0` (or its private address).
BIND ?= 127.0.0.1
export DJANGO_SETTINGS_MODULE ?= clinic.settings

.PHONY: run test test-slow golden install lock check lint format migrations-check migrations-safety serve worker serve-all prepare clean schema fuzz bench loadtest backup restore screenshots

# The local environment, from the lock file (hashes checked). Rebuilt when the lock changes.
# pip installs uv, as the lock pins it (its lines, hashes included); uv installs the
# rest exactly as locked: about 7 s where pip alone took 80 (CI pays it every run).
$(BIN)/.installed: requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@awk '/^uv==/ {on = 1} on {print} on && !/\\$$/ {exit}' requirements.lock > $(VENV)/uv-requirement.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(VENV)/uv-requirement.txt
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes requirements.lock
	@touch $@

install: $(BIN)/.installed

# Database, translations, demo content and the demo admin; safe to run again.
prepare: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py ensure_demo_admin

run: prepare
	@$(MAKE) --no-print-directory serve-all

# The web server and the background worker together (make run without prepare):
# Ctrl-C stops both; if one of them exits, the other is stopped and this fails
# (tools/run_together.py). Production runs them as two systemd units
# (deploy/systemd/).
# (Through SUBMAKE, not $(MAKE) on the line itself: `make -n` prints this line instead
# of running it.)
SUBMAKE = $(MAKE) --no-print-directory
serve-all:
	$(BIN)/python -m tools.run_together "$(SUBMAKE) serve" "$(SUBMAKE) worker"

# One worker with threads: the embedded default's SQLite file takes one writer at a
# time. With DATABASE_URL and REDIS_URL set, raise WEB_WORKERS.
# gunicorn.conf.py: its own errors in JSON, its request-line limit, no SCRIPT_NAME
# or scheme taken from request headers.
serve:
	@echo "Serving on http://$(BIND):$(PORT)/ (the admin is at /$${ADMIN_URL:-admin/})"
	$(BIN)/gunicorn clinic.wsgi:application -c gunicorn.conf.py --bind $(BIND):$(PORT) \
		--workers $${WEB_WORKERS:-1} --threads $${WEB_THREADS:-8} --access-logfile -

# The background worker (django-tasks' database backend, publication/tasks.py): runs
# each task when its time comes, such as the content version bump of a scheduled
# publish time, polling the database every second. First, the publication times
# that have no task yet are enqueued (manage.py schedule_publications).
worker:
	$(BIN)/python manage.py schedule_publications
	$(BIN)/python manage.py db_worker --interval 1

# The fast tier, in parallel (pytest-xdist, one process per core): everything but
# the slow tier that tests/conftest.py names (browsers, servers, outages, fuzzing,
# Node.js, migrations), which `make test-slow` runs and CI runs once on
# PostgreSQL and Redis. Work stealing: a process that is done takes tests from the
# other's queue, so a few long tests (the canary, the large dataset) do not leave a
# core idle at the end.
test: install
	$(BIN)/python manage.py compile_translations --verbosity 0
	$(BIN)/pytest -m "not slow" -n auto --dist worksteal $(PYTEST_ARGS)

test-slow: install
	$(BIN)/python manage.py compile_translations --verbosity 0
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

# The OpenAPI schema, validated, into the committed file frontends diff and generate
# clients from (CI fails when it is stale).
schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

# The README's pictures of the Korean admin (docs/admin-*-ko.png), taken by the
# browser tests that check that admin (tests/browser/test_korean_admin.py,
# tests/browser/test_article_editor.py) in
# Debian's headless Chromium. Korean text and emoji need fonts Chromium can find.
screenshots: install
	@test -x /usr/bin/chromium || { echo "needs /usr/bin/chromium: apt-get install chromium chromium-driver" >&2; exit 2; }
	@fc-list :lang=ko | grep -q . || { echo "needs a Korean font: apt-get install fonts-noto-cjk fonts-noto-color-emoji" >&2; exit 2; }
	$(BIN)/python manage.py compile_translations --verbosity 0
	BROWSER_DOCS_SCREENSHOTS=docs $(BIN)/pytest tests/browser/test_korean_admin.py tests/browser/test_article_editor.py -p no:cacheprovider -q

# The golden files of every public answer (tests/api/test_golden.py), written anew
# after a change that is meant to change responses: review the diff, then commit.
golden: install
	GOLDEN_UPDATE=1 $(BIN)/pytest tests/api/test_golden.py -p no:cacheprovider -q

# Only the schemathesis run (part of the slow tier, `make test-slow`).
fuzz: install
	$(BIN)/pytest tests/fuzz $(PYTEST_ARGS)

# The benchmark: gunicorn with production settings on PostgreSQL and Redis (this
# machine's, see tools/bench.py), a generated large dataset, wrk on loopback.
bench: install
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

# The load test: a bounded mixed load (lists, details, FAQ search, 304s in every
# language) on gunicorn as in production (PostgreSQL, Redis), every response checked
# for its status, language and body, worker memory sampled; non-zero on any failure
# (see tools/loadtest.py). An operator command, not part of CI.
loadtest: install
	$(BIN)/python -m tools.loadtest $(LOADTEST_ARGS)

# One file per backup (var/backups/ unless FILE=...): pg_dump on PostgreSQL, the
# SQLite backup API on SQLite. `make restore FILE=...` replaces the database with it.
backup: install
	$(BIN)/python manage.py backup $(if $(FILE),--output "$(FILE)")

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<file>" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)"

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check:
	$(BIN)/python manage.py makemigrations --check --dry-run

# No migration drops or alters a language column without DATA_LOSS_ALLOWED.
migrations-safety:
	$(BIN)/python manage.py check_migration_safety

check: lint migrations-check migrations-safety
	$(BIN)/python manage.py check

# Re-pin every dependency (needs the registry): edit pyproject.toml, then `make lock`.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) staticfiles
