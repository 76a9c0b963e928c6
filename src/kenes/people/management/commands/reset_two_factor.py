from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.people import actions
from kenes.people.models import Account


class Command(BaseCommand):
    help = "Remove an account's authenticator after a lost device (audited); it enrols again at next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--operator", required=True, help="who does this, for the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.filter(email=options["email"].strip().lower()).first()
        if account is None:
            raise CommandError(f"no account with the e-mail {options['email']}")
        removed = actions.reset_two_factor(f"operator:{options['operator']}", account)
        self.stdout.write(f"removed {removed} authenticator(s) of {account.email}")
