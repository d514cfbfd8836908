"""The pieces every printer is made of: columns, ages, and the cell formats kube-apiserver shares.

A printer lists the columns of the newest Kubernetes minor the emulator serves; a column that came
or went in an older minor says so (``since``/``until``) and ``Printer.layout`` keeps only the ones a
given minor had, cells included. Every printer also fills the wide (priority 1) cells, as
kube-apiserver does: kubectl shows them only with ``-o wide``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from emulator import messages

Obj = dict[str, Any]
Cells = list[Any]

# The newest minor the printers know; a Table asked for without a minor gets its columns.
LATEST_MINOR = 35


# --- Age: k8s.io/apimachinery/pkg/util/duration.HumanDuration -------------------------------------


def human_duration(delta: timedelta) -> str:
    """About two significant figures, exactly as kubectl's AGE column shows them."""
    seconds = math.trunc(delta.total_seconds())  # Go truncates toward zero
    if seconds < -1:
        return messages.TABLE_INVALID
    if seconds < 0:
        return "0s"  # up to a second of clock skew counts as "now"
    if seconds < 2 * 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return _two_units(minutes, "m", seconds % 60, "s")
    if minutes < 3 * 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return _two_units(hours, "h", minutes % 60, "m")
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 8 * 24:
        return _two_units(days, "d", hours % 24, "h")
    if hours < 2 * 365 * 24:
        return f"{days}d"
    if hours < 8 * 365 * 24:
        return _two_units(days // 365, "y", days % 365, "d")
    return f"{days // 365}y"


def _two_units(major: int, major_unit: str, minor: int, minor_unit: str) -> str:
    return f"{major}{major_unit}{minor}{minor_unit}" if minor else f"{major}{major_unit}"


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (``...Z``, optionally with fractions) or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def aware(now: datetime) -> datetime:
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def age(value: Any, now: datetime) -> str:
    """kube's translateTimestampSince: "<unknown>" for a missing time."""
    return _age(value, now) if isinstance(value, str) else messages.TABLE_UNKNOWN


@functools.lru_cache(maxsize=1024)
def _age(value: str, now: datetime) -> str:
    # A long list's rows share a few creation times (objects made in the same second) and one
    # ``now``: each pair is parsed and printed once.
    when = parse_time(value)
    if when is None:
        return messages.TABLE_UNKNOWN
    return human_duration(aware(now) - when)


# --- columns and printers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    type: str = "string"
    format: str = ""
    priority: int = 0
    since: int = 0  # the first minor that prints this column
    until: int | None = None  # the last one, when a later minor dropped or moved it

    def definition(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": self.description, "priority": self.priority}

    def shown_in(self, minor: int) -> bool:
        return self.since <= minor and (self.until is None or minor <= self.until)


@dataclass(frozen=True)
class Printer:
    """Columns and the cells of one object, in the same order (the newest minor's, plus any column
    an older minor had in another place). ``order`` sorts a page's rows where kube sorts them."""

    columns: tuple[Column, ...]
    cells: Callable[[Obj, datetime], Cells]
    order: Callable[[list[Obj]], list[Obj]] | None = None

    def layout(self, minor: int) -> tuple[list[Column], Callable[[Obj, datetime], Cells]]:
        """The columns a minor prints, and a cell function cut to match."""
        keep = [i for i, column in enumerate(self.columns) if column.shown_in(minor)]
        if len(keep) == len(self.columns):
            return list(self.columns), self.cells

        def cells(obj: Obj, now: datetime) -> Cells:
            every = self.cells(obj, now)
            return [every[i] for i in keep]

        return [self.columns[i] for i in keep], cells


def wide(name: str, description: str, type: str = "string") -> Column:  # noqa: A002 - kube's word
    return Column(name, description, type=type, priority=1)


NAME = Column("Name", "The object's name, unique within its namespace.", format="name")
AGE = Column("Age", "Time since the object was created (metadata.creationTimestamp).")
CONTAINERS = wide("Containers", "Names of the containers in the pod template.")
IMAGES = wide("Images", "Images of the containers in the pod template.")


# --- reading objects ------------------------------------------------------------------------------


def meta(obj: Obj) -> Obj:
    value = obj.get("metadata")
    return value if isinstance(value, dict) else {}


def name(obj: Obj) -> str:
    return str(meta(obj).get("name", ""))


def created(obj: Obj, now: datetime) -> str:
    return age(meta(obj).get("creationTimestamp"), now)


def section(obj: Any, *keys: str) -> Obj:
    """obj[k1][k2]... as a dict, or {} where any step is missing or not an object."""
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def items(obj: Any, key: str) -> list[Obj]:
    """The objects of a list field (anything else in it is skipped)."""
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, list):
        return []
    # Printers only read, so a list of objects (the usual case) is handed back as it is. A loop,
    # not all() over a generator: this runs several times for each row of a long list.
    for i in value:
        if not isinstance(i, dict):
            return [i for i in value if isinstance(i, dict)]
    return value


def count(value: Any) -> int:
    """An integer field as Go reads it into an int32: 0 when unset."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def deleting(obj: Obj) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def condition(obj: Obj, kind: str) -> Obj | None:
    """The first status condition of a type, as kube's helpers find it."""
    return next((c for c in items(section(obj, "status"), "conditions") if c.get("type") == kind),
                None)


def bool_word(value: Any) -> str:
    """kube's printBoolPtr: True, False or <unset>."""
    if value is None:
        return messages.TABLE_UNSET
    return "True" if value else "False"


def int_or_string(value: Any) -> str:
    """intstr.IntOrString.String()."""
    return str(value)


def containers(template_spec: Obj) -> tuple[str, str]:
    """layoutContainerCells: the names and the images, comma-joined."""
    listed = items(template_spec, "containers")
    return (",".join(str(c.get("name", "")) for c in listed),
            ",".join(str(c.get("image", "")) for c in listed))


def more(shown: list[str], total: int, limit: int, empty: str = "") -> str:
    """kube's "a,b,c + N more..." for a list cut at ``limit`` entries."""
    text = ",".join(shown)
    if total > limit:
        return messages.TABLE_MORE.format(shown=text, more=total - limit)
    return text or empty


# --- labels and selectors -------------------------------------------------------------------------


def labels_string(labels: Any) -> str:
    """labels.FormatLabels: sorted key=value pairs, or <none>."""
    if not isinstance(labels, dict) or not labels:
        return messages.TABLE_NONE
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def selector_string(selector: Any) -> str | None:
    """A LabelSelector the way kube's labels.Selector prints it (requirements sorted by key); ""
    for an empty or missing one, None for one kube cannot convert."""
    if not isinstance(selector, dict) or not selector:
        return ""
    requirements = [(key, f"{key}={value}")
                    for key, value in (selector.get("matchLabels") or {}).items()]
    for expression in items(selector, "matchExpressions"):
        key, operator = expression.get("key", ""), expression.get("operator", "")
        values = ",".join(sorted(str(v) for v in expression.get("values") or []))
        rendered = {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                    "Exists": key, "DoesNotExist": f"!{key}"}.get(operator)
        if rendered is None:
            return None
        requirements.append((key, rendered))
    return ",".join(text for _, text in sorted(requirements, key=lambda r: r[0]))


def format_selector(selector: Any) -> str:
    """metav1.FormatLabelSelector: <none> for an empty selector, <error> for a bad one."""
    text = selector_string(selector)
    if text is None:
        return messages.TABLE_ERROR
    return text or messages.TABLE_NONE


# --- quantities -----------------------------------------------------------------------------------

_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {exponent: suffix for suffix, exponent in _DECIMAL.items()}


def quantity(value: Any) -> str:
    """resource.Quantity.String(): the canonical form kube stores and prints ("1536Mi" for
    "1.5Gi", "500m" for "0.5", "1G" for "1000M"). Text it cannot read is printed as given."""
    if value is None:
        return "0"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return str(value)
    match = _QUANTITY.match(str(value).strip())
    if not match:
        return str(value)
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        return str(value)
    suffix = match.group(2) or ""
    if suffix in _BINARY:
        amount = number * (2 ** _BINARY[suffix])
        if amount == amount.to_integral_value():
            return _binary(int(amount))
        return _decimal(amount, exponent_form=False)
    if suffix[:1] in ("e", "E"):
        return _decimal(number * Decimal(10) ** int(suffix[1:]), exponent_form=True)
    return _decimal(number * Decimal(10) ** _DECIMAL[suffix], exponent_form=False)


def _binary(amount: int) -> str:
    if amount == 0:
        return "0"
    for suffix, power in sorted(_BINARY.items(), key=lambda s: -s[1]):
        if abs(amount) >= 1024 and amount % (2 ** power) == 0:
            return f"{amount // 2 ** power}{suffix}"
    return str(amount)


def _decimal(amount: Decimal, *, exponent_form: bool) -> str:
    if amount == 0:
        return "0"
    # kube rounds up to nano units, then picks the largest multiple-of-3 exponent that keeps the
    # mantissa whole.
    nanos = int((amount * Decimal(10) ** 9).to_integral_value(rounding="ROUND_CEILING"))
    exponent = -9
    while nanos % 1000 == 0 and exponent < 18:
        nanos //= 1000
        exponent += 3
    if exponent_form:
        return f"{nanos}e{exponent}" if exponent else str(nanos)
    return f"{nanos}{_DECIMAL_SUFFIX[exponent]}"


def resource_quantity(resources: Any, key: str) -> str:
    """A ResourceList entry's canonical text; "0" when absent (Go's zero Quantity)."""
    if not isinstance(resources, dict) or key not in resources:
        return "0"
    return quantity(resources[key])


def joined(values: Iterable[Any], separator: str = ",") -> str:
    return separator.join(str(v) for v in values)
