# KITB Partnership Portal. `make run` serves it; `make test` runs the whole suite.
# A fresh machine needs only Python 3.11 and make: the rest comes from requirements*.txt,
# and PostgreSQL/Redis are embedded (under .data/) unless DATABASE_URL / REDIS_URL are set.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test venv bench stop clean-data messages compile-messages

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check "setuptools<81" wheel
	# XStatic-Bootstrap's setup.py imports pkg_resources, so it is built without isolation.
	$(PIP) install -q --disable-pip-version-check --no-build-isolation "$$(grep -i '^XStatic-Bootstrap' requirements.txt)"
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP) compile-messages
	$(PY) -m kitb_portal.devstack run

# Translations are compiled when gettext's msgfmt is present (Debian's gettext; .ci/run installs it).
compile-messages: $(STAMP)
	@if [ -d locale ] && command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=.data; fi

test: $(STAMP) compile-messages
	$(PY) -m pytest $(PYTEST_ARGS)

# A mixed load of a working day (150 partner sessions over many organisations, staff of every role, the
# public; each request a random page; writes through the services at 1.5/s beside it) with wrk (one
# thread, 8 connections) on gunicorn (2 workers, DEBUG off), at scale 1 and scale 100, once with the
# caches as configured and once with Django's dummy cache; prints the table and writes a CSV under
# bench-results/ (about 4 minutes). BENCH_DURATION=20 sets the seconds of load per run;
# BENCH_ARGS="--repeat 2" repeats each pair; BENCH_ARGS=--per-page measures each page alone (one URL).
bench: $(STAMP) compile-messages
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk, the HTTP load generator: apt-get install wrk (Debian package 'wrk')." >&2; exit 2; }
	$(PY) -m kitb_portal.devstack.bench $(BENCH_ARGS)

stop:
	$(PY) -m kitb_portal.devstack stop

messages: $(STAMP)
	$(PY) manage.py makemessages -l id -l ko -e html,txt,py,svg --no-obsolete --ignore=.venv --ignore=.data --ignore=node_modules --ignore=tests --ignore=test-results --ignore=bench-results
	$(PY) manage.py compilemessages --ignore=.venv

clean-data: stop
	rm -rf .data
