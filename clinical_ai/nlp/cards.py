"""Model cards: markdown a reviewer reads before promoting, generated from the registry record."""
import json


def training_card(*, ref: str, task: str, base: str, data: dict, split: dict, result: dict, trained_by: str) -> str:
    lines = [
        f"# {ref}", "",
        f"{task.capitalize()} model fine-tuned from `{base}` by {trained_by or 'unknown'}.", "",
        "## Training data", "",
        f"Fingerprint only (the registry never keeps the text): SHA-256 `{data['sha256']}`, {data['rows']} rows; "
        f"{split['train']} for training, {split['validation']} held out for validation.", "",
        "## Validation metrics (same split for every row)", "",
        "| model | metrics |", "| --- | --- |",
    ]
    differences = {name: values for name, values in result["metrics"].items() if name.endswith("_difference_vs_tfidf")}
    for name, values in result["metrics"].items():
        if name not in differences:
            shown = {key: value for key, value in values.items() if key != "per_class"}
            lines.append(f"| {name} | `{json.dumps(shown)}` |")
    for name, values in differences.items():
        lines += ["", f"{name.removesuffix('_difference_vs_tfidf').replace('_', '-')} difference against the TF-IDF "
                  f"baseline on these notes: {values['difference']}, 95% bootstrap interval [{values['low']}, "
                  f"{values['high']}] ({values['resamples']} resamples of the same notes for both)."]
    terms = result["hyperparameters"].get("ngram_terms")
    if terms:
        lines += ["", f"The head weighs {terms} TF-IDF word and character n-grams, each found in at least "
                  f"{result['hyperparameters']['min_df']} de-identified training notes; the n-grams are stored in "
                  "its weight file (covered by the weight hash). Treat the model folder as derived from the notes."]
    lines += ["", "## Hyperparameters", "", f"```json\n{json.dumps(result['hyperparameters'], indent=2)}\n```", "",
              "## Intended use", "", "De-identified clinical text only, inside this appliance. "
              "Check it on your own held-out notes with `manage.py models evaluate` before promoting.", ""]
    return "\n".join(lines)
