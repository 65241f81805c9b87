"""Build backend of siphon-stubs: the SDK's standard-library backend (sdk/_build/siphon_build.py)
pointed at this directory, so both packages install offline the same way without a second copy
of the backend. stubs/ is installed from a checkout of the repository, where sdk/ is beside it."""

import sys
from pathlib import Path

_STUBS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_STUBS.parent / "sdk" / "_build"))

import siphon_build  # noqa: E402
from siphon_build import (  # noqa: E402,F401  (the PEP 517 / 660 hooks pip calls)
    build_editable,
    build_sdist,
    build_wheel,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

siphon_build.ROOT = _STUBS
