"""The ``log`` namespace: messages go to the host's logger under the script's name."""

def debug(msg: str) -> None:
    """Logs at debug level."""
    ...

def info(msg: str) -> None:
    """Logs at information level."""
    ...

def warn(msg: str) -> None:
    """Logs at warning level (siphon-http's spelling)."""
    ...

def warning(msg: str) -> None:
    """Logs at warning level."""
    ...

def error(msg: str) -> None:
    """Logs at error level."""
    ...
