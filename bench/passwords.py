"""Password policy benchmark: what one check of a chosen password costs.

    .venv/bin/python -m bench.passwords

zxcvbn reads look-alike symbols as letters in every combination ("@" as a, "|" as i
or l ...). A 128-character password made only of different look-alikes took 23 s of
CPU before pbj.services.passwords limited the readings. This times `check_policy` on
ordinary passwords and on such hostile ones (the estimator runs under a lock, so a slow
check would also hold up every other password check in the worker), each 5 times,
printing the worst time. A benchmark, not a test: it asserts nothing.
Results are in docs/BENCHMARKS.md.
"""
from __future__ import annotations

import random
import time

from pbj import create_app
from pbj.services.errors import DomainError
from pbj.services.passwords import check_policy

LOOKALIKES = "4@8({[<3610!|+7$5%29"
CONTEXT = {"email": "pp@setda.singkawangkota.go.id", "names": ("Budi Santoso", "Sekretariat Daerah"),
           "org_code": "SETDA"}


def cases() -> dict[str, str]:
    rng = random.Random(3)
    return {
        "passphrase (37 chars)": "kopi susu di pasar hongkong pagi hari",
        "passphrase (126 chars)": "tungku naga di sedau " * 6,
        "P@$$w0rd-2026!": "P@$$w0rd-2026!",
        "random printable (128)": "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGH0123456789-_") for _ in range(128)),
        "every look-alike (128)": (LOOKALIKES * 7)[:128],
        "random look-alikes (128)": "".join(rng.choice(LOOKALIKES) for _ in range(128)),
        "digits (128)": "1234567890" * 12 + "12345678",
    }


def main() -> None:
    app = create_app({"PBJ_ENV": "testing", "SECRET_KEY": "bench-" * 8, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        print(f"{'password':<26} {'verdict':<8} {'worst of 5':>10}")
        for label, password in cases().items():
            worst, verdict = 0.0, "accepted"
            for _ in range(5):
                start = time.perf_counter()
                try:
                    check_policy(password, **CONTEXT)
                except DomainError:
                    verdict = "refused"
                worst = max(worst, time.perf_counter() - start)
            print(f"{label:<26} {verdict:<8} {worst * 1000:>8.0f} ms")


if __name__ == "__main__":
    main()
