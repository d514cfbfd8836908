"""The images of the embedded clusters a state's worlds built, so that each scenario's clusters
are built once and every later world of that scenario restores them (``MockApiserver.image``).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

from emulator.agent.install import AgentIdentity
from emulator.clock import Clock, SystemClock
from emulator.cluster.mock.image import ClusterImage


# The images of the newest scenarios a state loaded are kept; older ones go once the kept images
# hold more than this many objects together (the newest is kept whatever it holds), so memory
# comes back when a test suite moves from a world of 50,000 pods to the quickstart.
SCENARIOS_KEPT = 8
OBJECTS_KEPT = 5_000


class ScenarioImages:
    """The images of one scenario's clusters, by membership name, with who the gateway's
    requests arrive as in each (the agent's identity and pod are part of what was built)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_membership: dict[str, tuple[ClusterImage, AgentIdentity]] = {}

    def get(self, membership: str) -> tuple[ClusterImage, AgentIdentity] | None:
        with self._lock:
            return self._by_membership.get(membership)

    def put(self, membership: str, image: ClusterImage, transport: AgentIdentity) -> None:
        with self._lock:
            self._by_membership[membership] = (image, transport)

    @property
    def objects(self) -> int:
        with self._lock:
            return sum(image.objects for image, _ in self._by_membership.values())


class ClusterImages:
    """Per scenario, the images of the clusters its worlds built. A scenario is known by
    identity: the loader gives the same ``Scenario`` for the same file, so a suite that resets to
    one scenario before every test builds each of its clusters once. A scenario nobody holds any
    more (the loader and the state let it go) takes its images with it."""

    def __init__(self, *, shared: bool = False) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[int, tuple[weakref.ref[object], ScenarioImages]] = OrderedDict()
        self.shared = shared

    def of(self, scenario: object) -> ScenarioImages:
        """``scenario``'s images (new and empty the first time); it becomes the newest, and the
        oldest others go while the kept images are over budget."""
        with self._lock:
            for gone in [key for key, (ref, _) in self._kept.items() if ref() is None]:
                del self._kept[gone]
            key = id(scenario)
            entry = self._kept.get(key)
            if entry is None or entry[0]() is not scenario:
                entry = (weakref.ref(scenario), ScenarioImages())
                self._kept[key] = entry
            self._kept.move_to_end(key)
            while len(self._kept) > 1 and (len(self._kept) > SCENARIOS_KEPT or sum(
                    images.objects for _, images in self._kept.values()) > OBJECTS_KEPT):
                self._kept.popitem(last=False)
            return entry[1]

    @classmethod
    def for_clock(cls, clock: Clock) -> ClusterImages:
        """The images a state on ``clock`` starts with. The states of a process on the machine's
        own time share one set: for them an image is only a world built a little earlier, as
        their own would be, so a second emulator in the process (or a benchmark's next start)
        restores what the first built. A state on another clock (a fake one) has its own, and so
        has a state once its clock is moved (``EmulatorState.advance_clock``)."""
        return _REAL_TIME if type(clock) is SystemClock and not clock.offset else cls()


_REAL_TIME = ClusterImages(shared=True)
