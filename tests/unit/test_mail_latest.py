"""`flask mail latest`: the newest development e-mail, decoded, links whole."""
import os

from pbj.services.mail import send_mail

RESET_LINK = ("http://127.0.0.1:5000/akun/sandi-baru/"
              "IjE3Ig.Z3xYdw.very-long-signed-token-that-goes-past-seventy-six-characters-abc123")


def test_prints_the_newest_message_decoded_with_its_link_whole(app, runner):
    older = send_mail("pp@disdikbud.go.id", "Pesanan baru", "Pesanan #4 menunggu.")
    os.utime(older, ns=(1_000_000_000, 1_000_000_000))  # written long before the next one
    newest = send_mail("ppk@dinkes.go.id", "Atur ulang kata sandi",
                       f"Buka tautan ini untuk memilih kata sandi baru:\n{RESET_LINK}\n\nSalam, UKPBJ")
    raw = newest.read_text()
    assert RESET_LINK not in raw  # the file splits it (quoted-printable): why the command exists

    result = runner.invoke(args=["mail", "latest"])
    assert result.exit_code == 0, result.output
    assert f"File:    {newest.name}" in result.output
    assert "To:      ppk@dinkes.go.id" in result.output
    assert "Subject: Atur ulang kata sandi" in result.output
    assert f"\n{RESET_LINK}\n" in result.output
    assert "=\n" not in result.output and "Pesanan #4" not in result.output


def test_picks_the_newest_message_to_one_address(app, runner):
    first = send_mail("pp@disdikbud.go.id", "Pesanan baru", "Pesanan #4 menunggu persetujuan.")
    os.utime(first, ns=(1_000_000_000, 1_000_000_000))
    send_mail("ppk@dinkes.go.id", "Pesanan disetujui", "Pesanan #5 disetujui.")
    result = runner.invoke(args=["mail", "latest", "--to", "PP@disdikbud.go.id"])
    assert result.exit_code == 0, result.output
    assert "Pesanan #4 menunggu persetujuan." in result.output and "#5" not in result.output


def test_an_empty_outbox_is_said_plainly(app, runner):
    result = runner.invoke(args=["mail", "latest"])
    assert result.exit_code == 1
    assert "No message in " in result.output and "outbox" in result.output
    nobody = runner.invoke(args=["mail", "latest", "--to", "nobody@example.id"])
    assert nobody.exit_code == 1 and "No message to nobody@example.id" in nobody.output
