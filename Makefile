# KITB Partnership Portal. `make run` serves it; `make test` runs the whole suite.
# A fresh machine needs only Python 3.11 and make: the rest comes from requirements*.txt,
# and PostgreSQL/Redis are embedded (under .data/) unless DATABASE_URL / REDIS_URL are set.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test venv bench sweep stop clean-data messages compile-messages

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

# Every page under real HTTP load (wrk, 8 connections, gunicorn with 2 workers, DEBUG off) at scale 1
# and scale 100 (data generated once per bench database), plus the digest build; prints the table
# and writes a CSV under bench-results/. BENCH_DURATION=5 sets the seconds per page.
bench: $(STAMP) compile-messages
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk, the HTTP load generator: apt-get install wrk (Debian package 'wrk')." >&2; exit 2; }
	$(PY) -m kitb_portal.devstack.bench $(BENCH_ARGS)

# Every page the KITB administrator and a partner can reach, each once with the caches emptied, on the
# scale-100 bench database (made as for make bench): the 25 slowest, worst/p95/median, the most SQL;
# CSV under bench-results/. SWEEP_ARGS="--scale 1" or "--only /admin/events/" narrows it.
sweep: $(STAMP) compile-messages
	$(PY) manage.py cold_sweep $(SWEEP_ARGS)

stop:
	$(PY) -m kitb_portal.devstack stop

messages: $(STAMP)
	$(PY) manage.py makemessages -l id -l ko -e html,txt,py,svg --no-obsolete --ignore=.venv --ignore=.data --ignore=node_modules --ignore=tests --ignore=test-results --ignore=bench-results
	$(PY) manage.py compilemessages --ignore=.venv

clean-data: stop
	rm -rf .data
