"""The local semgrep rules (.semgrep.yml, SECURITY.md #16): each rule catches its bad pattern,
and the code base has no finding. Offline: no registry rules, no metrics."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEMGREP = shutil.which("semgrep") or str(Path(__import__("sys").executable).parent / "semgrep")
ARGS = ["scan", "--config", str(ROOT / ".semgrep.yml"), "--metrics=off"]
ARGS += ["--disable-version-check", "--json", "--quiet"]

BAD_PY = """
import pickle
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from weasyprint import HTML

DEBUG = True

def view(request, cursor, Insats, name):
    cursor.execute(f"SELECT * FROM x WHERE namn = '{name}'")
    cursor.execute("SELECT * FROM x WHERE namn = '%s'" % name)
    Insats.objects.raw("SELECT * FROM x WHERE namn = '{}'".format(name))
    Insats.objects.extra(where=["namn = '%s'" % name])
    HTML(string=name).write_pdf()
    pickle.loads(name)
    return mark_safe(name)

view = csrf_exempt(view)
"""
BAD_HTML = "<p>{{ insats.namn|safe }}</p>{% autoescape off %}{{ x }}{% endautoescape %}"


def _scan(*paths) -> list[dict]:
    if not Path(SEMGREP).exists():
        pytest.fail("semgrep is not installed (pip install -e '.[test]')")
    out = subprocess.run(
        [SEMGREP, *ARGS, *map(str, paths)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert out.returncode in (0, 1), out.stderr[-2000:]
    return json.loads(out.stdout)["results"]


def test_every_local_rule_catches_its_pattern_and_the_code_base_has_none(tmp_path):
    (tmp_path / "bad.py").write_text(BAD_PY)
    (tmp_path / "bad.html").write_text(BAD_HTML)
    fired = {r["check_id"].rsplit(".", 1)[-1] for r in _scan(tmp_path)}
    rules = {
        "finsam-mark-safe-on-data",
        "finsam-template-safe-filter",
        "finsam-sql-string-building",
        "finsam-queryset-extra",
        "finsam-csrf-exempt",
        "finsam-debug-true",
        "finsam-pickle",
        "finsam-weasyprint-url-fetcher",
    }
    assert fired == rules
    findings = _scan("finsam", "forbund", "insatser", "deltagare", "uppfoljning", "templates")
    assert [f"{r['path']}:{r['start']['line']} {r['check_id']}" for r in findings] == []
