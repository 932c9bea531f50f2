"""``python -m kitb_portal.devstack run|stop``: what ``make run`` calls.

``run`` migrates, loads the demo data, then serves the portal (gunicorn, or ``runserver`` with
``DEV_SERVER=runserver``) with a Celery worker and celery beat, prints the URLs and demo logins once
the site answers, and on Ctrl-C stops every process it started, the embedded servers included.
``PORT`` (default 8000) is the port served; unless ``SITE_URL`` is set (in the environment or
``.env``), every process gets ``SITE_URL=http://127.0.0.1:<PORT>``, so the links in the e-mails they
send open the portal that sent them (:func:`served_environment`).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from kitb_portal import devstack

PY = sys.executable


def _set_in_dotenv(name: str) -> bool:
    try:
        lines = (devstack.BASE_DIR / ".env").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    return any(re.match(rf"\s*(export\s+)?{name}\s*=\s*\S", line) for line in lines)


def served_environment(environ=None) -> dict[str, str]:
    """The environment of every process ``run`` starts: the caller's, with ``PORT`` (default 8000) and,
    unless ``SITE_URL`` is set there or in ``.env``, ``SITE_URL`` = the address served."""
    env = dict(os.environ if environ is None else environ)
    env["PORT"] = env.get("PORT") or "8000"
    if not env.get("SITE_URL", "").strip() and not _set_in_dotenv("SITE_URL"):
        env["SITE_URL"] = f"http://127.0.0.1:{env['PORT']}"
    return env


def _manage(*args: str, capture: bool = False, env: dict | None = None) -> str:
    # stdout may be captured (the demo logins are printed once the site answers); stderr always shows.
    result = subprocess.run([PY, "manage.py", *args], text=True, stdout=subprocess.PIPE if capture else None, env=env)
    if result.returncode != 0:
        if capture and result.stdout:
            print(result.stdout, end="")
        raise SystemExit(f"manage.py {' '.join(args)} failed (exit {result.returncode}); see the messages above.")
    return result.stdout if capture else ""


def _terminate(signum, frame):  # SIGTERM (e.g. from a process manager) stops everything like Ctrl-C
    raise KeyboardInterrupt


def run() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    started_db = "DATABASE_URL" not in os.environ
    started_redis = "REDIS_URL" not in os.environ
    env = served_environment()
    port = env["PORT"]
    _manage("migrate", "--noinput", env=env)
    _manage("collectstatic", "--noinput", "-v", "0", env=env)
    logins = _manage("seed_demo", capture=True, env=env)
    server = (
        [PY, "manage.py", "runserver", f"127.0.0.1:{port}"]
        if os.environ.get("DEV_SERVER") == "runserver"
        else [PY, "-m", "gunicorn", "kitb_portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--access-logfile", "-"]
    )
    procs = [
        subprocess.Popen(server, env=env),
        subprocess.Popen([PY, "-m", "celery", "-A", "kitb_portal", "worker", "-l", "info", "--concurrency", "2"], env=env),
        subprocess.Popen([PY, "-m", "celery", "-A", "kitb_portal", "beat", "-l", "info",
                          "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"], env=env),
    ]
    try:
        if devstack.wait_for(f"http://127.0.0.1:{port}/healthz/"):
            print(f"\nKITB Partnership Portal is up:\n  portal  http://127.0.0.1:{port}/portal/\n"
                  f"  admin   http://127.0.0.1:{port}/admin/\n  health  http://127.0.0.1:{port}/healthz/\n")
            print(logins, flush=True)
            print("Ctrl-C stops the portal, the worker, beat and the embedded servers.", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        if started_db or started_redis:
            devstack.stop()
    return 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "run"
    if command == "run":
        return run()
    if command == "stop":
        devstack.stop()
        return 0
    if command == "up":
        print(devstack.database_settings()["HOST"])
        print(devstack.redis_url())
        return 0
    print(f"usage: python -m kitb_portal.devstack [run|up|stop], not {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitb_portal.settings")
    sys.exit(main(sys.argv))
