"""A learned PHI tagger beside the rules: a spaCy NER trained for PHI labels.

Rules are written against the notes their authors read; a statistical tagger trained on
many note styles (deid.tagger.synthetic) and on any gold files given by path learns the
shape of names, places and numbers from context, so it carries to notes nobody read.
Its spans join the rule spans (a span from either is replaced), once the vocabulary
confirms them (deid.tagger.model.confirmed). Nothing here imports Django; the model is a
local folder (deid.tagger.model), named by DEID_TAGGER_DIR or DeidEngine(tagger_dir=...).

A tagger trained on synthetic notes alone marks ordinary clinical text on ICU notes it never
saw (rules plus such a tagger scored precision 0.077 on the PhysioNet tune split, rules alone
0.80): blood pressures, ranges and misspelt clinical words pass any vocabulary test. The
default in ``default/`` is trained on synthetic notes plus the tune parts of the public gold
corpora (the card names each with its licence; PhysioNet's is GPL-2.0), and its spans must
pass confirmed(): a name or place of bounded length with a word that no list knows, is no
clinical word form and no misspelling of a known word; a date or number of its kind's shape.
Rebuild it with ``python -m deid train --out deid/tagger/default --keep-gold-values --gold
physionet_dev.jsonl presidio_synth_dataset_v2.json asq_phi_dev.jsonl`` (seed 0; about 5
minutes on two shared cores). A site fine-tunes its own through the registry
(``manage.py models train --task deid --data GOLD.jsonl``), which swaps its gold values for
surrogates first.
"""
