"""The files that tell what a model folder holds: read by the registry without loading a model (or torch)."""
LABELS_FILE = "zero_shot_labels.json"
HEAD_FILE = "classifier_head.safetensors"
HEAD_LABELS_FILE = "classifier_labels.json"
