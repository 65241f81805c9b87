"""The mock `siphon` package implements the generated stubs that ship beside it (sdk/src/siphon/
*.pyi, written by every build of Siphon.Runtime): mypy's stubtest imports the mock and compares
every name, signature and property with the stubs, so a mock signature that drifts from the
runtime's surface fails here. Deliberate differences are listed in sdk/stubtest-allowlist.txt."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SDK = Path(__file__).resolve().parents[1]


def stubtest(src: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src), "MYPYPATH": str(src)}
    return subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "siphon", "--allowlist", str(SDK / "stubtest-allowlist.txt"),
         "--mypy-config-file", os.devnull],
        capture_output=True, text=True, env=env, cwd=src, timeout=600,
    )


@pytest.fixture(scope="module")
def have_mypy():
    probe = subprocess.run([sys.executable, "-c", "import mypy.stubtest"], capture_output=True)
    if probe.returncode:
        pytest.fail("mypy is not importable: install python3-mypy (scripts/ensure-deps.sh test does)")


def test_the_mock_matches_the_generated_stubs(have_mypy):
    assert sorted(p.name for p in (SDK / "src" / "siphon").glob("*.pyi")), "no generated stubs beside the mock"
    result = stubtest(SDK / "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_drifted_mock_signature_fails(have_mypy, tmp_path):
    """The check can fail: a copy of the SDK whose mock Client.get lost its keyword-only marker."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(SDK / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
    http = src / "siphon_sdk" / "http.py"
    text = http.read_text()
    drifted = text.replace("async def get(self, path: str, *, headers: Headers | None = None)",
                           "async def get(self, path: str, headers: Headers | None = None)", 1)
    assert drifted != text, "the mock's Client.get signature moved: update this test"
    http.write_text(drifted)
    result = stubtest(src)
    assert result.returncode != 0
    assert "siphon.http.Client.get" in result.stdout
