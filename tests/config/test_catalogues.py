"""The Indonesian catalogue translates every message, and the compiled catalogue matches it."""

import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"

needs_gettext = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="GNU gettext is not installed")


def _entries(po: Path, *flags: str) -> str:
    return subprocess.run(
        ["msgattrib", *flags, "--no-wrap", str(po)], capture_output=True, text=True, check=True
    ).stdout


@needs_gettext
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    untranslated = [line for line in _entries(po, "--untranslated").splitlines() if line.startswith("msgid ")]
    fuzzy = [line for line in _entries(po, "--only-fuzzy").splitlines() if line.startswith("msgid ")]
    # The header entry (msgid "") is listed by msgattrib when any entry matches; it is not a message.
    assert [m for m in untranslated if m != 'msgid ""'] == []
    assert [m for m in fuzzy if m != 'msgid ""'] == []


@needs_gettext
@pytest.mark.parametrize("language", ["id", "en"])
def test_compiled_catalogue_is_current(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
    committed = subprocess.run(["msgunfmt", str(po.with_suffix(".mo"))], capture_output=True, text=True, check=True)
    rebuilt = subprocess.run(["msgunfmt", str(fresh)], capture_output=True, text=True, check=True)
    assert committed.stdout == rebuilt.stdout, "run `make messages` after editing the catalogue"


SKIPPED_ROOTS = {".git", ".venv", "var", "tests", "static", "locale", "mutants", "test-artifacts", "node_modules"}


def _msgids(po: Path) -> set[str]:
    listing = subprocess.run(["msgcat", "--no-wrap", "--sort-output", str(po)], capture_output=True, text=True)
    return {line for line in listing.stdout.splitlines() if line.startswith(("msgid ", "msgctxt "))}


@needs_gettext
def test_the_catalogue_holds_every_message_of_the_code(tmp_path):
    """`make messages` would add nothing: extracted into a scratch copy, no msgid is new."""
    root = LOCALE.parent
    for entry in root.iterdir():
        if entry.name not in SKIPPED_ROOTS and not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    shutil.copytree(LOCALE, tmp_path / "locale")
    subprocess.run(
        [
            str(Path(root, ".venv", "bin", "python")) if Path(root, ".venv").exists() else "python",
            str(root / "manage.py"),
            "makemessages",
            "-l",
            "id",
            "--symlinks",
            "--no-obsolete",
            "-v",
            "0",
            "--ignore=.venv",
            "--ignore=var",
            "--ignore=tests",
            "--ignore=static",
            "--ignore=mutants",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    new = _msgids(tmp_path / "locale" / "id" / "LC_MESSAGES" / "django.po") - _msgids(
        LOCALE / "id" / "LC_MESSAGES" / "django.po"
    )
    assert new == set(), "run `make messages` and translate the new messages"
