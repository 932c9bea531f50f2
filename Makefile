# KITB Partnership Portal. `make run` serves it; `make test` runs the whole suite.
# A fresh machine needs only Python 3.11 and make: Python packages come from the lock files, the few
# system packages from scripts/system-deps (installed when running as root with apt-get, otherwise
# named in one line before anything runs), and PostgreSQL/Redis are embedded (under .data/) unless
# DATABASE_URL / REDIS_URL are set.
PYTHON ?= python3
# Python keeps compiled modules in __pycache__ (and pytest its assertion-rewritten test modules): where
# the machine sets PYTHONDONTWRITEBYTECODE, every process would compile every module again at start,
# some 3 s of each test process's start-up.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check
STAMP := $(VENV)/.installed
SYSTEM_DEPS := scripts/system-deps
# The quick loop: everything but the browser, live-worker, benchmark-data and slow tests, on 2 processes.
FAST_MARKERS := not browser and not worker and not bulk_data and not slow
FAST_WORKERS ?= 2
# uv resolves the lock files for Python 3.11 on every platform, with a hash of every file.
LOCK := $(VENV)/bin/uv pip compile --quiet --generate-hashes --universal --python-version 3.11

.PHONY: run test test-fast test-access lint lock venv bench sweep stop clean-data messages compile-messages \
	sysdeps-base sysdeps-test sysdeps-bench

# Every package, transitive ones too, installed from the lock files with their hashes checked.
# XStatic-Bootstrap exists only as an sdist whose setup.py imports pkg_resources, so the pinned
# setuptools<81 (requirements-build.lock) goes in first and the rest is built without isolation.
$(STAMP): requirements-build.lock requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --require-hashes -r requirements-build.lock
	$(PIP) install -q --require-hashes --no-build-isolation -r requirements-dev.lock
	touch $(STAMP)

venv: $(STAMP)

# System packages (the list lives in scripts/system-deps), checked before anything else runs.
sysdeps-base:
	@$(SYSTEM_DEPS) base
sysdeps-test:
	@$(SYSTEM_DEPS) base browser
sysdeps-bench:
	@$(SYSTEM_DEPS) base bench

run: sysdeps-base $(STAMP) compile-messages
	$(PY) -m kitb_portal.devstack run

# Translations: locale/ and locale_vendor/ (both in LOCALE_PATHS).
compile-messages: sysdeps-base $(STAMP)
	@if [ -d locale ]; then $(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=.data; fi

# The whole suite: everything but the browser and live-worker tests on $(TEST_WORKERS) processes, then
# those two kinds on one (they start servers of their own). Exit 5 (nothing collected, when
# PYTEST_ARGS narrows the run to one kind) counts as success unless both parts collected nothing.
TEST_WORKERS ?= 2
test: sysdeps-test $(STAMP) compile-messages
	@$(PY) -m pytest -n $(TEST_WORKERS) -m "not browser and not worker" $(PYTEST_ARGS); first=$$?; \
	$(PY) -m pytest -m "browser or worker" $(PYTEST_ARGS); second=$$?; \
	if [ $$first -eq 5 ] && [ $$second -eq 5 ]; then exit 5; fi; \
	[ $$first -eq 5 ] && first=0; [ $$second -eq 5 ] && second=0; \
	[ $$first -eq 0 ] || exit $$first; exit $$second

# See docs/development.md ("Running tests") for what it leaves out and how to time it. Narrow it further
# with PYTEST_ARGS, e.g. "tests/events".
test-fast: sysdeps-base $(STAMP) compile-messages
	$(PY) -m pytest -n $(FAST_WORKERS) -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

# The access walk alone (every URL pattern as every role, tests/access), slow tests included: run it
# after adding or changing a URL, view or role; make test-fast leaves the walk itself out.
test-access: sysdeps-base $(STAMP) compile-messages
	$(PY) -m pytest -n $(FAST_WORKERS) tests/access $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check $(RUFF_ARGS)

# Re-resolve the lock files from requirements*.txt (the human-edited top-level pins). Run it after
# editing those files, then `make venv` installs the result.
# The lock make installs keeps the extras packages ask for (fonttools[woff]==...): with only
# fonttools==..., pip's hash-checking mode turns weasyprint's fonttools[woff]>=... into a second
# requirement and fails on it as soon as a newer fonttools is published. requirements.lock, a
# constraint of the dev lock, cannot hold extras.
lock: $(STAMP)
	$(LOCK) requirements-build.txt -o requirements-build.lock
	$(LOCK) requirements.txt -c requirements-build.txt -o requirements.lock
	$(LOCK) --no-strip-extras requirements-dev.txt -c requirements-build.txt -c requirements.lock -o requirements-dev.lock

# A mixed load of a working day (150 partner sessions over many organisations, staff of every role, the
# public; each request a random page; writes through the services at 1.5/s beside it) with wrk (one
# thread, 8 connections) on gunicorn (2 workers, DEBUG off), at scale 1 and scale 100, once with the
# caches as configured and once with Django's dummy cache; prints the table and writes a CSV under
# bench-results/ (about 4 minutes). BENCH_DURATION=20 sets the seconds of load per run;
# BENCH_ARGS="--repeat 2" repeats each pair; BENCH_ARGS=--per-page measures each page alone (one URL).
bench: sysdeps-bench $(STAMP) compile-messages
	$(PY) -m kitb_portal.devstack.bench $(BENCH_ARGS)

# Every page the KITB administrator and a partner can reach, each once with the caches emptied, on the
# scale-100 bench database (made as for make bench): the 25 slowest, worst/p95/median, the most SQL;
# CSV under bench-results/. SWEEP_ARGS="--scale 1" or "--only /admin/events/" narrows it.
sweep: $(STAMP) compile-messages
	$(PY) manage.py cold_sweep $(SWEEP_ARGS)

stop:
	$(PY) -m kitb_portal.devstack stop

messages: sysdeps-base $(STAMP)
	$(PY) manage.py makemessages -l id -l ko -e html,txt,py,svg --no-obsolete --ignore=.venv --ignore=.data --ignore=node_modules --ignore=tests --ignore=test-results --ignore=bench-results
	$(PY) manage.py compilemessages --ignore=.venv

clean-data: stop
	rm -rf .data
