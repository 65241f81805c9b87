"""The in-tree, standard-library-only build backend (sdk/_build/siphon_build.py)."""

import base64
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

SDK = Path(__file__).resolve().parents[1]
# The one version of every artifact (Directory.Build.props <Version>, read by [tool.siphon-build]
# version-from); the tests run from a checkout.
VERSION = re.search(r"<Version>([^<]+)</Version>", (SDK.parent / "Directory.Build.props").read_text()).group(1)


@pytest.fixture(scope="module")
def backend():
    spec = importlib.util.spec_from_file_location("siphon_build_under_test", SDK / "_build" / "siphon_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pyproject_needs_nothing_from_an_index():
    import tomllib

    data = tomllib.loads((SDK / "pyproject.toml").read_text())
    assert data["build-system"] == {"requires": [], "build-backend": "siphon_build", "backend-path": ["_build"]}


def test_the_version_is_the_one_in_directory_build_props(backend):
    import tomllib

    data = tomllib.loads((SDK / "pyproject.toml").read_text())
    assert "version" not in data["project"] and data["project"]["dynamic"] == ["version"]
    assert backend._Project(SDK).version == VERSION


def test_an_unpacked_sdist_takes_its_version_from_pkg_info(backend, tmp_path):
    # Outside the repository there is no Directory.Build.props: the sdist's PKG-INFO carries it.
    with tarfile.open(tmp_path / backend.build_sdist(str(tmp_path))) as tar:
        tar.extractall(tmp_path / "x")  # our own archive
    unpacked = tmp_path / "x" / f"siphon_sdk-{VERSION}"
    assert not (unpacked.parent / "Directory.Build.props").exists()
    assert backend._Project(unpacked).version == VERSION
    (unpacked / "PKG-INFO").unlink()
    with pytest.raises(ValueError, match="no PKG-INFO.*version-from"):
        backend._Project(unpacked)


def test_backend_imports_only_the_standard_library():
    import ast

    tree = ast.parse((SDK / "_build" / "siphon_build.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    assert names <= set(sys.stdlib_module_names) | {"__future__"}


def test_requires_nothing(backend):
    assert backend.get_requires_for_build_wheel() == []
    assert backend.get_requires_for_build_sdist() == []
    assert backend.get_requires_for_build_editable() == []


def test_wheel(backend, tmp_path):
    name = backend.build_wheel(str(tmp_path))
    assert name == f"siphon_sdk-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(tmp_path / name) as whl:
        names = set(whl.namelist())
        for module in ("__init__", "http", "log", "http_testing", "_routing", "_convert", "_state"):
            assert f"siphon_sdk/{module}.py" in names
        assert {"siphon/__init__.py", "siphon/http.py", "siphon/log.py", "siphon_sdk/py.typed"} <= names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith("tests/")]
        dist = f"siphon_sdk-{VERSION}.dist-info"
        assert {f"{dist}/METADATA", f"{dist}/WHEEL", f"{dist}/RECORD", f"{dist}/top_level.txt"} <= names
        metadata = whl.read(f"{dist}/METADATA").decode()
        assert "Name: siphon-sdk\n" in metadata and f"Version: {VERSION}\n" in metadata
        assert "Requires-Python: >=3.11\n" in metadata
        wheel = whl.read(f"{dist}/WHEEL").decode()
        assert "Root-Is-Purelib: true" in wheel and "Tag: py3-none-any" in wheel
        assert whl.read(f"{dist}/top_level.txt").decode().split() == ["siphon_sdk", "siphon"]
        # RECORD lists every other file with a correct hash and size
        rows = [line.split(",") for line in whl.read(f"{dist}/RECORD").decode().splitlines()]
        recorded = {row[0] for row in rows}
        assert recorded == names
        for path, digest, size in rows:
            if path.endswith("RECORD"):
                assert digest == size == ""
                continue
            data = whl.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data)
        assert whl.read("siphon_sdk/http.py") == (SDK / "src" / "siphon_sdk" / "http.py").read_bytes()


def test_wheel_is_reproducible(backend, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    name = backend.build_wheel(str(a))
    backend.build_wheel(str(b))
    assert (a / name).read_bytes() == (b / name).read_bytes()


def test_sdist(backend, tmp_path):
    name = backend.build_sdist(str(tmp_path))
    assert name == f"siphon_sdk-{VERSION}.tar.gz"
    with tarfile.open(tmp_path / name) as tar:
        names = set(tar.getnames())
        assert all(n.startswith(f"siphon_sdk-{VERSION}/") for n in names)
        rel = {n.split("/", 1)[1] for n in names}
        assert {"PKG-INFO", "pyproject.toml", "README.md", "_build/siphon_build.py",
                "src/siphon_sdk/http.py", "src/siphon/__init__.py", "tests/test_build_backend.py"} <= rel
        assert not [n for n in rel if "__pycache__" in n or n.endswith(".pyc")]
        assert "Name: siphon-sdk" in tar.extractfile(f"siphon_sdk-{VERSION}/PKG-INFO").read().decode()


def test_tool_caches_stay_out_of_archives(backend, tmp_path):
    (tmp_path / "pkg" / ".mypy_cache" / "3.11").mkdir(parents=True)
    (tmp_path / "pkg" / ".mypy_cache" / "3.11" / "builtins.data.json").write_text("{}")
    (tmp_path / "pkg" / "mod.py").write_text("")
    assert [p.name for p in backend._walk(tmp_path / "pkg")] == ["mod.py"]


def test_editable(backend, tmp_path):
    name = backend.build_editable(str(tmp_path))
    with zipfile.ZipFile(tmp_path / name) as whl:
        assert whl.read("__editable__.siphon_sdk.pth").decode().strip() == str(SDK / "src")
        assert not [n for n in whl.namelist() if n.endswith(".py")]


def test_prepare_metadata(backend, tmp_path):
    dist = backend.prepare_metadata_for_build_wheel(str(tmp_path))
    assert dist == f"siphon_sdk-{VERSION}.dist-info"
    assert f"Version: {VERSION}" in (tmp_path / dist / "METADATA").read_text()


def _pip(*args):
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, env=env, timeout=300)


def _check_installed(target):
    code = (
        "import siphon, siphon_sdk, siphon.http, siphon.log;"
        "from siphon import http, log;"
        "assert http.Response is siphon_sdk.http.MockResponse;"
        "print(siphon.__file__); print(siphon_sdk.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert all(line.startswith(str(target)) for line in out.stdout.split())


@pytest.mark.skipif(subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode,
                    reason="pip is not available to this interpreter")
class TestPipOffline:
    def test_pip_install_source_tree_offline(self, tmp_path):
        result = _pip("install", "--no-index", "--target", str(tmp_path / "t"), str(SDK))
        assert result.returncode == 0, result.stdout + result.stderr
        _check_installed(tmp_path / "t")

    def test_pip_install_built_sdist_offline(self, backend, tmp_path):
        name = backend.build_sdist(str(tmp_path))
        result = _pip("install", "--no-index", "--target", str(tmp_path / "t"), str(tmp_path / name))
        assert result.returncode == 0, result.stdout + result.stderr
        _check_installed(tmp_path / "t")
