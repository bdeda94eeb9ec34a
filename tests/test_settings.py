"""Settings are declared once, in ``lmsa_portal/settings/base.py``, and read as
``settings.X``; the README's configuration table names exactly the environment
variables the settings (and gunicorn) read."""

import ast
import re
from pathlib import Path

from django.conf import global_settings

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "lmsa_portal" / "settings" / "base.py"
# What an operator configures: the settings modules a deployment runs, and gunicorn.
# (test.py reads only what the suite itself needs.)
ENVIRONMENT_READERS = [
    BASE,
    ROOT / "lmsa_portal" / "settings" / "dev.py",
    ROOT / "lmsa_portal" / "settings" / "prod.py",
    ROOT / "gunicorn.conf.py",
]
# Settings of libraries that portal code reads (the library documents them).
LIBRARY_SETTINGS = {"ACCOUNT_EMAIL_SUBJECT_PREFIX", "ANYMAIL"}
DJANGO_SETTINGS = {name for name in dir(global_settings) if name.isupper()}


def portal_modules() -> list[Path]:
    """The portal's own Python, without tests, migrations and the settings."""
    skip = {".venv", ".tools", "node_modules", "tests", "migrations", "settings"}
    return [
        path
        for path in ROOT.rglob("*.py")
        if not skip.intersection(path.relative_to(ROOT).parts)
    ]


def declared_in_base() -> dict[str, ast.Assign]:
    """Top-level assignments in base.py, by the name they assign."""
    declared = {}
    for node in ast.parse(BASE.read_text()).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    declared[target.id] = node
    return declared


def settings_read_by_portal_code() -> dict[str, set[str]]:
    read: dict[str, set[str]] = {}
    for path in portal_modules():
        text = path.read_text()
        names = re.findall(r"\bsettings\.([A-Z][A-Z0-9_]*)", text)
        # Signed links name their max-age setting (lmsa_portal/signing.py reads it).
        names += re.findall(r"max_age_setting=\"([A-Z][A-Z0-9_]*)\"", text)
        for name in names:
            read.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return read


def test_portal_code_never_reads_a_setting_with_a_fallback():
    fallbacks = []
    for path in portal_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"getattr", "hasattr"}
                and node.args
                and "settings" in ast.unparse(node.args[0])
                # getattr(settings, link.max_age_setting) names a declared setting;
                # a default, a literal name or hasattr restate or invent one.
                and (
                    node.func.id == "hasattr"
                    or len(node.args) > 2
                    or isinstance(node.args[1], ast.Constant)
                )
            ):
                fallbacks.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert fallbacks == [], "read these as settings.X, declared in base.py"


def test_every_setting_the_portal_reads_is_declared_in_base():
    declared = declared_in_base()
    undeclared = {
        name: sorted(paths)
        for name, paths in settings_read_by_portal_code().items()
        if name not in declared and name not in DJANGO_SETTINGS
    }
    assert undeclared == {}


def has_comment(lines: list[str], node: ast.stmt, by_end: dict) -> bool:
    """A comment line right above the setting, or above the group of settings it
    is written in (statements on consecutive lines). Banners do not count."""
    above = lines[node.lineno - 2] if node.lineno > 1 else ""
    if above.startswith("#"):
        return not above.startswith("# ---")
    previous = by_end.get(node.lineno - 1)
    return previous is not None and has_comment(lines, previous, by_end)


def test_each_portal_setting_carries_a_comment_in_base():
    lines = BASE.read_text().splitlines()
    by_end = {node.end_lineno: node for node in ast.parse(BASE.read_text()).body}
    declared = declared_in_base()
    uncommented = [
        name
        for name in settings_read_by_portal_code()
        if name in declared
        and name not in DJANGO_SETTINGS
        and name not in LIBRARY_SETTINGS
        and not has_comment(lines, declared[name], by_end)
    ]
    assert sorted(uncommented) == []


def environment_variables_read() -> set[str]:
    """Names passed to ``env(...)``, ``env.<cast>(...)`` and ``os.environ``."""
    names = set()
    for path in ENVIRONMENT_READERS:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args:
                func = ast.unparse(node.func)
                is_env = func == "env" or func.startswith("env.")
                if is_env or func in {"os.environ.get", "os.getenv"}:
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        names.add(first.value)
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in {
                "os.environ"
            }:
                names.add(ast.literal_eval(node.slice))
    return names


def readme_configuration_variables() -> set[str]:
    """The backticked names in the first column of the README's table under
    "## Configuration"."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {
        name
        for row in rows
        for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])
    }


def test_readme_configuration_table_names_every_environment_variable():
    read = environment_variables_read()
    documented = readme_configuration_variables()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "GUNICORN_WORKERS"} <= read
    missing, read_nowhere = sorted(read - documented), sorted(documented - read)
    assert (missing, read_nowhere) == ([], [])
