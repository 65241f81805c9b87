"""The mock ``siphon.log`` namespace: debug/info/warn/warning/error(msg).

In the runtime these go to the host's logger with the script's name as the
category. Here each line goes to Python's ``logging`` under the script's name
and, while an ``HttpTestHarness`` is loading or running the script, to
``harness.log`` as a ``(level, message)`` tuple (level is "debug", "info",
"warn" or "error"; ``warning`` records as "warn", as in the original SDK).
"""

from __future__ import annotations

import logging

from siphon_sdk import _state

__all__ = ["debug", "info", "warn", "warning", "error"]


def debug(msg: str) -> None:
    """Log msg at debug level."""
    _emit("debug", msg)


def info(msg: str) -> None:
    """Log msg at info level."""
    _emit("info", msg)


def warn(msg: str) -> None:
    """Log msg at warning level (siphon-http's spelling)."""
    _emit("warn", msg)


def warning(msg: str) -> None:
    """Log msg at warning level."""
    _emit("warn", msg)


def error(msg: str) -> None:
    """Log msg at error level."""
    _emit("error", msg)


_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}


def _emit(level: str, msg: object) -> None:
    text = str(msg)
    harness = _state.current_harness()
    if harness is not None:
        harness._log_line(level, text)
    else:
        logging.getLogger("siphon").log(_LEVELS[level], text)
