"""Every extension point of aupguard as pluggy hook specs (documented in docs/plugins.md)."""

from __future__ import annotations

import pluggy

from aupguard.detectors.base import Detector

PROJECT = "aupguard"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class DetectorSpec:
    @hookspec
    def aupguard_detectors(self) -> list[type[Detector]]:  # type: ignore[empty-body]
        """Return the detector classes this plugin provides.

        Built-ins and third-party plugins both answer this hook; plugins are found through
        the `aupguard` entry-point group, never by import side effects.
        """
