"""``import clr`` under the SDK: the runtime's .NET bridge (pythonnet, which the Siphon host loads
into its own process) does not exist outside the host, so the import fails at once with an
ImportError that says so, rather than finding an unrelated ``clr`` package or a bare
ModuleNotFoundError."""

import sys

MESSAGE = (
    "import clr: the .NET bridge exists only inside the Siphon host (siphon run), which embeds "
    "pythonnet; siphon-sdk cannot provide it. Keep .NET calls behind a function of your own that "
    "tests replace (docs/script-api.md, \".NET from a script\")"
)


class NoClr:
    """A meta path finder, first on sys.meta_path, that refuses ``clr``."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "clr" or name.startswith("clr."):
            raise ImportError(MESSAGE, name=name)
        return None


def install():
    if not any(f is NoClr for f in sys.meta_path):
        sys.meta_path.insert(0, NoClr)
