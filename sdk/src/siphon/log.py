"""``siphon.log`` under test: re-exports the mock from ``siphon_sdk.log``."""

from siphon_sdk.log import __all__, debug, error, info, warn, warning  # noqa: F401
