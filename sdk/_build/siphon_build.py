"""A small PEP 517 / PEP 660 build backend for siphon-sdk, standard library only.

Why it exists: this project is installed where no package index is reachable.
With ``setuptools.build_meta`` as the backend, ``pip install ./sdk`` runs pip's
build isolation, which tries to download setuptools and fails offline (and
Debian venvs may not have setuptools at all). A backend that lives in the tree
(``backend-path``) and needs nothing (``requires = []``) installs anywhere a
Python 3.11+ with pip exists.

What it does: reads ``[project]`` (name, version, description, readme,
requires-python, classifiers) and ``[tool.siphon-build]`` (``src-dir``,
``packages``, ``rename``: a table of package → name in the wheel, which
lets ``stubs/`` ship its ``siphon`` package as the PEP 561 ``siphon-stubs``,
and ``version-from``: with ``dynamic = ["version"]``, the MSBuild props file
whose ``<Version>`` is the version, so every Siphon artifact has the one in
``Directory.Build.props``; an sdist has no such file beside it and carries the
version in its ``PKG-INFO``)
from ``pyproject.toml``; a package is a directory with an ``__init__.py`` or,
for stubs, an ``__init__.pyi``; writes a pure-Python ``py3-none-any``
wheel of those packages, an sdist of the source tree, the metadata directory
pip asks for first, and an editable wheel (a ``.pth`` file pointing at
``src-dir``). Archives are reproducible: sorted entries, fixed timestamps
(``SOURCE_DATE_EPOCH`` if set), normalised permissions.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile
from pathlib import Path

try:
    import tomllib
except ImportError as exc:  # Python < 3.11
    raise RuntimeError("siphon-sdk needs Python 3.11 or newer (tomllib)") from exc

# The directory holding pyproject.toml; stubs/_build/siphon_stubs_build.py points it at stubs/.
ROOT = Path(__file__).resolve().parent.parent
GENERATOR = "siphon_build 1.0"

# Never packed into an sdist or a wheel.
# Tool caches too: a type check of the tree (mypy's stubtest in the tests) leaves .mypy_cache.
_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "build", "dist", ".venv", ".git"}
_SKIP_SUFFIXES = (".pyc", ".pyo", ".egg-info", ".swp")


# --------------------------------------------------------------------------
# project description


class _Project:
    """The parts of pyproject.toml this backend understands."""

    def __init__(self, root: Path | None = None) -> None:
        root = root or ROOT
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        project = data["project"]
        tool = data.get("tool", {}).get("siphon-build", {})
        self.root = root
        self.name = project["name"]
        self.version = project["version"] if "version" in project else _dynamic_version(root, tool)
        self.summary = project.get("description", "")
        self.requires_python = project.get("requires-python")
        self.classifiers = list(project.get("classifiers", []))
        self.readme = project.get("readme")
        self.src_dir = root / tool.get("src-dir", "src")
        self.packages = list(tool["packages"])
        self.rename = dict(tool.get("rename", {}))
        # Distribution file names use the normalised name with "_" (PEP 427/625).
        self.dist_name = re.sub(r"[-_.]+", "_", self.name).lower()

    @property
    def dist_info(self) -> str:
        return f"{self.dist_name}-{self.version}.dist-info"

    def metadata(self) -> str:
        """Core metadata (METADATA / PKG-INFO), version 2.1."""
        lines = [
            "Metadata-Version: 2.1",
            f"Name: {self.name}",
            f"Version: {self.version}",
        ]
        if self.summary:
            lines.append(f"Summary: {self.summary}")
        if self.requires_python:
            lines.append(f"Requires-Python: {self.requires_python}")
        lines += [f"Classifier: {c}" for c in self.classifiers]
        body = ""
        if self.readme:
            lines.append("Description-Content-Type: text/markdown")
            body = (self.root / self.readme).read_text(encoding="utf-8")
        return "\n".join(lines) + "\n\n" + body

    def package_files(self):
        """Yield (archive path, file path) for every file of every package."""
        for package in self.packages:
            pkg_dir = self.src_dir / package
            if not any((pkg_dir / init).is_file() for init in ("__init__.py", "__init__.pyi")):
                raise FileNotFoundError(f"package {package!r} not found in {self.src_dir}")
            installed = self.rename.get(package, package)
            for path in _walk(pkg_dir):
                yield f"{installed}/{path.relative_to(pkg_dir).as_posix()}", path

    @property
    def top_level(self) -> list[str]:
        return [self.rename.get(p, p) for p in self.packages]


def _dynamic_version(root: Path, tool: dict) -> str:
    """The version of a ``dynamic = ["version"]`` project: an unpacked sdist's ``PKG-INFO`` (built
    outside the repository), else the ``<Version>`` of ``version-from`` in a checkout."""
    pkg_info = root / "PKG-INFO"
    if pkg_info.is_file():
        match = re.search(r"^Version: (.+)$", pkg_info.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            return match.group(1).strip()
    source = tool.get("version-from")
    props = root / source if source else None
    if props is None or not props.is_file():
        raise ValueError(
            f"{root / 'pyproject.toml'}: the version is dynamic but there is no PKG-INFO and "
            f"[tool.siphon-build] version-from ({source!r}) is not a file"
        )
    match = re.search(r"<Version>\s*([^<\s]+)\s*</Version>", props.read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f"{props}: no <Version> element ([tool.siphon-build] version-from of {root / 'pyproject.toml'})")
    return match.group(1)


def _walk(top: Path):
    """Files under top, sorted, without caches and build leftovers."""
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(
            d for d in dirnames if d not in _SKIP_DIRS and not d.endswith(_SKIP_SUFFIXES)
        )
        for name in sorted(filenames):
            if not name.endswith(_SKIP_SUFFIXES):
                yield Path(dirpath, name)


def _timestamp() -> int:
    # Zip cannot store dates before 1980.
    return max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800)


# --------------------------------------------------------------------------
# wheels


class _WheelWriter:
    """Writes a wheel, keeping the RECORD (sha256 + size of every file)."""

    def __init__(self, path: Path, project: _Project) -> None:
        self.project = project
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.records: list[str] = []
        self.date_time = time.gmtime(_timestamp())[:6]

    def add(self, arcname: str, data: bytes) -> None:
        info = zipfile.ZipInfo(arcname, date_time=self.date_time)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        self.records.append(f"{arcname},sha256={digest.decode()},{len(data)}")

    def close(self) -> None:
        for name, text in _dist_info_files(self.project).items():
            self.add(f"{self.project.dist_info}/{name}", text.encode("utf-8"))
        record = f"{self.project.dist_info}/RECORD"
        self.records.append(f"{record},,")
        info = zipfile.ZipInfo(record, date_time=self.date_time)
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, "\n".join(self.records) + "\n")
        self.zip.close()


def _dist_info_files(project: _Project) -> dict[str, str]:
    return {
        "METADATA": project.metadata(),
        "WHEEL": (
            "Wheel-Version: 1.0\n"
            f"Generator: {GENERATOR}\n"
            "Root-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ),
        "top_level.txt": "".join(f"{p}\n" for p in project.top_level),
    }


def _wheel_name(project: _Project) -> str:
    return f"{project.dist_name}-{project.version}-py3-none-any.whl"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 517: build the wheel into wheel_directory and return its file name."""
    project = _Project()
    name = _wheel_name(project)
    writer = _WheelWriter(Path(wheel_directory) / name, project)
    for arcname, path in project.package_files():
        writer.add(arcname, path.read_bytes())
    writer.close()
    return name


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: a wheel whose only payload is a .pth file adding src-dir to sys.path."""
    project = _Project()
    name = _wheel_name(project)
    writer = _WheelWriter(Path(wheel_directory) / name, project)
    writer.add(f"__editable__.{project.dist_name}.pth", f"{project.src_dir}\n".encode("utf-8"))
    writer.close()
    return name


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    """PEP 517: write the .dist-info directory pip reads before building."""
    project = _Project()
    target = Path(metadata_directory) / project.dist_info
    target.mkdir(parents=True, exist_ok=True)
    for name, text in _dist_info_files(project).items():
        (target / name).write_text(text, encoding="utf-8")
    return project.dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def get_requires_for_build_wheel(config_settings=None):
    """Nothing to install: the backend is standard library only."""
    return []


get_requires_for_build_editable = get_requires_for_build_wheel
get_requires_for_build_sdist = get_requires_for_build_wheel


# --------------------------------------------------------------------------
# sdist


def build_sdist(sdist_directory, config_settings=None):
    """PEP 517: pack the source tree (this backend included) as NAME-VERSION.tar.gz."""
    project = _Project()
    base = f"{project.dist_name}-{project.version}"
    name = f"{base}.tar.gz"
    mtime = _timestamp()

    def add(tar: tarfile.TarFile, arcname: str, data: bytes) -> None:
        info = tarfile.TarInfo(f"{base}/{arcname}")
        info.size = len(data)
        info.mtime = mtime
        info.mode = 0o644
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        tar.addfile(info, io.BytesIO(data))

    with open(Path(sdist_directory) / name, "wb") as raw, gzip.GzipFile(
        fileobj=raw, mode="wb", mtime=mtime, filename=""
    ) as gz, tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "PKG-INFO", project.metadata().encode("utf-8"))
        for path in _walk(project.root):
            add(tar, path.relative_to(project.root).as_posix(), path.read_bytes())
    return name
