"""What the rule-based recognizers share."""
from presidio_analyzer import LocalRecognizer


class PreparedRecognizer(LocalRecognizer):
    """A recognizer whose rules and word lists are ready when it is built: Presidio's
    ``load`` step has nothing left to do."""

    def load(self) -> None:
        pass
