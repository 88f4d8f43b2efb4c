"""The users of a shared workspace and their roles, kept by the database itself.

``<database>_viewer`` may read every table; ``<database>_officer`` is a viewer that may also
register requests, record decisions, save check results and edit features. A user is a
PostgreSQL login given one of the two roles; the server enforces what each may do, whatever
client connects.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from landtool.errors import WorkspaceError
from landtool.workspace.pg import ROLES, PgWorkspace


def _roles(ws: PgWorkspace) -> dict[str, str]:
    return {r: ws.role_name(r) for r in ROLES}


def login_exists(ws: PgWorkspace, name: str) -> bool:
    return bool(ws._query("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)))


def add_user(ws: PgWorkspace, name: str, role: str, password: str | None = None) -> None:
    """Give login ``name`` the workspace's ``role`` (only that one: an officer made viewer
    loses the officer role), creating the login with ``password`` if it is new. An existing
    login's password is never changed here (its owner changes it, e.g. ``\\password`` in
    psql). The password is sent already hashed (SCRAM), so the server never logs it."""
    if role not in ROLES:
        raise WorkspaceError(f"unknown role {role!r}", path=ws.path,
                             hint="use viewer or officer")
    roles = _roles(ws)
    exists = login_exists(ws, name)
    if not exists and not password:
        raise WorkspaceError(f"{name} is a new user: give a password", path=ws.path)
    if exists and password:
        raise WorkspaceError(
            f"user {name} exists already: its password is not changed here", path=ws.path,
            hint="leave the password out to give the role only; the user changes their own "
            "password (\\password in psql)")
    with ws._lock, ws._errors(f"give {name} the {role} role"), ws.conn.transaction(), \
            ws.conn.cursor() as cur:
        if not exists:
            hashed = ws.conn.pgconn.encrypt_password(password.encode(), name.encode(),
                                                     b"scram-sha-256")
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(hashed.decode())))
        for other in ROLES:
            if other != role:
                cur.execute(sql.SQL("REVOKE {} FROM {}").format(
                    sql.Identifier(roles[other]), sql.Identifier(name)))
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(roles[role]),
                                                    sql.Identifier(name)))


def list_users(ws: PgWorkspace) -> list[tuple[str, str]]:
    """(user, role) of every login that is a direct member of the workspace's roles."""
    roles = _roles(ws)
    rows = ws._query(
        "SELECT m.rolname, g.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
        "JOIN pg_roles g ON g.oid = a.roleid WHERE g.rolname = ANY(%s) AND m.rolcanlogin "
        "ORDER BY m.rolname", (list(roles.values()),))
    by_role = {v: k for k, v in roles.items()}
    best: dict[str, str] = {}
    for member, group in rows:
        role = by_role[group]
        if best.get(member) != "officer":
            best[member] = role
    return sorted(best.items())


def remove_user(ws: PgWorkspace, name: str) -> None:
    roles = _roles(ws)
    with ws._lock, ws._errors(f"take {name}'s roles away"), ws.conn.transaction(), \
            ws.conn.cursor() as cur:
        for role in roles.values():
            try:
                with ws.conn.transaction():
                    cur.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(role),
                                                                   sql.Identifier(name)))
            except psycopg.errors.UndefinedObject as exc:
                raise WorkspaceError(f"there is no user {name!r}", path=ws.path) from exc
