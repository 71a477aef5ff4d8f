"""A learned PHI tagger beside the rules: a spaCy NER trained for PHI labels.

Rules are written against the notes their authors read; a statistical tagger trained on
many note styles (deid.tagger.synthetic) and on any gold files given by path learns the
shape of names, places and numbers from context, so it carries to notes nobody read.
Its spans join the rule spans (a span from either is replaced). Nothing here imports
Django; the model is a local folder (deid.tagger.model).
"""
