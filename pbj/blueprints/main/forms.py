"""The language switch in the footer."""
from flask_wtf import FlaskForm
from wtforms import HiddenField


class LanguageForm(FlaskForm):
    # No choices validator: an unknown language is ignored, not an error page.
    lang = HiddenField()
    next = HiddenField()
