"""Build backend of siphon-stubs: the SDK's standard-library backend pointed at this directory.

`siphon_build.py` beside this file is a symbolic link to sdk/_build/siphon_build.py in a checkout
(one copy of the backend) and the file itself in an sdist (the backend packs what the link points
at), so `pip install` builds the stubs from a checkout, from an unpacked sdist or from the sdist
file anywhere, with no sibling sdk/ directory."""

from pathlib import Path

import siphon_build  # the backend-path directory (_build) is on sys.path
from siphon_build import (  # noqa: F401  (the PEP 517 / 660 hooks pip calls)
    build_editable,
    build_sdist,
    build_wheel,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

# Not the backend's own default (the directory above its resolved path, which is sdk/ through the
# link): the directory holding this file's pyproject.toml.
siphon_build.ROOT = Path(__file__).resolve().parent.parent
