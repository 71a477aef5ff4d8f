#!/bin/sh
# Container entrypoint for the clinical AI appliance images (CPU and GPU).
#
# Roles (first argument):
#   web               gunicorn on :8000
#   worker-deid       celery worker for the "deid" queue
#   worker-inference  celery worker for the "inference" queue
#   beat              celery beat (schedule kept on the data volume)
#   init              one-shot: migrate the database, collect static files
#                     (STATIC_ROOT is on the data volume), install the models
#   manage ARGS...    python manage.py ARGS...
# Anything else is executed as given (e.g. "bash", "python -c ...").
set -eu

: "${CLINICAL_AI_DATA_DIR:=/data}"
: "${CLINICAL_AI_KEY_DIR:=${CLINICAL_AI_DATA_DIR}/keys}"
: "${MODEL_ROOT:=/models}"
# The appliance is offline: never let a library try to reach a model hub.
: "${HF_HUB_OFFLINE:=1}"
: "${TRANSFORMERS_OFFLINE:=1}"
export CLINICAL_AI_DATA_DIR CLINICAL_AI_KEY_DIR MODEL_ROOT HF_HUB_OFFLINE TRANSFORMERS_OFFLINE

# An empty DJANGO_SECRET_KEY must mean "not set" so the app falls back to the
# key stored in the key directory instead of running with an empty secret.
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    unset DJANGO_SECRET_KEY
fi

# Files created here (keys, quarantined documents, models) are private.
umask 0027

die() {
    echo "entrypoint: $*" >&2
    exit 1
}

prepare_dirs() {
    for d in "$CLINICAL_AI_DATA_DIR" "$MODEL_ROOT"; do
        mkdir -p "$d" 2>/dev/null || die "cannot create $d (volume owned by another user? uid=$(id -u))"
        [ -w "$d" ] || die "$d is not writable by uid $(id -u); fix the volume's ownership"
    done
    mkdir -p "$CLINICAL_AI_KEY_DIR" || die "cannot create key directory $CLINICAL_AI_KEY_DIR"
    chmod 0700 "$CLINICAL_AI_KEY_DIR" 2>/dev/null || die "cannot restrict permissions of $CLINICAL_AI_KEY_DIR"
}

require_gpu() {
    # Set CLINICAL_AI_REQUIRE_GPU=1 on a GPU worker so that a missing GPU
    # (no driver, no device reservation) fails loudly instead of silently
    # running inference on the CPU.
    if [ "${CLINICAL_AI_REQUIRE_GPU:-0}" = "1" ]; then
        python -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else "entrypoint: CLINICAL_AI_REQUIRE_GPU=1 but torch sees no CUDA device")'
    fi
}

role="${1:-web}"
if [ "$#" -gt 0 ]; then
    shift
fi

case "$role" in
    web)
        prepare_dirs
        exec gunicorn clinical_ai.wsgi:application \
            --bind 0.0.0.0:8000 \
            --workers "${GUNICORN_WORKERS:-2}" \
            --timeout "${GUNICORN_TIMEOUT:-120}" \
            --worker-tmp-dir /dev/shm \
            "$@"
        ;;
    worker-deid)
        prepare_dirs
        exec celery -A clinical_ai worker -Q deid -n 'deid@%h' --concurrency 1 "$@"
        ;;
    worker-inference)
        prepare_dirs
        require_gpu
        exec celery -A clinical_ai worker -Q inference -n 'inference@%h' --concurrency 1 "$@"
        ;;
    beat)
        prepare_dirs
        exec celery -A clinical_ai beat --schedule "${CLINICAL_AI_DATA_DIR}/celerybeat-schedule" "$@"
        ;;
    init)
        prepare_dirs
        python manage.py migrate --noinput
        python manage.py collectstatic --noinput
        exec python manage.py install_models "$@"
        ;;
    manage)
        prepare_dirs
        exec python manage.py "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
