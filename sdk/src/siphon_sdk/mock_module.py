"""The original SDK's entry point for a test: ``mock_module.install()`` then ``reset()``.

A test written for siphon-http's SDK starts with::

    from siphon_sdk import mock_module
    mock_module.install()
    import my_script          # its `from siphon import http, log` finds the mock

``install()`` makes ``import siphon`` (and ``siphon.http``, ``siphon.log``)
resolve to this SDK's mock package and returns it. ``reset()`` clears the
state of the latest ``HttpTestHarness``: its registrations, canned responses,
``sent_requests`` and log (as ``harness.reset()`` does), and the state of
every other mock namespace that registered with ``_state.on_reset``.
"""

from __future__ import annotations

import importlib
import sys
import types

from siphon_sdk import _state

__all__ = ["install", "reset"]


def install() -> types.ModuleType:
    """Put the mock ``siphon`` package into ``sys.modules`` (replacing any other) and return it."""
    import siphon_sdk.http

    module = sys.modules.get("siphon")
    if module is None or getattr(getattr(module, "http", None), "Client", None) is not siphon_sdk.http.Client:
        for name in [n for n in sys.modules if n == "siphon" or n.startswith("siphon.")]:
            del sys.modules[name]
        module = importlib.import_module("siphon")
    return module


def reset() -> None:
    """Clear the latest harness's registrations, canned answers, sent requests and log, and every
    other mock namespace's state."""
    if _state.latest is not None:
        _state.latest.reset()
    else:
        _state.run_reset_hooks()
