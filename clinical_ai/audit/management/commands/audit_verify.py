from django.core.management.base import BaseCommand

from clinical_ai.audit.services import verify_chain


class Command(BaseCommand):
    help = ("Verify the audit trail's hash chain and HMACs, and that its append-only triggers are in place. "
            "Exits 0 when all verify; otherwise 1, naming the first broken event.")
    requires_system_checks = []  # it needs the database only; the checks would load every view and model

    def handle(self, **options):
        report, guarded = verify_chain(component="audit_verify")
        if not report.ok:
            self.stderr.write(f"Audit chain broken at event {report.first_broken}: {report.problem} "
                              f"({report.events} events verified before it).")
        if not guarded:
            self.stderr.write("The append-only triggers on the audit table are missing.")
        if not report.ok or not guarded:
            raise SystemExit(1)
        self.stdout.write(f"Audit chain verified: {report.events} events.")
