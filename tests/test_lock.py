"""The lock files say what `make venv` installs: they must hold every pin of requirements*.txt, hashed."""
import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
# top-level pins (human-edited) -> the lock file generated from them by `make lock`
LOCKS = {
    "requirements-build.txt": "requirements-build.lock",
    "requirements.txt": "requirements.lock",
    "requirements-dev.txt": "requirements-dev.lock",
}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """``{name: version}`` of the ``name==version`` lines of a requirements file (following ``-r``)."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif match := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\]+)", line):
            found[normalize(match[1])] = match[2]
    return found


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """``{name: (version, number of hashes)}`` of a lock file written by ``uv pip compile --generate-hashes``."""
    found, current = {}, None
    for line in path.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", line):
            current = normalize(match[1])
            found[current] = (match[2], 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


@pytest.mark.parametrize("requirements", LOCKS)
def test_every_pin_is_locked_at_its_version_with_hashes(requirements):
    lock = locked(BASE_DIR / LOCKS[requirements])
    stale = {name: version for name, version in pins(BASE_DIR / requirements).items() if lock.get(name, (None,))[0] != version}
    assert not stale, f"{LOCKS[requirements]} does not match {requirements} for {stale}: run `make lock`"
    unhashed = [name for name, (_version, hashes) in lock.items() if hashes == 0]
    assert not unhashed, f"{LOCKS[requirements]} has packages without hashes: {unhashed}"


def test_the_locks_agree_and_build_tools_stay_below_setuptools_81():
    """One version of each package in every lock (XStatic-Bootstrap's setup.py needs pkg_resources)."""
    locks = [locked(BASE_DIR / lock) for lock in LOCKS.values()]
    for name in set().union(*locks):
        versions = {lock[name][0] for lock in locks if name in lock}
        assert len(versions) == 1, f"{name} is locked at {sorted(versions)}: run `make lock`"
    assert int(locks[0]["setuptools"][0].split(".")[0]) < 81


def test_the_installed_lock_names_the_extras_its_packages_ask_for():
    """pip's hash-checking mode takes ``fonttools[woff]>=4.59`` (weasyprint's) for a requirement of its
    own, not pinned, unless the lock pins ``fonttools[woff]==``: it failed as soon as a newer fonttools
    was published. ``make lock`` writes the dev lock with ``--no-strip-extras``."""
    text = (BASE_DIR / "requirements-dev.lock").read_text()
    assert re.search(r"^fonttools\[woff\]==", text, re.M), "run `make lock` (the dev lock keeps extras)"
    assert "--no-strip-extras" in (BASE_DIR / "Makefile").read_text()
