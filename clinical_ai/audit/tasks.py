import logging

from celery import shared_task

from clinical_ai.audit.services import verify_chain

logger = logging.getLogger(__name__)


@shared_task
def verify_audit_chain() -> bool:
    """Scheduled check of the audit chain; the result is itself an audit event the UI shows."""
    report, guarded = verify_chain(component="audit-verify-task")
    if not report.ok or not guarded:
        logger.error("audit chain check failed: first broken event %s, triggers present %s",
                     report.first_broken, guarded)
    return report.ok and guarded
