"""get_FOO_display() of our models (TimeStampedModel's override): the label Django gives, in the
active language, without translating every choice of the field on each call."""
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps
from django.utils import translation

from kitb_portal.common.models import TimeStampedModel


def _choice_fields():
    for model in apps.get_models():
        if not issubclass(model, TimeStampedModel):
            continue
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def test_every_choice_label_as_django_gives_it_in_each_language():
    checked = 0
    for model, field in _choice_fields():
        values = [value for value, _label in field.flatchoices] + ["not-a-choice"]
        for language in ("en", "id", "ko"):
            with translation.override(language):
                for value in values:
                    obj = model()
                    setattr(obj, field.attname, value)
                    ours = getattr(obj, f"get_{field.name}_display")()
                    assert ours == models.Model._get_FIELD_display(obj, field), (model, field.name, value)
                    checked += 1
    assert checked > 300  # the models really have choice fields


def test_label_follows_the_active_language():
    from events.models import Event

    event = Event(kind="seminar")
    with translation.override("en"):
        english = event.get_kind_display()
    with translation.override("ko"):
        korean = event.get_kind_display()
    assert english == "Seminar" and korean != english and korean


def test_one_translation_per_label_shown(monkeypatch):
    from events.models import Event

    field = Event._meta.get_field("kind")
    assert len(field.flatchoices) > 2
    event = Event(kind="seminar")
    event.get_kind_display()
    calls = []
    real = translation._trans.gettext
    monkeypatch.setattr(translation._trans, "gettext", lambda message: calls.append(message) or real(message))
    with translation.override("id"):
        for _ in range(10):
            event.get_kind_display()
    assert len(calls) == 10  # Django's own translates every choice of the field on each call


@isolate_apps("kitb_portal.accounts")
def test_callable_choices_still_read_afresh():
    class Dynamic(TimeStampedModel):
        options = ["a"]
        pick = models.CharField(max_length=5, choices=lambda: [(o, o.upper()) for o in Dynamic.options])

        class Meta:
            app_label = "accounts"

    row = Dynamic(pick="b")
    assert row.get_pick_display() == "b"
    Dynamic.options = ["a", "b"]
    assert row.get_pick_display() == "B"
