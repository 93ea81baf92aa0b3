from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from pbj.messages import lazy_gettext as _l
from pbj.web.fields import GroupedSelect, IdChoiceField


class ProductRejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejection"), validators=[
        DataRequired(_l("Give a reason the supplier can act on.")),
        Length(max=2000, message=_l("Use at most %(max)d characters."))])


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Enter the name.")), Length(max=120, message=_l("Use at most %(max)d characters."))])
    parent_id = IdChoiceField(_l("Parent category"), optional=True,
                              widget=GroupedSelect(_l("None: a new top-level category")),
                              message=_l(
                                  "Choose a top-level category, or none for a new top-level category."))


class CategoryEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Enter the name.")), Length(max=120, message=_l("Use at most %(max)d characters."))])
    slug = StringField(_l("Web address (slug)"), validators=[
        DataRequired(_l("Enter the web address.")),
        Length(max=80, message=_l("Use at most %(max)d characters."))])
    parent_id = IdChoiceField(_l("Parent category"), optional=True,
                              widget=GroupedSelect(_l("None: a top-level category")),
                              message=_l(
                                  "Choose a top-level category, or none to make it a top-level category."))


class CategoryOrderForm(FlaskForm):
    """The up and down buttons of a row in the category list."""

    direction = StringField(validators=[AnyOf(("up", "down"), message=_l("Choose up or down."))])
