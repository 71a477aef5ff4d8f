import json
from dataclasses import asdict

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

import deid
from clinical_ai.accounts.models import Profile, Role
from clinical_ai.documents.models import Document
from clinical_ai.nlp.models import ModelVersion

PATIENT = {"id": "4471120", "name": "Marguerite Okonkwo", "birth_date": "1950-01-02"}
SUMMARY = "Chest pain for two days. Troponin was normal. Discharged home."


def person(username, role):
    user = get_user_model().objects.create_user(username, password="x")
    Profile.objects.create(user=user, role=role, unit="cardio")
    return user


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(db):
    return {role: person(f"{role}-user", role) for role in (Role.CLINICIAN, Role.ADMIN, Role.COMPLIANCE)}


@pytest.fixture
def versions(db):
    return {task: ModelVersion.objects.create(name=f"{task}-model", version="1", task=task, path=f"{task}/1",
                                              sha256="0" * 64, status=ModelVersion.Status.ACTIVE)
            for task in (ModelVersion.Task.SUMMARIZE, ModelVersion.Task.CLASSIFY)}


@pytest.fixture
def document(versions):
    text = "Patient [NAME] seen for chest pain; call Okonkwo at home."
    return Document.objects.create(
        unit="cardio", original_text="raw", status=Document.Status.DONE,
        patient_json=json.dumps(asdict(deid.PatientContext.from_dict(PATIENT))),
        deidentified_text=text, summary=SUMMARY, label="cardiology", label_score=0.8,
        summarizer=versions["summarize"], classifier=versions["classify"],
        phi_spans=[{"start": 8, "end": 14, "type": "NAME"}])
