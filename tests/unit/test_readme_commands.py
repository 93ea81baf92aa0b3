"""The README's `orgs create` / `users create` example works on the demo database."""
import shlex
from pathlib import Path

import pytest
import sqlalchemy as sa

from pbj.demo import OPDS, UKPBJ
from pbj.extensions import db
from pbj.models.accounts import Organisation, Role, User

README = Path(__file__).resolve().parents[2] / "README.md"
FLASK = ".venv/bin/flask --app app "


def readme_command(group: str) -> list[str]:
    """The arguments of the README's `flask <group> create` line (its comment dropped)."""
    lines = [line for line in README.read_text(encoding="utf-8").splitlines()
             if line.startswith(f"{FLASK}{group} create ")]
    assert len(lines) == 1, lines
    return shlex.split(lines[0][len(FLASK):], comments=True)


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_the_example_organisation_code_is_not_one_the_demo_uses():
    code = option(readme_command("orgs"), "--code").upper()
    assert code not in {c for _name, c in OPDS} | {UKPBJ[1]}
    # The user example goes into the organisation the README just made.
    assert option(readme_command("users"), "--org").upper() == code


@pytest.mark.slow  # seeds the demo organisations and accounts
def test_the_readme_example_runs_on_the_demo_database(app, runner):
    seeded = runner.invoke(args=["seed-demo", "--products", "0"])
    assert seeded.exit_code == 0, seeded.output
    made = runner.invoke(args=readme_command("orgs"))
    assert made.exit_code == 0, made.output
    user = runner.invoke(args=readme_command("users"))
    assert user.exit_code == 0, user.output
    assert "Password: " in user.output
    org = db.session.scalar(sa.select(Organisation).where(
        Organisation.code == option(readme_command("orgs"), "--code").upper()))
    account = db.session.scalar(sa.select(User).where(User.org_id == org.id))
    assert account.role is Role.PP and account.email == option(readme_command("users"), "--email")
