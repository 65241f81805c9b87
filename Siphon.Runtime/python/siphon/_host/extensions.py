"""The modules of the .NET extensions named in http.yaml (``extensions:``): each holds the bound
types its assembly declared for it (``[PyClass("Quote", Module = "acme.pricing")]``), so scripts
write ``from acme.pricing import Quote``. Made in every interpreter before the script loads."""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types

_installed: set[str] = set()  # this interpreter's extension modules (not installed Python ones)


def install_extension_modules(modules: dict[str, dict[str, type]]) -> None:
    """Puts each module into sys.modules with its types. A parent package (``acme`` of
    ``acme.pricing``) that is installed is imported and gets the module as an attribute; one that
    is not is made empty. A module an installed Python module already has the name of is refused
    (ImportError naming both): an extension never hides a real module."""
    for name in sorted(modules):
        if name in _installed:
            continue
        parent = name.rpartition(".")[0]
        if parent and not hasattr(_package(parent), "__path__"):
            raise ImportError(f"extension module {name}: {parent} is an installed Python module, not a package")
        existing = sys.modules.get(name)
        spec = importlib.util.find_spec(name) if existing is None else None
        if existing is not None or spec is not None:
            where = getattr(existing, "__file__", None) if existing is not None else spec.origin  # type: ignore[union-attr]
            raise ImportError(f"extension module {name} has the name of an installed Python module ({where}): "
                              "choose another Module for its [PyClass] types")
    for name in sorted(modules):
        module = types.ModuleType(name, f"Bound .NET types of the extension module {name}.")
        for type_name, cls in modules[name].items():
            setattr(module, type_name, cls)
        module.__all__ = sorted(modules[name])  # type: ignore[attr-defined]
        sys.modules[name] = module
        _installed.add(name)
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(_package(parent), child, module)


def _package(name: str) -> types.ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name and not name.startswith(f"{e.name}."):
            raise  # the package exists and failed to import something of its own
    package = types.ModuleType(name)
    package.__path__ = []  # a package, so that ``import acme.pricing`` finds its parent
    sys.modules[name] = package
    grandparent, _, child = name.rpartition(".")
    if grandparent:
        setattr(_package(grandparent), child, package)
    return package
