"""Forms of the quote pages: they parse input; `quotes.services` decides (lines, currency,
validity, terms). Line fields are named as the service names them in a refusal
(`lines.<i>.description`, ...), so a refusal lands on its own field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.amounts import MONEY_COLUMN
from core.forms import AmountField
from creditdesk.web.forms import TEXTAREA
from quotes.models import DESCRIPTION_LIMIT, TERMS_LIMIT, Quote

LINE_ROWS = 5
# Which kind of quote each line field belongs to (blank: both), for the page's script that
# shows a line only the fields its quote's kind takes.
LINE_FIELD_KINDS = {
    "description": "",
    "quantity": Quote.Kind.MONEY,
    "unit_price": Quote.Kind.MONEY,
    "credits": Quote.Kind.CREDITS,
}


class QuoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Tipo"),
        choices=Quote.Kind.choices,
        initial=Quote.Kind.MONEY,
        widget=forms.Select(attrs={"data-quote-kind-choice": ""}),
    )
    valid_until = forms.DateField(
        label=_("Válido hasta"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    terms = forms.CharField(
        label=_("Condiciones"),
        required=False,
        max_length=TERMS_LIMIT,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3}),
    )

    def __init__(self, *args, currency: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The service numbers the lines it is given; `lines()` says which row each one is.
        self.refusal_fields: dict[str, str] = {}
        self.refusal_labels: dict[str, object] = {}
        for index in range(LINE_ROWS):
            number = index + 1
            self.fields[f"lines.{index}.description"] = forms.CharField(
                label=_("Línea %(n)s: descripción") % {"n": number},
                required=False,
                max_length=DESCRIPTION_LIMIT,
            )
            self.fields[f"lines.{index}.quantity"] = AmountField(
                label=_("Línea %(n)s: cantidad") % {"n": number},
                required=False,
                money=False,
                max_digits=12,
                places=4,
            )
            self.fields[f"lines.{index}.unit_price"] = AmountField(
                label=_("Línea %(n)s: precio unitario sin impuesto") % {"n": number},
                required=False,
                currency=currency,
                max_digits=MONEY_COLUMN["max_digits"] - 4,
            )
            self.fields[f"lines.{index}.credits"] = AmountField(
                label=_("Línea %(n)s: créditos") % {"n": number},
                required=False,
                money=False,
                max_digits=10,
            )

    def line_rows(self) -> list[list[tuple[forms.BoundField, str]]]:
        """Each row's fields, each with the kind of quote it belongs to (`LINE_FIELD_KINDS`)."""
        return [
            [(self[f"lines.{index}.{name}"], kind) for name, kind in LINE_FIELD_KINDS.items()]
            for index in range(LINE_ROWS)
        ]

    def lines(self) -> list[dict]:
        """The filled rows, in order, as `quotes.services.quote_draft` takes them. Blank rows
        are left out, so the service's line i is not row i: each refusal of line i (on a
        field, `refusal_fields`, or of the whole line, `refusal_labels`) is mapped to the
        row the user filled, and names that row."""
        data = self.cleaned_data
        kind = data.get("kind")
        rows: list[dict] = []
        self.refusal_fields, self.refusal_labels = {}, {}
        for index in range(LINE_ROWS):
            values = {name: data.get(f"lines.{index}.{name}") for name in LINE_FIELD_KINDS}
            if not any(value not in (None, "") for value in values.values()):
                continue
            line = f"lines.{len(rows)}"
            for name in values:
                self.refusal_fields[f"{line}.{name}"] = f"lines.{index}.{name}"
            self.refusal_labels[line] = _("Línea %(n)s") % {"n": index + 1}
            if kind == Quote.Kind.MONEY:
                rows.append(
                    {
                        "description": values["description"],
                        "quantity": values["quantity"],
                        "unit_price": values["unit_price"],
                    }
                )
            else:
                rows.append({"description": values["description"], "credits": values["credits"]})
        return rows


class QuoteRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo (opcional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )
