from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kenes.meetings.models import Format
from kenes.people import demo


class Command(BaseCommand):
    help = "Create the fictional demo accounts and demo material (idempotent) and print how to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            # Its accounts share a published password and their TOTP secrets are printed.
            raise CommandError(
                "load_demo refuses to run with KENES_ENV=production: the demo accounts' password is public."
            )
        if not Format.objects.filter(code="ca_foreign_ministers").exists():
            self.stdout.write("No reference data loaded: demo accounts and material need it; skipped.")
            return
        accounts = demo.ensure_accounts()
        demo.ensure_material()
        demo.ensure_decisions()
        demo.ensure_texts()
        demo.ensure_security()
        self.stdout.write("\nDemo accounts (fictional people), password for all: " + demo.DEMO_PASSWORD)
        for spec, account, secret in accounts:
            line = f"  {spec.what:<32} {account.email:<34}"
            if secret:
                line += f" TOTP secret: {secret}"
            self.stdout.write(line)
        self.stdout.write(
            "Accounts with a TOTP secret confirm sign-in with a code: add the secret to an authenticator app\n"
            "or run: ./dev manage totp_code EMAIL\n"
            "The public needs no account. Demo material is marked DEMO at every classification level.\n"
        )
