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
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(block(accounts))


def block(accounts: list[tuple[demo.DemoAccount, Any, str | None]]) -> str:
    """One compact block: who, e-mail, TOTP secret (the accounts cleared for members-only material)."""
    width = max(len(spec.email) for spec, _account, _secret in accounts)
    lines = [f"Demo accounts (fictional people); password for all: {demo.DEMO_PASSWORD}"]
    for spec, account, secret in accounts:
        lines.append(f"  {account.email:<{width}}  {secret or '-':<32}  {spec.what}")
    lines.append("A TOTP secret goes into an authenticator app, or: ./dev manage totp_code EMAIL")
    return "\n".join(lines) + "\n"
