"""Where a workspace lives: a GeoPackage path, or a PostgreSQL database named by a URL.

A database URL may carry a password; :class:`DatabaseLocation` keeps it for connecting but
never prints it, so messages, window titles, recent-file lists and reports show the URL
without it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

URL_SCHEMES = ("postgresql", "postgres")


def is_database_url(value: object) -> bool:
    """True for ``postgresql://…`` and ``postgres://…``."""
    return isinstance(value, str | DatabaseLocation) and \
        str(value).split("://", 1)[0].lower() in URL_SCHEMES and "://" in str(value)


class DatabaseLocation:
    """A ``postgresql://user:password@host:port/database`` URL, printable without its password.

    It stands where a workspace's ``path`` does: ``name`` and ``parent`` answer as a file's
    would (the database's name; the home folder, where outputs go by default).
    """

    def __init__(self, url: str, password: str | None = None) -> None:
        if isinstance(url, DatabaseLocation):
            password = password if password is not None else url.password
            url = url.url
        #: why the URL cannot be used (then it is shown with everything after :// hidden)
        self.problem: str | None = None
        try:
            parts = urlsplit(str(url))
            query = parse_qsl(parts.query, keep_blank_values=True)
            port = parts.port
        except ValueError:
            parts, query, port = urlsplit("postgresql:///"), [], None
            self.problem = ("the URL cannot be read: in a password, write # as %23, / as %2F "
                            "and @ as %40, or leave the password out of the URL and keep it "
                            "in ~/.pgpass or PGPASSWORD")
        if parts.scheme.lower() not in URL_SCHEMES:
            raise ValueError("not a PostgreSQL URL")
        # a password may come in the URL's user part or as ?password=; neither is shown
        in_query = [v for k, v in query if k == "password"]
        # secrets are never part of the URL kept and shown (sslpassword: a client key's)
        self.secrets = {k: v for k, v in query if k == "sslpassword"}
        query = [(k, v) for k, v in query if k not in ("password", "sslpassword")]
        self.password = password if password is not None else (
            unquote(parts.password) if parts.password else in_query[0] if in_query else None)
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        user = f"{quote(unquote(parts.username), safe='')}@" if parts.username else ""
        self.url = urlunsplit(("postgresql", f"{user}{host}{f':{port}' if port else ''}",
                               parts.path, urlencode(query), ""))
        if self.problem:
            self.url = "postgresql://…"
        self.user = unquote(parts.username) if parts.username else None
        self.host = parts.hostname
        self.port = port
        self.database = unquote(parts.path.lstrip("/"))

    @property
    def name(self) -> str:
        """The database named in the URL (the server may pick another when none is named:
        a connected workspace asks it, see PgWorkspace.database)."""
        return self.database or "(default database)"

    @property
    def parent(self) -> Path:
        return Path.home()

    def conninfo(self) -> str:
        """The URL to connect with (the password is given to the connection apart)."""
        if not self.secrets:
            return self.url
        return self.url + ("&" if "?" in self.url else "?") + urlencode(self.secrets)

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"DatabaseLocation({self.url!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DatabaseLocation) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)


def as_location(value) -> Path | DatabaseLocation:
    """A Path, or a DatabaseLocation for a database URL."""
    if isinstance(value, DatabaseLocation):
        return value
    if is_database_url(value):
        return DatabaseLocation(str(value))
    return Path(value)
