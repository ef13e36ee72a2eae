"""`paintrack clinic`: switch a database to clinic mode (users sign in) and say which mode it is
in. Switching back to patient mode is for a clinician signed in to the window."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="clinic_action", metavar="ACTION", required=True)
    actions.add_parser("enable", help="switch the database to clinic mode (needs a clinician)")
    actions.add_parser("status", help="say whether the database is in clinic or patient mode")


def run(args: argparse.Namespace) -> int:
    from paintrack.operations import clinic

    if args.clinic_action == "status":
        from paintrack.commands.common import open_existing_store

        with open_existing_store(args) as store:
            state = clinic.clinic_state(store)
            users = clinic.list_users(store)
            where = store.where
        active = sum(1 for user in users if user.active)
        if state.clinic_mode:
            print(f"{where} is in clinic mode: users sign in before a diary is shown.")
            print(f"The window locks after {state.idle_lock_minutes} minutes without input.")
        else:
            print(f"{where} is in patient mode: nobody signs in; clinic settings are not offered.")
        print(f"Users: {active} active, {len(users) - active} deactivated.")
        return 0

    from paintrack.paths import resolve_db_target
    from paintrack.store import open_store

    with open_store(resolve_db_target(getattr(args, "db", None))) as store:
        before = clinic.clinic_state(store)
        clinic.enable_clinic_mode(store)
        where = store.where
    if before.clinic_mode:
        print(f"{where} was already in clinic mode.")
    else:
        print(f"{where} is now in clinic mode: the window asks who is signing in.")
    return 0
