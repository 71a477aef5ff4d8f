"""The models page. The registry, metrics and training modules (and with them torch) are imported inside
the views, so the web process does not load them at start: only when an admin opens this page."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinical_ai.accounts.models import Role
from clinical_ai.accounts.permissions import role_required
from clinical_ai.nlp.forms import PromoteForm, TrainingForm
from clinical_ai.nlp.models import ModelVersion, TrainingRun

admin_required = role_required(Role.ADMIN)


@admin_required
def model_list(request, form=None, status=200):
    from clinical_ai.nlp import lifecycle

    versions = ModelVersion.objects.order_by("task", "name", "-created_at")
    return render(request, "nlp/models.html", {
        "versions": [(version, lifecycle.gate_metric(version), _shown_metrics(version)) for version in versions],
        "runs": TrainingRun.objects.select_related("result")[:20],
        "form": form or TrainingForm(),
    }, status=status)


@admin_required
@require_POST
def train(request):
    form = TrainingForm(request.POST, request.FILES)
    if not form.is_valid():
        return model_list(request, form=form, status=400)
    from clinical_ai.nlp.training import jobs

    try:
        run = jobs.start_training(upload=form.cleaned_data["data"], task=form.cleaned_data["task"],
                                  columns=form.columns(), options=form.options(), name=form.cleaned_data["name"],
                                  base=form.cleaned_data["base"], requested_by=request.user.get_username(),
                                  actor=request.user, request=request)
    except ModelVersion.DoesNotExist:
        form.add_error("base", "No such registered model.")
        return model_list(request, form=form, status=400)
    except ValueError as error:
        form.add_error("base", str(error))
        return model_list(request, form=form, status=400)
    messages.success(request, f"Training run {run.pk} is queued on the inference worker.")
    return redirect("nlp:list")


@admin_required
@require_POST
def promote(request, version_id):
    version = get_object_or_404(ModelVersion, pk=version_id)
    form = PromoteForm(request.POST)
    form.is_valid()
    from clinical_ai.nlp import lifecycle

    try:
        lifecycle.promote(version, promoted_by=request.user.get_username(), force=form.cleaned_data.get("force", False),
                          reason=form.cleaned_data.get("reason", ""), actor=request.user, request=request)
    except lifecycle.PromotionRefused as refusal:
        messages.error(request, str(refusal).replace("--force --reason", "'force' and a reason"))
    else:
        messages.success(request, f"{version.ref} is now the active {version.task} model.")
    return redirect("nlp:list")


@admin_required
@require_POST
def retire(request, version_id):
    version = get_object_or_404(ModelVersion, pk=version_id)
    from clinical_ai.nlp import lifecycle

    try:
        lifecycle.retire(version, retired_by=request.user.get_username(), actor=request.user, request=request)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{version.ref} is retired.")
    return redirect("nlp:list")


def _shown_metrics(version: ModelVersion) -> dict:
    """Each metric set without its per-class table, for one line in the listing."""
    return {name: {key: value for key, value in values.items() if key != "per_class"}
            for name, values in version.metrics.items() if isinstance(values, dict)}
