from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.errors import ActionError
from kenes.people import actions
from kenes.people.models import Account


class Command(BaseCommand):
    help = "Create an API token for the account with this e-mail and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="command line")

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.filter(email=options["email"].strip().lower(), is_active=True).first()
        if account is None:
            raise CommandError(f"no active account with the e-mail {options['email']}")
        try:
            _token, raw = actions.create_token("create_token", account, options["name"])
        except ActionError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
