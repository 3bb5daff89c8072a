"""The password hasher, with its cost chosen for the memory a web worker has.

Django's Argon2 defaults (100 MiB and 8 lanes per hash) make four sign-ins at
once in one four-thread worker cost ~400 MB: on a 512 MB dyno two workers are
killed on the morning bookings open, when everyone signs in (issue 24).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended floor (Password Storage Cheat Sheet:
    m = 19 MiB, t = 2, p = 1), so a worker's hashing memory is bounded by
    threads x 19 MiB (76 MiB for 4 threads) instead of threads x 100 MiB.

    One lane (p = 1): a web request hashes on one core anyway, and more lanes
    only let one sign-in take cores from the requests beside it.

    The algorithm name stays "argon2", so every existing hash still verifies;
    Django's `must_update` sees the old parameters in the hash and re-hashes
    it with these on the person's next successful sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1
