"""Who a write is recorded for in ``metadata.managedFields``, and the PatchOptions kube checks
before a patch (apimachinery's ValidatePatchOptions and ValidateFieldManager; the handlers'
managerOrUserAgent).

A client names its field manager with ``?fieldManager=`` (kubectl does: kubectl-create,
kubectl-client-side-apply, kubectl-edit, ...); without one kube takes the User-Agent up to its
first ``/``, printable characters only, at most 128 bytes.
"""

from __future__ import annotations

from emulator import messages
from emulator.cluster.backend import ClusterRequest
from emulator.cluster.mock.query import Query
from emulator.cluster.mock.registry import fielderrors

MAX_LENGTH = 128  # FieldManagerMaxLength
_META_GROUP = "meta.k8s.io"


def of(request: ClusterRequest, query: Query) -> str:
    """The manager a create, update or patch is recorded for (checked first)."""
    _check_manager(query, "CreateOptions")
    named = query.get("fieldManager") or ""
    if named:
        return named
    prefix = (request.header("user-agent") or "").split("/")[0]
    kept = ""
    for char in prefix:
        if not char.isprintable():
            continue
        if len((kept + char).encode()) > MAX_LENGTH:
            break
        kept += char
    return kept


def check_apply_options(query: Query) -> bool:
    """An apply patch's options: a field manager is required. Returns ``force``."""
    if not query.get("fieldManager"):
        raise fielderrors.invalid("PatchOptions", _META_GROUP, "", [
            fielderrors.required("fieldManager", messages.K8S_APPLY_NEEDS_MANAGER)])
    return query.flag("force")


def check_patch_options(query: Query) -> None:
    """Any other patch: ``force`` belongs to apply alone."""
    if query.get("force") is not None:
        raise fielderrors.invalid("PatchOptions", _META_GROUP, "", [
            fielderrors.forbidden("force", messages.K8S_FORCE_WITHOUT_APPLY)])


def _check_manager(query: Query, options_kind: str) -> None:
    named = query.get("fieldManager") or ""
    errors = []
    if len(named) > MAX_LENGTH:
        errors.append(fielderrors.too_long("fieldManager", MAX_LENGTH))
    for position, char in enumerate(named):
        if not char.isprintable():
            errors.append(fielderrors.invalid_value(
                "fieldManager", named,
                messages.K8S_FIELD_MANAGER_CHARACTER.format(char=_go_unicode(char),
                                                            position=position)))
    if errors:
        raise fielderrors.invalid(options_kind, _META_GROUP, "", errors)


def _go_unicode(char: str) -> str:
    """Go's %#U: U+0007 without a quoted character for the unprintable ones."""
    return f"U+{ord(char):04X}"

