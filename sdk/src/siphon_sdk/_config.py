"""http.yaml as the host reads it: ``${VAR}`` expansion and the strict checks, with the host's messages.

The host's reader is ``Siphon.Runtime/Config/ConfigLoader.cs`` (and ``EnvExpander.cs``); this is its
port for tests, held to the same table (``tests/parity/config_cases.json``, run against both). It
checks what a test can trip on: unknown keys (with "did you mean"), the shape of every section,
integers and their ranges, booleans, the enumerations, required keys, duplicate keys and cache
names, client URLs, and ``${VAR}`` in every string value. It does not parse listen addresses,
proxy ranges or Redis URLs beyond their scheme, nor look at TLS files: the host still does that at
start-up (``siphon run`` with the same file says so in a second).

The result is the config as a dict, with every string expanded and integers and booleans converted:
what ``yaml.safe_load`` would give, had the host's rules been applied.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["ConfigError", "expand", "load_config", "read_config"]

ROOT_KEYS = ["python", "workers", "worker_mode", "sync_threads", "sync_threads_max", "sync_queue_max",
             "handler_stall_abort_secs", "access_log", "log_format", "reload", "shutdown_grace_ms", "servers", "clients",
             "cache", "admin", "tracing", "extensions"]
SERVER_KEYS = ["listen", "tls", "max_body_bytes", "request_timeout_ms", "trusted_proxies", "max_header_bytes",
               "header_timeout_ms", "keep_alive_timeout_ms", "max_connections", "websocket"]
WEBSOCKET_KEYS = ["max_message_bytes", "ping_interval_ms", "ping_timeout_ms", "max_sockets", "allowed_origins"]
TLS_KEYS = ["cert_path", "key_path", "client_ca"]
CLIENT_KEYS = ["base_url", "timeout_ms", "verify", "cert", "key", "pool_size", "http2_prior_knowledge"]
ADMIN_KEYS = ["listen", "stall_after_ms"]
CACHE_KEYS = ["name", "url", "local_ttl_secs", "local_max_entries", "timeout_ms"]
TRACING_KEYS = ["otlp_endpoint", "sample_ratio", "service_name"]

INT_MAX = 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
SYNC_THREADS_LIMIT = 4096

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


class ConfigError(ValueError):
    """A problem with http.yaml, worded as the host words it: ``FILE:LINE: KEY: REASON``."""

    def __init__(self, file: str, line: int | None, key: str | None, reason: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {reason}" if key else f"{where}: {reason}")
        self.file, self.line, self.key, self.reason = file, line, key, reason


class ExpandError(ValueError):
    """A ``${...}`` the host would refuse; the message is the host's reason."""


def expand(text: str, env: Callable[[str], str | None] | Mapping[str, str] | None = None) -> str:
    """``${VAR}`` / ``${VAR:-default}`` / ``$$`` as the host expands a config string.

    ``${VAR}``: the value (empty is used as is); unset is an error. ``${VAR:-default}``: the value,
    or the default (literal text up to the first ``}``) when unset or empty. ``$$`` is a literal
    ``$``; any other ``$`` is literal. Expanded values are not expanded again.
    """
    lookup = _lookup(env)
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "$" or i + 1 >= len(text):
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt != "{":
            out.append(c)
            i += 1
            continue
        close = text.find("}", i + 2)
        if close < 0:
            raise ExpandError(f"unterminated '${{' in '{text}' (write $$ for a literal $)")
        body = text[i + 2:close]
        sep = body.find(":-")
        name = body if sep < 0 else body[:sep]
        if not _NAME.match(name):
            raise ExpandError(
                f"bad variable reference '${{{body}}}' (expected ${{NAME}} or ${{NAME:-default}}, NAME of letters, digits and _)")
        value = lookup(name)
        if sep >= 0:
            out.append(body[sep + 2:] if not value else value)
        elif value is None:
            raise ExpandError(f"environment variable {name} is not set (write ${{{name}:-default}} to give a default)")
        else:
            out.append(value)
        i = close + 1
    return "".join(out)


def load_config(path: str | os.PathLike[str], env: Callable[[str], str | None] | Mapping[str, str] | None = None) -> dict[str, Any]:
    """Reads http.yaml at ``path`` as the host does (messages name the file as given)."""
    file = os.fspath(path)
    try:
        with open(file, encoding="utf-8") as f:
            text = f.read()
    except (FileNotFoundError, NotADirectoryError):
        raise ConfigError(file, None, None, f"config file not found (looked for {os.path.abspath(file)})") from None
    except OSError as e:
        raise ConfigError(file, None, None, f"cannot read config file: {e.strerror or e}") from None
    return parse_config(text, file, env)


