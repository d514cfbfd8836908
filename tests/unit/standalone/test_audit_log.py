"""The standalone apiserver's audit log on disk: one JSON event per line, rotated at a size cap
into one previous file, as kube-apiserver's --audit-log-maxsize and --audit-log-maxbackup do."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from emulator.cluster.backend import ClusterRequest
from emulator.standalone.audit import AUDIT_LOG_MAX_BYTES, AuditEvent, AuditTrail, event_for

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def event(number: int) -> AuditEvent:
    request = ClusterRequest("GET", f"/api/v1/namespaces/default/configmaps/cm-{number:04d}")
    return event_for(request, 200, None, NOW, f"audit-{number:04d}")


def line_size(number: int) -> int:
    return len(json.dumps(event(number).as_dict())) + 1


def ids(path: Path) -> list[str]:
    return [json.loads(line)["auditID"] for line in path.read_text().splitlines()]


def test_the_log_rotates_into_one_previous_file_at_its_cap(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    per_event = line_size(0)
    cap = per_event * 10 + per_event // 2  # ten whole events fit, the eleventh does not
    trail = AuditTrail(path, max_bytes=cap)
    for number in range(35):
        trail.add(event(number))
    trail.close()
    backup = tmp_path / "audit.log.1"
    # 35 events, 10 a file: rotated three times, each rotation replacing the previous backup.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.log", "audit.log.1"]
    assert ids(backup) == [f"audit-{n:04d}" for n in range(20, 30)]
    assert ids(path) == [f"audit-{n:04d}" for n in range(30, 35)]
    assert backup.stat().st_size == 10 * per_event <= cap
    assert path.stat().st_size == 5 * per_event
    # The in-memory trail is the other cap, unchanged: all 35 here.
    assert len(trail.events()) == 35


def test_an_event_larger_than_the_cap_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    trail = AuditTrail(path, max_bytes=10)
    for number in range(3):
        trail.add(event(number))
    trail.close()
    # Each event starts a new file rather than being split or lost.
    assert ids(path) == ["audit-0002"]
    assert ids(tmp_path / "audit.log.1") == ["audit-0001"]


def test_a_log_left_by_an_earlier_run_counts_toward_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    per_event = line_size(0)
    first = AuditTrail(path, max_bytes=per_event * 3)
    for number in range(2):
        first.add(event(number))
    first.close()
    again = AuditTrail(path, max_bytes=per_event * 3)
    for number in range(2, 4):
        again.add(event(number))
    again.close()
    assert ids(tmp_path / "audit.log.1") == ["audit-0000", "audit-0001", "audit-0002"]
    assert ids(path) == ["audit-0003"]


def test_the_cap_is_the_documented_one_by_default() -> None:
    assert AuditTrail().max_bytes == AUDIT_LOG_MAX_BYTES == 10 * 1024 * 1024
