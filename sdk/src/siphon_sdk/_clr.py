"""``import clr`` under the SDK: the runtime's .NET bridge (pythonnet, which the Siphon host loads
into its own process) does not exist outside the host, so the import fails at once with an
ImportError that says so, rather than finding an unrelated ``clr`` package or a bare
ModuleNotFoundError."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import types
    from collections.abc import Sequence

MESSAGE = (
    "import clr: the .NET bridge exists only inside the Siphon host (siphon run), which embeds "
    "pythonnet; siphon-sdk cannot provide it. Keep .NET calls behind a function of your own that "
    "tests replace (docs/script-api.md, \".NET from a script\")"
)


class NoClr:
    """A meta path finder, first on sys.meta_path, that refuses ``clr``."""

    @staticmethod
    def find_spec(name: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None) -> None:
        if name == "clr" or name.startswith("clr."):
            raise ImportError(MESSAGE, name=name)
        return None


def install() -> None:
    if not any(f is NoClr for f in sys.meta_path):
        sys.meta_path.insert(0, NoClr)
