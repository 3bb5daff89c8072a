"""What keeping a user's rights right costs, per request and per write.

The rights (roles, permissions, two-factor flag) are read on every signed-in
request. Three ways to never serve a stale copy, measured on PostgreSQL in
one process (best of five rounds; no server, no network):

- copy: the copy on the user row, cleared by database triggers
  (accounts.rights_triggers): nothing to ask per request;
- check: one query per request that reads the real rows, compared with the
  copy (the cheapest "validate on read");
- recompute: no copy, the four queries of accounts.authz.compute per request.

It also times what the triggers add to writes: deleting and re-adding one
membership, and a group permission changed for a group of --members users.

    .venv/bin/python tools/bench/authz_cost.py [--requests 2000] [--members 1000]

It creates and drops its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/vaxfleet_authzbench).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def best_of(rounds, n, action):
    """Microseconds per call of `action`, the best of `rounds` rounds of `n`."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            action()
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vaxfleet_authzbench"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_STAFF_MFA_REQUIRED", "0")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.test.utils import get_runner, setup_test_environment

    from accounts import authz
    from accounts.models import User
    from accounts.roles import Role

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        group = Group.objects.get(name=Role.FLEET_MANAGER.value)
        users = User.objects.bulk_create(
            User(email=f"member{i}@example.org", first_name="M", last_name=str(i)) for i in range(args.members)
        )
        User.groups.through.objects.bulk_create(User.groups.through(user=u, group=group) for u in users)
        user = users[0]
        authz.load(User.objects.get(pk=user.pk))  # the copy, stored

        def with_copy():
            u = User.objects.get(pk=user.pk)
            return u.role_names, u.has_perm("fleet.view_driver")

        def with_check():
            u = User.objects.get(pk=user.pk)
            with connection.cursor() as cursor:
                # the real rows, in one query: roles and permission ids
                cursor.execute(
                    "SELECT array(SELECT group_id FROM accounts_user_groups WHERE user_id = %s ORDER BY 1), "
                    "array(SELECT permission_id FROM accounts_user_user_permissions WHERE user_id = %s ORDER BY 1), "
                    "array(SELECT gp.permission_id FROM auth_group_permissions gp JOIN accounts_user_groups ug "
                    "ON ug.group_id = gp.group_id WHERE ug.user_id = %s ORDER BY 1), "
                    "EXISTS(SELECT 1 FROM mfa_authenticator WHERE user_id = %s)",
                    [u.pk] * 4,
                )
                cursor.fetchone()
            return u.role_names, u.has_perm("fleet.view_driver")

        def recompute():
            u = User.objects.get(pk=user.pk)
            u.authz = authz.compute(u)
            return u.role_names, u.has_perm("fleet.view_driver")

        base = best_of(5, args.requests, lambda: User.objects.get(pk=user.pk))
        print(f"PostgreSQL {connection.pg_version}, {args.requests} requests a round, best of 5")
        print(f"{'user row only (baseline)':<34}{base:8.0f} µs")
        for name, action in [("copy + triggers", with_copy), ("one-query check", with_check), ("recompute", recompute)]:
            cost = best_of(5, args.requests, action)
            print(f"{name:<34}{cost:8.0f} µs  (+{cost - base:.0f} µs a request)")

        perm = Permission.objects.get(content_type__app_label="fleet", codename="view_driver")
        through = User.groups.through

        def toggle_membership():
            through.objects.filter(user=user, group=group).delete()
            through.objects.create(user=user, group=group)

        def toggle_group_permission():
            group.permissions.remove(perm)
            group.permissions.add(perm)

        n = max(args.requests // 10, 10)
        with_triggers = best_of(3, n, toggle_membership)
        group_with = best_of(3, 5, toggle_group_permission)
        with connection.cursor() as cursor:
            for table in ("accounts_user_groups", "auth_group_permissions"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER accounts_authz_forget")
        without_triggers = best_of(3, n, toggle_membership)
        group_without = best_of(3, 5, toggle_group_permission)
        print(
            f"{'membership delete + insert':<34}{without_triggers:8.0f} µs without triggers, {with_triggers:.0f} with"
        )
        print(
            f"{f'group permission, {args.members} members':<34}{group_without / 1000:8.1f} ms without triggers, "
            f"{group_with / 1000:.1f} with"
        )
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()
