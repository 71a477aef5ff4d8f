"""Names in any script, with diacritics, hyphens and apostrophes, are one span; a
labelled field or a name column is a name whatever its letters."""
import pytest

from deid.letters import title_case


def _names(engine, text):
    return {text[s.start:s.end] for s in engine.analyze(text) if s.entity_type == "NAME"}


@pytest.mark.parametrize("text, name", [
    ("Mr. Hernández-García was seen today.", "Hernández-García"),
    ("Discussed with Dr. Müller at bedside.", "Müller"),
    ("Seen by Dr. O’Brien this morning.", "O’Brien"),
    ("Mrs. Øster declined the flu shot.", "Øster"),
    ("Spoke with Dr. Nguyễn about the plan.", "Nguyễn"),
    ("Wife Ángela called twice.", "Ángela"),
    ("Dr. Петров reviewed the films.", "Петров"),
])
def test_name_with_non_ascii_letters_is_one_span(engine, text, name):
    assert name in _names(engine, text)
    assert "[NAME]" in engine.deidentify(text).text
    assert not any(char.isalpha() and not char.isascii() for char in engine.deidentify(text).text)


@pytest.mark.parametrize("text, name", [
    ("Patient name: Luis Hernández-García.\nSeen for chest pain.", "Luis Hernández-García"),
    ("Name: Rose White DOB: 1/2/1950", "Rose White"),
    ("Guarantor: Nguyễn Thị Minh", "Nguyễn Thị Minh"),
    ("CONSULT NOTE\nGuardian: zoë o'neill\nReason: fever", "zoë o'neill"),
    ("Signed by: J. Smith, RN", "J. Smith"),
    ("Seen today; emergency contact: Søren Kierkegaard (brother)", "Søren Kierkegaard"),
])
def test_labelled_field_is_a_name_whatever_its_letters(engine, text, name):
    assert name in _names(engine, text)


def test_cells_under_a_name_header_are_names(engine):
    text = ("| Name | DOB |\n|---|---|\n| Олег Петров | 1/2/1950 |\n| Zoë Quist | 3/4/1961 |\n\n"
            "Patient\tRoom\nJōsei Takahashi\t12\n")
    assert {"Олег Петров", "Zoë Quist", "Jōsei Takahashi"} <= _names(engine, text)
    assert "Room" in engine.deidentify(text).text


@pytest.mark.parametrize("text", [
    "Procedure name: Laparoscopic cholecystectomy",
    "Attending: Cardiology",
    "Patient: Unknown",
    "| Name | Dose |\n|---|---|\n| Heparin | 5000 |",
])
def test_labelled_field_of_clinical_words_is_no_name(engine, text):
    assert not _names(engine, text)


@pytest.mark.parametrize("word, expected", [
    ("Hernández", True), ("Hernández-García", True), ("O'Brien", True), ("Олег", True),
    ("MARY", False), ("mary", False), ("A", False),
])
def test_title_case_reads_any_script(word, expected):
    assert title_case(word) is expected


@pytest.mark.parametrize("text, name", [
    ("The applicant, बलदेव सिंह, was born in 1970.", "बलदेव सिंह"),
    ("She lives with her partner, ناعم النجار.", "ناعم النجار"),
    ("Brought in by her son 王小明 this morning.", "王小明"),
    ("Interpreter for Mrs. כהן-לוי present.", "כהן-לוי"),
    ("Her landlady Μαρία Παπαδοπούλου called.", "Μαρία Παπαδοπούλου"),
])
def test_a_name_in_its_own_script_inside_an_english_note_is_one_span(engine, text, name):
    assert name in _names(engine, text)


def test_letters_of_other_scripts_in_clinical_shorthand_stay(engine):
    text = "Give 50 μg; Δ pressure 5, β-blocker started, the Greek λόγος. Withdrawn ג€“ quite."
    assert engine.analyze(text) == ()


@pytest.mark.parametrize("text", [
    "PMH: HTN, GERD, CHOL, S/P APPY, NICU stay as infant, ANCA negative",
    "R/O GERD. PaCO2 45, hemi-diaphragm elevated, gluteus maximus strain, cisterna magna normal",
    "cath done per Dr. Smith. Thermodilution CO 11.18 with ci 3.58",
])
def test_clinical_words_that_are_names_in_another_language_stay(engine, text):
    assert not _names(engine, text) - {"Smith"}


@pytest.mark.parametrize("text, surname", [
    ("i want to add kwame anokye as a beneficiary", "anokye"),  # Faker's other locales' surnames are listed
    ("can you update the account for mr. haruto yılmaz please", "yılmaz"),
])
def test_a_surname_of_any_origin_is_on_the_name_list_in_lower_case_text(engine, text, surname):
    assert surname not in engine.deidentify(text).text


def test_a_labelled_name_ends_with_its_sentence(engine):
    text = "Patient name: Luis Hernández-García. Seen 03/14/2026 for chest pain."
    assert "Luis Hernández-García" in _names(engine, text)
    assert "Seen" in engine.deidentify(text).text
