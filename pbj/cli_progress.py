"""Progress of long commands: a bar with counts and time left on a terminal, plain
occasional lines otherwise (CI logs, `make run` piped into a file).

The commands (pbj/cli.py, bench/) own the display; the services and the demo seed
only call the `advance` function they are handed, so they print nothing themselves.

    with Progress() as progress:
        with progress.task("Catalogue", total=3000) as advance:
            for ...:
                advance()        # or advance(5), or advance(to=120)
        progress.note("Catalogue: 2700 published products")
        advance = progress.start("Orders", total=365)   # phases one after the other
        ...
        progress.finish()                               # (also done by the next start and at exit)

A plain line is written when the count passes another tenth of the total (at most one
every PLAIN_MIN_SECONDS), or when PLAIN_EVERY_SECONDS passed since the last line, and
once when the task ends.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Protocol, TypeVar

T = TypeVar("T")
PLAIN_STEPS = 10  # a line per tenth of the work…
PLAIN_MIN_SECONDS = 2.0  # …but a quick task does not fill the log with them
PLAIN_EVERY_SECONDS = 10.0  # and a slow one still says it is alive


class Advance(Protocol):
    def __call__(self, step: int = 1, *, to: int | None = None) -> None: ...


def _ignore(step: int = 1, *, to: int | None = None) -> None:
    """What code that reports progress calls when nobody watches."""


def is_interactive(stream: IO[str]) -> bool:
    """A terminal that redraws a line in place (not a pipe, a file or TERM=dumb)."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and os.environ.get("TERM", "") != "dumb"


def duration(seconds: float) -> str:
    """`42 s`, `3 min 05 s`, `1 h 02 min`: short, for a log line."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class _PlainTask:
    """Counts one task and writes a line now and then."""

    def __init__(self, out: Callable[[str], None], label: str, total: int | None,
                 clock: Callable[[], float]):
        self.out, self.label, self.total, self.clock = out, label, total, clock
        self.done = 0
        self.started = self.last_line = clock()
        self.next_step = 1  # the tenth whose crossing writes the next line

    def advance(self, step: int = 1, *, to: int | None = None) -> None:
        self.done = to if to is not None else self.done + step
        if self.total and self.done >= self.total:
            return  # the closing line says it
        now = self.clock()
        crossed = False
        if self.total:
            reached = self.done * PLAIN_STEPS // self.total
            if reached >= self.next_step:
                self.next_step = reached + 1
                crossed = True
        since = now - self.last_line
        if (crossed and since >= PLAIN_MIN_SECONDS) or since >= PLAIN_EVERY_SECONDS:
            self.last_line = now
            self.out(self.line(now))

    def line(self, now: float) -> str:
        elapsed = now - self.started
        if not self.total:
            return f"{self.label}: {self.done:,}, {duration(elapsed)}"
        text = (f"{self.label}: {self.done:,}/{self.total:,} ({100 * self.done // self.total} %), "
                f"{duration(elapsed)}")
        if 0 < self.done < self.total:
            left = elapsed / self.done * (self.total - self.done)
            text += f", about {duration(left)} left"
        return text

    def close(self) -> None:
        elapsed = self.clock() - self.started
        self.out(f"{self.label}: done, {self.done:,} in {duration(elapsed)}")


class Progress:
    """Progress of one command's tasks, shown one after the other.

    `interactive` defaults to whether `stream` (stdout) is a terminal; `clock` is
    for tests.
    """

    def __init__(self, stream: IO[str] | None = None, *, interactive: bool | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = stream if stream is not None else sys.stdout
        self.interactive = is_interactive(self.stream) if interactive is None else interactive
        self.clock = clock
        self._bars = None
        self._finish: Callable[[], None] | None = None

    def __enter__(self) -> Progress:
        if self.interactive:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bars, TaskProgressColumn,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)

            console = Console(file=self.stream, force_terminal=True, highlight=False)
            self._bars = Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TaskProgressColumn(), TimeElapsedColumn(), TextColumn("elapsed,"),
                              TimeRemainingColumn(), TextColumn("left"), console=console,
                              transient=False)
            self._bars.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.finish()
        if self._bars is not None:
            self._bars.__exit__(*exc)
            self._bars = None

    def note(self, message: str) -> None:
        """A line of its own (a phase's summary), above the bars on a terminal."""
        if self._bars is not None:
            self._bars.console.print(message, markup=False, highlight=False)
        else:
            self._write(message)

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def start(self, label: str, total: int | None) -> Advance:
        """Begin a task (ending the one before it); return its `advance`."""
        self.finish()
        if self._bars is not None:
            bars = self._bars
            task_id = bars.add_task(label, total=total)

            def advance(step: int = 1, *, to: int | None = None) -> None:
                if to is not None:
                    bars.update(task_id, completed=to)
                else:
                    bars.advance(task_id, step)

            def finish() -> None:
                if total is not None:  # a finished bar shows full even if the count fell short
                    bars.update(task_id, completed=max(total, bars.tasks[task_id].completed))
                bars.stop_task(task_id)

            self._finish = finish
            return advance
        plain = _PlainTask(self._write, label, total, self.clock)
        self._finish = plain.close
        return plain.advance

    def finish(self) -> None:
        """End the current task, if any: its bar shows full, or its closing line is written."""
        finish, self._finish = self._finish, None
        if finish is not None:
            finish()

    @contextmanager
    def task(self, label: str, total: int | None) -> Iterator[Advance]:
        """`start` and `finish` around a block."""
        advance = self.start(label, total)
        try:
            yield advance
        finally:
            self.finish()

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        """Iterate `items` with a bar (total from len() when it has one)."""
        if total is None and hasattr(items, "__len__"):
            total = len(items)  # type: ignore[arg-type]
        with self.task(label, total) as advance:
            for item in items:
                yield item
                advance()


class Quiet:
    """Progress nobody watches: the default of code that reports progress (tests)."""

    def start(self, label: str, total: int | None) -> Advance:
        return _ignore

    def finish(self) -> None:
        pass

    @contextmanager
    def task(self, label: str, total: int | None) -> Iterator[Advance]:
        yield _ignore

    def note(self, message: str) -> None:
        pass
