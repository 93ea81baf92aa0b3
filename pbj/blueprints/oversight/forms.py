from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from pbj.messages import lazy_gettext as _l
from pbj.services.flags import REVIEW_NOTE_MAX


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Review note"), validators=[
        DataRequired(_l("Write what you found (the review note).")),
        Length(max=REVIEW_NOTE_MAX, message=_l("Use at most %(max)d characters."))])
