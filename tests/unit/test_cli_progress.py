"""Progress of long commands: a bar on a terminal, occasional plain lines in a log."""
import io

import pytest

from pbj.cli_progress import Progress, Quiet, duration, is_interactive


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_a_pipe_or_a_file_is_not_a_terminal(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    assert not is_interactive(io.StringIO())
    assert is_interactive(FakeTerminal())
    monkeypatch.setenv("TERM", "dumb")
    assert not is_interactive(FakeTerminal())
    assert Progress(io.StringIO()).interactive is False


def test_plain_mode_writes_a_line_per_tenth_with_the_time_left():
    out, clock = io.StringIO(), FakeClock()
    with Progress(out, interactive=False, clock=clock) as progress:
        with progress.task("Catalogue", 200) as advance:
            for _ in range(200):
                clock.now += 0.5
                advance()
    lines = out.getvalue().splitlines()
    # 10 % … 90 %, then the closing line; nothing for every single product.
    assert len(lines) == 10, lines
    assert lines[0] == "Catalogue: 20/200 (10 %), 10 s, about 1 min 30 s left"
    assert lines[4].startswith("Catalogue: 100/200 (50 %), 50 s, about 50 s left")
    assert lines[-1] == "Catalogue: done, 200 in 1 min 40 s"
    assert "\x1b[" not in out.getvalue()  # no terminal escapes in a log


def test_plain_mode_writes_every_ten_seconds_when_the_work_is_slow():
    out, clock = io.StringIO(), FakeClock()
    progress = Progress(out, interactive=False, clock=clock)
    advance = progress.start("Orders", 365)
    for day in range(1, 4):  # three days of 12 s each: under a tenth, but slow
        clock.now += 12
        advance(to=day)
    progress.finish()
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["Orders: 1/365 (0 %), 12 s, about 1 h 12 min left",
                         "Orders: 2/365 (0 %), 24 s, about 1 h 12 min left",
                         "Orders: 3/365 (0 %), 36 s, about 1 h 12 min left"]
    assert lines[3] == "Orders: done, 3 in 36 s"


def test_plain_mode_keeps_a_quick_task_to_a_few_lines():
    out, clock = io.StringIO(), FakeClock()
    with Progress(out, interactive=False, clock=clock) as progress:
        with progress.task("Suppliers", 40) as advance:
            for _ in range(40):
                clock.now += 0.125  # five seconds in all
                advance()
    lines = out.getvalue().splitlines()
    assert lines == ["Suppliers: 16/40 (40 %), 2 s, about 3 s left",
                     "Suppliers: 32/40 (80 %), 4 s, about 1 s left",
                     "Suppliers: done, 40 in 5 s"]


def test_plain_mode_without_a_total_counts():
    out, clock = io.StringIO(), FakeClock()
    with Progress(out, interactive=False, clock=clock) as progress:
        for _ in progress.track(iter(range(5)), "Rows"):
            clock.now += 3
    assert out.getvalue().splitlines() == ["Rows: 4, 12 s", "Rows: done, 5 in 15 s"]


def test_phases_follow_each_other_and_notes_stay_between_them():
    out = io.StringIO()
    with Progress(out, interactive=False) as progress:
        first = progress.start("One", 2)
        first(2)
        second = progress.start("Two", 1)  # ends "One"
        progress.note("between")  # printed while "Two" runs
        second()
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["One", "between", "Two"]
    assert lines[0].startswith("One: done, 2 in")
    assert lines[2].startswith("Two: done, 1 in")


def test_terminal_mode_draws_a_bar_with_counts_and_time_left():
    out = FakeTerminal()
    with Progress(out) as progress:
        assert progress.interactive
        with progress.task("Catalogue", 3) as advance:
            advance()
            advance(to=3)
        progress.note("Catalogue: 3 published products")
    shown = out.getvalue()
    assert "\x1b[" in shown  # drawn in place with terminal escapes
    assert "Catalogue" in shown and "3/3" in shown and "100%" in shown
    assert "━" in shown  # the bar
    assert "left" in shown
    assert "Catalogue: 3 published products" in shown
    assert "done," not in shown  # no plain closing line on a terminal


def test_a_bar_shows_full_when_the_work_ends_short_of_its_estimate():
    out = FakeTerminal()
    with Progress(out) as progress:
        advance = progress.start("Orders", 365)
        advance(to=200)  # the last steps of the year fall after now
    assert "365/365" in out.getvalue()


def test_quiet_progress_accepts_everything_and_shows_nothing():
    quiet = Quiet()
    quiet.start("x", 3)(5)
    with quiet.task("y", None) as advance:
        advance(to=2)
    quiet.note("z")
    quiet.finish()


@pytest.mark.parametrize("seconds, text", [(0, "0 s"), (59.4, "59 s"), (61, "1 min 01 s"),
                                           (3725, "1 h 02 min")])
def test_durations_read_short(seconds, text):
    assert duration(seconds) == text


def test_holidays_import_shows_its_progress_plainly_in_a_log(app, runner, tmp_path):
    csv_file = tmp_path / "libur.csv"
    csv_file.write_text("tanggal;nama;jenis\n2030-12-24;Cuti Bersama Natal;cuti bersama\n"
                        "2030-12-25;Hari Raya Natal;nasional\n", encoding="utf-8")
    result = runner.invoke(args=["holidays", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Holidays: done, 2 in ")
    assert lines[-1] == "Added 2, changed 0, unchanged 0."
    assert "\x1b[" not in result.output


@pytest.mark.slow  # seeds the demo organisations
def test_seed_demo_names_each_phase_as_it_ends(app, runner):
    result = runner.invoke(args=["seed-demo", "--products", "40", "--orders", "5"])
    assert result.exit_code == 0, result.output
    for phase in ("Organisations and suppliers", "Catalogue", "Orders (days of the past year)"):
        assert f"\n{phase}: done, " in result.output or result.output.startswith(f"{phase}: done, ")
    assert "Orders: " in result.output and "Demo data in " in result.output
