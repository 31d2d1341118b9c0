"""Every required field of our forms says what to enter when it is left empty, in its
own words: Django's generic "This field is required." reads as a shrug beside the
specific messages of every other form. The Django admin (English, for staff) is left
out. Forms that word the message per instance (a workspace's URL name, a factor's
codes) still declare a fallback of their own."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

from django import forms
from django.apps import apps
from django.conf import settings
from django.forms.fields import Field

GENERIC = str(Field.default_error_messages["required"])
STAFF_ONLY = {"tenants.admin_forms", "accounts.forms.AdminLoginForm"}


def our_forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    ours = [app.name for app in apps.get_app_configs() if (settings.BASE_DIR / app.name).is_dir()]
    for app in ours:
        package = importlib.import_module(app)
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("forms") and module.name != "admin_forms":
                continue
            loaded = importlib.import_module(f"{app}.{module.name}")
            for name, cls in inspect.getmembers(loaded, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == loaded.__name__:
                    found[f"{loaded.__name__}.{name}"] = cls
    return [cls for path, cls in found.items() if not any(path.startswith(s) for s in STAFF_ONLY)]


def test_the_forms_are_found() -> None:
    names = {cls.__name__ for cls in our_forms()}
    assert {"SignUpForm", "InvitationForm", "ConnectionForm", "TOTPConfirmForm"} <= names


def test_every_required_field_says_what_to_enter() -> None:
    generic = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in our_forms()
        for name, field in cls.base_fields.items()
        if field.required
        and not isinstance(field.widget, forms.HiddenInput)
        and str(field.error_messages.get("required")) == GENERIC
    ]
    assert generic == []


def _fields_added_in_init(module: object) -> list[tuple[str, ast.Call]]:
    """`self.fields["x"] = forms.SomeField(...)` in a form's code: fields `base_fields`
    does not list (one form adds one only for large organisations)."""
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    added = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        target = node.targets[0]
        if (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Attribute)
            and target.value.attr == "fields"
            and isinstance(target.slice, ast.Constant)
        ):
            added.append((f"{module.__name__}:{node.lineno}", node.value))  # type: ignore[attr-defined]
    return added


def _says_what_to_enter(call: ast.Call) -> bool:
    keywords = {k.arg: k.value for k in call.keywords}
    optional = keywords.get("required")
    if isinstance(optional, ast.Constant) and optional.value is False:
        return True
    messages = keywords.get("error_messages")
    return isinstance(messages, ast.Dict) and any(
        isinstance(key, ast.Constant) and key.value == "required" for key in messages.keys
    )


def test_fields_added_when_a_form_is_made_say_what_to_enter_too() -> None:
    modules = {inspect.getmodule(cls) for cls in our_forms()}
    added = [place for m in modules for place in _fields_added_in_init(m)]
    assert added, "the form that adds its owner field for large organisations is found"
    assert [place for place, call in added if not _says_what_to_enter(call)] == []
