"""Break-glass that fits the work: a note's author reads its original for a while without it; a
break-glass is recorded once (post-redirect-get), however often the page is reloaded."""
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents.models import Document

REASON = {"reason": "Emergency: confirming the allergy history for treatment"}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_break_glass_is_recorded_once_and_a_reload_does_not_repost(users, ward_document):
    client = logged_in(users["clinician"])
    url = f"/documents/{ward_document.pk}/original"

    posted = client.post(url, REASON)
    first, reload = client.get(url), client.get(url)

    assert posted.status_code == 302 and posted["Location"] == url
    assert "Ada Quill" in first.content.decode() and "Ada Quill" in reload.content.decode()
    assert AuditEvent.objects.filter(action="break-glass").count() == 1
    reads = AuditEvent.objects.filter(action="read", object_type="document-original")
    assert reads.count() == 2 and {e.details["via"] for e in reads} == {"break-glass"}


def test_the_author_reads_the_original_without_break_glass_within_the_window(users, settings):
    settings.AUTHOR_ORIGINAL_WINDOW_SECONDS = 3600
    author = users["clinician"]
    note = Document.objects.create(original_text="Ada Quill, seen today.", unit="ward-a", uploaded_by=author,
                                   patient_key="pk-ada")

    shown = logged_in(author).get(f"/documents/{note.pk}/original")

    assert "Ada Quill" in shown.content.decode()
    assert not AuditEvent.objects.filter(action="break-glass").exists()
    read = AuditEvent.objects.get(action="read", object_type="document-original")
    assert read.actor == author and read.details == {"via": "author"} and read.patient_key == "pk-ada"


def test_after_the_window_even_the_author_needs_break_glass(users, settings):
    settings.AUTHOR_ORIGINAL_WINDOW_SECONDS = 3600
    author = users["clinician"]
    note = Document.objects.create(original_text="Ada Quill, seen today.", unit="ward-a", uploaded_by=author)
    Document.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(hours=2))

    asked = logged_in(author).get(f"/documents/{note.pk}/original")

    assert "Ada Quill" not in asked.content.decode() and 'id="break-glass"' in asked.content.decode()


def test_another_clinician_needs_break_glass_for_a_fresh_note(users, ward_document, django_user_model):
    other = django_user_model.objects.create_user("dr-other")
    Document.objects.filter(pk=ward_document.pk).update(uploaded_by=other)

    asked = logged_in(users["clinician"]).get(f"/documents/{ward_document.pk}/original")

    assert "Ada Quill" not in asked.content.decode()
