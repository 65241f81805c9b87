"""siphon-sdk: unit-test Siphon routing scripts without a server.

``siphon_sdk.http``, ``siphon_sdk.log`` and ``siphon_sdk.cache`` mock the
runtime's ``siphon.http``, ``siphon.log`` and ``siphon.cache`` (the wheel also
installs a ``siphon`` package re-exporting them, so scripts import unchanged); ``siphon_sdk.http_testing.HttpTestHarness``
loads a script, sends it requests and cans the answers of its outbound calls;
``siphon_sdk.mock_module`` is the original SDK's ``install()``/``reset()``. ``import clr`` (the
host's .NET bridge) raises an ImportError naming the host (siphon_sdk/_clr.py).
"""

from siphon_sdk import _clr, cache, http, log, mock_module

_clr.install()

try:  # the installed distribution's version: Siphon's one version (Directory.Build.props)
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("siphon-sdk")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["http", "log", "cache", "mock_module", "__version__"]
