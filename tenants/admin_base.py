"""What every tenancy admin shares: staff changes are audited, and saves and deletions
go through the same services as the UI.

The admin must not be a side door around the rules the members' pages obey (the last
owner stays, roles come from the same tenant, plan caps hold). A `ServiceModelForm`
names the service calls its submission stands for in `apply()`. Validating the form
runs those calls once in a savepoint that is always rolled back, so a refusal shows as
a form error before anything is written; the admin's save runs them again for real.
The services check again under their own locks, so a change that races in between is
still refused (then as a 400, with nothing written).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet, construct_instance
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.admin import ModelAdminBase
from core.exceptions import DomainError
from tenants.exceptions import CrossTenantError

# What a service raises when it refuses: shown to staff as written.
REFUSALS = (DomainError, CrossTenantError, ValidationError)


class _TrialRun(Exception):
    """Raised at the end of a trial run so its savepoint is rolled back."""


def refusal_of(run: Callable[[], object]) -> list[str]:
    """Run service calls in a savepoint that is always rolled back: the messages of the
    rule they break, [] when they would succeed. Callbacks registered with on_commit
    inside the savepoint are discarded with it, so nothing leaves the database."""
    try:
        with transaction.atomic():
            run()
            raise _TrialRun
    except _TrialRun:
        return []
    except REFUSALS as error:
        return messages_of(error)


def messages_of(error: Exception) -> list[str]:
    """The sentences of a refusal, without the field names of a ValidationError."""
    return error.messages if isinstance(error, ValidationError) else [str(error)]


class ServiceModelForm(forms.ModelForm):
    """A model form whose save is service calls (`apply`), tried once when validated.

    Inside a `ServiceInlineFormSet` the formset tries all its rows together instead.
    """

    if TYPE_CHECKING:
        # Django's private form API, which _post_clean() below builds on as Django's does.
        def _update_errors(self, errors: ValidationError) -> None: ...

    def __init__(self, *args: Any, in_formset: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_formset = in_formset

    def apply(self) -> models.Model:
        """Make the submitted change through the services; return the saved object."""
        raise NotImplementedError

    def remove(self) -> None:
        """Delete `self.instance` through its service (inline rows ticked "delete")."""
        raise NotImplementedError

    def _post_clean(self) -> None:
        # Not the model's full_clean(): the services validate what they write, and they
        # allow steps the model's constraints would refuse midway (ticking a new primary
        # contact while the old one still holds it). Their trial run is the validation.
        opts = self._meta
        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except ValidationError as error:
            self._update_errors(error)
        if not self.in_formset and not self.errors:
            for message in refusal_of(self.apply):
                self.add_error(None, message)

    def grants(self) -> bool:
        """True when this row hands something out (so it is applied before rows that
        take something away: a new owner first, then the old one's demotion)."""
        return False


if TYPE_CHECKING:
    # Every row's form is a ServiceModelForm (the inline's `form`); spelt Any because
    # InlineModelAdmin.formset is typed with plain ModelForm rows, and lists are invariant.
    InlineFormSetBase = BaseInlineFormSet[Any, Any, Any]
else:
    InlineFormSetBase = BaseInlineFormSet


class ServiceInlineFormSet(InlineFormSetBase):
    """Inline rows saved through their form's services: new rows, then changed rows
    (those that grant first), then deletions. `clean()` tries that whole sequence and
    shows the first refusal above the rows."""

    if TYPE_CHECKING:
        # The private API Django's own save_existing_objects() uses.
        def _should_delete_form(self, form: forms.BaseForm) -> bool: ...

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "in_formset": True}

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # field errors first; the rules are tried on a valid submission
        problems = refusal_of(self._apply_all)
        if problems:
            raise ValidationError(problems)

    def save(self, commit: bool = True) -> list[models.Model]:
        return self._apply_all()  # the services write; the admin always commits

    def _apply_all(self) -> list[models.Model]:
        self.new_objects: list[models.Model] = []
        self.changed_objects: list[tuple[models.Model, list[str]]] = []
        self.deleted_objects: list[models.Model] = []
        deleting = [f for f in self.initial_forms if f.instance.pk and self._should_delete_form(f)]
        new = [
            f
            for f in self.extra_forms
            if f.has_changed() and not (self.can_delete and self._should_delete_form(f))
        ]
        changed = [
            f for f in self.initial_forms if f.instance.pk and f not in deleting and f.has_changed()
        ]
        changed.sort(key=lambda f: not f.grants())
        for form in new:
            self.new_objects.append(form.apply())
        for form in changed:
            self.changed_objects.append((form.apply(), form.changed_data))
        for form in deleting:
            self.deleted_objects.append(form.instance)
            form.remove()
        return self.new_objects + [obj for obj, _ in self.changed_objects]


class ServiceAdminMixin(ModelAdminBase):
    """A ModelAdmin whose form is a `ServiceModelForm` and whose deletions call
    `delete_through_service(request, obj)`. Django's bulk "delete selected" (a plain
    queryset delete) is replaced by an action that calls the service per row."""

    def delete_through_service(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = form.apply()
        # The admin goes on with `obj` (log entry, redirect, inlines): mirror the row.
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_through_service(request, obj)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """A deletion the service refuses is explained on the object's page instead."""
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            pk, opts = obj.pk, obj._meta
            problems = refusal_of(lambda: self.delete_through_service(request, obj))
            if problems:
                for message in problems:
                    messages.error(request, message)
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", pk)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Delete selected %(verbose_name_plural)s", permissions=["delete"])
    def delete_selected_through_service(self, request: HttpRequest, queryset: Any) -> None:
        deleted = 0
        for obj in queryset:
            label = str(obj)
            try:
                with transaction.atomic():  # a refusal undoes this row only
                    # One row as a list: log_actions() only iterates it (django-stubs
                    # asks for a QuerySet, which would cost a query per row).
                    self.log_deletions(request, [obj])  # type: ignore[arg-type]
                    self.delete_model(request, obj)
            except REFUSALS as error:
                messages.error(request, f"{label}: {' '.join(messages_of(error))}")
            else:
                deleted += 1
        messages.info(request, f"Deleted {deleted} of {len(queryset)}.")
