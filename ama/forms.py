from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ama.models import Question, UpcomingSession
from ama.services import max_questions_per_member


class QuestionForm(forms.ModelForm):
    """A member's question for the panel."""

    class Meta:
        model = Question
        fields = ["text"]
        labels = {"text": _("Your question for the panel")}
        help_texts = {
            "text": _(
                "Up to 500 characters. Staff review questions before they appear; "
                "your name is never shown."
            )
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}

    def __init__(self, *args, session: UpcomingSession, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.author = author
        self.helper = FormHelper()
        self.helper.form_action = reverse("ama:question-create", args=[session.pk])
        # Like every portal form: the server's messages, tied to the field, not the
        # browser's bubbles (which vanish and are not in the page's language).
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", _("Send my question")))

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 10:
            raise forms.ValidationError(
                _("Please write a full question (at least 10 characters).")
            )
        return text

    def clean(self):
        cleaned_data = super().clean()
        limit = max_questions_per_member()
        if self.session.questions.filter(author=self.author).count() >= limit:
            raise forms.ValidationError(
                _(
                    "You have sent the most questions allowed for one session "
                    "(%(limit)d)."
                ),
                params={"limit": limit},
                code="question_limit",
            )
        return cleaned_data
