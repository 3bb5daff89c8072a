"""The desk's camera scanner reads a real QR code: Chromium's fake camera
plays a still video of the confirmation's QR code, and the desk checks the
person in without anyone typing."""

import re
from datetime import timedelta

import pytest
import segno

from accounts.roles import Role
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, PHONE
from tests.browser.test_checkin_journey import sign_in
from tests.factories import UserFactory, recent_start_today
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTH, HEIGHT, SCALE = 640, 480, 8


def qr_video(code: str, path) -> None:
    """A one-frame Y4M video (what Chromium's fake camera plays) of the QR
    code the confirmation page shows for `code`: black modules on white."""
    matrix = segno.make(code, error="m", micro=False).matrix
    size = len(matrix) * SCALE
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if dark:
                for y in range(top + row * SCALE, top + (row + 1) * SCALE):
                    start = y * WIDTH + left + column * SCALE
                    luma[start : start + SCALE] = bytes([16]) * SCALE
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture
def booked_today():
    site = Site.objects.create(name="Central Health Centre", address="12 Hospital Road")
    vaccine = Vaccine.objects.create(name="Influenza 2026/27")
    start = recent_start_today(site)
    slot = Slot.objects.create(
        site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=1, booked_count=1
    )
    person = UserFactory(first_name="Carmen", last_name="Camera")
    return Appointment.objects.create(person=person, slot=slot)


def test_the_camera_button_reads_the_qr_code_and_checks_the_person_in(browser, live_server, tmp_path, booked_today):
    nurse = UserFactory(email="nora@example.org", first_name="Nora", last_name="Nurse", roles=[Role.CLINIC_STAFF])
    booked_today.slot.site.staff.add(nurse)
    video = tmp_path / "qr.y4m"
    qr_video(booked_today.code, video)
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(base_url=live_server.url, viewport=PHONE)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, nurse.email)
        page.goto("/clinic/checkin/")

        page.get_by_role("button", name="Scan with camera").click()

        page.get_by_role("status").filter(has_text=re.compile("Checked in")).wait_for()
        assert "Carmen Camera" in page.get_by_role("status").filter(has_text="Checked in").inner_text()
        booked_today.refresh_from_db()
        assert booked_today.status == Appointment.Status.CHECKED_IN
        assert errors == []
    finally:
        camera_browser.close()
