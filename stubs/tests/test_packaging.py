"""siphon-stubs as a release ships it: an sdist that pip installs offline with no repository around
it (its build backend is packed inside it), at the one version of Directory.Build.props."""

import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

STUBS = Path(__file__).resolve().parents[1]
VERSION = re.search(r"<Version>([^<]+)</Version>", (STUBS.parent / "Directory.Build.props").read_text()).group(1)


def _backend_hook(hook: str, out: Path) -> str:
    """Runs a PEP 517 hook of stubs/'s backend as pip would: in a fresh interpreter, from stubs/."""
    code = f"import sys; sys.path.insert(0, '_build'); import siphon_stubs_build as b; print(b.{hook}({str(out)!r}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=STUBS, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_sdist_carries_its_backend_and_installs_offline_outside_the_repository(tmp_path):
    built = tmp_path / "built"
    built.mkdir()
    name = _backend_hook("build_sdist", built)
    assert name == f"siphon_stubs-{VERSION}.tar.gz"
    with tarfile.open(built / name) as tar:
        backend = tar.getmember(f"siphon_stubs-{VERSION}/_build/siphon_build.py")
        assert backend.isfile()  # the file itself, not the checkout's link to ../../sdk
        assert b"def build_wheel" in tar.extractfile(backend).read()

    # A directory with nothing of the repository beside it.
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / name).write_bytes((built / name).read_bytes())
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--target", str(alone / "site"), name],
                            cwd=alone, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    installed = sorted(p.name for p in (alone / "site" / "siphon-stubs").iterdir())
    assert installed == sorted(p.name for p in (STUBS / "siphon").glob("*.pyi"))
    assert (alone / "site" / f"siphon_stubs-{VERSION}.dist-info").is_dir()


def test_the_wheel_has_the_one_version(tmp_path):
    assert _backend_hook("build_wheel", tmp_path) == f"siphon_stubs-{VERSION}-py3-none-any.whl"
