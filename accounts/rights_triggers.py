"""Database triggers that forget a user's stored rights (User.authz, see
accounts.authz) whenever a row they were copied from changes, by whatever
path: the ORM, a bulk queryset delete/update/bulk_create on a through table,
raw SQL, the admin.

Signals only see the changes made through the related managers; a trigger
sees every write, in the transaction of the write. Each one clears the copy
and bumps `authz_version`, so a rebuild that read the old rows can never
store them over the change (accounts.authz.load writes only where the
version is still the one it read). On PostgreSQL a TRUNCATE of a source
table forgets every copy.

Installed after every `migrate` (post_migrate), not by a migration: Django
alters a SQLite table by rebuilding and renaming it, and SQLite refuses that
rename while a trigger names the table. So on SQLite they are dropped before
migrating and put back after, and every copy is forgotten whenever they are
(re)installed, since data migrations ran without them.
"""

from django.db import connections

# Every statement here is built from the constants of this module only.
USER_TABLE = "accounts_user"
FORGET_ALL = "UPDATE accounts_user SET authz = NULL, authz_version = authz_version + 1"
FORGET = FORGET_ALL + " WHERE id IN ({users})"

# Which users a changed row concerns, with {row} standing for OLD or NEW.
HOLDERS = (
    "SELECT up.user_id FROM accounts_user_user_permissions up WHERE up.permission_id {match} "
    "UNION SELECT ug.user_id FROM accounts_user_groups ug "
    "JOIN auth_group_permissions gp ON gp.group_id = ug.group_id WHERE gp.permission_id {match}"
)
USERS = {
    "accounts_user_groups": "SELECT {row}.user_id",
    "accounts_user_user_permissions": "SELECT {row}.user_id",
    "mfa_authenticator": "SELECT {row}.user_id",
    "auth_group_permissions": "SELECT user_id FROM accounts_user_groups WHERE group_id = {row}.group_id",
    "auth_group": "SELECT user_id FROM accounts_user_groups WHERE group_id = {row}.id",
    # A renamed or deleted permission, or an app label renamed under it.
    "auth_permission": HOLDERS.format(match="= {row}.id"),
    "django_content_type": HOLDERS.format(match="IN (SELECT id FROM auth_permission WHERE content_type_id = {row}.id)"),
}
# The tables a rights copy is made of, and the writes that can change it (a
# new group or permission concerns nobody yet).
SOURCES = {
    "accounts_user_groups": ("INSERT", "UPDATE", "DELETE"),
    "accounts_user_user_permissions": ("INSERT", "UPDATE", "DELETE"),
    "mfa_authenticator": ("INSERT", "UPDATE", "DELETE"),
    "auth_group_permissions": ("INSERT", "UPDATE", "DELETE"),
    "auth_group": ("UPDATE", "DELETE"),
    "auth_permission": ("UPDATE", "DELETE"),
    "django_content_type": ("UPDATE",),
}
ROWS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def _forget(table: str, row: str) -> str:
    return FORGET.format(users=USERS[table].format(row=row))


def trigger_names(vendor: str) -> set[str]:
    """`table.trigger` for PostgreSQL, `trigger` for SQLite: what installed means."""
    if vendor == "postgresql":
        return {f"{table}.accounts_authz_forget" for table in SOURCES}
    return {f"accounts_authz_forget_{table}_{event.lower()}" for table, events in SOURCES.items() for event in events}


def _postgresql_create() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION accounts_authz_forget_all() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {FORGET_ALL}; RETURN NULL; END $$"
    ]
    for table, events in SOURCES.items():
        old = f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_forget(table, 'OLD')}; END IF;"
        new = f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_forget(table, 'NEW')}; END IF;"
        statements += [
            f"CREATE OR REPLACE FUNCTION accounts_authz_forget_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {old} {new} RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS accounts_authz_forget ON {table}",
            f"CREATE TRIGGER accounts_authz_forget AFTER {' OR '.join(events)} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION accounts_authz_forget_{table}()",
            f"DROP TRIGGER IF EXISTS accounts_authz_forget_all ON {table}",
            f"CREATE TRIGGER accounts_authz_forget_all AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION accounts_authz_forget_all()",
        ]
    return statements


def _sqlite_create() -> list[str]:
    statements = []
    for table, events in SOURCES.items():
        for event in events:
            body = " ".join(f"{_forget(table, row)};" for row in ROWS[event])
            name = f"accounts_authz_forget_{table}_{event.lower()}"
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END",
            ]
    return statements


def _installed(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table || '.' || trigger_name FROM information_schema.triggers "
                "WHERE trigger_name = 'accounts_authz_forget'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def install(using: str = "default") -> bool:
    """Create the triggers where any is missing, and forget every stored copy
    then (it may have been made while they were missing). True if it did."""
    connection = connections[using]
    create = {"postgresql": _postgresql_create, "sqlite": _sqlite_create}.get(connection.vendor)
    if create is None:
        return False  # other databases: not supported by VaxFleet
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if not ({USER_TABLE, *SOURCES} <= tables):
        return False  # migrated part of the way, or backwards
    if trigger_names(connection.vendor) <= _installed(connection):
        return False
    with connection.cursor() as cursor:
        for statement in create():
            cursor.execute(statement)
        cursor.execute(FORGET_ALL)
    return True


def drop_on_sqlite(using: str = "default") -> None:
    """Before migrating on SQLite, whose table rebuilds trip over them."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in trigger_names("sqlite"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