def parse_config(text: str, file: str = "http.yaml", env: Callable[[str], str | None] | Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parses YAML text as if it were read from ``file``."""
    return _Reader(file, _lookup(env)).root(_from_yaml(text, file))


def read_config(config: Mapping[str, Any], env: Callable[[str], str | None] | Mapping[str, str] | None = None,
                file: str = "config") -> dict[str, Any]:
    """Applies the host's rules to an already parsed dict (``config=``); messages have no line numbers."""
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict (the parsed http.yaml), not {type(config).__name__}")
    return _Reader(file, _lookup(env)).root(_from_value(config))


# ---------------------------------------------------------------------------- the tree

class _Node:
    """A YAML node as the host's YamlTree sees it: a scalar's text (None when null), a mapping's
    (key node, value node) pairs, or a sequence's items; the line is 1-based (None from a dict)."""

    __slots__ = ("kind", "value", "line")

    def __init__(self, kind: str, value: Any, line: int | None) -> None:
        self.kind, self.value, self.line = kind, value, line

    @property
    def kind_name(self) -> str:
        if self.kind == "scalar":
            return "null" if self.value is None else "a string"
        return "a sequence" if self.kind == "seq" else "a mapping"


def _from_yaml(text: str, file: str) -> _Node | None:
    try:
        import yaml
    except ImportError:
        raise ImportError(
            "reading http.yaml needs PyYAML: on Debian `apt-get install python3-yaml` (a venv made with "
            "--system-site-packages sees it), elsewhere `pip install pyyaml`; or pass config= a dict") from None
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise ConfigError(file, mark.line + 1 if mark else None, None, f"YAML syntax error: {e.problem or e}") from None
    if len(nodes) > 1:
        second = [e for e in yaml.parse(text, Loader=yaml.SafeLoader) if isinstance(e, yaml.DocumentStartEvent)][1]
        raise ConfigError(file, second.start_mark.line + 1, None, "only one YAML document is allowed (found a second '---')")
    if not nodes or nodes[0] is None:
        return None
    root = _convert_yaml(nodes[0], file, None)
    return None if root.kind == "scalar" and root.value is None else root


_NULLS = ("", "~", "null", "Null", "NULL")


def _convert_yaml(node: Any, file: str, path: str | None) -> _Node:
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        null = node.style is None and node.value in _NULLS
        return _Node("scalar", None if null else node.value, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node("seq", [_convert_yaml(item, file, _index(path, i)) for i, item in enumerate(node.value)], line)
    entries = []
    seen: dict[str, int] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            kind = "a sequence" if isinstance(key, yaml.SequenceNode) else "a mapping"
            raise ConfigError(file, key.start_mark.line + 1, path, f"a key must be a plain string, not {kind}")
        key_line = key.start_mark.line + 1
        key_path = _child(path, key.value)
        if key.value == "<<" and key.style is None:
            raise ConfigError(file, key_line, key_path, "merge keys (<<) are not supported; write the keys out")
        if key.value in seen:
            raise ConfigError(file, key_line, key_path, f"duplicate key (first set on line {seen[key.value]})")
        seen[key.value] = key_line
        entries.append((_Node("scalar", key.value, key_line), _convert_yaml(value, file, key_path)))
    return _Node("map", entries, line)


def _from_value(value: Any) -> _Node:
    """A parsed dict's value as the YAML text the host would have read."""
    if value is None:
        return _Node("scalar", None, None)
    if isinstance(value, bool):
        return _Node("scalar", "true" if value else "false", None)
    if isinstance(value, (int, float, str)):
        return _Node("scalar", str(value), None)
    if isinstance(value, dict):
        return _Node("map", [(_Node("scalar", str(k), None), _from_value(v)) for k, v in value.items()], None)
    if isinstance(value, (list, tuple)):
        return _Node("seq", [_from_value(v) for v in value], None)
    raise TypeError(f"config values must be what YAML gives (str, int, float, bool, None, dict, list), not {type(value).__name__}")


def _child(parent: str | None, key: str) -> str:
    if _SIMPLE_KEY.match(key):
        return f"{parent}.{key}" if parent else key
    quoted = '["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return (parent or "") + quoted


def _index(parent: str | None, i: int) -> str:
    return f"{parent or ''}[{i}]"


def _lookup(env: Callable[[str], str | None] | Mapping[str, str] | None) -> Callable[[str], str | None]:
    """A variable lookup: os.environ by default, a mapping's get, or a function as given."""
    if env is None:
        return os.environ.get
    if callable(env):
        return env
    mapping = env
    return lambda name: mapping.get(name)


# ---------------------------------------------------------------------------- the reader

class _Fields:
    def __init__(self, node: _Node, path: str | None) -> None:
        self.node, self.path = node, path

    def get(self, key: str) -> tuple[_Node | None, str]:
        for k, v in self.node.value:
            if k.value == key:
                return v, _child(self.path, key)
        return None, _child(self.path, key)


class _Reader:
    def __init__(self, file: str, env: Callable[[str], str | None]) -> None:
        self.file, self.env = file, env

    def error(self, node: _Node | None, key: str | None, reason: str) -> ConfigError:
        return ConfigError(self.file, node.line if node is not None else None, key, reason)

    def root(self, root: _Node | None) -> dict[str, Any]:
        if root is None:
            return {}
        if root.kind != "map":
            raise self.error(root, None, f"the top level must be a mapping of settings, got {root.kind_name}")
        m = self.check_keys(root, None, ROOT_KEYS)
        out: dict[str, Any] = {}
        self.integer(m, "sync_threads", 1, SYNC_THREADS_LIMIT, out)
        self.integer(m, "sync_threads_max", 1, SYNC_THREADS_LIMIT, out)
        if out.get("sync_threads") is not None and out.get("sync_threads_max") is not None \
                and out["sync_threads_max"] < out["sync_threads"]:
            node, path = m.get("sync_threads_max")
            raise self.error(node, path, f"must be at least sync_threads ({out['sync_threads']}), got {out['sync_threads_max']}")
        out["servers"] = self.servers(m)
        self.integer(m, "sync_queue_max", 1, INT_MAX, out)
        self.integer(m, "handler_stall_abort_secs", 0, 86_400, out)
        self.string(m, "python", out)
        self.integer(m, "workers", 1, INT_MAX, out)
        self.choice(m, "worker_mode", ("processes", "interpreters"), "'processes' or 'interpreters'", out)
        self.boolean(m, "access_log", out)
        self.boolean(m, "reload", out)
        self.integer(m, "shutdown_grace_ms", 0, INT_MAX, out)
        clients = self.clients(m)
        if clients is not None:
            out["clients"] = clients
        out["cache"] = self.caches(m)
        self.choice(m, "log_format", ("text", "json"), "'text' or 'json'", out)
        admin = self.admin(m)
        if admin is not None:
            out["admin"] = admin
        tracing = self.tracing(m)
        if tracing is not None:
            out["tracing"] = tracing
        # The host loads these .NET assemblies; the SDK cannot: a script's test supplies Python test
        # doubles of their modules instead (docs/extensions.md).
        out["extensions"] = self.scalar_list(m, "extensions", 'paths of .NET assemblies (e.g. ["ext/Acme.Pricing.dll"])',
                                             "a path", str)
        return {k: v for k, v in out.items() if v is not None}

    def servers(self, root: _Fields) -> list[dict[str, Any]]:
        node, path = root.get("servers")
        if node is None or _null(node):
            return []
        if node.kind != "seq":
            raise self.error(node, path, f"expected a sequence of servers (- listen: ...), got {node.kind_name}")
        servers = []
        for i, item in enumerate(node.value):
            item_path = _index(path, i)
            if item.kind != "map":
                raise self.error(item, item_path, f"expected a mapping (listen: ..., max_body_bytes: ...), got {item.kind_name}")
            m = self.check_keys(item, item_path, SERVER_KEYS)
            server: dict[str, Any] = {"listen": self.required(m, "listen")}
            tls, tls_path = m.get("tls")
            if tls is not None:
                if tls.kind != "map":
                    raise self.error(tls, tls_path,
                                     f"expected a mapping with cert_path and key_path (remove 'tls' for cleartext), got {tls.kind_name}")
                t = self.check_keys(tls, tls_path, TLS_KEYS)
                server["tls"] = {"cert_path": self.required(t, "cert_path"), "key_path": self.required(t, "key_path")}
                self.string(t, "client_ca", server["tls"])
            self.integer(m, "max_body_bytes", 1, LONG_MAX, server)
            self.integer(m, "request_timeout_ms", 1, INT_MAX, server)
            server["trusted_proxies"] = self.scalar_list(m, "trusted_proxies", 'IPs or CIDR ranges (e.g. ["10.0.0.0/8", "127.0.0.1"])',
                                                         "an IP or CIDR range", lambda text: text)
            self.integer(m, "max_header_bytes", 1024, 16 * 1024 * 1024, server)
            self.integer(m, "header_timeout_ms", 1, INT_MAX, server)
            self.integer(m, "keep_alive_timeout_ms", 1, INT_MAX, server)
            self.integer(m, "max_connections", 1, INT_MAX, server)
            server["websocket"] = self.websocket(m)
            servers.append({k: v for k, v in server.items() if v is not None})
        return servers

    def websocket(self, server: _Fields) -> dict[str, Any] | None:
        """servers[i].websocket, as the host reads it (ConfigLoader.WebSocket.cs)."""
        node, path = server.get("websocket")
        if node is None or _null(node):
            return None
        if node.kind != "map":
            raise self.error(node, path, f"expected a mapping (max_message_bytes: ..., allowed_origins: [...]), got {node.kind_name}")
        m = self.check_keys(node, path, WEBSOCKET_KEYS)
        ws: dict[str, Any] = {}
        self.integer(m, "max_message_bytes", 1, INT_MAX, ws)
        self.integer(m, "ping_interval_ms", 0, INT_MAX, ws)
        self.integer(m, "ping_timeout_ms", 0, INT_MAX, ws)
        self.integer(m, "max_sockets", 1, INT_MAX, ws)
        ws["allowed_origins"] = self.scalar_list(m, "allowed_origins", 'origins (e.g. ["https://app.example.com"])', "an origin", _origin)
        return {k: v for k, v in ws.items() if v is not None}

    def clients(self, root: _Fields) -> dict[str, dict[str, Any]] | None:
        node, path = root.get("clients")
        if node is None or _null(node):
            return None
        if node.kind != "map":
            raise self.error(node, path, f"expected a mapping of client names to settings, got {node.kind_name}")
        clients = {}
        for key, value in node.value:
            client_path = _child(path, key.value)
            if key.value == "":
                raise self.error(key, client_path, "a client name must not be empty")
            if value.kind != "map":
                raise self.error(value, client_path,
                                 f"expected a mapping of client settings (base_url: ..., timeout_ms: ...), got {value.kind_name}")
            m = self.check_keys(value, client_path, CLIENT_KEYS)
            client: dict[str, Any] = {}
            url = self.string(m, "base_url", client)
            if url is not None and not _absolute_http(url):
                url_node, url_path = m.get("base_url")
                raise self.error(url_node, url_path, f"expected an absolute http:// or https:// URL, got '{url}'")
            self.integer(m, "timeout_ms", 1, INT_MAX, client)
            verify = self.string(m, "verify", client)
            if verify in ("true", "false"):
                verify_node, verify_path = m.get("verify")
                raise self.error(verify_node, verify_path,
                                 f"expected a CA bundle path, got '{verify}' (leave verify out to use the system trust store; "
                                 "turning verification off is not supported)")
            cert, _ = m.get("cert")
            if cert is not None:
                client["cert"] = self.scalar_text(cert, _child(client_path, "cert")) if cert.kind == "scalar" else \
                    [self.scalar_text(c, _index(_child(client_path, "cert"), i)) for i, c in enumerate(cert.value)] \
                    if cert.kind == "seq" else None
            self.string(m, "key", client)
            self.integer(m, "pool_size", 1, INT_MAX, client)
            self.boolean(m, "http2_prior_knowledge", client)
            clients[key.value] = {k: v for k, v in client.items() if v is not None}
        return clients

    def caches(self, root: _Fields) -> list[dict[str, Any]]:
        node, path = root.get("cache")
        if node is None or _null(node):
            return []
        if node.kind != "seq":
            raise self.error(node, path, f"expected a sequence of caches (- name: ...), got {node.kind_name}")
        caches = []
        seen: dict[str, int | None] = {}
        for i, item in enumerate(node.value):
            item_path = _index(path, i)
            if item.kind != "map":
                raise self.error(item, item_path, f"expected a mapping with name (and url for Redis), got {item.kind_name}")
            m = self.check_keys(item, item_path, CACHE_KEYS)
            name = self.required(m, "name")
            name_node, name_path = m.get("name")
            if name in seen:
                raise self.error(name_node, name_path, f"duplicate cache name '{name}' (first defined on line {seen[name]})")
            seen[name] = name_node.line if name_node is not None else None
            cache: dict[str, Any] = {"name": name}
            url = self.string(m, "url", cache)
            if url is not None and not re.match(r"(?i)rediss?://", url):
                url_node, url_path = m.get("url")
                scheme = url.split("://", 1)[0].lower() if "://" in url else None
                why = f"the scheme must be redis or rediss, not {scheme}" if scheme else "not an absolute URL"
                raise self.error(url_node, url_path,
                                 f"expected redis://[:password@]host:port[/db] (or rediss:// for TLS), got '{_redact(url)}': {why}")
            self.integer(m, "local_ttl_secs", 1, INT_MAX, cache)
            self.integer(m, "local_max_entries", 1, INT_MAX, cache)
            self.integer(m, "timeout_ms", 1, INT_MAX, cache)
            caches.append({k: v for k, v in cache.items() if v is not None})
        return caches

    def admin(self, root: _Fields) -> dict[str, Any] | None:
        node, path = root.get("admin")
        if node is None or _null(node):
            return None
        if node.kind != "map":
            raise self.error(node, path, f'expected a mapping (listen: "127.0.0.1:9090"), got {node.kind_name}')
        m = self.check_keys(node, path, ADMIN_KEYS)
        admin: dict[str, Any] = {"listen": self.required(m, "listen")}
        self.integer(m, "stall_after_ms", 100, INT_MAX, admin)
        return {k: v for k, v in admin.items() if v is not None}

    def tracing(self, root: _Fields) -> dict[str, Any] | None:
        """ConfigLoader.Tracing.cs: off unless set."""
        node, path = root.get("tracing")
        if node is None or _null(node):
            return None
        if node.kind != "map":
            raise self.error(node, path, f'expected a mapping (otlp_endpoint: "http://127.0.0.1:4318"), got {node.kind_name}')
        m = self.check_keys(node, path, TRACING_KEYS)
        endpoint = self.required(m, "otlp_endpoint")
        from urllib.parse import urlsplit

        parts = urlsplit(endpoint)
        if not _absolute_http(endpoint) or parts.query or parts.fragment:
            e_node, e_path = m.get("otlp_endpoint")
            raise self.error(e_node, e_path, "expected an http:// or https:// URL of a collector's OTLP/HTTP receiver "
                             f"(http://127.0.0.1:4318), got {_quote(e_node, endpoint)}")
        tracing: dict[str, Any] = {"otlp_endpoint": endpoint, "sample_ratio": 1.0, "service_name": "siphon"}
        r_node, r_path = m.get("sample_ratio")
        ratio_text = None if r_node is None else self.scalar_text(r_node, r_path)
        if r_node is not None and ratio_text is not None:
            try:
                ratio = float(ratio_text) if re.fullmatch(r"[+-]?[0-9]*\.?[0-9]*", ratio_text) else -1.0
            except ValueError:
                ratio = -1.0
            if not 0 <= ratio <= 1:
                raise self.error(r_node, r_path, "expected a number from 0 to 1 (0.1 records one new trace in ten), "
                                 f"got {_quote(r_node, ratio_text)}")
            tracing["sample_ratio"] = ratio
        service = self.string(m, "service_name", {})
        if service is not None:
            tracing["service_name"] = service
        return tracing

    # ---- typed accessors, as ConfigLoader's

    def check_keys(self, node: _Node, path: str | None, allowed: list[str]) -> _Fields:
        for key, _ in node.value:
            if key.value not in allowed:
                suggestion = _suggest(key.value, allowed)
                hint = f"; did you mean '{suggestion}'?" if suggestion else ""
                raise self.error(key, _child(path, key.value), f"unknown key (expected one of: {', '.join(allowed)}){hint}")
        return _Fields(node, path)

    def scalar_list(self, m: _Fields, key: str, expected: str, expected_item: str,
                    parse: Callable[[str], str]) -> list[str] | None:
        """An optional sequence of scalars, each through ``parse`` (whose ValueError becomes an error at
        that item); None when the key is absent or null (ConfigLoader.Values.cs, OptionalList)."""
        node, path = m.get(key)
        if node is None or _null(node):
            return None
        if node.kind != "seq":
            raise self.error(node, path, f"expected a sequence of {expected}, got {node.kind_name}")
        items = []
        for j, item in enumerate(node.value):
            text = self.scalar_text(item, _index(path, j))
            if text is None:
                raise self.error(item, _index(path, j), f"expected {expected_item}, got null")
            try:
                items.append(parse(text))
            except ValueError as e:
                raise self.error(item, _index(path, j), str(e)) from None
        return items

    def scalar_text(self, node: _Node, path: str) -> str | None:
        if node.kind != "scalar":
            raise self.error(node, path, f"expected a single value, got {node.kind_name}")
        if node.value is None:
            return None
        try:
            expanded = expand(node.value, self.env)
        except ExpandError as e:
            raise self.error(node, path, str(e)) from None
        return expanded or None

    def string(self, m: _Fields, key: str, out: dict[str, Any]) -> str | None:
        node, path = m.get(key)
        value = None if node is None else self.scalar_text(node, path)
        out[key] = value
        return value

    def required(self, m: _Fields, key: str) -> str:
        node, path = m.get(key)
        if node is None:
            raise self.error(m.node, path, "required key is missing")
        value = self.scalar_text(node, path)
        if value is None:
            raise self.error(node, path, "must not be empty")
        return value

    def integer(self, m: _Fields, key: str, low: int, high: int, out: dict[str, Any]) -> None:
        node, path = m.get(key)
        text = None if node is None else self.scalar_text(node, path)
        if node is None or text is None:
            out[key] = None
            return
        decimal = bool(re.fullmatch(r"[+-]?[0-9]+", text))
        if not decimal or not LONG_MIN <= int(text) <= LONG_MAX:
            raise self.error(node, path, f"integer {_quote(node, text)} is out of range" if decimal
                             else f"expected an integer, got {_quote(node, text)}")
        value = int(text)
        if value < low:
            raise self.error(node, path, {0: f"must not be negative, got {value}", 1: f"must be greater than 0, got {value}"}
                             .get(low, f"must be at least {low}, got {value}"))
        if value > high:
            raise self.error(node, path, f"must be at most {high}, got {value}")
        out[key] = value

    def boolean(self, m: _Fields, key: str, out: dict[str, Any]) -> None:
        node, path = m.get(key)
        text = None if node is None else self.scalar_text(node, path)
        if node is not None and text is not None and text not in ("true", "false"):
            raise self.error(node, path, f"expected a boolean (true or false), got {_quote(node, text)}")
        out[key] = None if text is None else text == "true"

    def choice(self, m: _Fields, key: str, allowed: tuple[str, ...], expected: str, out: dict[str, Any]) -> None:
        node, path = m.get(key)
        text = None if node is None else self.scalar_text(node, path)
        if node is not None and text is not None and text not in allowed:
            raise self.error(node, path, f"expected {expected}, got {_quote(node, text)}")
        out[key] = text


def _origin(text: str) -> str:
    """An allowed origin: scheme://host[:port] exactly as browsers send it (lower-cased), else ValueError."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query or parts.fragment:
        raise ValueError(f"'{text}' is not an origin: expected scheme://host[:port] (http or https, no path), e.g. https://app.example.com")
    return text.lower()


def _null(node: _Node) -> bool:
    """A null value (``~``, ``null``, nothing): the host treats the section as not set."""
    return node.kind == "scalar" and node.value is None


def _quote(node: _Node, expanded: str) -> str:
    return f"'{expanded}' (from '{node.value}')" if node.kind == "scalar" and node.value != expanded else f"'{expanded}'"


def _absolute_http(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return "://" in url and parts.scheme in ("http", "https") and bool(parts.hostname)


def _redact(url: str) -> str:
    """The URL without its password (RedisEndpoint.Redact)."""
    scheme, at = url.find("://"), url.rfind("@")
    if scheme < 0 or at < scheme:
        return url
    user_info = url[scheme + 3:at]
    colon = user_info.find(":")
    return url[:scheme + 3] + ("***" if colon < 0 else user_info[:colon + 1] + "***") + url[at:]


def _suggest(key: str, allowed: list[str]) -> str | None:
    """The host's "did you mean": the same squashed-prefix and edit-distance rule."""
    def squash(s: str) -> str:
        return s.replace("_", "").replace("-", "").lower()

    squashed = squash(key)
    best, best_distance = None, None
    for candidate in allowed:
        c = squash(candidate)
        if c == squashed:
            distance = 0
        elif len(squashed) >= 4 and (c.startswith(squashed) or squashed.startswith(c)):
            distance = 1
        else:
            distance = _levenshtein(key.lower(), candidate)
        if best_distance is None or distance < best_distance:
            best, best_distance = candidate, distance
    return best if best_distance is not None and best_distance <= max(2, len(key) // 4) else None


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(cur[j - 1] + 1, prev[j] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
        prev = cur
    return prev[len(b)]
