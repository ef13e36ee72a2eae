"""`paintrack users`: clinic mode's users. The first clinician is added here, with the password
asked twice on the terminal (or one line on standard input with --password-stdin)."""

from __future__ import annotations

import argparse

from paintrack.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a user who can sign in to clinic mode")
    add.add_argument("name", help="the user's name as the audit trail shows it")
    add.add_argument("--role", required=True, choices=["clinician", "staff"])
    _password_option(add)
    actions.add_parser("list", help="every user, their role and whether they can sign in")
    deactivate = actions.add_parser("deactivate", help="stop a user signing in (kept in the trail)")
    deactivate.add_argument("name")
    password = actions.add_parser("password", help="set a new password for a user")
    password.add_argument("name")
    _password_option(password)


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (scripts)",
    )


def read_new_password(args: argparse.Namespace, name: str) -> str:
    """The new password: standard input's first line, or asked twice without echo."""
    if args.password_stdin:
        from paintrack.commands.common import stdin_line

        password = stdin_line()
        if not password:
            raise UserError("--password-stdin: standard input held no password.")
        return password
    import getpass

    first = getpass.getpass(f"New password for {name}: ")
    second = getpass.getpass("The same password again: ")
    if first != second:
        raise UserError("The two passwords were not the same; nothing was changed. Try again.")
    return first


def run(args: argparse.Namespace) -> int:
    from paintrack.operations import clinic

    if args.users_action == "list":
        from paintrack.commands.common import open_existing_store

        with open_existing_store(args) as store:
            users = clinic.list_users(store)
        if not users:
            print(f"No users yet. Add the first clinician with: {clinic.ADD_FIRST_CLINICIAN}")
            return 0
        width = max(len(user.name) for user in users)
        for user in users:
            state = "active" if user.active else "deactivated"
            print(f"{user.name:<{width}}  {user.role.value:<9}  {state}")
        return 0

    from paintrack.commands.common import sign_in_if_clinic_mode
    from paintrack.paths import resolve_db_target
    from paintrack.store import open_store

    target = resolve_db_target(getattr(args, "db", None))
    if args.users_action == "add":
        with open_store(target) as store:
            sign_in_if_clinic_mode(store, args, "add a user", clinician=True)
            password = read_new_password(args, args.name)
            user = clinic.add_user(store, args.name, args.role, password)
        print(f"Added {user.name} ({user.role.value}).")
        if user.role.value == "clinician":
            print("Switch this database to clinic mode with: paintrack clinic enable")
    elif args.users_action == "deactivate":
        with open_store(target) as store:
            sign_in_if_clinic_mode(store, args, "deactivate a user", clinician=True)
            user = clinic.deactivate_user(store, args.name)
        print(f"{user.name} can no longer sign in.")
    else:
        with open_store(target) as store:
            sign_in_if_clinic_mode(store, args, "set a user's password", clinician=True)
            if store.find_user(args.name) is None:  # before asking for a password
                raise UserError(
                    f"There is no user called {args.name!r}. See the users with: "
                    "paintrack users list"
                )
            password = read_new_password(args, args.name)
            user = clinic.change_password(store, args.name, password)
        print(f"Set a new password for {user.name}.")
    return 0
