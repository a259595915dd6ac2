"""The detector registry: plugins found through entry points, detectors built from the ruleset."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

import pluggy
from pydantic import ValidationError

from aupguard.detectors.base import SIGNAL_NAME, Detector, SignalSpec
from aupguard.detectors.hookspecs import PROJECT, DetectorSpec
from aupguard.errors import RegistryError


class Registry:
    """Detector classes by name. Each test builds only the registry it needs."""

    def __init__(self, classes: Iterable[type[Detector]]) -> None:
        self.classes: dict[str, type[Detector]] = {}
        for cls in classes:
            self._add(cls)

    def _add(self, cls: type[Detector]) -> None:
        for attr in ("name", "description", "signals"):
            if not getattr(cls, attr, None):
                raise RegistryError(f"detector {cls.__qualname__} has no {attr!r}")
        if cls.name in self.classes and self.classes[cls.name] is not cls:
            raise RegistryError(f"two detectors are named {cls.name!r}")
        for spec in cls.signals:
            if not SIGNAL_NAME.match(spec.name):
                raise RegistryError(f"{cls.name}: signal {spec.name!r} is not UPPER_SNAKE")
            if not spec.meaning:
                raise RegistryError(f"{cls.name}: signal {spec.name} has no one-line meaning")
        self.classes[cls.name] = cls

    @classmethod
    def from_plugins(cls, *modules: ModuleType | object) -> Registry:
        """Detectors from the `aupguard` entry points, plus any modules given directly."""
        pm = pluggy.PluginManager(PROJECT)
        pm.add_hookspecs(DetectorSpec)
        pm.load_setuptools_entrypoints(PROJECT)
        if not pm.list_name_plugin():
            # Running from a source tree that was never installed: no entry points exist.
            from aupguard.detectors import builtin

            pm.register(builtin)
        for module in modules:
            pm.register(module)
        return cls(c for group in pm.hook.aupguard_detectors() for c in group)

    def signal_specs(self) -> dict[str, tuple[str, SignalSpec]]:
        """Every signal any registered detector may emit, with the detector's name."""
        return {s.name: (c.name, s) for c in self.classes.values() for s in c.signals}

    def build(self, name: str, options: dict[str, object] | None) -> Detector:
        """Instantiate a detector with validated options; errors name the option."""
        try:
            cls = self.classes[name]
        except KeyError:
            raise RegistryError(f"no detector named {name!r}") from None
        try:
            return cls.from_options(options)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise RegistryError(f"detector {name!r} option {where!r}: {first['msg']}") from None
