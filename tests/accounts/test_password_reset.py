import re

import pytest
from django.core import mail
from django.urls import reverse

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.mark.django_db
def test_password_reset_works_end_to_end(client, person):
    response = client.post(reverse("account_reset_password"), {"email": "PAT@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link

    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302

    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    login = client.post(reverse("account_login"), {"login": person.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


@pytest.mark.django_db
def test_password_change_needs_the_current_password(client, person):
    client.force_login(person)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert not person.check_password(NEW_PASSWORD)
