from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinical_ai.accounts.models import Role
from clinical_ai.accounts.permissions import role_required
from clinical_ai.nlp import lifecycle
from clinical_ai.nlp.forms import AssignForm, PromoteForm, RollbackForm, TrainingForm
from clinical_ai.nlp.models import ModelVersion, TrainingRun

admin_required = role_required(Role.ADMIN)
# Training is imported inside its view: the trainers import torch, and the web process must not load it.


@admin_required
def model_list(request, form=None, status=200):
    versions = ModelVersion.objects.select_related("owner", "clinical_validator").order_by("task", "name",
                                                                                             "-created_at")
    return render(request, "nlp/models.html", {
        "versions": [(version, lifecycle.gate_metric(version), _shown_metrics(version)) for version in versions],
        "rollbacks": _rollbacks(),
        # Active models nobody answers for yet (the defaults, until the hospital names someone).
        "unowned": lifecycle.unowned(v for v in versions if v.status == ModelVersion.Status.ACTIVE),
        "assign_form": AssignForm(),
        "runs": TrainingRun.objects.select_related("result")[:20],
        "form": form or TrainingForm(),
    }, status=status)


@admin_required
@require_POST
def train(request):
    from clinical_ai.nlp.training import jobs

    form = TrainingForm(request.POST, request.FILES)
    if not form.is_valid():
        return model_list(request, form=form, status=400)
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
    try:
        _, warnings = lifecycle.promote(version, promoted_by=request.user.get_username(),
                                        force=form.cleaned_data.get("force", False),
                                        reason=form.cleaned_data.get("reason", ""), actor=request.user,
                                        request=request)
    except lifecycle.PromotionRefused as refusal:
        messages.error(request, str(refusal).replace("--force --reason", "'force' and a reason")
                       .replace("(models assign)", "(Assign)"))
    else:
        messages.success(request, f"{version.ref} is now the active {version.task} model.")
        for warning in warnings:
            messages.warning(request, f"Warning: {warning}.")
    return redirect("nlp:list")


@admin_required
@require_POST
def assign(request, version_id):
    version = get_object_or_404(ModelVersion, pk=version_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an owner and a clinical validator.")
        return redirect("nlp:list")
    lifecycle.assign(version, owner=form.cleaned_data["owner"], clinical_validator=form.cleaned_data["validator"],
                     assigned_by=request.user.get_username(), actor=request.user, request=request)
    messages.success(request, f"{version.ref}: owner and clinical validator recorded.")
    return redirect("nlp:list")


@admin_required
@require_POST
def rollback(request, task):
    form = RollbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A rollback needs a reason.")
        return redirect("nlp:list")
    try:
        version = lifecycle.rollback(task, rolled_back_by=request.user.get_username(),
                                     reason=form.cleaned_data["reason"], incidents=form.cleaned_data["incidents"],
                                     actor=request.user, request=request)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Rolled back: {version.ref} is the active {task} model again.")
    return redirect("nlp:list")


@admin_required
@require_POST
def retire(request, version_id):
    version = get_object_or_404(ModelVersion, pk=version_id)
    try:
        lifecycle.retire(version, retired_by=request.user.get_username(), actor=request.user, request=request)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{version.ref} is retired.")
    return redirect("nlp:list")


def _rollbacks() -> list[tuple[ModelVersion, ModelVersion]]:
    """(active, previously active) per task where a rollback is possible."""
    pairs = []
    for active in ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).order_by("task"):
        previous = lifecycle.previously_active(active.task)
        if previous is not None:
            pairs.append((active, previous))
    return pairs


def _shown_metrics(version: ModelVersion) -> dict:
    """Each metric set without its per-class table, for one line in the listing."""
    return {name: {key: value for key, value in values.items() if key != "per_class"}
            for name, values in version.metrics.items() if isinstance(values, dict)}
