"""Fault test (issue 10, item 6): two worker processes race the silence deadline of one text.

tests/texts/test_silence_race.py already shows that such a race adopts the text once (one
``text.adopted`` audit event, one adopted version, an intact chain). What it does not look at is
what the adoption sends: here the same two-process race (its worker script and its shared
database) is run, and then

* every recipient has exactly one "adopted" notification, and they are the very accounts the
  circulation notified (one set, not one per worker, not a partial one);
* exactly one e-mail to each of them is queued, from whichever worker won, and the queue's worker
  sends each once (the racing workers would print any mail they sent themselves: the console
  backend);
* with Redis as the bus, exactly one ``text.adopted`` live event is in the outbox.
"""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django_q.models import OrmQ

from kenes.people.models import Notification
from kenes.people.notify import send_notice_mail
from tests.texts.test_silence_race import WORKER, _assert_adopted_once, _database_for_processes, _silent_text

ROOT = Path(__file__).resolve().parents[2]
SEPARATOR = "-" * 79  # between the messages of Django's console e-mail backend


def _mailed(stdout: str, subject_start: str) -> list[str]:
    """The recipients of the console-printed e-mails whose subject starts so."""
    found = []
    for chunk in stdout.split(SEPARATOR):
        if "Subject:" not in chunk:
            continue
        message = email.message_from_string(chunk.strip())
        if str(message.get("Subject", "")).startswith(subject_start):
            found.append(str(message["To"]))
    return found


def _race(url: str, folder: Path) -> list[tuple[int, str, str]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kenes.settings",
        "KENES_DATABASE_URL": url,
        "KENES_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(folder), str(n)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(list(folder.glob("ready-*"))) < 2 and all(w.poll() is None for w in workers):
            if time.monotonic() > deadline:
                pytest.fail("the silence workers did not start in 60 s", pytrace=False)
            time.sleep(0.01)
        (folder / "go").touch()  # both have set Django up: they start together
        finished = [w.communicate(timeout=90) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait(timeout=10)
    return [(w.returncode, out, err) for w, (out, err) in zip(workers, finished, strict=True)]


@pytest.mark.django_db(transaction=True)
def test_two_processes_racing_a_deadline_send_one_set_of_notifications(live_data: None) -> None:
    text = _silent_text("demo-race-notify")
    url = f"/texts/{text.code}/"
    circulated = Counter(Notification.objects.filter(url=url).values_list("account_id", flat=True))
    last_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert circulated and set(circulated.values()) == {1}, circulated
    with tempfile.TemporaryDirectory(prefix="kenes-race-notify-") as tmp, _database_for_processes(Path(tmp)) as db:
        results = _race(db, Path(tmp))
    for code, _out, err in results:
        assert code == 0, f"a worker failed ({code}):\n{err[-3000:]}"
    _assert_adopted_once(text, [json.loads(out.strip().splitlines()[-1]) for _code, out, _err in results])

    adopted = list(Notification.objects.filter(url=url, pk__gt=last_before).select_related("account"))
    notified = Counter(n.account_id for n in adopted)  # the adoption's notifications, by account
    assert set(notified.values()) == {1}, f"an account was notified of the adoption more than once: {notified}"
    assert set(notified) == set(circulated), "the adoption did not notify exactly the accounts the circulation did"

    assert {n.verb for n in adopted} == {"text.notice"}, adopted
    recipients = {n.account.email for n in adopted}
    # The e-mails went to the task queue: one task per notice of the adoption, none printed yet.
    assert not [to for _code, out, _err in results for to in _mailed(out, "Kenes: A text was adopted")]
    adopted_ids = {n.pk for n in adopted}
    queued = [
        task["args"][0]
        for task in (q.task for q in OrmQ.objects.all())
        if task["func"] == "kenes.people.notify.send_notice_mail" and task["args"][0] in adopted_ids
    ]
    assert Counter(queued) == Counter(adopted_ids), f"queued e-mails {sorted(queued)} != notices {sorted(adopted_ids)}"
    before = len(mail.outbox)
    for pk in queued:  # what the worker then does, twice for the first: a redelivery sends nothing more
        send_notice_mail(pk)
    send_notice_mail(queued[0])
    mailed = [m.to[0] for m in mail.outbox[before:] if m.subject.startswith("Kenes: A text was adopted")]
    assert Counter(mailed) == Counter(recipients), f"e-mails {sorted(mailed)} != notified {sorted(recipients)}"

    if settings.REDIS_URL:  # the Redis bus: live events go through the outbox (decision 0022)
        from kenes.live.models import OutboxEvent

        events = OutboxEvent.objects.filter(channel=f"text:{text.pk}", payload__verb="text.adopted")
        assert events.count() == 1, list(events.values("key", "payload", "delivered_at"))
