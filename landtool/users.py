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
from landtool.workspace_pg import ROLES, PgWorkspace, role_name


def _roles(ws: PgWorkspace) -> dict[str, str]:
    return {r: role_name(ws.path.name, r) for r in ROLES}


def add_user(ws: PgWorkspace, name: str, role: str, password: str | None) -> None:
    """Create login ``name`` if it does not exist (with ``password``) and give it ``role``
    (only that one: an officer made viewer loses the officer role)."""
    if role not in ROLES:
        raise WorkspaceError(f"unknown role {role!r}", path=ws.path,
                             hint="use viewer or officer")
    roles = _roles(ws)
    with ws._errors(f"give {name} the {role} role"), ws.conn.transaction(), \
            ws.conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        if cur.fetchone() is None:
            if not password:
                raise WorkspaceError(f"{name} is a new user: give a password", path=ws.path)
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)))
        elif password:
            cur.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)))
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
    with ws._errors(f"take {name}'s roles away"), ws.conn.transaction(), \
            ws.conn.cursor() as cur:
        for role in roles.values():
            try:
                with ws.conn.transaction():
                    cur.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(role),
                                                                   sql.Identifier(name)))
            except psycopg.errors.UndefinedObject as exc:
                raise WorkspaceError(f"there is no user {name!r}", path=ws.path) from exc
