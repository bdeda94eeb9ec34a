"""The Spanish catalog is complete, compiled and in step with the code.

Three checks, each able to fail on its own:

* every entry of ``locale/es/LC_MESSAGES/django.po`` has a Spanish text and none is
  fuzzy (a fuzzy entry is not used by Django: the English would show);
* the compiled ``django.mo`` holds exactly what the ``.po`` says (someone edited the
  ``.po`` and forgot ``compilemessages``);
* ``makemessages``, run over a copy of the project, leaves the catalog unchanged: no
  string shown to users is missing from it and nothing stale is left in it.

The last two need GNU gettext (``msgfmt``, ``xgettext``). CI installs it; elsewhere
the checks that need it skip with a reason.
"""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "locale/es/LC_MESSAGES/django.po"
COMPILED = CATALOG.with_suffix(".mo")
# The same folders makemessages is told to ignore below are left out of the copy.
IGNORED = ["node_modules", "tests", "bench", "staticfiles"]
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "es",
    "--no-location",
    "--no-obsolete",
    "--ignore=.venv",
    *(f"--ignore={name}" for name in IGNORED),
]


def need_gettext(*programs: str) -> None:
    missing = [program for program in programs if shutil.which(program) is None]
    if not missing:
        return
    message = f"GNU gettext is not installed ({', '.join(missing)} missing)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must install it (apt-get install gettext)")
    pytest.skip(message)


# ------------------------------------------------------------------------------
# A small .po reader: enough for the files makemessages writes.
# ------------------------------------------------------------------------------
@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"{context}{self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file, the header included (its msgid is empty)."""
    entries: list[Entry] = []
    entry = Entry()
    started = False
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for raw in text.splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if started:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            if started and target is not None and target[0] == "msgstr":
                finish()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value, kind = ast.literal_eval(line), target
        else:
            if keyword in ("msgctxt", "msgid") and started and target[0] == "msgstr":
                finish()
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                kind = ("msgstr", int(keyword[7:-1]))
            elif keyword == "msgstr":
                kind = ("msgstr", 0)
            else:
                kind = (keyword, None)
            started = True
        entry.obsolete = entry.obsolete or obsolete
        target = kind
        name, index = kind
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)
    finish()
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    """The translatable entries: everything but the header."""
    return [e for e in entries if e.msgid or e.msgctxt]


def read_catalog(path: Path = CATALOG) -> list[Entry]:
    return messages(parse_po(path.read_text(encoding="utf-8")))


def test_parser_reads_entries_flags_plurals_and_context():
    """The reader itself: a bad parse must not make the checks pass."""
    entries = parse_po(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Hi %(name)s"\nmsgstr "Hola %(name)s"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr ""\n\n'
        'msgid "one mentor"\nmsgid_plural "%(count)s mentors"\n'
        'msgstr[0] "un mentor"\nmsgstr[1] ""\n"%(count)s mentores"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Ido"\n'
    )
    header, hi, may, mentors, gone = entries
    assert header.msgid == "" and "Language: es" in header.msgstr[0]
    assert hi.flags == {"fuzzy", "python-format"} and hi.msgstr == {0: "Hola %(name)s"}
    assert may.msgctxt == "month" and may.msgstr == {0: ""} and not may.flags
    assert mentors.msgid_plural == "%(count)s mentors"
    assert mentors.msgstr == {0: "un mentor", 1: "%(count)s mentores"}
    assert gone.obsolete and not hi.obsolete


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = read_catalog()
    assert len(entries) > 500, "the Spanish catalog looks truncated"
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]
    empty = [e.label for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    obsolete = [e.label for e in entries if e.obsolete]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {CATALOG.name}: {fuzzy[:20]}"
    assert not empty, f"{len(empty)} untranslated entries: {empty[:20]}"
    assert not obsolete, f"{len(obsolete)} obsolete entries: {obsolete[:20]}"


def test_header_declares_spanish_and_plural_forms():
    (header,) = [e for e in parse_po(CATALOG.read_text("utf-8")) if not e.msgid]
    assert "Language: es\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert "fuzzy" not in header.flags, "a fuzzy header hides the whole catalog"


def test_compiled_catalog_matches_the_po_file():
    """django.mo holds every entry of django.po with the same Spanish text."""
    with COMPILED.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    expected = {}
    for entry in read_catalog():
        context = f"{entry.msgctxt}\x04" if entry.msgctxt is not None else ""
        if entry.msgid_plural is None:
            expected[context + entry.msgid] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(context + entry.msgid, index)] = text
    actual = {key: text for key, text in catalog.items() if key != ""}
    missing = sorted(str(k) for k in expected.keys() - actual.keys())
    stale = sorted(str(k) for k in actual.keys() - expected.keys())
    different = sorted(
        str(k) for k in expected.keys() & actual.keys() if expected[k] != actual[k]
    )
    hint = "run `manage.py compilemessages` and commit django.mo"
    assert not missing, f"{len(missing)} entries not compiled ({hint}): {missing[:10]}"
    assert not stale, f"{len(stale)} entries only in django.mo ({hint}): {stale[:10]}"
    assert not different, f"{len(different)} differ ({hint}): {different[:10]}"


def test_po_file_passes_msgfmt_checks(tmp_path):
    """Placeholders match between English and Spanish (%(name)s, {count}...)."""
    need_gettext("msgfmt")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(CATALOG)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def _copy_project(destination: Path) -> Path:
    """The files makemessages reads, without the folders it is told to ignore."""
    project = destination / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "*.pyc", "db.sqlite3*", "*.log", *IGNORED
        ),
    )
    return project


def test_makemessages_leaves_the_catalog_unchanged(tmp_path):
    """Every string shown to users is in the catalog, and nothing stale is."""
    need_gettext("xgettext", "msgmerge", "msguniq")
    project = _copy_project(tmp_path)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lmsa_portal.settings.test",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    refreshed = {e.key: e for e in read_catalog(project / CATALOG.relative_to(ROOT))}
    committed = {e.key: e for e in read_catalog()}

    new = [refreshed[key].label for key in refreshed.keys() - committed.keys()]
    gone = [committed[key].label for key in committed.keys() - refreshed.keys()]
    assert not new, (
        f"{len(new)} strings in the code are missing from {CATALOG.name} "
        f"(run `manage.py {' '.join(MAKEMESSAGES)}` and translate them): {new[:20]}"
    )
    assert not gone, f"{len(gone)} entries no longer in the code: {gone[:20]}"
    changed = [
        committed[key].label
        for key in committed.keys() & refreshed.keys()
        if committed[key].msgstr != refreshed[key].msgstr
        or ("fuzzy" in committed[key].flags) != ("fuzzy" in refreshed[key].flags)
    ]
    assert not changed, f"makemessages changed {len(changed)} entries: {changed[:20]}"
