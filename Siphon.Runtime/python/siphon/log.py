"""The ``log`` namespace: messages go to the host's logger under the script's name."""
from siphon._native import log as _log

__all__ = ["debug", "info", "warn", "warning", "error"]


def debug(msg: str) -> None:
    """Logs at debug level."""
    _log((0, str(msg)))


def info(msg: str) -> None:
    """Logs at information level."""
    _log((1, str(msg)))


def warn(msg: str) -> None:
    """Logs at warning level (siphon-http's spelling)."""
    _log((2, str(msg)))


def warning(msg: str) -> None:
    """Logs at warning level."""
    _log((2, str(msg)))


def error(msg: str) -> None:
    """Logs at error level."""
    _log((3, str(msg)))
