import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.access.levels import Classification
from kenes.errors import ActionError
from kenes.meetings.models import Format
from kenes.people import actions
from kenes.people.models import Affiliation, Role
from kenes.states.models import Organisation, State


class Command(BaseCommand):
    help = (
        "Create an account (audited). It gets a random password: the person sets their own through "
        "'Forgot your password?' on the sign-in page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="full name")
        parser.add_argument("--affiliation", choices=Affiliation.values, required=True)
        parser.add_argument("--state", help="ISO code of the state (affiliation state)")
        parser.add_argument("--organisation", help="code of the organisation (affiliation organisation)")
        parser.add_argument("--clearance", choices=Classification.values, default=Classification.PARTICIPANTS)
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            help="ROLE or ROLE:FORMAT_CODE (repeatable); ROLE alone applies to every format",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        roles = []
        for item in options["role"]:
            role, _, code = item.partition(":")
            if role not in Role.values:
                raise CommandError(f"unknown role {role!r} (one of {', '.join(Role.values)})")
            fmt = Format.objects.filter(code=code).first() if code else None
            if code and fmt is None:
                raise CommandError(f"unknown format {code!r}")
            roles.append((fmt, role))
        state = organisation = None
        if options["state"]:
            state = State.objects.filter(iso2=options["state"].upper()).first()
            if state is None:
                raise CommandError(f"unknown state {options['state']!r}")
        if options["organisation"]:
            organisation = Organisation.objects.filter(code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"unknown organisation {options['organisation']!r}")
        try:
            account = actions.create_account(
                "create_account",
                email=options["email"],
                full_name=options["name"],
                password=secrets.token_urlsafe(24),
                affiliation=options["affiliation"],
                state=state,
                organisation=organisation,
                clearance=options["clearance"],
                roles=roles,
                check_password=False,
            )
        except ActionError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created {account.email}; they set a password with 'Forgot your password?'")
