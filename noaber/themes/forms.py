from django import forms

from .models import Priority, Theme, themes_for


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["name", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["name", "description", "themes"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(
            pk__in=[t.pk for t in themes_for(municipality)]
        )
