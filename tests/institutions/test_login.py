"""Logging in with e-mail and password, and resetting a forgotten password by e-mail."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_the_login_page_asks_for_an_email_address(client):
    html = client.get("/account/login/").content.decode()
    assert "E-mailadres" in html and "Wachtwoord vergeten?" in html


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, cio_a):
    response = client.post("/account/login/", {"username": "cio@a.example", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_forgotten_password_is_reset_through_a_mailed_link(client, cio_a):
    response = client.post("/account/password_reset/", {"email": "cio@a.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/account/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Kies een nieuw wachtwoord" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "een-nieuw-lang-wachtwoord",
            "new_password2": "een-nieuw-lang-wachtwoord",
        },
    )
    assert done.status_code == 302
    # A real login POST: axes (rate limiting) needs the request that client.login() lacks.
    login = client.post(
        "/account/login/",
        {"username": "cio@a.example", "password": "een-nieuw-lang-wachtwoord"},
    )
    assert login.status_code == 302 and "_auth_user_id" in client.session


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/account/password_reset/", {"email": "niemand@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_logout_is_a_post_and_ends_the_session(client, cio_a):
    client.force_login(cio_a)
    assert client.get("/account/logout/").status_code == 405
    client.post("/account/logout/")
    assert client.get("/instellingen/11AA/").status_code == 302
