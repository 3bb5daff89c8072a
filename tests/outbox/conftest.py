from tests.vaccination.conftest import make_slot, site, slot, vaccine  # noqa: F401 -- fixtures for the booking cases
