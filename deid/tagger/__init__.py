"""A learned PHI tagger beside the rules: a spaCy NER trained for PHI labels.

Rules are written against the notes their authors read; a statistical tagger trained on
many note styles (deid.tagger.synthetic) and on any gold files given by path learns the
shape of names, places and numbers from context, so it carries to notes nobody read.
Its spans join the rule spans (a span from either is replaced), once the vocabulary
confirms them (deid.tagger.model.confirmed). Nothing here imports Django; the model is a
local folder (deid.tagger.model), named by DEID_TAGGER_DIR or DeidEngine(tagger_dir=...).

No default weights are shipped or trained at install: a tagger trained on synthetic notes
alone, measured on ICU notes it never saw, marks ordinary clinical text. Even with the
confirmed() filter, rules plus such a tagger (1,200 synthetic notes, seed 0) scored
precision 0.077 on the PhysioNet tune split (rules alone 0.80), 0.144 when it tagged only
mixed-case notes, though it lifted presidio_synth tune recall 0.85 -> 0.98 and ASQ-PHI
0.979 -> 0.996: blood pressures, ranges and misspelt clinical words pass any vocabulary
test. The weights that help on ICU notes are trained on gold notes, and the
PhysioNet corpus is GPL-2.0 and is never in the repository. A site trains its own with
``python -m deid train --out DIR --gold NOTES.jsonl`` (about 5 minutes on two shared cores
for 3,800 notes; deterministic under --seed) and points DEID_TAGGER_DIR at it.
"""
