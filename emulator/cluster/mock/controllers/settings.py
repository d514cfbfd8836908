"""What a scenario says about a cluster's controllers: on or off, how slow each stage of a pod's
start is, and which images fail. Plain data, built by the scenario loader, read by the kubelet."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImageRule:
    """What happens to a container whose image matches ``pattern`` (shell-style, on the image
    string as the pod spec names it)."""

    pattern: str
    # The pull fails: ErrImagePull, then ImagePullBackOff, and the container never starts.
    pull_fails: bool = False
    # The container exits with this code ``runs_for`` seconds after each start (its restart
    # policy decides what follows: CrashLoopBackOff for Always). None: it runs as usual.
    exit_code: int | None = None
    runs_for: float = 0.0

    def matches(self, image: str) -> bool:
        return fnmatch.fnmatchcase(image, self.pattern)


@dataclass(frozen=True)
class Delays:
    """Seconds each stage of a pod's start takes, on the emulator's clock. All zero by default:
    every stage happens at once, in kube's order."""

    schedule: float = 0.0  # created -> bound to a node (Scheduled)
    pull: float = 0.0  # bound -> image pulled (Pulling, Pulled)
    start: float = 0.0  # pulled -> container running (Created, Started)
    ready: float = 0.0  # running -> Ready


@dataclass(frozen=True)
class ControllerSettings:
    # False: no controller, scheduler or kubelet loop runs in the cluster (a tool that is itself
    # a controller is tested alone); pods are admitted Running at once, as before controllers.
    enabled: bool = True
    delays: Delays = field(default_factory=Delays)
    images: tuple[ImageRule, ...] = ()

    def rule_for(self, image: str) -> ImageRule | None:
        """The first rule whose pattern matches ``image``, as a scenario lists them."""
        return next((rule for rule in self.images if rule.matches(image)), None)
