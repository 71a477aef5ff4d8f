import json
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from clinical_ai.accounts.models import role_of
from clinical_ai.audit import chain, triggers
from clinical_ai.audit.models import AuditEvent

SYSTEM_ACTOR = "system"
CHAIN_OBJECT = "audit-chain"  # the object type of chain verification events
SOURCE_IP = AuditEvent._meta.get_field("source_ip")


def record(*, action: str, actor=None, outcome: str = AuditEvent.Outcome.SUCCESS, request=None,
           object_type: str = "", object_id="", patient_key: str = "", purpose: str = "",
           details: dict | None = None, component: str = SYSTEM_ACTOR) -> AuditEvent:
    """Append one audit event to the chain. ``details`` must hold no PHI (ids, counts, versions only)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return chain.append({
        "actor_id": actor.pk if actor is not None and actor.pk else None,
        "actor_name": actor.get_username() if actor is not None else component,
        "role": role_of(actor) or "",
        "action": action,
        "outcome": str(outcome),
        "object_type": object_type,
        "object_id": str(object_id or ""),
        "patient_key": patient_key,
        "purpose": purpose,
        # Stored as JSON and read back as JSON: hash the form that comes back (tuples as lists, ...).
        "details": json.loads(json.dumps(details or {})),
        **_request_fields(request),
    })


def record_read(*, request, object_type: str, object_id, patient_key: str = "", purpose: str = "",
                details: dict | None = None) -> AuditEvent | None:
    """A read of PHI, recorded once per user and object within READ_AUDIT_WINDOW_SECONDS: a page that
    reloads itself or a client that polls is one read in the trail, not one per request."""
    since = timezone.now() - timedelta(seconds=settings.READ_AUDIT_WINDOW_SECONDS)
    already = AuditEvent.objects.filter(action="read", actor_id=request.user.pk, object_type=object_type,
                                        object_id=str(object_id), occurred_at__gte=since).exists()
    if already:
        return None
    return record(action="read", request=request, object_type=object_type, object_id=object_id,
                  patient_key=patient_key, purpose=purpose, details=details)


def _request_fields(request) -> dict:
    if request is None:
        return {"source_ip": None, "user_agent": "", "request_id": ""}
    return {
        # Normalized as the column stores it (IPv6 compressed), so the hash matches what is read back.
        "source_ip": SOURCE_IP.get_prep_value(request.META.get("REMOTE_ADDR") or None),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:256],
        "request_id": getattr(request, "request_id", ""),
    }


def verify_chain(component: str = "audit-verify", request=None) -> tuple[chain.ChainReport, bool]:
    """Verify the whole chain and that the append-only triggers are in place; record the result."""
    report = chain.verify()
    guarded = triggers.installed(connection)
    record(action="query", outcome="success" if report.ok and guarded else "failure",
           object_type=CHAIN_OBJECT, component=component, request=request,
           details={"events": report.events, "first_broken": report.first_broken,
                    "problem": report.problem, "triggers": guarded})
    return report, guarded


def last_verification() -> AuditEvent | None:
    """The newest chain verification, as the UI shows it."""
    return AuditEvent.objects.filter(object_type=CHAIN_OBJECT).order_by("-id").first()
