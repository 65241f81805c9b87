"""What a script author's type checker sees with only the siphon-stubs package installed: pyright
(basic mode, the default of editors) reports each mistake in mistakes.py on its marked line with
its marked rule and nothing else, and every example script type-checks clean.

pyright comes from the repository's .tools/ (scripts/ensure-deps.sh test installs it) or $PYRIGHT.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

STUBS = Path(__file__).resolve().parents[1]
REPO = STUBS.parent
PYRIGHT = os.environ.get("PYRIGHT") or str(REPO / ".tools" / "node_modules" / ".bin" / "pyright")
EXPECT = re.compile(r"#\s*expect:\s*(\w+(?:\s*,\s*\w+)*)")


@pytest.fixture(scope="module")
def stubs_only_python(tmp_path_factory):
    """A virtual environment holding siphon-stubs (pip install ./stubs, offline) and nothing else."""
    if not Path(PYRIGHT).exists():
        pytest.fail(f"pyright not found at {PYRIGHT}: run scripts/ensure-deps.sh test")
    venv = tmp_path_factory.mktemp("stubs-venv")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run([str(python), "-m", "pip", "install", "-q", str(STUBS)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True)
    assert "siphon-stubs" in {p["name"] for p in json.loads(listed.stdout)}
    return python


def pyright(python: Path, files: list[Path], cwd: Path) -> list[dict]:
    """pyright's diagnostics for files, in basic mode, with python's site-packages as the search path."""
    (cwd / "pyrightconfig.json").write_text(json.dumps({
        "typeCheckingMode": "basic",
        "pythonVersion": "3.11",
        # The runtime provides siphon's implementation; the stubs package has none (by design).
        "reportMissingModuleSource": False,
    }))
    out = subprocess.run([PYRIGHT, "--outputjson", "--pythonpath", str(python), *map(str, files)],
                         capture_output=True, text=True, cwd=cwd, timeout=600)
    report = json.loads(out.stdout)
    return report["generalDiagnostics"]


def test_the_stubs_package_installs_as_a_stub_only_package(stubs_only_python):
    site = subprocess.run([str(stubs_only_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    installed = sorted(p.name for p in (Path(site) / "siphon-stubs").iterdir())
    assert installed == sorted(p.name for p in (STUBS / "siphon").glob("*.pyi"))
    # Stubs only: nothing importable named siphon comes with it.
    probe = subprocess.run([str(stubs_only_python), "-c", "import siphon"], capture_output=True, text=True)
    assert probe.returncode != 0


def test_each_mistake_is_reported_on_its_line_and_nothing_else(stubs_only_python, tmp_path):
    source = STUBS / "tests" / "mistakes.py"
    expected = {(n, rule.strip()) for n, line in enumerate(source.read_text().splitlines(), 1)
                if (m := EXPECT.search(line)) for rule in m.group(1).split(",")}
    assert len(expected) >= 12
    found = {(d["range"]["start"]["line"] + 1, d.get("rule", "")) for d in pyright(stubs_only_python, [source], tmp_path)
             if d["severity"] == "error"}
    assert found == expected, f"missed: {sorted(expected - found)}; unexpected: {sorted(found - expected)}"


def test_the_examples_type_check_clean(stubs_only_python, tmp_path):
    examples = sorted((REPO / "examples").glob("*.py"))
    assert examples
    diagnostics = pyright(stubs_only_python, examples, tmp_path)
    assert [d for d in diagnostics if d["severity"] in ("error", "warning")] == []
